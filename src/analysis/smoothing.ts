/**
TensorBoard's smoothing: an exponential moving average debiased for its zero start, so the first points are not
pulled towards zero. `weight` in [0, 1): 0 is no smoothing. Non-finite inputs pass through as themselves and do
not disturb the average.
*/
export function debiasedEma(values: readonly number[], weight = 0.6): number[] {
	const w = Math.min(Math.max(weight, 0), 0.999);
	const out = new Array<number>(values.length);
	let last = 0;
	let finiteCount = 0;
	for (let i = 0; i < values.length; i++) {
		const v = values[i]!;
		if (!Number.isFinite(v)) {
			out[i] = v;
			continue;
		}
		last = last * w + (1 - w) * v;
		finiteCount += 1;
		const debias = w === 0 ? 1 : 1 - w ** finiteCount;
		out[i] = last / debias;
	}
	return out;
}
