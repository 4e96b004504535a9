/**
TensorBoard's smoothing: an exponential moving average debiased for its zero start, so the first points are not
pulled towards zero. `weight` in [0, 1): 0 is no smoothing. Non-finite inputs pass through as themselves and do
not disturb the average. The debias factor 1 - w^k is kept as a running product (no power per point), so a chart
of a million points smooths in a few milliseconds. The recurrence is `continueEma`, which the live charts also use
to continue an average instead of recomputing it (src/charts/live-smoothing.ts).
*/
export function debiasedEma(values: ArrayLike<number>, weight = 0.6): number[] {
	return emaInto(values, weight, new Array<number>(values.length));
}

/** The same average written into a Float64Array (the charts' series). */
export function debiasedEmaArray(values: ArrayLike<number>, weight = 0.6): Float64Array {
	return emaInto(values, weight, new Float64Array(values.length));
}

/** The recurrence's state: the running average and w^k for the k finite values taken so far (start: 0 and 1). */
export interface EmaState {
	last: number;
	power: number;
}

/** The weight the recurrence runs with: `weight` clamped to [0, 0.999]. */
export function emaWeight(weight: number): number {
	return Math.min(Math.max(weight, 0), 0.999);
}

type Writable = {[i: number]: number};

/**
Continue the debiased average over values[from..to) into out[from..to), from `state` (updated in place), with `w`
from emaWeight. With `until`, it stops right after the first finite value at which until(index, state) is true and
returns that index; otherwise (or when it never is) it runs to `to` and returns -1.
*/
export function continueEma(values: ArrayLike<number>, from: number, to: number, w: number, out: Writable, state: EmaState, until?: (index: number, state: EmaState) => boolean): number {
	let last = state.last;
	let power = state.power;
	for (let i = from; i < to; i++) {
		const v = values[i]!;
		if (!Number.isFinite(v)) {
			out[i] = v;
			continue;
		}
		last = last * w + (1 - w) * v;
		power *= w;
		out[i] = w === 0 ? last : last / (1 - power);
		if (until !== undefined) {
			state.last = last;
			state.power = power;
			if (until(i, state)) return i;
		}
	}
	state.last = last;
	state.power = power;
	return -1;
}

function emaInto<T extends Writable>(values: ArrayLike<number>, weight: number, out: T): T {
	continueEma(values, 0, values.length, emaWeight(weight), out, {last: 0, power: 1});
	return out;
}
