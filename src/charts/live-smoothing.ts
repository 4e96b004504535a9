/**
The debiased EMA of a live series kept up to date instead of recomputed (src/analysis/smoothing.ts is the full
version and owns the recurrence, continueEma, used here too; the results are equal to the bit, property-tested). The average is a recurrence, so new points continue it
from the state after the last one. When points leave the front of the window, the average restarts at the new first
point, but only until it has caught up with the old one: once the debias factor 1 - w^k is exactly 1 for both (so
each output is the state itself) and the new state equals the old output at that point, every later value is the
old one, reused. Pure: the previous cache is read, never changed.
*/
import {continueEma, emaWeight, type EmaState} from '../analysis/smoothing.js';

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

/** The debiased EMA of `ys` (serial of ys[0]: `first`), from `prev` where it allows. */
export function liveSmoothed(prev: SmoothCache | undefined, ys: ArrayLike<number>, first: number, weight: number): LiveSmoothed {
	const w = emaWeight(weight);
	const length = ys.length;
	const out = new Float64Array(length);
	const end = first + length;
	const prevEnd = prev === undefined ? 0 : prev.first + prev.values.length;
	if (prev === undefined || prev.weight !== weight || first < prev.first || first >= prevEnd || end < prevEnd || prev.values.length === 0) {
		const state: EmaState = {last: 0, power: 1};
		continueEma(ys, 0, length, w, out, state);
		return {cache: {weight, first, values: out, last: state.last, power: state.power}, changed: [first, end]};
	}
	const kept = prevEnd - first;
	// The state the rest continues from: the old one, unless the front's restart never met the old output.
	const state: EmaState = {last: prev.last, power: prev.power};
	let changed: [number, number] | undefined;
	if (first === prev.first) {
		out.set(prev.values);
	} else {
		// Restart at the new front until the state meets the old output (see above); reuse the rest.
		const offset = first - prev.first;
		const restart: EmaState = {last: 0, power: 1};
		const met = continueEma(ys, 0, kept, w, out, restart, (i, s) => 1 - s.power === 1 && s.last === prev.values[i + offset]);
		if (met >= 0) {
			out.set(prev.values.subarray(met + 1 + offset), met + 1);
			changed = [first, first + met + 1];
		} else {
			// Never met: every kept value was recomputed, and the state is the new one.
			state.last = restart.last;
			state.power = restart.power;
			changed = [first, prevEnd];
		}
	}
	continueEma(ys, kept, length, w, out, state);
	return {cache: {weight, first, values: out, last: state.last, power: state.power}, changed};
}
