/**
Per evaluation, per series list: each series' newest time and each condition's value, computed once as a column
(one number per series, in the list's order) for every rule that reads the list. 200 rules over one metric's 1,000
series then cost one pass per distinct condition, and each rule's own pass is a read of two typed arrays, not a
round of calls and Map lookups per rule and series.

A column holds exactly what `conditionValue` returns for that series at that time (the test pins it).
*/
import {type LabelledSeries} from './rule-types.js';
import {type PointSeries} from './time-ring.js';
import {robustZOfWindow, type SortedWindows} from './sorted-window.js';
import {ringOf, WindowScratch} from './ring-window.js';

/** One window at a time is read (evaluation is synchronous). */
const SCRATCH = new WindowScratch();

export type Fn = 'value' | 'rate' | 'increase' | 'avg' | 'min' | 'max' | 'robust_z';

/** The value of a condition's function over a series at `now` (NaN when there is not enough data). */
export function conditionValue(fn: Fn, windowMs: number, points: PointSeries, now: number): number {
	if (fn === 'value') return points.lastValue() ?? Number.NaN;
	const w = points.since(now - windowMs);
	return fn === 'robust_z' ? robustZOfWindow(w.values) : windowValue(fn, w.values, w.times, w.values.length);
}

/** rate, increase, avg, min or max over the first `n` points of a window (values and times oldest first). */
function windowValue(fn: Exclude<Fn, 'value' | 'robust_z'>, values: ArrayLike<number>, times: ArrayLike<number>, n: number): number {
	if (n === 0) return Number.NaN;
	switch (fn) {
		case 'rate':
		case 'increase': {
			if (n < 2) return Number.NaN;
			const delta = values[n - 1]! - values[0]!;
			if (fn === 'increase') return delta;
			const seconds = (times[n - 1]! - times[0]!) / 1000;
			return seconds > 0 ? delta / seconds : Number.NaN;
		}
		case 'avg': {
			let s = 0;
			for (let i = 0; i < n; i++) s += values[i]!;
			return s / n;
		}
		case 'min': {
			// Math.min's answer without spreading the window: NaN wins, and -0 is below 0.
			let m = Number.POSITIVE_INFINITY;
			for (let i = 0; i < n; i++) {
				const v = values[i]!;
				if (Number.isNaN(v)) return Number.NaN;
				if (v < m || (v === 0 && m === 0 && Object.is(v, -0))) m = v;
			}
			return m;
		}
		case 'max': {
			let m = Number.NEGATIVE_INFINITY;
			for (let i = 0; i < n; i++) {
				const v = values[i]!;
				if (Number.isNaN(v)) return Number.NaN;
				if (v > m || (v === 0 && m === 0 && Object.is(m, -0))) m = v;
			}
			return m;
		}
	}
}

/** conditionValue, reading the window from the ring into reused arrays where the series has one (see ring-window.ts). */
function columnValue(fn: Fn, windowMs: number, points: PointSeries, now: number, windows: SortedWindows | undefined, scratch: WindowScratch): number {
	if (fn === 'value') return points.lastValue() ?? Number.NaN;
	if (fn === 'robust_z') return windows === undefined ? conditionValue(fn, windowMs, points, now) : windows.robustZ(points, now, windowMs);
	const ring = ringOf(points);
	if (ring === undefined) return conditionValue(fn, windowMs, points, now);
	const n = ring.countSince(now - windowMs);
	scratch.read(points, ring, n);
	return windowValue(fn, scratch.values, scratch.times, n);
}

/** The columns of one list at one time. */
export class ListColumns {
	private times: Float64Array | undefined;
	private has: Uint8Array | undefined;
	private readonly values = new Map<string, Column>();

	constructor(
		private readonly list: readonly LabelledSeries[],
		private readonly now: number,
		private readonly windows: SortedWindows | undefined,
	) {}

	/** Each series' newest time (0 where it has none: see present()). */
	lastTimes(): Float64Array {
		if (this.times === undefined) this.readTimes();
		return this.times!;
	}

	/** 1 where the series has a point (a newest time), else 0. */
	present(): Uint8Array {
		if (this.has === undefined) this.readTimes();
		return this.has!;
	}

	private readTimes(): void {
		const times = new Float64Array(this.list.length);
		const has = new Uint8Array(this.list.length);
		for (let i = 0; i < times.length; i++) {
			const t = this.list[i]!.points.lastTime();
			if (t !== undefined) {
				times[i] = t;
				has[i] = 1;
			}
		}
		this.times = times;
		this.has = has;
	}

	/** Each series' condition value (see conditionValue), computed when first read. */
	column(fn: Fn, windowMs: number): Column {
		const key = `${fn}:${windowMs}`;
		let out = this.values.get(key);
		if (out === undefined) {
			out = new Column(this.list, fn, windowMs, this.now, this.windows);
			this.values.set(key, out);
		}
		return out;
	}
}

/** One condition's values over a list at one time, each computed when first read (a rule selecting a tenth of the list costs a tenth). */
export class Column {
	/**
	The values computed so far: values[i] where done[i] is 1. A hot loop reads these itself and calls at(i) only for
	the rest, reading the value from `values` after that too (a number from a call that is not inlined, or one that
	may come from either, is boxed: 40,000 reads a tick allocated 640 kB).
	*/
	readonly values: Float64Array;
	readonly done: Uint8Array;

	constructor(
		private readonly list: readonly LabelledSeries[],
		private readonly fn: Fn,
		private readonly windowMs: number,
		private readonly now: number,
		private readonly windows: SortedWindows | undefined,
	) {
		this.values = new Float64Array(list.length);
		this.done = new Uint8Array(list.length);
	}

	/** The value for the i-th series of the list. */
	at(i: number): number {
		if (this.done[i] === 1) return this.values[i]!;
		const {fn, windowMs, now, windows} = this;
		const points = this.list[i]!.points;
		const v = columnValue(fn, windowMs, points, now, windows, SCRATCH);
		this.values[i] = v;
		this.done[i] = 1;
		return v;
	}
}

/**
The columns of every list read in one evaluation. Make one per evaluation (the engine does, in RuleContext); the
sorted windows behind robust_z persist across evaluations (they follow each ring by its serial numbers).
*/
export class ColumnCache {
	private readonly lists = new Map<readonly LabelledSeries[], ListColumns>();

	constructor(
		private readonly now: number,
		private readonly windows?: SortedWindows,
	) {}

	of(list: readonly LabelledSeries[]): ListColumns {
		let c = this.lists.get(list);
		if (c === undefined) {
			c = new ListColumns(list, this.now, this.windows);
			this.lists.set(list, c);
		}
		return c;
	}
}
