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
	if (n === 0) return withoutDurations(completions);
	return fromSorted(durations.subarray(0, n).sort(), completions, violations);
}

/** The figures when no completion in the window carried a duration. */
function withoutDurations(completions: number): TaskAggregates {
	return {throughputPerHour: completions, avgDurationSeconds: 0, slaCompliancePercent: 100, p50Seconds: 0, p95Seconds: 0, p99Seconds: 0, slaViolations: 0};
}

/** The figures from the window's durations in ascending order (at least one). */
function fromSorted(durations: Float64Array, completions: number, violations: number): TaskAggregates {
	const n = durations.length;
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

/** Completions as columns: what the figures, the SLA budget and the SLA rules scan, with no object per completion. */
export interface CompletionColumns {
	/** Completion times (epoch ms) and durations (NaN where none was given), slots 0 to length - 1, any order. */
	readonly times: Float64Array;
	readonly durations: Float64Array;
	readonly length: number;
}

/** The completions of a ring as columns (store/completion-ring.ts), with their finite durations kept sorted. */
export interface SortedCompletionColumns extends CompletionColumns {
	/** The finite durations among them, ascending. */
	readonly sorted: Float64Array;
}

/** Completion records as columns (a copy). */
export function columnsOf(completions: ReadonlyArray<Pick<Completion, 'durationSeconds' | 'timeMs'>>): CompletionColumns {
	const times = new Float64Array(completions.length);
	const durations = new Float64Array(completions.length);
	for (const [i, c] of completions.entries()) {
		times[i] = c.timeMs;
		durations[i] = c.durationSeconds;
	}
	return {times, durations, length: completions.length};
}

/**
`taskAggregates` over every completion of a ring, the same figures bit for bit, without sorting the ring's durations
each time: one pass counts what falls outside the window; when that is none the ring's sorted durations are the
window's, when it is a few the window's are those less the ones outside (a merge), and otherwise the window's own
durations are sorted, as `taskAggregates` does. With `timedOnly`, a completion without a duration is not counted at
all (the rules' input leaves those out).
*/
export function taskAggregatesOfColumns(ring: SortedCompletionColumns, now: number, slaSeconds = SLA_SECONDS, timedOnly = false): TaskAggregates {
	const hourAgo = now - 3_600_000;
	const until = now + 60_000;
	const {times, durations, length} = ring;
	let completions = 0;
	let n = 0;
	let violations = 0;
	let outside = 0;
	for (let i = 0; i < length; i++) {
		const t = times[i]!;
		const d = durations[i]!;
		const timed = Number.isFinite(d);
		// Written so that a NaN time is outside, as `completionsSince` (time >= since) always left it out.
		if (!(t > hourAgo && t <= until)) {
			if (timed) outside += 1;
		} else if (timed) {
			completions += 1;
			n += 1;
			if (d > slaSeconds) violations += 1;
		} else if (!timedOnly) completions += 1;
	}
	if (n === 0) return withoutDurations(completions);
	let window: Float64Array | undefined;
	if (outside === 0) window = ring.sorted.length === n ? ring.sorted : undefined;
	else if (outside * 4 <= n) window = remaining(ring.sorted, timedDurations(ring, outside, false, hourAgo, until).sort(), n);
	// More than a fifth of the ring is outside the window (or the kept order disagrees with the ring, never seen): sort the window's own.
	window ??= timedDurations(ring, n, true, hourAgo, until).sort();
	return fromSorted(window, completions, violations);
}

/** The `count` finite durations of the completions inside (or outside) the window (hourAgo, until]. */
function timedDurations(ring: SortedCompletionColumns, count: number, inside: boolean, hourAgo: number, until: number): Float64Array {
	const out = new Float64Array(count);
	let k = 0;
	for (let i = 0; i < ring.length && k < count; i++) {
		const t = ring.times[i]!;
		const d = ring.durations[i]!;
		if (Number.isFinite(d) && (t > hourAgo && t <= until) === inside) out[k++] = d;
	}
	return out;
}

/** `all` less `removed` (both ascending, `removed` a sub-multiset of `all`), `n` values; undefined if it is not. */
function remaining(all: Float64Array, removed: Float64Array, n: number): Float64Array | undefined {
	if (all.length !== n + removed.length) return undefined;
	const out = new Float64Array(n);
	let j = 0;
	let k = 0;
	for (let i = 0; i < all.length; i++) {
		const v = all[i]!;
		// Object.is: -0 and 0 are kept apart, in the order Float64Array's sort gives them (-0 first).
		if (j < removed.length && Object.is(v, removed[j])) {
			j += 1;
			continue;
		}
		if (k === n) return undefined;
		out[k++] = v;
	}
	return j === removed.length ? out : undefined;
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
