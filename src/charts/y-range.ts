/**
The y range of a chart: every finite value, or TensorBoard's "ignore outliers in chart scaling" (the 5th to 95th
percentile, padded by 20 % of that spread, never past the data's own extremes). On a log scale the range is
computed in decades over the positive values only. Pure.
*/

export interface YRange {
	readonly min: number;
	readonly max: number;
}

export interface YRangeOptions {
	readonly ignoreOutliers: boolean;
	readonly log: boolean;
}

/** Beyond this many values the percentiles are taken over an even sample (the extremes are still exact). */
const PERCENTILE_SAMPLE = 20_000;
const PADDING = 0.2;

/** The q-th quantile (0..1) of sorted values, interpolated. */
function quantile(sorted: Float64Array, q: number): number {
	const at = (sorted.length - 1) * q;
	const lo = Math.floor(at);
	const hi = Math.min(sorted.length - 1, lo + 1);
	return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** A flat range made visible: a band around the value (linear: ±10 % or ±1 around 0; log: half a decade each way). */
function widen(v: number, log: boolean): YRange {
	if (log) return {min: v - 0.5, max: v + 0.5};
	const pad = v === 0 ? 1 : Math.abs(v) * 0.1;
	return {min: v - pad, max: v + pad};
}

/**
The range for `values` (linear units; on a log scale the bounds are log10 of the values), or undefined when no
value can be drawn (none finite, or none positive on a log scale).
*/
export function yRange(values: Iterable<number>, options: YRangeOptions): YRange | undefined {
	let min = Number.POSITIVE_INFINITY;
	let max = Number.NEGATIVE_INFINITY;
	const kept: number[] = [];
	for (const raw of values) {
		if (!Number.isFinite(raw)) continue;
		if (options.log && raw <= 0) continue;
		const v = options.log ? Math.log10(raw) : raw;
		if (v < min) min = v;
		if (v > max) max = v;
		kept.push(v);
	}
	if (kept.length === 0) return undefined;
	if (min === max) return widen(min, options.log);
	if (!options.ignoreOutliers || kept.length < 5) return {min, max};
	const stride = Math.max(1, Math.ceil(kept.length / PERCENTILE_SAMPLE));
	const sample = new Float64Array(Math.ceil(kept.length / stride));
	for (let i = 0, j = 0; i < kept.length; i += stride, j++) sample[j] = kept[i]!;
	sample.sort();
	const lo = quantile(sample, 0.05);
	const hi = quantile(sample, 0.95);
	if (hi === lo) return {min: Math.max(min, widen(lo, options.log).min), max: Math.min(max, widen(lo, options.log).max)};
	const pad = (hi - lo) * PADDING;
	return {min: Math.max(min, lo - pad), max: Math.min(max, hi + pad)};
}
