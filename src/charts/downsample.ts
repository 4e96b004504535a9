/**
Downsampling for a chart: the points (or buckets) falling in each pixel column are folded into that column's min,
max, last value and count, so a spike of one sample is never averaged away (W&B's "full fidelity" idea). Non-finite
values (NaN, ±Infinity) are counted per column, never folded into min and max. One pass, typed arrays. Pure.
*/

/** A series to draw: x ascending or not, y per x; optional bucket extremes and non-finite counts per point. */
export interface SeriesPoints {
	readonly xs: ArrayLike<number>;
	readonly ys: ArrayLike<number>;
	/** Per point: the smallest and largest value it stands for (a bucket); default the y itself. */
	readonly mins?: ArrayLike<number>;
	readonly maxs?: ArrayLike<number>;
	/** Per point: non-finite samples it stands for (a bucket's `nonFinite`). */
	readonly nonFinite?: ArrayLike<number>;
}

export interface Columns {
	readonly count: Uint32Array;
	readonly min: Float64Array;
	readonly max: Float64Array;
	/** The y of the point with the largest x in the column (the latest). */
	readonly last: Float64Array;
	readonly nonFinite: Uint32Array;
}

/** The column (0..columns-1) of `x` in [x0, x1], or -1 outside. One x (x0 === x1) goes to the middle column. */
export function columnOf(x: number, x0: number, x1: number, columns: number): number {
	if (!(x >= x0 && x <= x1)) return -1;
	if (x1 === x0) return Math.floor(columns / 2);
	return Math.min(columns - 1, Math.floor(((x - x0) / (x1 - x0)) * columns));
}

export function downsample(points: SeriesPoints, x0: number, x1: number, columns: number): Columns {
	const n = Math.max(0, columns);
	const out: Columns = {
		count: new Uint32Array(n),
		min: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
		max: new Float64Array(n).fill(Number.NEGATIVE_INFINITY),
		last: new Float64Array(n).fill(Number.NaN),
		nonFinite: new Uint32Array(n),
	};
	const lastX = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
	const {xs, ys, mins, maxs, nonFinite} = points;
	const length = Math.min(xs.length, ys.length);
	for (let i = 0; i < length; i++) {
		const c = columnOf(xs[i]!, x0, x1, n);
		if (c < 0) continue;
		const extra = nonFinite?.[i] ?? 0;
		if (extra > 0) out.nonFinite[c] += extra;
		const y = ys[i]!;
		if (!Number.isFinite(y)) {
			if (nonFinite === undefined) out.nonFinite[c] += 1;
			continue;
		}
		const lo = mins?.[i] ?? y;
		const hi = maxs?.[i] ?? y;
		out.count[c] += 1;
		if (lo < out.min[c]!) out.min[c] = lo;
		if (hi > out.max[c]!) out.max[c] = hi;
		if (xs[i]! >= lastX[c]!) {
			lastX[c] = xs[i]!;
			out.last[c] = y;
		}
	}
	return out;
}

/** The smallest and largest finite x of a series (undefined when it has none). */
export function xExtent(points: SeriesPoints): {min: number; max: number} | undefined {
	let min = Number.POSITIVE_INFINITY;
	let max = Number.NEGATIVE_INFINITY;
	const {xs} = points;
	for (let i = 0; i < xs.length; i++) {
		const x = xs[i]!;
		if (x < min) min = x;
		if (x > max) max = x;
	}
	return min <= max ? {min, max} : undefined;
}
