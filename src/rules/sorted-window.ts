/**
robust_z(W) without sorting its window every evaluation. For each ring and window length, the reference window
(the points in the window but the newest) is kept twice: in arrival order (a FIFO) and sorted. Each evaluation
drops the points that left the window from the front of the FIFO (and from the sorted copy by binary search) and
adds the ones pushed since (read from the ring by their serial numbers, see SeriesRing.firstSerial), so a
1,000-series tick costs a few inserts per series instead of two selections over 300 points.

The result is what `robustZ(x, reference)` computes (stats.ts), to the same float: the median is read from the
sorted copy, the MAD is the k-th smallest of the deviations, which on a sorted array are two sorted runs either
side of the median (merged by walking out from it), and the mean-absolute-deviation fallback sums in arrival
order as robustZ does. The one difference: where robustZ's selection may land on -0 or 0 among equal values, the
sign of a zero result may differ (never its magnitude or any comparison). A window holding NaN, a non-finite
median, or a series without serial numbers (see ring-window.ts) take robustZ itself.
*/
import {ringOf} from './ring-window.js';
import {MAD_TO_SIGMA, robustZ} from './stats.js';
import {type PointSeries} from './time-ring.js';

/** robust_z over a window's values, oldest first: the newest against the rest (NaN under 6 points). */
export function robustZOfWindow(values: readonly number[]): number {
	const n = values.length;
	return n < 6 ? Number.NaN : robustZ(values[n - 1]!, values.slice(0, -1));
}

/** One ring's reference window for one window length. */
class ReferenceWindow {
	/** Serial numbers of the points held: [lo, hi). */
	lo = 0;
	hi = 0;
	private fifo: Float64Array = new Float64Array(64);
	private head = 0;
	private count = 0;
	private sorted: Float64Array = new Float64Array(64);
	/** Values in `sorted` (the non-NaN ones). */
	private size = 0;
	private nans = 0;

	reset(lo: number, values: ArrayLike<number>): void {
		this.head = 0;
		this.count = 0;
		this.size = 0;
		this.nans = 0;
		this.lo = lo;
		this.hi = lo + values.length;
		let capacity = this.fifo.length;
		while (capacity < values.length) capacity *= 2;
		if (capacity !== this.fifo.length) {
			this.fifo = new Float64Array(capacity);
			this.sorted = new Float64Array(capacity);
		}
		for (let i = 0; i < values.length; i++) {
			const v = values[i]!;
			this.fifo[i] = v;
			if (Number.isNaN(v)) this.nans += 1;
			else this.sorted[this.size++] = v;
		}
		this.count = values.length;
		this.sorted.subarray(0, this.size).sort();
	}

	push(v: number): void {
		if (this.count === this.fifo.length) {
			this.fifo = unrolled(this.fifo, this.head, this.count);
			this.head = 0;
		}
		this.fifo[(this.head + this.count) % this.fifo.length] = v;
		this.count += 1;
		this.hi += 1;
		if (Number.isNaN(v)) {
			this.nans += 1;
			return;
		}
		if (this.size === this.sorted.length) {
			const grown = new Float64Array(this.sorted.length * 2);
			grown.set(this.sorted);
			this.sorted = grown;
		}
		const at = upperBound(this.sorted, this.size, v);
		this.sorted.copyWithin(at + 1, at, this.size);
		this.sorted[at] = v;
		this.size += 1;
	}

	shift(): void {
		const v = this.fifo[this.head]!;
		this.head = (this.head + 1) % this.fifo.length;
		this.count -= 1;
		this.lo += 1;
		if (Number.isNaN(v)) {
			this.nans -= 1;
			return;
		}
		// Any slot holding an equal value will do (-0 and 0 compare equal: see the note above).
		const at = upperBound(this.sorted, this.size, v) - 1;
		this.sorted.copyWithin(at, at + 1, this.size);
		this.size -= 1;
	}

	/** robustZ(x, reference), or undefined where robustZ itself must answer (NaN held, non-finite median). */
	z(x: number): number | undefined {
		const m = this.size;
		if (m === 0 || !Number.isFinite(x)) return Number.NaN;
		if (this.nans > 0) return undefined;
		const s = this.sorted;
		const mid = m >> 1;
		const med = m % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
		if (!Number.isFinite(med)) return undefined;
		let scale = MAD_TO_SIGMA * this.mad(med);
		if (scale === 0) {
			let sum = 0;
			for (let i = 0; i < this.count; i++) sum += Math.abs(this.fifo[(this.head + i) % this.fifo.length]! - med);
			scale = (1.2533 * sum) / m;
		}
		if (scale === 0) return x === med ? 0 : x > med ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
		return (x - med) / scale;
	}

	/** Median of |v - med| over the sorted values: merge the two sorted runs of deviations out from the median. */
	private mad(med: number): number {
		const s = this.sorted;
		const m = this.size;
		let right = upperBound(s, m, med);
		// Values equal to the median have deviation 0: walk the right run from the first of them.
		while (right > 0 && s[right - 1]! >= med) right--;
		let left = right - 1;
		const k = m >> 1;
		let previous = Number.NaN;
		let current = Number.NaN;
		for (let taken = 0; taken <= k; taken++) {
			const dl = left >= 0 ? Math.abs(s[left]! - med) : Number.POSITIVE_INFINITY;
			const dr = right < m ? Math.abs(s[right]! - med) : Number.POSITIVE_INFINITY;
			previous = current;
			if (right >= m || (left >= 0 && dl <= dr)) {
				current = dl;
				left--;
			} else {
				current = dr;
				right++;
			}
		}
		return m % 2 === 1 ? current : (previous + current) / 2;
	}
}

/** A FIFO's values from `head`, in order, in an array twice as large. */
function unrolled(a: Float64Array, head: number, count: number): Float64Array {
	const out = new Float64Array(a.length * 2);
	for (let i = 0; i < count; i++) out[i] = a[(head + i) % a.length]!;
	return out;
}

/** First index in s[0..n) whose value is greater than v. */
function upperBound(s: Float64Array, n: number, v: number): number {
	let lo = 0;
	let hi = n;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (s[mid]! <= v) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** The reference windows of every ring robust_z reads, kept across evaluations (held weakly by the ring). */
export class SortedWindows {
	private readonly windows = new WeakMap<PointSeries, Map<number, ReferenceWindow>>();

	/** robust_z(windowMs) of `points` at `now`: what conditionValue('robust_z', ...) returns. */
	robustZ(points: PointSeries, now: number, windowMs: number): number {
		const ring = ringOf(points);
		if (ring === undefined) return robustZOfWindow(points.since(now - windowMs).values);
		const n = ring.countSince(now - windowMs);
		if (n < 6) return Number.NaN;
		const pushed = ring.firstSerial + ring.length;
		const lo = pushed - n;
		const hi = pushed - 1;
		let byWindow = this.windows.get(points);
		if (byWindow === undefined) {
			byWindow = new Map();
			this.windows.set(points, byWindow);
		}
		let w = byWindow.get(windowMs);
		if (w === undefined) {
			w = new ReferenceWindow();
			byWindow.set(windowMs, w);
		}
		if (lo < w.lo || hi < w.hi || lo > w.hi || w.hi < ring.firstSerial) w.reset(lo, points.tailValues(n).slice(0, -1));
		else {
			while (w.lo < lo) w.shift();
			if (w.hi < hi) {
				const added = points.tailValues(pushed - w.hi);
				for (let i = 0; w.hi < hi; i++) w.push(added[i]!);
			}
		}
		const x = points.lastValue()!;
		return w.z(x) ?? robustZOfWindow(points.since(now - windowMs).values);
	}
}
