/** What rules read (RuleInput), what they emit (RuleSample), and the Rule interface itself. */
import {type Labels} from './labels.js';
import {type Severity} from './alert-state.js';
import {type PointSeries} from './time-ring.js';
import {type SlaSettings} from '../analysis/sla-budget.js';
import {type ColumnCache} from './condition-columns.js';
import {type CompletionColumns, type TaskAggregates} from '../analysis/task-aggregates.js';

/** The seed's alert channels: events:alerts:{group}. */
export type AlertGroup = 'training' | 'gpu' | 'distribution' | 'system';

export interface ProjectInput {
	readonly id: string;
	readonly loss: PointSeries;
	readonly wer?: PointSeries;
	/** `context:project:{id}` field `status` (e.g. "training"), when known. */
	readonly status?: string;
	/** The configured target loss (`training:`), for forecast_target_loss_seconds. */
	readonly targetLoss?: number;
}

/**
One GPU as the rules see it. The GPU part (src/gpu) satisfies this; tests and the benchmark build it from
TimeRings. Series are in the sampler's units: °C, MiB, percent.
*/
export interface GpuInput {
	/** Stable id (the UUID). */
	readonly id: string;
	readonly index: number;
	readonly name: string;
	/** The GPU dropped out of nvidia-smi's output (fell off the bus, XID 79, ...). */
	readonly lost: boolean;
	readonly temperatureC: PointSeries;
	readonly memoryUsedMb: PointSeries;
	readonly memoryTotalMb: number | undefined;
	readonly utilizationPercent: PointSeries;
	/** The GPU's own slowdown temperature, when the sampler knows it. */
	readonly slowdownTempC?: number;
	/** Health series, when the driver gives the fields (src/gpu/gpu-health.ts): 1/0 while a thermal reason is active. */
	readonly throttleThermal?: PointSeries;
	/** 1/0 while a power reason (software power cap, hardware power brake) is active. */
	readonly throttlePower?: PointSeries;
	/** 1/0 while the PCIe link is trained below its maximum width (or generation, while busy). */
	readonly linkDegraded?: PointSeries;
	/** Xid events counted on this GPU since mycotop started (a point per frame, and one per event). */
	readonly xidTotal?: PointSeries;
	/** The volatile uncorrectable ECC error count. */
	readonly eccUncorrected?: PointSeries;
}

interface CompletionInput {
	readonly durationSeconds: number;
	readonly timeMs: number;
}

export interface RuleInput {
	readonly nowMs: number;
	readonly projects: readonly ProjectInput[];
	/** Completed tasks at or after `sinceMs` (any order). */
	completionsSince(sinceMs: number): readonly CompletionInput[];
	/**
	The last hour's task figures over those same completions, when the input can give them without a sort (the live
	store's ring): `taskAggregates(completionsSince(now - 1 h), now, slaSeconds)`, read by systemFigures.
	*/
	taskAggregates?(now: number, slaSeconds: number): TaskAggregates;
	/**
	Every completion kept, timed or not and at any time, as columns (the live store's ring, no copy): where an input
	has it, the SLA rules scan it instead of `completionsSince`'s records (see completion-scan.ts).
	*/
	completionColumns?(): CompletionColumns;
	/** Time of the newest completion ever seen (undefined: none). */
	readonly lastCompletionMs: number | undefined;
	/** Busy agents with their current task counts. */
	readonly busyAgents: ReadonlyArray<{readonly agent: string; readonly currentTasks: number}>;
	readonly workflowSteps: ReadonlyArray<{readonly workflowId: string; readonly stepId: string; readonly durations: PointSeries}>;
	/** Critical errors at or after `sinceMs`. */
	criticalErrorsSince(sinceMs: number): ReadonlyArray<{readonly errorId: string; readonly timeMs: number}>;
	/** undefined: no GPU telemetry at all (no sampler, or --no-gpu). */
	readonly gpus: readonly GpuInput[] | undefined;
	/** Redis's own health series (src/redis-health), when mycotop runs on Redis. */
	readonly redis?: {readonly memoryPercent: PointSeries; readonly latencyMs: PointSeries};
	/** The SLA error budget's settings (`sla:`); default 90 % over 24 h. */
	readonly sla?: SlaSettings;
	/** The host's configured filesystems: bytes used over time and the size (src/host). */
	readonly disks?: ReadonlyArray<{readonly path: string; readonly usedBytes: PointSeries; readonly totalBytes: number | undefined}>;
	/** Signature of the set of series (changes when projects, GPUs, agents or steps come and go). */
	readonly shape?: string;
}

