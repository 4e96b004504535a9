/**
TensorBoard's smoothing: an exponential moving average debiased for its zero start, so the first points are not
pulled towards zero. `weight` in [0, 1): 0 is no smoothing. Non-finite inputs pass through as themselves and do
not disturb the average. The debias factor 1 - w^k is kept as a running product (no power per point), so a chart
of a million points smooths in a few milliseconds.
*/
export function debiasedEma(values: ArrayLike<number>, weight = 0.6): number[] {
	return emaInto(values, weight, new Array<number>(values.length));
}

/** The same average written into a Float64Array (the charts' series). */
export function debiasedEmaArray(values: ArrayLike<number>, weight = 0.6): Float64Array {
	return emaInto(values, weight, new Float64Array(values.length));
}

function emaInto<T extends {[i: number]: number}>(values: ArrayLike<number>, weight: number, out: T): T {
	const w = Math.min(Math.max(weight, 0), 0.999);
	let last = 0;
	// w^k for the k finite values seen so far.
	let power = 1;
	for (let i = 0; i < values.length; i++) {
		const v = values[i]!;
		if (!Number.isFinite(v)) {
			out[i] = v;
			continue;
		}
		last = last * w + (1 - w) * v;
		power *= w;
		out[i] = w === 0 ? last : last / (1 - power);
	}
	return out;
}
