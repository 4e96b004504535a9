/**
The one numeric ring: a fixed-capacity time series in parallel typed arrays (value, time, and optionally x, e.g. a
training step), oldest overwritten first. The arrays start small and double until they reach the capacity (then they
never grow again), so a series never grows past its capacity however long mycotop runs, and a thousand short series
do not cost a thousand full ones.

Storage is as narrow as the points allow and never lossy: values live in a Float32Array while every value pushed is
one a float32 holds exactly (a PyTorch trainer's `loss.item()` is, as are GPU readings and task counts) and steps in
a Uint32Array while every step is an integer from 0 to 2^32-1, and times in an Int32Array of milliseconds from the
ring's first time while every time is a whole millisecond within about 24 days of it (ISO timestamps carry whole
milliseconds); the first point that does not fit widens that array to a Float64Array for good (one copy). Steps that
go up (or down) by one constant stride, as a trainer's do (every step, or every 10th), take no array at all: the
newest step and the stride give every other one; the first step off the stride writes them into a Uint32Array for
good (one pass). A ring of 10,000 training points with regular steps is 80 KB narrow, 120 KB with float64 values; with
irregular steps 120 and 160 KB; 240 KB with all three wide (it was 240 KB always).

It is the rules' `PointSeries` itself (no wrapper, no copy): `since` finds the suffix of points at or after a time by
binary search while the times pushed so far were ascending, and by a scan back from the newest otherwise (the store
keeps producers' timestamps as they come; the result is the same suffix either way).

Two ways in: `NumericRing.push(x, value, timeMs)` keeps every point (the store's series), `TimeRing.push(timeMs,
value)` drops a point older than the newest so times stay ascending (GPU history, the
rules' own series).
*/

/** Whether a float32 holds `value` exactly (NaN and the infinities included). */
export function fitsFloat32(value: number): boolean {
	return Math.fround(value) === value || value !== value;
}

/** Whether a Uint32Array holds `x` exactly (an integer 0..2^32-1, and not -0). */
export function fitsUint32(x: number): boolean {
	return x >>> 0 === x && (x !== 0 || 1 / x > 0);
}

/** Whether `timeMs` is held exactly as an int32 offset from `base` (base + offset gives it back, -0 and NaN not). */
export function fitsTimeOffset(timeMs: number, base: number): boolean {
	const offset = timeMs - base;
	return (offset | 0) === offset && Object.is(base + offset, timeMs);
}

/** The same numbers in a Float64Array of the same length. */
function widened(narrow: Float32Array | Uint32Array): Float64Array {
	const wide = new Float64Array(narrow.length);
	wide.set(narrow);
	return wide;
}

/** A copy of `old` (same element type) with room for `size` elements. */
function regrown<T extends Float32Array | Float64Array | Uint32Array | Int32Array>(old: T, size: number): T {
	const next = (old instanceof Float32Array ? new Float32Array(size) : old instanceof Uint32Array ? new Uint32Array(size) : old instanceof Int32Array ? new Int32Array(size) : new Float64Array(size)) as T;
	next.set(old);
	return next;
}

/** Points of a series in a time window, oldest first. */
export interface Window {
	readonly values: number[];
	readonly times: number[];
}

/** The read-only view of a time series every rule uses. */
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

export class SeriesRing implements PointSeries {
	readonly capacity: number;
	/** Whether the ring keeps an x per point (a step); without, x reads as the point's index. */
	private readonly steps: boolean;
	/**
	Steps, when kept: none while they follow one stride (newestX and xStride stand for them), then a Uint32Array until a
	step does not fit one (see fitsUint32), then a Float64Array.
	*/
	private xs: Uint32Array | Float64Array | undefined;
	/** The newest step while the steps follow one stride (xs undefined). */
	private newestX = 0;
	/** The difference between consecutive steps while they follow one stride; known from the second point held. */
	private xStride = 0;
	private strideKnown = false;
	/** Float32Array until a value does not fit one (see fitsFloat32), then Float64Array. */
	private values: Float32Array | Float64Array;
	/** Int32Array of offsets from timeBase until a time does not fit one (see fitsTimeOffset), then Float64Array of times. */
	private times: Int32Array | Float64Array;
	/** The first time pushed (a safe integer; else 0): what the narrow times are offsets from. */
	private timeBase: number | undefined;
	private narrowTimes = true;
	private narrowXs = true;
	private narrowValues = true;
	/** Allocated length (<= capacity). The ring wraps only once it is full, so start is 0 while it grows. */
	private size: number;
	private start = 0;
	private count = 0;
	/** Every point pushed since the last clear() had a time at or after the one before (binary search is exact). */
	private ascending = true;
	/** Points pushed since the ring was made (never reset): the serial number of the next point. */
	private pushedCount = 0;

