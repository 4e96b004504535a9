/**
Time series the rules read. `PointSeries` is the read-only view every rule uses; `TimeRing` is the store's ring
(src/store/ring-buffer.ts) with times kept ascending: a point older than the newest is dropped. It holds the series
the engine samples itself, the GPU store's history (which the rules read directly) and replayed history (tests,
backtest, benchmarks).
*/
import {type PointSeries, SeriesRing} from '../store/ring-buffer.js';

export {type PointSeries, TimeRing} from '../store/ring-buffer.js';

/** The minimal ring the store uses (src/store/ring-buffer.ts NumericRing), as a PointSeries. */
export interface StoreRingLike {
	readonly length: number;
	lastValue(): number | undefined;
	lastTime(): number | undefined;
	tailValues(n: number): number[];
	valuesSince(sinceMs: number): number[];
	tail(n: number): Array<{x: number; value: number; timeMs: number}>;
}

/** A store ring as a PointSeries: the ring itself (it is one), or a view over another ring-like. */
export function storeRingSeries(ring: StoreRingLike): PointSeries {
	if (ring instanceof SeriesRing) return ring;
	return {
		get length() {
			return ring.length;
		},
		lastTime: () => ring.lastTime(),
		lastValue: () => ring.lastValue(),
		tailValues: (n) => ring.tailValues(n),
		since(sinceMs) {
			const count = ring.valuesSince(sinceMs).length;
			const points = ring.tail(count);
			return {values: points.map((p) => p.value), times: points.map((p) => p.timeMs)};
		},
	};
}
