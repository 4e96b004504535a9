/** The seed's task aggregates (Pattern 2), as pure functions over completion records. */
import {quantileSorted} from 'simple-statistics';
import {SLA_SECONDS} from '../contract/names.js';

export interface Completion {
	readonly taskId: string;
	readonly agent: string;
	readonly durationSeconds: number;
	readonly timeMs: number;
}

export interface TaskAggregates {
	/** Completions in the last hour. */
	readonly throughputPerHour: number;
	/** Mean duration of those completions (0 when there are none). */
	readonly avgDurationSeconds: number;
	/** Share of those completions within the SLA, in percent (100 when there are none: nothing breached it). */
	readonly slaCompliancePercent: number;
	readonly p50Seconds: number;
	readonly p95Seconds: number;
	readonly p99Seconds: number;
	/** Completions in the window that exceeded the SLA. */
	readonly slaViolations: number;
}

/** Aggregates over the completions of the hour before `now`. `recent` may be in any order. */
export function taskAggregates<C extends Pick<Completion, 'durationSeconds' | 'timeMs'>>(recent: readonly C[], now: number, slaSeconds = SLA_SECONDS): TaskAggregates {
	const hourAgo = now - 3_600_000;
	const durations: number[] = [];
	let completions = 0;
	for (const c of recent) {
		if (c.timeMs <= hourAgo || c.timeMs > now + 60_000) continue;
		completions += 1;
		// A completion without a duration counts toward throughput only.
		if (Number.isFinite(c.durationSeconds)) durations.push(c.durationSeconds);
	}
	const n = durations.length;
	if (n === 0)
		return {throughputPerHour: completions, avgDurationSeconds: 0, slaCompliancePercent: 100, p50Seconds: 0, p95Seconds: 0, p99Seconds: 0, slaViolations: 0};
	durations.sort((a, b) => a - b);
	const violations = durations.filter((d) => d > slaSeconds).length;
	return {
		throughputPerHour: completions,
		avgDurationSeconds: durations.reduce((s, d) => s + d, 0) / n,
		slaCompliancePercent: ((n - violations) / n) * 100,
		p50Seconds: quantileSorted(durations, 0.5),
		p95Seconds: quantileSorted(durations, 0.95),
		p99Seconds: quantileSorted(durations, 0.99),
		slaViolations: violations,
	};
}

/** Counts of durations per bucket (bucket edges in seconds, ascending); the last bucket is open-ended. */
export function durationHistogram(durations: readonly number[], edges: readonly number[]): number[] {
	const counts = new Array<number>(edges.length + 1).fill(0);
	for (const d of durations) {
		let i = 0;
		while (i < edges.length && d > edges[i]!) i++;
		counts[i]! += 1;
	}
	return counts;
}
