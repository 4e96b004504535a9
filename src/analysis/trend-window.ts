/**
analyzeTrend over a ring's newest points, kept up to date as points arrive instead of recomputed over 10,000 values
every tick. One TrendWindow per ring and window length follows the ring by serial numbers (SeriesRing.firstSerial):
points that left the window leave running sums, new ones enter them, and the result is read from the sums.

What it returns is analyzeTrend(ring.tailValues(n)) with these differences, pinned by a property test against it:
- `slope` and `volatility` come from running sums (anchored near the data and re-anchored every window's worth of
  points, so their error stays a few ulps of the data's spread): equal within a relative 1e-9 (slope) and 1e-7
  (volatility), plus 1e-12 of the data's magnitude where the exact answer is about zero, not to the last bit;
- `trend` is always the same: a slope within TREND_BAND of either boundary (±0.01) is recomputed by analyzeTrend;
- `converged` and `sampleCount` are exact (the recent 10% is re-read from the window: at most a tenth of it);
- a window holding a value of magnitude over HUGE, or nearly flat (a variance under CANCELLATION of the mean
  square, where the running sums would lose what analyzeTrend's two passes keep), is recomputed by analyzeTrend.
*/
import {analyzeTrend, type TrendAnalysis} from './training-trend.js';

/** What a window reads from its ring (src/store/ring-buffer.ts SeriesRing). */
export interface SerialRing {
	/** Serial number of the oldest point held (points are numbered from 0 as pushed). */
	readonly firstSerial: number;
	readonly length: number;
	readonly capacity: number;
	/** The newest `n` values, oldest first. */
	tailValues(n: number): number[];
}

/** A slope this close to ±0.01 is recomputed exactly (the running sums could sit on the other side). */
const TREND_BAND = 1e-9;
/** Values beyond this magnitude are left to analyzeTrend (squares near overflow, sums dominated by one value). */
const HUGE = 1e100;
/** A variance below this share of the mean square (of values less the anchor) is recomputed by analyzeTrend. */
const CANCELLATION = 1e-6;

export class TrendWindow {
	/** Raw serial numbers held: [lo, hi). */
	private lo = 0;
	private hi = 0;
	private fifo: Float64Array = new Float64Array(64);
	private head = 0;
	private count = 0;
	/** Finite values held, and those over HUGE. */
	private n = 0;
	private huge = 0;
	/** Ordinal of the next finite value to enter, and of the oldest finite value held. */
	private nextOrdinal = 0;
	private firstOrdinal = 0;
	/** Anchors: sums are of (ordinal - g0) and (value - k). */
	private g0 = 0;
	private k = 0;
	private sumA = 0;
	private sumB = 0;
	private sumC = 0;

	constructor(private readonly size: number) {}

	/** analyzeTrend(ring.tailValues(size)), brought up to date with the ring. */
	analyze(ring: SerialRing): TrendAnalysis {
		const take = Math.min(this.size, ring.length);
		const hi = ring.firstSerial + ring.length;
		const lo = hi - take;
		if (lo < this.lo || hi < this.hi || lo > this.hi || this.hi < ring.firstSerial) this.reset(lo, ring.tailValues(take));
		else {
			while (this.lo < lo) this.shift();
			if (this.hi < hi) {
				const added = ring.tailValues(hi - this.hi);
				for (const v of added) this.push(v);
			}
		}
		if (this.firstOrdinal - this.g0 > this.size) this.reanchor();
		return this.result(ring, take);
	}

	private reset(lo: number, values: readonly number[]): void {
		this.lo = lo;
		this.hi = lo;
		this.head = 0;
		this.count = 0;
		this.n = 0;
		this.huge = 0;
		this.firstOrdinal = this.nextOrdinal;
		this.g0 = this.nextOrdinal;
		this.k = values.find(Number.isFinite) ?? 0;
		this.sumA = 0;
		this.sumB = 0;
		this.sumC = 0;
		for (const v of values) this.push(v);
	}

	private push(v: number): void {
		if (this.count === this.fifo.length) {
			// Never past the window's own size (it holds at most that many values): 10,000 slots, not 16,384.
			const doubled = this.fifo.length * 2;
			const grown = new Float64Array(this.size > this.count && this.size < doubled ? this.size : doubled);
			for (let i = 0; i < this.count; i++) grown[i] = this.fifo[(this.head + i) % this.fifo.length]!;
			this.fifo = grown;
			this.head = 0;
		}
		this.fifo[(this.head + this.count) % this.fifo.length] = v;
		this.count += 1;
		this.hi += 1;
		if (!Number.isFinite(v)) return;
		if (this.n === 0) this.firstOrdinal = this.nextOrdinal;
		this.n += 1;
		if (Math.abs(v) > HUGE) this.huge += 1;
		const u = this.nextOrdinal - this.g0;
		const y = v - this.k;
		this.sumA += y;
		this.sumB += y * y;
		this.sumC += u * y;
		this.nextOrdinal += 1;
	}

