/**
The box-wide figures every reader shows or writes: the last hour's task figures (throughput, mean duration, SLA
compliance, percentiles, the durations behind the histogram) and the load balance of the busy agents. One pure
function, so the snapshot (UI, --once, --headless), the seed's keys and dashboard message (writer) and the rules'
series (series-catalog, built-in rules) agree by construction.

Lazy: each figure is computed the first time it is read (a load-balance rule does not sort an hour of durations).
*/
import {SLA_SECONDS} from '../contract/names.js';
import {loadBalance, type LoadBalance} from './load-balance.js';
import {taskAggregates, type TaskAggregates} from './task-aggregates.js';

/** The window of the task figures. */
const HOUR_MS = 3_600_000;

interface FigureCompletion {
	readonly durationSeconds: number;
	readonly timeMs: number;
}

interface FigureAgent {
	readonly currentTasks: number;
}

/**
What the figures are computed from: the metrics store (`MetricsStore`) or the rules' input (`RuleInput`) both fit.
`completionsSince` may return a superset of the window (any order); the figures keep what belongs to it.
*/
export interface FigureSource {
	/** Completed tasks at or after `sinceMs`, any order. */
	completionsSince(sinceMs: number): readonly FigureCompletion[];
	/** Busy agents with their current task counts (an array, or a method returning the ones busy at `now`). */
	readonly busyAgents: readonly FigureAgent[] | ((now: number) => readonly FigureAgent[]);
	/**
	The task figures straight from a source that keeps its durations sorted (the store's completion ring): the same
	as `taskAggregates(completionsSince(now - 1 h), now, slaSeconds)` without the copy and the sort.
	*/
	taskAggregates?(now: number, slaSeconds: number): TaskAggregates;
	/** The finite durations of the completions stamped after `afterMs`, newest first, without a copy of the records. */
	timedDurationsAfter?(afterMs: number): readonly number[];
}

export interface SystemFigures {
	/**
	The seed's task aggregates over completions in (now - 1 h, now + 60 s]: throughput counts every completion the
	source gives, the mean, SLA share and percentiles only those with a finite duration.
	*/
	readonly tasks: TaskAggregates;
	/** Finite durations of the completions after now - 1 h (the histogram's input), newest first. */
	readonly lastHourDurations: readonly number[];
	/** The seed's load balance over the busy agents' task counts. */
	readonly loadBalance: LoadBalance;
	readonly busyAgents: number;
}

/** The figures at `now`. Pure: reads the source, computes on first access, keeps nothing. */
export function systemFigures(source: FigureSource, now: number, slaSeconds = SLA_SECONDS): SystemFigures {
	const hourAgo = now - HOUR_MS;
	let recent: readonly FigureCompletion[] | undefined;
	let agents: readonly FigureAgent[] | undefined;
	const completions = () => (recent ??= source.completionsSince(hourAgo));
	const busy = () => (agents ??= typeof source.busyAgents === 'function' ? source.busyAgents(now) : source.busyAgents);
	let tasks: TaskAggregates | undefined;
	let durations: readonly number[] | undefined;
	let balance: LoadBalance | undefined;
	return {
		get tasks() {
			return (tasks ??= source.taskAggregates === undefined ? taskAggregates(completions(), now, slaSeconds) : source.taskAggregates(now, slaSeconds));
		},
		get lastHourDurations() {
			if (durations === undefined && source.timedDurationsAfter !== undefined) durations = source.timedDurationsAfter(hourAgo);
			if (durations === undefined) {
				const own: number[] = [];
				for (const c of completions()) if (c.timeMs > hourAgo && Number.isFinite(c.durationSeconds)) own.push(c.durationSeconds);
				durations = own;
			}
			return durations;
		},
		get loadBalance() {
			return (balance ??= loadBalance(busy().map((a) => a.currentTasks)));
		},
		get busyAgents() {
			return busy().length;
		},
	};
}