/** A labelled series from the contract, for user rules. */
export interface LabelledSeries {
	/** Label text (sorted `k="v"` pairs): the instance key. */
	readonly key: string;
	readonly labels: Labels;
	readonly points: PointSeries;
	/** A GPU's series: the GPU fell off the bus (rules with `stale_after: gpu` treat its series as stale at once). */
	readonly lost?: boolean;
}

export interface SeriesSource {
	series(metric: string): readonly LabelledSeries[];
}

/** One instance's reading at one evaluation. */
export interface RuleSample {
	/** Instance key (label text); computed from labels when absent. */
	readonly key?: string;
	readonly labels: Labels;
	readonly breach: boolean;
	/** The recovery condition (hysteresis). Default: !breach. */
	readonly clear?: boolean;
	/** Default: the rule's severity. */
	readonly severity?: Severity;
	readonly value: number;
	/**
	Rendered only when needed, called as `sample.message()`: a function may read the sample through `this` (one
	shared function per rule renders every sample's message, no closure per sample).
	*/
	readonly message: string | ((this: RuleSample) => string);
	/** The series has no fresh data: a firing alert goes to "nodata" instead of resolving. */
	readonly stale?: boolean;
}

export interface RuleContext {
	readonly input: RuleInput;
	readonly series: SeriesSource;
	/** Data older than this is stale (GPU series). */
	readonly staleAfterMs: number;
	/**
	Condition values computed this evaluation, per series list and condition (`avg(1m)`), as columns: rules that ask
	the same question of the same series (200 rules over one metric) compute it once per tick. Fresh every evaluation.
	*/
	readonly columns?: ColumnCache;
	/**
	The keys under which the engine holds an instance of the rule being evaluated. A sample that neither breaches
	nor has an instance changes nothing, so a rule may skip building it (1,000 quiet series cost no allocations).
	A sample changes only its own key's instance, so while a list's keys are distinct a rule may read the keys once
	(threshold-rule.ts marks them by index instead of asking per series).
	*/
	readonly tracked?: {has(key: string): boolean; readonly size: number; keys(): Iterable<string>};
	/**
	The caller reads each sample during `emit` (its message too) and keeps nothing of it, so a rule may hand it one
	sample object, refilled for every series (the engine: 5,000 steady alerts a tick allocate no samples). Unset: the
	caller may keep the samples it is given (tests collect them).
	*/
	readonly samplesReused?: boolean;
}

export type RuleVariant = 'sound' | 'seed' | 'user';

export interface Rule {
	readonly name: string;
	readonly group: AlertGroup;
	readonly severity: Severity;
	readonly forMs: number;
	readonly keepFiringForMs: number;
	readonly variant: RuleVariant;
	/** One line for README, `rules check` and the UI. */
	readonly description: string;
	/** Recommendation sent with the alert (the seed's messages carry one). */
	readonly recommendation?: string;
	/** A link to what to do, sent with notifications as `runbook_url` (the user's `runbook:`). */
	readonly runbook?: string;
	evaluate(ctx: RuleContext, emit: (sample: RuleSample) => void): void;
}

/**
A GPU's part of RuleInput.shape: its id, whether it is lost and its total memory, so the series catalog rebuilds its
lists (lost flags, memory percent) when either changes.
*/
export function gpuShape(g: GpuInput): string {
	return `${g.id}${g.lost ? '!' : ''}:${g.memoryTotalMb ?? ''}`;
}