	/** `steps`: keep an x per point (tail() returns it; otherwise x reads as the point's index). */
	constructor(capacity: number, steps = false) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
		this.capacity = capacity;
		this.size = Math.min(capacity, 64);
		this.steps = steps;
		this.values = new Float32Array(this.size);
		this.times = new Int32Array(this.size);
	}

	private grow(): void {
		this.size = Math.min(this.capacity, this.size * 2);
		if (this.xs !== undefined) this.xs = regrown(this.xs, this.size);
		this.values = regrown(this.values, this.size);
		this.times = regrown(this.times, this.size);
	}

	/** The element types in use (for tests and the memory benchmark). */
	get storage(): {xs: 'stride' | 'uint32' | 'float64' | 'none'; values: 'float32' | 'float64'; times: 'int32' | 'float64'} {
		return {xs: !this.steps ? 'none' : this.xs === undefined ? 'stride' : this.narrowXs ? 'uint32' : 'float64', values: this.narrowValues ? 'float32' : 'float64', times: this.narrowTimes ? 'int32' : 'float64'};
	}

	/** The x of the i-th oldest point held (0 = oldest): its step, or i for a ring without steps. */
	private xAt(i: number): number {
		if (!this.steps) return i;
		if (this.xs === undefined) return this.newestX - (this.count - 1 - i) * this.xStride;
		return this.xs[this.slot(i)]!;
	}

	/**
	Whether step `x` keeps the steps on their stride (recording it if so): it fits a Uint32Array (as every step of a
	stride does, so writing them out later loses nothing) and is the newest step plus the stride (the first two points
	set the stride). Integers below 2^32 make every x = newest - k * stride exact.
	*/
	private onStride(x: number): boolean {
		if (!fitsUint32(x)) return false;
		if (this.count === 0) this.strideKnown = false;
		else if (!this.strideKnown) {
			this.xStride = x - this.newestX;
			this.strideKnown = true;
		} else if (x - this.newestX !== this.xStride) return false;
		this.newestX = x;
		return true;
	}

	/** The steps of the stride written out into a Uint32Array, for good (a step off the stride came). */
	private writeOutSteps(): void {
		const xs = new Uint32Array(this.size);
		for (let i = 0; i < this.count; i++) xs[this.slot(i)] = this.xAt(i);
		this.xs = xs;
	}

	/** The time in array slot `s`. */
	private timeAt(s: number): number {
		return this.narrowTimes ? this.times[s]! + this.timeBase! : this.times[s]!;
	}

	/** Keep `timeMs` in slot `index`, widening the times first if it does not fit an offset. */
	private storeTime(index: number, timeMs: number): void {
		if (this.narrowTimes) {
			if (this.timeBase === undefined) this.timeBase = Number.isSafeInteger(timeMs) ? timeMs : 0;
			if (fitsTimeOffset(timeMs, this.timeBase)) {
				this.times[index] = timeMs - this.timeBase;
				return;
			}
			const wide = new Float64Array(this.times.length);
			for (let i = 0; i < wide.length; i++) wide[i] = this.times[i]! + this.timeBase;
			this.times = wide;
			this.narrowTimes = false;
		}
		this.times[index] = timeMs;
	}

	get length(): number {
		return this.count;
	}

	/** Append a point (the subclasses' push). */
	protected append(x: number, value: number, timeMs: number): void {
		if (this.count === this.size && this.size < this.capacity) this.grow();
		if (this.count > 0 && timeMs < this.timeAt((this.start + this.count - 1) % this.size)) this.ascending = false;
		const index = (this.start + this.count) % this.size;
		if (this.steps && this.xs === undefined && !this.onStride(x)) this.writeOutSteps();
		if (this.xs !== undefined) {
			if (this.narrowXs && !fitsUint32(x)) {
				this.xs = widened(this.xs as Uint32Array);
				this.narrowXs = false;
			}
			this.xs[index] = x;
		}
		if (this.narrowValues && !fitsFloat32(value)) {
			this.values = widened(this.values as Float32Array);
			this.narrowValues = false;
		}
		this.values[index] = value;
		this.storeTime(index, timeMs);
		if (this.count < this.capacity) this.count += 1;
		else this.start = (this.start + 1) % this.capacity;
		this.pushedCount += 1;
	}

	/** The serial number of the oldest point held (points are numbered from 0 as pushed; clear() does not reset it). */
	get firstSerial(): number {
		return this.pushedCount - this.count;
	}

	clear(): void {
		this.start = 0;
		this.count = 0;
		this.ascending = true;
	}

	/** The i-th oldest retained point (0 = oldest). */
	private slot(i: number): number {
		return (this.start + i) % this.size;
	}

	lastValue(): number | undefined {
		return this.count === 0 ? undefined : this.values[this.slot(this.count - 1)];
	}

	lastX(): number | undefined {
		return this.count === 0 ? undefined : this.xAt(this.count - 1);
	}

	lastTime(): number | undefined {
		return this.count === 0 ? undefined : this.timeAt(this.slot(this.count - 1));
	}

	/**
	The points numbered `from` to `to` (exclusive; see firstSerial) into the arrays from index `at`, oldest first;
	x reads as the point's index in the ring where the ring keeps no x. Serials not held are left out.
	*/
	copySerials(from: number, to: number, into: {xs: Float64Array; values: Float64Array; times: Float64Array}, at: number): void {
		const first = this.firstSerial;
		const lo = Math.max(0, from - first);
		const hi = Math.min(this.count, to - first);
		for (let i = lo; i < hi; i++) {
			const s = this.slot(i);
			const k = at + i - lo;
			into.xs[k] = this.xAt(i);
			into.values[k] = this.values[s]!;
			into.times[k] = this.timeAt(s);
		}
	}

	/** The newest `n` values, oldest first. */
	tailValues(n: number): number[] {
		const take = Math.min(n, this.count);
		const out = new Array<number>(take);
		for (let i = 0; i < take; i++) out[i] = this.values[this.slot(this.count - take + i)]!;
		return out;
	}

	/** The newest `n` points, oldest first. */
	tail(n: number): Array<{x: number; value: number; timeMs: number}> {
		const take = Math.min(n, this.count);
		const out = new Array<{x: number; value: number; timeMs: number}>(take);
		for (let i = 0; i < take; i++) {
			const s = this.slot(this.count - take + i);
			out[i] = {x: this.xAt(this.count - take + i), value: this.values[s]!, timeMs: this.timeAt(s)};
		}
		return out;
	}

	/** Every retained point as three arrays, oldest first (x is the index without steps): what a chart draws. */
	columns(): {xs: Float64Array; values: Float64Array; times: Float64Array} {
		const xs = new Float64Array(this.count);
		const values = new Float64Array(this.count);
		const times = new Float64Array(this.count);
		for (let i = 0; i < this.count; i++) values[i] = this.values[this.slot(i)]!;
		// Steps in a loop of their own too: one multiply a point on a stride, one read a point from the array.
		const steps = this.xs;
		if (steps !== undefined) for (let i = 0; i < this.count; i++) xs[i] = steps[this.slot(i)]!;
		else for (let i = 0; i < this.count; i++) xs[i] = this.xAt(i);
		// Times in a loop of their own, per storage (a chart reads every point of every visible series each frame).
		const held = this.times;
		if (this.narrowTimes) {
			const base = this.timeBase!;
			for (let i = 0; i < this.count; i++) times[i] = held[this.slot(i)]! + base;
		} else for (let i = 0; i < this.count; i++) times[i] = held[this.slot(i)]!;
		return {xs, values, times};
	}

	/**
	Index (0 = oldest) where the newest run of points at or after `sinceMs` begins: by binary search while the times
	are ascending, else by scanning back from the newest to the first older point.
	*/
	private suffixStart(sinceMs: number): number {
		if (this.ascending) {
			let lo = 0;
			let hi = this.count;
			while (lo < hi) {
				const mid = (lo + hi) >>> 1;
				if (this.timeAt(this.slot(mid)) < sinceMs) lo = mid + 1;
				else hi = mid;
			}
			return lo;
		}
		let i = this.count;
		while (i > 0 && !(this.timeAt(this.slot(i - 1)) < sinceMs)) i--;
		return i;
	}

	/** Values whose time is at or after `sinceMs` (the newest such run), oldest first. */
	valuesSince(sinceMs: number): number[] {
		const from = this.suffixStart(sinceMs);
		const out = new Array<number>(this.count - from);
		for (let i = from; i < this.count; i++) out[i - from] = this.values[this.slot(i)]!;
		return out;
	}

	since(sinceMs: number): Window {
		const from = this.suffixStart(sinceMs);
		const n = this.count - from;
		const values = new Array<number>(n);
		const times = new Array<number>(n);
		for (let i = 0; i < n; i++) {
			const s = this.slot(from + i);
			values[i] = this.values[s]!;
			times[i] = this.timeAt(s);
		}
		return {values, times};
	}

	/** Count of points at or after `sinceMs` (no allocation). */
	countSince(sinceMs: number): number {
		return this.count - this.suffixStart(sinceMs);
	}

	/** The oldest point at or after `sinceMs` (no allocation). */
	firstSince(sinceMs: number): {value: number; timeMs: number} | undefined {
		const i = this.suffixStart(sinceMs);
		if (i >= this.count) return undefined;
		const s = this.slot(i);
		return {value: this.values[s]!, timeMs: this.timeAt(s)};
	}

	/** The newest value at or before `timeMs` (times ascending). */
	valueAt(timeMs: number): number | undefined {
		const i = this.suffixStart(timeMs + 1) - 1;
		return i < 0 ? undefined : this.values[this.slot(i)];
	}
}

