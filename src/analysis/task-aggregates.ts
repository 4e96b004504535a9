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
	// A Float64Array sorts numerically without a comparator: half the time of an array's sort((a, b) => a - b) at
	// 10,000 durations (the snapshot, the writer's dashboard message and the rules each do this once a second). The
	// order is the same (durations are finite); only -0 and 0 may swap, which are equal.
	let durations = new Float64Array(Math.min(recent.length, 64));
	let n = 0;
	let completions = 0;
	let violations = 0;
	for (const c of recent) {
		if (c.timeMs <= hourAgo || c.timeMs > now + 60_000) continue;
		completions += 1;
		// A completion without a duration counts toward throughput only.
		const d = c.durationSeconds;
		if (!Number.isFinite(d)) continue;
		if (n === durations.length) {
			const grown = new Float64Array(Math.min(recent.length, n * 2));
			grown.set(durations);
			durations = grown;
		}
		durations[n++] = d;
		if (d > slaSeconds) violations += 1;
	}
	if (n === 0)
		return {throughputPerHour: completions, avgDurationSeconds: 0, slaCompliancePercent: 100, p50Seconds: 0, p95Seconds: 0, p99Seconds: 0, slaViolations: 0};
	durations = durations.subarray(0, n).sort();
	// Summed in ascending order, as before, so the mean is the same to the last bit.
	let sum = 0;
	for (let i = 0; i < n; i++) sum += durations[i]!;
	// quantileSorted reads only `length` and indices, which a typed array has.
	const sorted = durations as unknown as readonly number[];
	return {
		throughputPerHour: completions,
		avgDurationSeconds: sum / n,
		slaCompliancePercent: ((n - violations) / n) * 100,
		p50Seconds: quantileSorted(sorted, 0.5),
		p95Seconds: quantileSorted(sorted, 0.95),
		p99Seconds: quantileSorted(sorted, 0.99),
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
