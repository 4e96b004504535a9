/**
The finite task durations of a completion ring, kept in ascending order as completions come and go (one binary
search and one block move each), so the last hour's percentiles need no sort. Sorting the ring's 10,000 durations
took about 1.2 ms, and the rules, the snapshot and the writer's aggregates each did it every second: at 40
completions a second the ring is full after about four minutes (BENCHMARKS.md, twelfth session).
*/
export class SortedDurations {
	private values: Float64Array;
	private count = 0;

	constructor(initialCapacity = 64) {
		this.values = new Float64Array(Math.max(1, initialCapacity));
	}

	/** The durations, ascending (a view: valid until the next add or remove). */
	sorted(): Float64Array {
		return this.values.subarray(0, this.count);
	}

	/** Adds a finite duration. */
	add(duration: number): void {
		if (this.count === this.values.length) {
			const grown = new Float64Array(this.values.length * 2);
			grown.set(this.values);
			this.values = grown;
		}
		const at = this.position(duration, true);
		this.values.copyWithin(at + 1, at, this.count);
		this.values[at] = duration;
		this.count += 1;
	}

	/** Removes one occurrence of `duration` (-0 and 0 apart); false when there is none. */
	remove(duration: number): boolean {
		const at = this.position(duration, false);
		if (at >= this.count || !Object.is(this.values[at], duration)) return false;
		this.values.copyWithin(at, at + 1, this.count);
		this.count -= 1;
		return true;
	}

	/**
	Where `d` goes: the first index whose value comes after `d` (`afterEquals`: past its equals, where an added one
	goes), or whose value does not come before it (where a removed one is).
	*/
	private position(d: number, afterEquals: boolean): number {
		let lo = 0;
		let hi = this.count;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			const v = this.values[mid]!;
			if (afterEquals ? !before(d, v) : before(v, d)) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}
}

/** Whether `a` sorts before `b` as Float64Array's sort orders them: numerically, and -0 before 0. */
function before(a: number, b: number): boolean {
	return a < b || (a === 0 && b === 0 && Object.is(a, -0) && Object.is(b, 0));
}
