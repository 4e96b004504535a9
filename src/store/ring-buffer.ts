/**
Fixed-capacity numeric series: parallel Float64Arrays (x, value, time), oldest overwritten first.
The arrays start small and double until they reach the capacity (then they never grow again), so a series never
grows past its capacity however long mycotop runs, and a thousand short series do not cost a thousand full ones.
*/
export class NumericRing {
	readonly capacity: number;
	private xs: Float64Array;
	private values: Float64Array;
	private times: Float64Array;
	/** Allocated length (<= capacity). The ring wraps only once it is full, so start is 0 while it grows. */
	private size: number;
	private start = 0;
	private count = 0;

	constructor(capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
		this.capacity = capacity;
		this.size = Math.min(capacity, 64);
		this.xs = new Float64Array(this.size);
		this.values = new Float64Array(this.size);
		this.times = new Float64Array(this.size);
	}

	private grow(): void {
		this.size = Math.min(this.capacity, this.size * 2);
		const grown = (old: Float64Array) => {
			const next = new Float64Array(this.size);
			next.set(old);
			return next;
		};
		this.xs = grown(this.xs);
		this.values = grown(this.values);
		this.times = grown(this.times);
	}

	get length(): number {
		return this.count;
	}

	push(x: number, value: number, timeMs: number): void {
		if (this.count === this.size && this.size < this.capacity) this.grow();
		const index = (this.start + this.count) % this.size;
		this.xs[index] = x;
		this.values[index] = value;
		this.times[index] = timeMs;
		if (this.count < this.capacity) this.count += 1;
		else this.start = (this.start + 1) % this.capacity;
	}

	/** The i-th oldest retained point (0 = oldest). */
	private slot(i: number): number {
		return (this.start + i) % this.size;
	}

	lastValue(): number | undefined {
		return this.count === 0 ? undefined : this.values[this.slot(this.count - 1)];
	}

	lastX(): number | undefined {
		return this.count === 0 ? undefined : this.xs[this.slot(this.count - 1)];
	}

	lastTime(): number | undefined {
		return this.count === 0 ? undefined : this.times[this.slot(this.count - 1)];
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
			out[i] = {x: this.xs[s]!, value: this.values[s]!, timeMs: this.times[s]!};
		}
		return out;
	}

	/** Values whose time is at or after `sinceMs`, oldest first (assumes times are roughly ordered). */
	valuesSince(sinceMs: number): number[] {
		const out: number[] = [];
		for (let i = this.count - 1; i >= 0; i--) {
			const s = this.slot(i);
			if (this.times[s]! < sinceMs) break;
			out.push(this.values[s]!);
		}
		return out.reverse();
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

	push(item: T): void {
		const index = (this.start + this.count) % this.capacity;
		this.items[index] = item;
		if (this.count < this.capacity) this.count += 1;
		else this.start = (this.start + 1) % this.capacity;
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