/** The store's series: every point kept as it comes, with its x (a training step). */
export class NumericRing extends SeriesRing {
	constructor(capacity: number) {
		super(capacity, true);
	}

	push(x: number, value: number, timeMs: number): void {
		this.append(x, value, timeMs);
	}
}

/** A series whose times stay ascending: a point older than the newest is dropped (GPU history, the rules' series). */
export class TimeRing extends SeriesRing {
	/** Append a point. A point older than the newest is dropped (times stay ascending); returns whether kept. */
	push(timeMs: number, value: number): boolean {
		const last = this.lastTime();
		if (last !== undefined && timeMs < last) return false;
		this.append(0, value, timeMs);
		return true;
	}
}

/** Fixed-capacity ring of objects, oldest overwritten first. */
export class ObjectRing<T> {
	readonly capacity: number;
	private readonly items: Array<T | undefined>;
	private start = 0;
	private count = 0;

	constructor(capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
		this.capacity = capacity;
		this.items = new Array<T | undefined>(capacity);
	}

	get length(): number {
		return this.count;
	}

	/** Adds `item`; returns the oldest item when the ring was full (it is overwritten), undefined otherwise. */
	push(item: T): T | undefined {
		const index = (this.start + this.count) % this.capacity;
		const evicted = this.count < this.capacity ? undefined : this.items[index];
		this.items[index] = item;
		if (this.count < this.capacity) this.count += 1;
		else this.start = (this.start + 1) % this.capacity;
		return evicted;
	}

