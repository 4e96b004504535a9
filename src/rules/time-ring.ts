/**
Time series the rules read. `PointSeries` is the read-only view every rule uses; `TimeRing` is a bounded
implementation (Float64Arrays, times ascending, binary search by time) for series the engine samples itself,
for GPU readings handed to the rules, and for replayed history (tests, backtest, benchmarks).
*/

export interface Window {
	readonly values: number[];
	readonly times: number[];
}

export interface PointSeries {
	readonly length: number;
	lastTime(): number | undefined;
	lastValue(): number | undefined;
	/** The newest `n` values, oldest first. */
	tailValues(n: number): number[];
	/** Points at or after `sinceMs`, oldest first. */
	since(sinceMs: number): Window;
	/** The newest value at or before `timeMs` (undefined when none). */
	valueAt?(timeMs: number): number | undefined;
}

export class TimeRing implements PointSeries {
	readonly capacity: number;
	private readonly values: Float64Array;
	private readonly times: Float64Array;
	private start = 0;
	private count = 0;

	constructor(capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
		this.capacity = capacity;
		this.values = new Float64Array(capacity);
		this.times = new Float64Array(capacity);
	}

	get length(): number {
		return this.count;
	}

	/** Append a point. A point older than the newest is dropped (times stay ascending); returns whether kept. */
	push(timeMs: number, value: number): boolean {
		if (this.count > 0 && timeMs < this.times[this.slot(this.count - 1)]!) return false;
		const index = (this.start + this.count) % this.capacity;
		this.values[index] = value;
		this.times[index] = timeMs;
		if (this.count < this.capacity) this.count += 1;
		else this.start = (this.start + 1) % this.capacity;
		return true;
	}

	clear(): void {
		this.start = 0;
		this.count = 0;
	}

	private slot(i: number): number {
		return (this.start + i) % this.capacity;
	}

	lastTime(): number | undefined {
		return this.count === 0 ? undefined : this.times[this.slot(this.count - 1)];
	}

	lastValue(): number | undefined {
		return this.count === 0 ? undefined : this.values[this.slot(this.count - 1)];
	}

	/** Index (0 = oldest) of the first point at or after `timeMs`. */
	private firstAtOrAfter(timeMs: number): number {
		let lo = 0;
		let hi = this.count;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.times[this.slot(mid)]! < timeMs) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	tailValues(n: number): number[] {
		const take = Math.min(n, this.count);
		const out = new Array<number>(take);
		for (let i = 0; i < take; i++) out[i] = this.values[this.slot(this.count - take + i)]!;
		return out;
	}

	since(sinceMs: number): Window {
		const from = this.firstAtOrAfter(sinceMs);
		const n = this.count - from;
		const values = new Array<number>(n);
		const times = new Array<number>(n);
		for (let i = 0; i < n; i++) {
			const s = this.slot(from + i);
			values[i] = this.values[s]!;
			times[i] = this.times[s]!;
		}
		return {values, times};
	}

	/** Count of points at or after `sinceMs` (no allocation). */
	countSince(sinceMs: number): number {
		return this.count - this.firstAtOrAfter(sinceMs);
	}

	/** The oldest point at or after `sinceMs` (no allocation). */
	firstSince(sinceMs: number): {value: number; timeMs: number} | undefined {
		const i = this.firstAtOrAfter(sinceMs);
		if (i >= this.count) return undefined;
		const s = this.slot(i);
		return {value: this.values[s]!, timeMs: this.times[s]!};
	}

	valueAt(timeMs: number): number | undefined {
		const i = this.firstAtOrAfter(timeMs + 1) - 1;
		return i < 0 ? undefined : this.values[this.slot(i)];
	}
}

/** The minimal ring the store uses (src/store/ring-buffer.ts NumericRing), as a PointSeries. */
export interface StoreRingLike {
	readonly length: number;
	lastValue(): number | undefined;
	lastTime(): number | undefined;
	tailValues(n: number): number[];
	valuesSince(sinceMs: number): number[];
	tail(n: number): Array<{x: number; value: number; timeMs: number}>;
}

export function storeRingSeries(ring: StoreRingLike): PointSeries {
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
