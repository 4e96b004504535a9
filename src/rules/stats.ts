/** Small pure statistics for the detectors. Inputs are plain arrays; nothing here allocates more than it returns (median works in a reused buffer). */

export function mean(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	let s = 0;
	for (const v of values) s += v;
	return s / values.length;
}

/** The k-th smallest of a[0..n-1] (0-based), partially reordering them in place (Hoare's selection, O(n) on average). */
function select(a: Float64Array, n: number, k: number): number {
	let lo = 0;
	let hi = n - 1;
	while (hi > lo) {
		const pivot = a[(lo + hi) >>> 1]!;
		let i = lo;
		let j = hi;
		while (i <= j) {
			while (a[i]! < pivot) i++;
			while (a[j]! > pivot) j--;
			if (i <= j) {
				const t = a[i]!;
				a[i] = a[j]!;
				a[j] = t;
				i++;
				j--;
			}
		}
		if (k <= j) hi = j;
		else if (k >= i) lo = i;
		else return a[k]!;
	}
	return a[k]!;
}

/** The selection's working copy, reused (median runs to completion before it is called again). */
let scratch = new Float64Array(256);

/**
Median of values[start..end) in O(n) (selection on a copy into a reused buffer, so the range needs no slice; NaN
inputs are the caller's to filter).
*/
export function median(values: ArrayLike<number>, start = 0, end = values.length): number {
	const n = end - start;
	if (n <= 0) return Number.NaN;
	if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
	const a = scratch;
	for (let i = 0; i < n; i++) a[i] = values[start + i]!;
	const mid = n >> 1;
	const upper = select(a, n, mid);
	if (n % 2 === 1) return upper;
	let lower = Number.NEGATIVE_INFINITY;
	for (let i = 0; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
	return (lower + upper) / 2;
}

/** Median absolute deviation (unscaled). */
export function mad(values: ArrayLike<number>, center = median(values)): number {
	const deviations = new Float64Array(values.length);
	for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i]! - center);
	return median(deviations);
}

/** 1.4826 * MAD: a robust estimate of the standard deviation for normal data. */
export const MAD_TO_SIGMA = 1.4826;

/**
Robust (modified) z-score of `x` against `reference` (Iglewicz and Hoaglin): (x - median) / (1.4826 MAD).
When MAD is 0 (over half the values equal) the mean absolute deviation stands in; when that is 0 too, any
deviation is infinite and no deviation is 0.
*/
export function robustZ(x: number, reference: readonly number[]): number {
	if (reference.length === 0 || !Number.isFinite(x)) return Number.NaN;
	const med = median(reference);
	let scale = MAD_TO_SIGMA * mad(reference, med);
	if (scale === 0) {
		let s = 0;
		for (const v of reference) s += Math.abs(v - med);
		scale = (1.2533 * s) / reference.length;
	}
	if (scale === 0) return x === med ? 0 : x > med ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
	return (x - med) / scale;
}

export interface LinearFit {
	/** Per unit of x. */
	readonly slope: number;
	readonly intercept: number;
	/** Coefficient of determination in [0, 1] (1 for a perfect line; 0 for a constant series). */
	readonly r2: number;
}

/** Ordinary least squares of y on x (x centred for stability). */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
	const n = Math.min(xs.length, ys.length);
	if (n < 2) return {slope: 0, intercept: n === 1 ? ys[0]! : 0, r2: 0};
	let mx = 0;
	let my = 0;
	for (let i = 0; i < n; i++) {
		mx += xs[i]!;
		my += ys[i]!;
	}
	mx /= n;
	my /= n;
	let sxx = 0;
	let sxy = 0;
	let syy = 0;
	for (let i = 0; i < n; i++) {
		const dx = xs[i]! - mx;
		const dy = ys[i]! - my;
		sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	if (sxx === 0) return {slope: 0, intercept: my, r2: 0};
	const slope = sxy / sxx;
	const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
	return {slope, intercept: my - slope * mx, r2};
}
