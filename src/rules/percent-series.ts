/** A series as a percent of a total (GPU memory used -> percent of the total), each value read as (v / total) * 100. */
import {type PointSeries, type Window} from '../store/ring-buffer.js';

export class PercentSeries implements PointSeries {
	constructor(
		readonly base: PointSeries,
		readonly total: number,
	) {}

	/** One value as a percent. */
	pct(v: number): number {
		return (v / this.total) * 100;
	}

	get length(): number {
		return this.base.length;
	}

	lastTime(): number | undefined {
		return this.base.lastTime();
	}

	lastValue(): number | undefined {
		const v = this.base.lastValue();
		return v === undefined ? undefined : this.pct(v);
	}

	tailValues(n: number): number[] {
		return this.base.tailValues(n).map((v) => this.pct(v));
	}

	since(sinceMs: number): Window {
		const w = this.base.since(sinceMs);
		return {values: w.values.map((v) => this.pct(v)), times: w.times};
	}
}
