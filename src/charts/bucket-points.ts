/** History buckets as chart points: x at the bucket's start, y its mean, its min and max kept, NaN/Inf counted. Pure. */
import {type BucketAnswer} from '../history/history-source.js';
import {type SeriesPoints} from './downsample.js';

/** `scale` multiplies every value (a count per bucket to a rate per hour, for one). */
export function bucketPoints(answer: BucketAnswer, scale = 1): SeriesPoints {
	const n = answer.buckets.length;
	const xs = new Float64Array(n);
	const ys = new Float64Array(n);
	const mins = new Float64Array(n);
	const maxs = new Float64Array(n);
	const nonFinite = new Uint32Array(n);
	answer.buckets.forEach((b, i) => {
		xs[i] = b.start;
		ys[i] = b.count > 0 ? (b.sum / b.count) * scale : Number.NaN;
		mins[i] = b.min * scale;
		maxs[i] = b.max * scale;
		nonFinite[i] = b.nonFinite ?? 0;
	});
	return {xs, ys, mins, maxs, nonFinite};
}

/** A bucket answer's per-bucket sums as a rate per hour (a throughput series stores completions per bucket). */
export function bucketRatePerHour(answer: BucketAnswer): SeriesPoints {
	const perHour = 3_600_000 / Math.max(1, answer.resolution);
	const xs = Float64Array.from(answer.buckets, (b) => b.start);
	const ys = Float64Array.from(answer.buckets, (b) => b.sum * perHour);
	return {xs, ys};
}