	private shift(): void {
		const v = this.fifo[this.head]!;
		this.head = (this.head + 1) % this.fifo.length;
		this.count -= 1;
		this.lo += 1;
		if (!Number.isFinite(v)) return;
		if (Math.abs(v) > HUGE) this.huge -= 1;
		const u = this.firstOrdinal - this.g0;
		const y = v - this.k;
		this.sumA -= y;
		this.sumB -= y * y;
		this.sumC -= u * y;
		this.n -= 1;
		this.firstOrdinal += 1;
		if (this.n === 0) this.sumA = this.sumB = this.sumC = 0;
	}

	/** Recompute the sums from the values held, anchored at the oldest finite value (bounds the drift of the running sums). */
	private reanchor(): void {
		this.g0 = this.firstOrdinal;
		let k: number | undefined;
		let a = 0;
		let b = 0;
		let c = 0;
		let u = 0;
		for (let i = 0; i < this.count; i++) {
			const v = this.fifo[(this.head + i) % this.fifo.length]!;
			if (!Number.isFinite(v)) continue;
			k ??= v;
			const y = v - k;
			a += y;
			b += y * y;
			c += u * y;
			u += 1;
		}
		this.k = k ?? 0;
		this.sumA = a;
		this.sumB = b;
		this.sumC = c;
	}

	private result(ring: SerialRing, take: number): TrendAnalysis {
		const n = this.n;
		if (n < 10) return {trend: 'insufficient_data', slope: 0, volatility: 0, converged: false, sampleCount: n};
		if (this.huge > 0) return analyzeTrend(ring.tailValues(take));
		// x = ordinal - firstOrdinal runs 0..n-1: its sums are exact; sum x(y - k) = sumC - d sumA.
		const d = this.firstOrdinal - this.g0;
		const sumX = (n * (n - 1)) / 2;
		const sumX2 = ((n - 1) * n * (2 * n - 1)) / 6;
		const sumXY = this.sumC - d * this.sumA;
		const denominator = n * sumX2 - sumX * sumX;
		const slope = denominator === 0 ? 0 : (n * sumXY - sumX * this.sumA) / denominator;
		if (Math.abs(slope - 0.01) <= TREND_BAND || Math.abs(slope + 0.01) <= TREND_BAND) return analyzeTrend(ring.tailValues(take));
		const meanY = this.sumA / n;
		const meanSquare = this.sumB / n;
		const variance = meanSquare - meanY * meanY;
		// A nearly flat window: the difference of the sums is mostly rounding, and its square root would show it.
		if (!(variance > CANCELLATION * meanSquare)) return analyzeTrend(ring.tailValues(take));
		const volatility = Math.sqrt(variance);
		const converged = this.recentChange(n) < 1;
		const trend = slope < -0.01 ? 'improving' : slope > 0.01 ? 'degrading' : 'stable';
		return {trend, slope, volatility, converged, sampleCount: n};
	}

	/** analyzeTrend's recent change: the span of the last 10% of finite values as a percent of their minimum. */
	private recentChange(n: number): number {
		let left = Math.max(1, Math.floor(n * 0.1));
		let min = Number.POSITIVE_INFINITY;
		let max = Number.NEGATIVE_INFINITY;
		for (let i = this.count - 1; i >= 0 && left > 0; i--) {
			const v = this.fifo[(this.head + i) % this.fifo.length]!;
			if (!Number.isFinite(v)) continue;
			left -= 1;
			// Math.min / Math.max's order: -0 below 0.
			if (v < min || (v === 0 && min === 0 && Object.is(v, -0))) min = v;
			if (v > max || (v === 0 && max === 0 && Object.is(max, -0))) max = v;
		}
		return min === 0 ? (max === 0 ? 0 : Number.POSITIVE_INFINITY) : ((max - min) / Math.abs(min)) * 100;
	}
}

const windows = new WeakMap<SerialRing, Map<number, TrendWindow>>();

/**
analyzeTrend over the newest `n` values of `ring` (see TrendWindow for what is exact), from a window kept per ring
and length: each call costs the points pushed since the last one plus a tenth of the window.
*/
export function trendOfTail(ring: SerialRing, n: number): TrendAnalysis {
	let byLength = windows.get(ring);
	if (byLength === undefined) {
		byLength = new Map();
		windows.set(ring, byLength);
	}
	// Every length from the capacity up reads the whole ring: one window serves them all (the rule's 10,000, the writer's whole ring).
	const size = Math.max(0, Math.min(Math.floor(n), ring.capacity));
	let w = byLength.get(size);
	if (w === undefined) {
		w = new TrendWindow(size);
		byLength.set(size, w);
	}
	return w.analyze(ring);
}

/** trendOfTail where the series is a ring with serial numbers, else analyzeTrend over its tail. */
export function trendOfSeries(series: {tailValues(n: number): number[]}, n: number): TrendAnalysis {
	return isSerialRing(series) ? trendOfTail(series, n) : analyzeTrend(series.tailValues(n));
}

function isSerialRing(series: object): series is SerialRing {
	return 'firstSerial' in series && 'capacity' in series && 'length' in series;
}
