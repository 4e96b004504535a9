/**
Task completions as chart series: throughput (completions per hour) and SLA compliance (the share finished within
30 minutes) per time bin, and the duration distribution in 5-minute buckets up to an hour. Pure.
*/
import {type Completion} from '../analysis/task-aggregates.js';
import {type SeriesPoints} from './downsample.js';

/** The bin width for a span: at least a minute, at most about 120 bins. */
function binWidth(spanMs: number): number {
	return Math.max(60_000, Math.ceil(spanMs / 120 / 60_000) * 60_000);
}

/** Throughput and SLA compliance per bin over [fromMs, toMs]; a bin without a timed completion has no SLA point. */
export function taskSeries(completions: readonly Completion[], fromMs: number, toMs: number, slaSeconds: number): {throughput: SeriesPoints; sla: SeriesPoints; binMs: number} {
	const binMs = binWidth(toMs - fromMs);
	const bins = Math.max(1, Math.ceil((toMs - fromMs) / binMs));
	const done = new Float64Array(bins);
	const timed = new Float64Array(bins);
	const within = new Float64Array(bins);
	for (const c of completions) {
		if (c.timeMs < fromMs || c.timeMs > toMs) continue;
		const b = Math.min(bins - 1, Math.floor((c.timeMs - fromMs) / binMs));
		done[b]! += 1;
		if (Number.isFinite(c.durationSeconds)) {
			timed[b]! += 1;
			if (c.durationSeconds <= slaSeconds) within[b]! += 1;
		}
	}
	const xs = Float64Array.from({length: bins}, (_, i) => fromMs + i * binMs);
	const perHour = 3_600_000 / binMs;
	const slaXs: number[] = [];
	const slaYs: number[] = [];
	for (let i = 0; i < bins; i++) {
		if (timed[i]! === 0) continue;
		slaXs.push(xs[i]!);
		slaYs.push(within[i]! / timed[i]!);
	}
	return {throughput: {xs, ys: done.map((d) => d * perHour)}, sla: {xs: slaXs, ys: slaYs}, binMs};
}

/** Bucket edges of the duration histogram in minutes: 0-5, ..., 55-60, then 60 and more. */
export const DURATION_BUCKET_MINUTES = 5;
export const DURATION_BUCKETS = 13;

/** Durations (seconds) counted into 5-minute buckets up to an hour, the last bucket for an hour and more. */
export function durationCounts(durations: Iterable<number>): number[] {
	const counts = new Array<number>(DURATION_BUCKETS).fill(0);
	for (const d of durations) {
		if (!Number.isFinite(d) || d < 0) continue;
		counts[Math.min(DURATION_BUCKETS - 1, Math.floor(d / 60 / DURATION_BUCKET_MINUTES))]! += 1;
	}
	return counts;
}
