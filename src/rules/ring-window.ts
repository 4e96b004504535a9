/**
Reading a rule's window straight from the ring behind a series, by serial numbers (SeriesRing.firstSerial), into
reused arrays: no allocation per series per evaluation. Works for a SeriesRing and for a PercentSeries over one
(values scaled as they are read, as PercentSeries.since scales them).
*/
import {SeriesRing} from '../store/ring-buffer.js';
import {PercentSeries} from './percent-series.js';
import {type PointSeries} from './time-ring.js';

/** The ring whose serial numbers a series' points carry, or undefined when it has none. */
export function ringOf(points: PointSeries): SeriesRing | undefined {
	if (points instanceof SeriesRing) return points;
	if (points instanceof PercentSeries && points.base instanceof SeriesRing) return points.base;
	return undefined;
}

/** Reused arrays for one window at a time. */
export class WindowScratch {
	xs = new Float64Array(64);
	values = new Float64Array(64);
	times = new Float64Array(64);

	/** The `n` newest points of `points` (whose ring is `ring`) into values/times[0..n), oldest first, values as `points` reads them. */
	read(points: PointSeries, ring: SeriesRing, n: number): void {
		if (this.values.length < n) {
			let size = this.values.length;
			while (size < n) size *= 2;
			this.xs = new Float64Array(size);
			this.values = new Float64Array(size);
			this.times = new Float64Array(size);
		}
		const pushed = ring.firstSerial + ring.length;
		ring.copySerials(pushed - n, pushed, this, 0);
		if (points instanceof PercentSeries) for (let i = 0; i < n; i++) this.values[i] = points.pct(this.values[i]!);
	}
}
