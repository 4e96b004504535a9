/**
A bucket's aggregate while it is built (per batch, in memory) and the one merge rule every part of the history uses:
min, max, sum and count add up, non-finite samples are only counted, and `last` is the finite sample latest in the
bucket (by time stamp or step), a tie going to the larger value. The rule is commutative and associative (the sum up
to floating-point rounding), so samples merged in any order and any partition into batches give the same bucket:
a past-stamped event, a replay after a handover or a restart all land in the same state. The Lua script applies the
same rule in Redis (rollup-script.ts). Pure.
*/

export interface BucketAgg {
	/** Bucket start: epoch ms, or the first step. */
	start: number;
	min: number;
	max: number;
	sum: number;
	/** Finite samples. */
	count: number;
	last: number;
	/** Where `last` was sampled: epoch ms or step (a position, for records read back from Redis). */
	lastAt: number;
	nonFinite: number;
}

export function emptyAgg(start: number): BucketAgg {
	return {start, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, sum: 0, count: 0, last: Number.NaN, lastAt: Number.NEGATIVE_INFINITY, nonFinite: 0};
}

/** Whether (at, value) comes after (lastAt, last): later, or as late and larger. */
function isLater(at: number, value: number, lastAt: number, last: number): boolean {
	return at > lastAt || (at === lastAt && value > last);
}

/** Add one sample taken at `at` (ms or step). Mutates `agg`: this runs per event. */
export function addSample(agg: BucketAgg, at: number, value: number): void {
	if (!Number.isFinite(value)) {
		agg.nonFinite += 1;
		return;
	}
	if (value < agg.min) agg.min = value;
	if (value > agg.max) agg.max = value;
	agg.sum += value;
	agg.count += 1;
	if (isLater(at, value, agg.lastAt, agg.last)) {
		agg.last = value;
		agg.lastAt = at;
	}
}

/** Merge `from` into `into` (same bucket). Mutates `into`. */
export function mergeInto(into: BucketAgg, from: BucketAgg): void {
	into.nonFinite += from.nonFinite;
	if (from.count === 0) return;
	if (from.min < into.min) into.min = from.min;
	if (from.max > into.max) into.max = from.max;
	into.sum += from.sum;
	into.count += from.count;
	if (isLater(from.lastAt, from.last, into.lastAt, into.last)) {
		into.last = from.last;
		into.lastAt = from.lastAt;
	}
}

/** A copy of `agg` moved to another bucket start (to merge it into a coarser bucket). */
export function copyAgg(agg: BucketAgg, start: number): BucketAgg {
	return {...agg, start};
}