	/** Calls `visit` with every item, oldest first (no array is made). */
	forEach(visit: (item: T) => void): void {
		for (let i = 0; i < this.count; i++) visit(this.items[(this.start + i) % this.capacity]!);
	}

	/** Newest `n` items, newest first. */
	newest(n: number): T[] {
		const take = Math.min(n, this.count);
		const out: T[] = [];
		for (let i = 0; i < take; i++) out.push(this.items[(this.start + this.count - 1 - i) % this.capacity]!);
		return out;
	}

	/** All items, oldest first. */
	toArray(): T[] {
		const out: T[] = [];
		for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity]!);
		return out;
	}

	/** Every item for which `keep` is true, newest first (the whole ring is scanned). */
	newestWhere(keep: (item: T) => boolean): T[] {
		const out: T[] = [];
		for (let i = this.count - 1; i >= 0; i--) {
			const item = this.items[(this.start + i) % this.capacity]!;
			if (keep(item)) out.push(item);
		}
		return out;
	}

	/** Items for which `keep` is true, scanning from the newest back while `whileTrue` holds. */
	newestWhile(whileTrue: (item: T) => boolean): T[] {
		const out: T[] = [];
		for (let i = this.count - 1; i >= 0; i--) {
			const item = this.items[(this.start + i) % this.capacity]!;
			if (!whileTrue(item)) break;
			out.push(item);
		}
		return out;
	}
}
