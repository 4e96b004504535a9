/**
A live chart's columns kept up to date instead of recomputed: the in-memory series is a window of an append-only
sequence (each point has a serial number: `first` is the serial of index 0), so from one redraw to the next only
points at its front are gone and points at its end are new. With x ascending, those fall in a few columns at each
end; only those columns are folded again from their points (found by binary search), the others are copied. The
result is exactly `downsample`'s (property-tested); anything else (a new x range or width, x not ascending, a
window that does not overlap the last one) is a full fold. Pure: the previous cache is read, never changed.
*/
import {emptyColumns, finishColumns, foldPoints, type Columns, type ColumnsBuild, type SeriesPoints} from './downsample.js';

/** A window of an append-only series: `first` is the serial number of the point at index 0. */
export interface LivePoints extends SeriesPoints {
	readonly first: number;
}

export interface ColumnsCache {
	readonly x0: number;
	readonly x1: number;
	readonly columns: Columns;
	readonly build: ColumnsBuild;
	/** Serials covered: [first, end). */
	readonly first: number;
	readonly end: number;
	/** The first and last point's x (the window's x were ascending when `ascending`). */
	readonly firstX: number;
	readonly lastX: number;
	readonly ascending: boolean;
}

/** A point's column with x below the range as -1 and above it as n: non-decreasing in x. */
function columnKey(x: number, x0: number, x1: number, n: number): number {
	if (x < x0) return -1;
	if (x > x1) return n;
	return x1 > x0 ? Math.min(n - 1, Math.floor((x - x0) * (n / (x1 - x0)))) : n >> 1;
}

/** The first index in [0, length) whose column key is at least `c` (xs ascending). */
function firstAtColumn(xs: ArrayLike<number>, length: number, c: number, x0: number, x1: number, n: number): number {
	let lo = 0;
	let hi = length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (columnKey(xs[mid]!, x0, x1, n) < c) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function isAscending(xs: ArrayLike<number>, from: number, to: number, before: number): boolean {
	let prev = before;
	for (let i = from; i < to; i++) {
		const x = xs[i]!;
		if (!(x >= prev)) return false;
		prev = x;
	}
	return true;
}

function lengthOf(points: SeriesPoints): number {
	return Math.min(points.xs.length, points.ys.length);
}

function fullFold(points: LivePoints, x0: number, x1: number, columns: number): ColumnsCache {
	const length = lengthOf(points);
	const build = emptyColumns(columns);
	const latest = foldPoints(build, points, 0, length, x0, x1);
	return {
		x0,
		x1,
		build,
		columns: finishColumns(build, latest < 0 ? undefined : points.ys[latest]),
		first: points.first,
		end: points.first + length,
		firstX: length > 0 ? points.xs[0]! : Number.NaN,
		lastX: length > 0 ? points.xs[length - 1]! : Number.NaN,
		ascending: isAscending(points.xs, 0, length, Number.NEGATIVE_INFINITY),
	};
}

function copyBuild(b: ColumnsBuild): ColumnsBuild {
	return {count: b.count.slice(), min: b.min.slice(), max: b.max.slice(), last: b.last.slice(), nonFinite: b.nonFinite.slice(), nonPositive: b.nonPositive.slice(), lastX: b.lastX.slice()};
}

function clearColumn(b: ColumnsBuild, c: number): void {
	b.count[c] = 0;
	b.min[c] = Number.POSITIVE_INFINITY;
	b.max[c] = Number.NEGATIVE_INFINITY;
	b.last[c] = Number.NaN;
	b.nonFinite[c] = 0;
	b.nonPositive[c] = 0;
	b.lastX[c] = Number.NEGATIVE_INFINITY;
}

/**
The columns of `points` over [x0, x1] in `columns` columns, from `prev` where it allows. `changed`: serials whose
values differ from what `prev` saw (a smoothed series recomputed at its front), folded again too.
*/
/**
The x extent of `points` in O(new points) when `prev` shows the window ascending and the new points continue it
(xs[0] and the last x); undefined when that cannot be told (scan instead).
*/
export function ascendingExtent(prev: ColumnsCache | undefined, points: LivePoints): {min: number; max: number} | undefined {
	const length = lengthOf(points);
	if (prev === undefined || !continues(prev, points, length)) return undefined;
	return {min: points.xs[0]!, max: points.xs[length - 1]!};
}

/** `points` are `prev`'s window less some at the front plus some ascending ones at the end. */
function continues(prev: ColumnsCache, points: LivePoints, length: number): boolean {
	const end = points.first + length;
	return (
		prev.ascending &&
		length > 0 &&
		prev.end > prev.first &&
		points.first >= prev.first &&
		points.first < prev.end &&
		end >= prev.end &&
		isAscending(points.xs, prev.end - points.first, length, prev.lastX)
	);
}

export function liveColumns(prev: ColumnsCache | undefined, points: LivePoints, x0: number, x1: number, columns: number, changed?: readonly [number, number]): ColumnsCache {
	const length = lengthOf(points);
	const end = points.first + length;
	const n = Math.max(0, columns);
	const reusable = prev !== undefined && prev.x0 === x0 && prev.x1 === x1 && prev.build.count.length === n && n > 0 && continues(prev, points, length);
	if (!reusable) return fullFold(points, x0, x1, columns);
	const {xs} = points;
	const key = (x: number) => columnKey(x, x0, x1, n);
	// Columns to fold again, as ranges of column keys clamped to the plot.
	const ranges: Array<[number, number]> = [];
	if (points.first > prev.first) ranges.push([key(prev.firstX), key(xs[0]!)]);
	if (end > prev.end) ranges.push([key(xs[prev.end - points.first]!), key(xs[length - 1]!)]);
	if (changed !== undefined) {
		const from = Math.max(changed[0], points.first) - points.first;
		const to = Math.min(changed[1], end) - points.first;
		if (to > from) ranges.push([key(xs[from]!), key(xs[to - 1]!)]);
	}
	const build = copyBuild(prev.build);
	const done = new Set<number>();
	for (const [a, b] of ranges) {
		for (let c = Math.max(0, a); c <= Math.min(n - 1, b); c++) {
			if (done.has(c)) continue;
			done.add(c);
			clearColumn(build, c);
			foldPoints(build, points, firstAtColumn(xs, length, c, x0, x1, n), firstAtColumn(xs, length, c + 1, x0, x1, n), x0, x1);
		}
	}
	// The latest: the last point at or below x1 (x ascending), if it is in range.
	const lastIn = firstAtColumn(xs, length, n, x0, x1, n) - 1;
	const latest = lastIn >= 0 && xs[lastIn]! >= x0 ? points.ys[lastIn] : undefined;
	return {x0, x1, build, columns: finishColumns(build, latest), first: points.first, end, firstX: xs[0]!, lastX: xs[length - 1]!, ascending: true};
}
