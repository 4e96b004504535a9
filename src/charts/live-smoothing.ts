/**
The debiased EMA of a live series kept up to date instead of recomputed (src/analysis/smoothing.ts is the full
version; the results are equal to the bit, property-tested). The average is a recurrence, so new points continue it
from the state after the last one. When points leave the front of the window, the average restarts at the new first
point, but only until it has caught up with the old one: once the debias factor 1 - w^k is exactly 1 for both (so
each output is the state itself) and the new state equals the old output at that point, every later value is the
old one, reused. Pure: the previous cache is read, never changed.
*/

export interface SmoothCache {
	readonly weight: number;
	/** Serials covered: [first, first + values.length). */
	readonly first: number;
	readonly values: Float64Array;
	/** The recurrence's state after the last value: the running average and w^k. */
	readonly last: number;
	readonly power: number;
}

export interface LiveSmoothed {
	readonly cache: SmoothCache;
	/** Serials whose smoothed value differs from `prev`'s (recomputed at the front); undefined when none. */
	readonly changed: readonly [number, number] | undefined;
}

/** Continue the recurrence over ys[from..to) into out, from state (last, power); returns the state after. */
function run(ys: ArrayLike<number>, from: number, to: number, w: number, out: Float64Array, last: number, power: number): [number, number] {
	for (let i = from; i < to; i++) {
		const v = ys[i]!;
		if (!Number.isFinite(v)) {
			out[i] = v;
			continue;
		}
		last = last * w + (1 - w) * v;
		power *= w;
		out[i] = w === 0 ? last : last / (1 - power);
	}
	return [last, power];
}

/** The debiased EMA of `ys` (serial of ys[0]: `first`), from `prev` where it allows. */
export function liveSmoothed(prev: SmoothCache | undefined, ys: ArrayLike<number>, first: number, weight: number): LiveSmoothed {
	const w = Math.min(Math.max(weight, 0), 0.999);
	const length = ys.length;
	const out = new Float64Array(length);
	const end = first + length;
	const prevEnd = prev === undefined ? 0 : prev.first + prev.values.length;
	if (prev === undefined || prev.weight !== weight || first < prev.first || first >= prevEnd || end < prevEnd || prev.values.length === 0) {
		const [last, power] = run(ys, 0, length, w, out, 0, 1);
		return {cache: {weight, first, values: out, last, power}, changed: [first, end]};
	}
	const kept = prevEnd - first;
	let last = prev.last;
	let power = prev.power;
	let changed: [number, number] | undefined;
	if (first === prev.first) {
		out.set(prev.values);
	} else {
		// Restart at the new front until the state meets the old output (see above); reuse the rest.
		const offset = first - prev.first;
		let l = 0;
		let p = 1;
		let met = -1;
		for (let i = 0; i < kept; i++) {
			const v = ys[i]!;
			if (!Number.isFinite(v)) {
				out[i] = v;
				continue;
			}
			l = l * w + (1 - w) * v;
			p *= w;
			out[i] = w === 0 ? l : l / (1 - p);
			if (1 - p === 1 && l === prev.values[i + offset]) {
				met = i;
				break;
			}
		}
		if (met >= 0) {
			out.set(prev.values.subarray(met + 1 + offset), met + 1);
			changed = [first, first + met + 1];
		} else {
			// Never met: every kept value was recomputed, and the state is the new one.
			last = l;
			power = p;
			changed = [first, prevEnd];
		}
	}
	const [l2, p2] = run(ys, kept, length, w, out, last, power);
	return {cache: {weight, first, values: out, last: l2, power: p2}, changed};
}
