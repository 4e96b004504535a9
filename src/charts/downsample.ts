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
	/** The y at the largest x of all (non-finite included: the latest step may be NaN); undefined with no point. */
	readonly latest: number | undefined;
	/** Values (bucket minimums) at or below zero: off a log scale. */
	readonly nonPositive: number;
}

/** The column (0..columns-1) of `x` in [x0, x1], or -1 outside. One x (x0 === x1) goes to the middle column. */
export function columnOf(x: number, x0: number, x1: number, columns: number): number {
	if (!(x >= x0 && x <= x1)) return -1;
	if (x1 === x0) return Math.floor(columns / 2);
	return Math.min(columns - 1, Math.floor(((x - x0) / (x1 - x0)) * columns));
}

/** Columns being filled: `Columns` with mutable totals and each column's count of values at or below zero. */
export interface ColumnsBuild {
	readonly count: Uint32Array;
	readonly min: Float64Array;
	readonly max: Float64Array;
	readonly last: Float64Array;
	readonly nonFinite: Uint32Array;
	readonly nonPositive: Uint32Array;
	/** The x of each column's `last` (ties: the later point). */
	readonly lastX: Float64Array;
}

export function emptyColumns(columns: number): ColumnsBuild {
	const n = Math.max(0, columns);
	return {
		count: new Uint32Array(n),
		min: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
		max: new Float64Array(n).fill(Number.NEGATIVE_INFINITY),
		last: new Float64Array(n).fill(Number.NaN),
		nonFinite: new Uint32Array(n),
		nonPositive: new Uint32Array(n),
		lastX: new Float64Array(n).fill(Number.NEGATIVE_INFINITY),
	};
}

/**
Fold points `from` (inclusive) to `to` (exclusive) of `points` into `into`, whose columns split [x0, x1]; returns
the index of the in-range point with the largest x (ties: the later one), or -1.
*/
export function foldPoints(into: ColumnsBuild, points: SeriesPoints, from: number, to: number, x0: number, x1: number): number {
	const {count, min, max, last, nonFinite: nonFiniteCount, nonPositive, lastX} = into;
	const n = count.length;
	const {xs, ys, mins, maxs, nonFinite} = points;
	let latest = -1;
	let latestX = Number.NEGATIVE_INFINITY;
	const scale = x1 > x0 ? n / (x1 - x0) : 0;
	for (let i = from; i < to; i++) {
		const x = xs[i]!;
		if (!(x >= x0 && x <= x1)) continue;
		const c = scale === 0 ? n >> 1 : Math.min(n - 1, Math.floor((x - x0) * scale));
		const y = ys[i]!;
		if (x >= latestX) {
			latestX = x;
			latest = i;
		}
		const extra = nonFinite?.[i] ?? 0;
		if (extra > 0) nonFiniteCount[c] += extra;
		if (!Number.isFinite(y)) {
			if (nonFinite === undefined) nonFiniteCount[c] += 1;
			continue;
		}
		const lo = mins?.[i] ?? y;
		const hi = maxs?.[i] ?? y;
		if (lo <= 0) nonPositive[c] += 1;
		count[c] += 1;
		if (lo < min[c]!) min[c] = lo;
		if (hi > max[c]!) max[c] = hi;
		if (x >= lastX[c]!) {
			lastX[c] = x;
			last[c] = y;
		}
	}
	return latest;
}

/** Built columns as `Columns`, with the series' latest value. */
export function finishColumns(build: ColumnsBuild, latest: number | undefined): Columns {
	let nonPositive = 0;
	for (let c = 0; c < build.nonPositive.length; c++) nonPositive += build.nonPositive[c]!;
	return {count: build.count, min: build.min, max: build.max, last: build.last, nonFinite: build.nonFinite, latest, nonPositive};
}

export function downsample(points: SeriesPoints, x0: number, x1: number, columns: number): Columns {
	const build = emptyColumns(columns);
	const length = Math.min(points.xs.length, points.ys.length);
	const latest = foldPoints(build, points, 0, length, x0, x1);
	return finishColumns(build, latest < 0 ? undefined : points.ys[latest]);
}

/**
Fine columns folded into `columns` coarser ones, each fine column whole into the coarse column its centre falls in
(so extremes stay exact and a point moves by at most half a fine column).
*/
export function mergeColumns(fine: Columns, columns: number): Columns {
	const n = Math.max(0, columns);
	const out: Columns = {
		count: new Uint32Array(n),
		min: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
		max: new Float64Array(n).fill(Number.NEGATIVE_INFINITY),
		last: new Float64Array(n).fill(Number.NaN),
		nonFinite: new Uint32Array(n),
		latest: fine.latest,
		nonPositive: fine.nonPositive,
	};
	const f = fine.count.length;
	for (let c = 0; c < f; c++) {
		const k = Math.min(n - 1, Math.floor(((c + 0.5) * n) / f));
		out.nonFinite[k] += fine.nonFinite[c]!;
		if (fine.count[c] === 0) continue;
		out.count[k] += fine.count[c]!;
		if (fine.min[c]! < out.min[k]!) out.min[k] = fine.min[c]!;
		if (fine.max[c]! > out.max[k]!) out.max[k] = fine.max[c]!;
		out.last[k] = fine.last[c]!;
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
