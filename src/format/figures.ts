/**
Figures computed over a window that can be empty. The analysis functions return 0 (or 100% compliance) when
there is nothing to compute over, because that is what the seed writes to Redis; on screen a 0 there would read
as a measurement ("tasks take 0s", "load perfectly balanced"). These functions say "no data" instead: undefined,
which the panes and --once print as NO_DATA. Pure.
*/
import {type Snapshot, type AgentSummary} from '../store/snapshot.js';
import {type LoadBalance} from '../analysis/load-balance.js';
import {formatDuration} from './units.js';
import {glyphsOf, type GlyphChoice} from './theme.js';

/** What a figure over nothing is shown as: the glyph set's no-data mark (an en dash; '-' under --ascii). */
export function noData(glyphs?: GlyphChoice): string {
	return glyphsOf(glyphs).noData;
}

export interface TaskFigures {
	/** Completions in the last hour: a count, so 0 is a real figure (the completion list covers the hour). */
	readonly throughputPerHour: number;
	/** Completions with a duration in the last hour: the population of every figure below. */
	readonly timed: number;
	readonly avgSeconds: number | undefined;
	readonly p50Seconds: number | undefined;
	readonly p95Seconds: number | undefined;
	readonly p99Seconds: number | undefined;
	/** Share within the SLA: undefined, not 100%, when no task was timed. */
	readonly slaPercent: number | undefined;
	readonly slaViolations: number;
}

type TaskWindow = Pick<
	Snapshot['tasks'],
	'throughputPerHour' | 'avgDurationSeconds' | 'p50Seconds' | 'p95Seconds' | 'p99Seconds' | 'slaCompliancePercent' | 'slaViolations' | 'lastHourDurations'
>;

/** The tasks pane's figures, undefined where the last hour holds no timed completion. */
export function taskFigures(tasks: TaskWindow): TaskFigures {
	const timed = tasks.lastHourDurations.length;
	const known = (value: number) => (timed === 0 || !Number.isFinite(value) ? undefined : value);
	return {
		throughputPerHour: tasks.throughputPerHour,
		timed,
		avgSeconds: known(tasks.avgDurationSeconds),
		p50Seconds: known(tasks.p50Seconds),
		p95Seconds: known(tasks.p95Seconds),
		p99Seconds: known(tasks.p99Seconds),
		slaPercent: known(tasks.slaCompliancePercent),
		slaViolations: tasks.slaViolations,
	};
}

/** A duration figure, or NO_DATA. */
export function durationFigure(seconds: number | undefined, glyphs?: GlyphChoice): string {
	return seconds === undefined ? noData(glyphs) : formatDuration(seconds);
}

/** A percentage with one decimal ("97.5%"), or NO_DATA. */
export function percentFigure(percent: number | undefined, digits = 1, glyphs?: GlyphChoice): string {
	return percent === undefined ? noData(glyphs) : `${percent.toFixed(digits)}%`;
}

/** The load variance over busy agents: undefined with no busy agent (the seed's 0 would read as "balanced"). */
export function loadVariance(balance: LoadBalance): number | undefined {
	return balance.agentCount === 0 || !Number.isFinite(balance.variancePercent) ? undefined : balance.variancePercent;
}

/** Average tasks per busy agent: undefined with no busy agent. */
export function avgTasksPerBusyAgent(balance: LoadBalance): number | undefined {
	return balance.agentCount === 0 || !Number.isFinite(balance.avgTasksPerAgent) ? undefined : balance.avgTasksPerAgent;
}

/**
An agent's average task duration: undefined before it has completed anything (the store's average is 0 then).
An agent whose completions all came without a duration also averages 0 in the store; the snapshot does not tell
that case apart, so it shows 0s.
*/
export function agentAverage(agent: Pick<AgentSummary, 'completed' | 'avgDurationSeconds'>): number | undefined {
	return agent.completed === 0 || !Number.isFinite(agent.avgDurationSeconds) ? undefined : agent.avgDurationSeconds;
}
