/**
The Prometheus metric families mycotop exports, as data: name, type, help, label names, and a pure function from
what mycotop knows (a snapshot of the store and its parts) to the family's samples. The exposition
(exposition.ts) turns them into prom-client metrics on every scrape; the README's metric table and the tests read
the same table. Names follow Prometheus's conventions: the `mycotop_` prefix, base units in the name (`_bytes`,
`_celsius`, `_watts`, `_seconds`, `_ratio` for 0..1), `_total` for counters only.

A reading mycotop does not have now (unknown, or only a stale last value) has no sample: a missing series is how
Prometheus says "no data", where a repeated old value would lie. A project or an agent not heard from for longer
than the idle age (store/liveness.ts, one hour) is such a stale last value: its readings have no sample, and its
last-seen time stays exported (`..._timestamp_seconds`), so a silence can be told and alerted on.
*/
import {type AgentSummary, type ProjectSummary, type Snapshot} from '../store/snapshot.js';
import {type GpuRow, type Reading} from '../gpu/gpu-snapshot.js';
import {type ThrottleMetric} from '../gpu/gpu-health.js';
import {type HealthMetric} from '../gpu/query-fields.js';
import {debiasedEma} from '../analysis/smoothing.js';
import {SLA_SECONDS} from '../contract/names.js';
import {agentSeenMs, IDLE_AFTER_MS, isLive} from '../store/liveness.js';

export type SampleLabels = Readonly<Record<string, string>>;

interface Sample {
	readonly labels: SampleLabels;
	readonly value: number;
}

/** A project as the metrics read it: the parts of the snapshot's ProjectSummary they need (no trend analysis). */
export type TrainingFigures = Pick<ProjectSummary, 'projectId' | 'points' | 'lastLoss' | 'lastWer' | 'lastStep' | 'lastUpdatedMs' | 'lastSeenMs' | 'lossTail'>;

/** What the metrics read of mycotop: a subset of the UI's Snapshot (which fits it), built lighter by metrics-view.ts. */
export interface MetricsSnapshot {
	/** When the snapshot was taken (the receive clock): what "live" is measured from. */
	readonly takenAtMs: number;
	/** The store's idle age (store.limits.idleAfterMs); IDLE_AFTER_MS when absent. */
	readonly idleAfterMs?: number;
	readonly host: string;
	readonly bus: Pick<Snapshot['bus'], 'url' | 'connection' | 'role' | 'reconnects'>;
	readonly counters: Pick<Snapshot['counters'], 'received' | 'stored' | 'rejected' | 'refusedBy' | 'partlyRefusedBy' | 'evictedBy'>;
	readonly writer: Pick<NonNullable<Snapshot['writer']>, 'entriesWritten' | 'dropped' | 'pendingEntries'> | undefined;
	readonly training: readonly TrainingFigures[];
	readonly tasks: Pick<Snapshot['tasks'], 'throughputPerHour' | 'slaCompliancePercent' | 'slaViolations' | 'avgDurationSeconds' | 'completedToday'>;
	readonly agents: ReadonlyArray<Pick<AgentSummary, 'agent' | 'status' | 'currentTasks' | 'lastSeenMs' | 'readBackMs'>>;
	readonly loadBalance: Pick<Snapshot['loadBalance'], 'variancePercent'>;
	readonly gpu: Snapshot['gpu'];
	readonly alerts: Snapshot['alerts'];
}

/** What a scrape reads: one snapshot of the store and its parts, and the few settings the figures depend on. */
export interface MetricsView {
	readonly snapshot: MetricsSnapshot;
	/** The debiased EMA weight of the smoothed loss (the training pane's, `ui.smoothing`, default 0.6). */
	readonly smoothing: number;
	readonly version: string;
}

export interface Family {
	readonly name: string;
	readonly type: 'gauge' | 'counter';
	readonly help: string;
	readonly labelNames: readonly string[];
	readonly samples: (view: MetricsView) => readonly Sample[];
}

const MIB = 1024 * 1024;
const JOULES_PER_KWH = 3_600_000;
const GPU_LABELS = ['host', 'gpu', 'uuid', 'name'] as const;

/** nvidia-smi's name of each clock event (throttle) reason, as the `reason` label. */
const THROTTLE_REASON_LABEL: Readonly<Record<ThrottleMetric, string>> = {
	throttleSwPowerCap: 'sw_power_cap',
	throttleHwSlowdown: 'hw_slowdown',
	throttleHwThermal: 'hw_thermal_slowdown',
	throttleHwPowerBrake: 'hw_power_brake_slowdown',
	throttleSwThermal: 'sw_thermal_slowdown',
	throttleSyncBoost: 'sync_boost',
};

const ECC_COUNTERS: ReadonlyArray<{readonly metric: HealthMetric; readonly type: string; readonly scope: string}> = [
	{metric: 'eccCorrectedVolatile', type: 'corrected', scope: 'volatile'},
	{metric: 'eccUncorrectedVolatile', type: 'uncorrected', scope: 'volatile'},
	{metric: 'eccCorrectedAggregate', type: 'corrected', scope: 'aggregate'},
	{metric: 'eccUncorrectedAggregate', type: 'uncorrected', scope: 'aggregate'},
];

/** The enum states each `..._state` family always lists (1 for the current one, 0 for the rest). */
const REDIS_STATES = ['off', 'connecting', 'connected', 'reconnecting', 'unreachable', 'auth-failed', 'stopped'] as const;
const LEASE_ROLES = ['writer', 'viewer', 'read-only', 'standalone'] as const;
const GPU_SAMPLER_STATES = ['starting', 'ok', 'degraded', 'unavailable', 'disabled'] as const;

function fresh(reading: Reading | undefined): number | undefined {
	return reading === undefined || reading.stale === true ? undefined : reading.value;
}

function gpuLabels(host: string, row: GpuRow): SampleLabels {
	return {host, gpu: String(row.index), uuid: row.uuid, name: row.name};
}

/** One sample per GPU whose `value` is known (fresh), with the GPU's labels. */
function perGpu(value: (row: GpuRow) => number | undefined): (view: MetricsView) => Sample[] {
	return ({snapshot}) => {
		const out: Sample[] = [];
		for (const row of snapshot.gpu?.gpus ?? []) {
			const v = value(row);
			if (v !== undefined && Number.isFinite(v)) out.push({labels: gpuLabels(snapshot.host, row), value: v});
		}
		return out;
	};
}

/** An enum as Prometheus exports one: a sample per state, 1 for the current state. */
function enumSamples(states: readonly string[], current: string, label = 'state'): Sample[] {
	return states.map((state) => ({labels: {[label]: state}, value: state === current ? 1 : 0}));
}

const smoothedCache = new WeakMap<TrainingFigures, {readonly weight: number; readonly value: number | undefined}>();

/** The last finite value of the debiased EMA of the project's loss tail, cached per figures object. */
function smoothedLoss(p: TrainingFigures, weight: number): number | undefined {
	const hit = smoothedCache.get(p);
	if (hit !== undefined && hit.weight === weight) return hit.value;
	const smoothed = debiasedEma(p.lossTail, weight);
	let value: number | undefined;
	for (let i = smoothed.length - 1; i >= 0 && value === undefined; i--) if (Number.isFinite(smoothed[i]!)) value = smoothed[i];
	smoothedCache.set(p, {weight, value});
	return value;
}

/** The projects heard from within the idle age: the ones whose last readings are current. */
function liveProjects(snapshot: MetricsSnapshot): TrainingFigures[] {
	const idleAfter = snapshot.idleAfterMs ?? IDLE_AFTER_MS;
	return snapshot.training.filter((p) => isLive(p.lastSeenMs ?? p.lastUpdatedMs, snapshot.takenAtMs, idleAfter));
}

/** The agents heard from within the idle age: the ones whose last status and task count are current. */
function liveAgents(snapshot: MetricsSnapshot): MetricsSnapshot['agents'] {
	const idleAfter = snapshot.idleAfterMs ?? IDLE_AFTER_MS;
	return snapshot.agents.filter((a) => isLive(agentSeenMs(a), snapshot.takenAtMs, idleAfter));
}

function single(value: number | undefined): Sample[] {
	return value === undefined || !Number.isFinite(value) ? [] : [{labels: {}, value}];
}

const GPU_FAMILIES: readonly Family[] = [
	{
		name: 'mycotop_gpu_utilization_ratio',
		type: 'gauge',
		help: 'GPU utilization (utilization.gpu), 0 to 1.',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => {
			const v = fresh(r.utilizationPercent);
			return v === undefined ? undefined : v / 100;
		}),
	},
	{
		name: 'mycotop_gpu_memory_used_bytes',
		type: 'gauge',
		help: 'GPU memory in use (memory.used).',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => {
			const v = fresh(r.memoryUsedMb);
			return v === undefined ? undefined : v * MIB;
		}),
	},
	{
		name: 'mycotop_gpu_memory_total_bytes',
		type: 'gauge',
		help: 'GPU memory in all (memory.total).',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => {
			const v = fresh(r.memoryTotalMb);
			return v === undefined ? undefined : v * MIB;
		}),
	},
	{
		name: 'mycotop_gpu_temperature_celsius',
		type: 'gauge',
		help: 'GPU core temperature (temperature.gpu).',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => fresh(r.temperatureC)),
	},
	{
		name: 'mycotop_gpu_power_draw_watts',
		type: 'gauge',
		help: 'GPU power draw (power.draw).',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => fresh(r.powerDrawW)),
	},
	{
		name: 'mycotop_gpu_power_limit_watts',
		type: 'gauge',
		help: 'GPU power limit (power.limit).',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => fresh(r.powerLimitW)),
	},
	{
		name: 'mycotop_gpu_lost',
		type: 'gauge',
		help: '1 while the GPU is missing from nvidia-smi output or gives no reading at all, else 0.',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => (r.lost ? 1 : 0)),
	},
	{
		name: 'mycotop_gpu_throttle_active',
		type: 'gauge',
		help: 'Clock event (throttle) reason active now (1) or not (0), by nvidia-smi reason name; absent when the driver does not tell.',
		labelNames: [...GPU_LABELS, 'reason'],
		samples: ({snapshot}) => {
			const out: Sample[] = [];
			for (const row of snapshot.gpu?.gpus ?? []) {
				const readings = row.health?.readings ?? {};
				for (const [metric, reason] of Object.entries(THROTTLE_REASON_LABEL) as Array<[ThrottleMetric, string]>) {
					const v = fresh(readings[metric]);
					if (v !== undefined) out.push({labels: {...gpuLabels(snapshot.host, row), reason}, value: v >= 1 ? 1 : 0});
				}
			}
			return out;
		},
	},
	{
		name: 'mycotop_gpu_ecc_errors',
		type: 'gauge',
		help: 'ECC error counts as the driver reports them (volatile: since the driver loaded; aggregate: lifetime). A gauge: a driver reload zeroes the volatile count.',
		labelNames: [...GPU_LABELS, 'type', 'scope'],
		samples: ({snapshot}) => {
			const out: Sample[] = [];
			for (const row of snapshot.gpu?.gpus ?? []) {
				for (const {metric, type, scope} of ECC_COUNTERS) {
					// A stale counter still counts (errors do not go away), as in the GPU pane's ECC badge.
					const v = row.health?.readings[metric]?.value;
					if (v !== undefined && Number.isFinite(v)) out.push({labels: {...gpuLabels(snapshot.host, row), type, scope}, value: v});
				}
			}
			return out;
		},
	},
	{
		name: 'mycotop_gpu_xid_errors_total',
		type: 'counter',
		help: 'Xid events attributed to the GPU since mycotop started.',
		labelNames: GPU_LABELS,
		samples: perGpu((r) => r.health?.xidCount),
	},
	{
		name: 'mycotop_gpu_energy_joules_total',
		type: 'counter',
		help: "Energy the GPU used since mycotop started: from the driver's energy counter, else integrated from power draw.",
		labelNames: GPU_LABELS,
		samples: perGpu((r) => (r.energy === undefined ? undefined : r.energy.sinceStartKwh * JOULES_PER_KWH)),
	},
	{
		name: 'mycotop_gpu_sampler_state',
		type: 'gauge',
		help: 'State of the GPU sampler (nvidia-smi): 1 for the current state.',
		labelNames: ['state'],
		samples: ({snapshot}) => enumSamples(GPU_SAMPLER_STATES, snapshot.gpu?.state ?? 'disabled'),
	},
	{
		name: 'mycotop_gpu_last_frame_timestamp_seconds',
		type: 'gauge',
		help: 'When the last nvidia-smi frame arrived (Unix time).',
		labelNames: ['host'],
		samples: ({snapshot}) => (snapshot.gpu?.lastFrameMs === undefined ? [] : [{labels: {host: snapshot.host}, value: snapshot.gpu.lastFrameMs / 1000}]),
	},
];

const TRAINING_FAMILIES: readonly Family[] = [
	{
		name: 'mycotop_training_loss',
		type: 'gauge',
		help: 'Last training loss reported for the project (NaN and +-Inf as sent); absent once the project is silent for an hour.',
		labelNames: ['project'],
		samples: ({snapshot}) => liveProjects(snapshot).flatMap((p) => (p.lastLoss === undefined ? [] : [{labels: {project: p.projectId}, value: p.lastLoss}])),
	},
	{
		name: 'mycotop_training_loss_smoothed',
		type: 'gauge',
		help: "Debiased EMA of the project's last 240 losses, as the training pane draws it (weight ui.smoothing, default 0.6).",
		labelNames: ['project'],
		samples: ({snapshot, smoothing}) =>
			liveProjects(snapshot).flatMap((p) => {
				const v = smoothedLoss(p, smoothing);
				return v === undefined ? [] : [{labels: {project: p.projectId}, value: v}];
			}),
	},
	{
		name: 'mycotop_training_step',
		type: 'gauge',
		help: 'Last training step reported for the project.',
		labelNames: ['project'],
		samples: ({snapshot}) => liveProjects(snapshot).filter((p) => p.points > 0).map((p) => ({labels: {project: p.projectId}, value: p.lastStep})),
	},
	{
		name: 'mycotop_training_wer',
		type: 'gauge',
		help: 'Last word error rate reported for the project, in the unit the producer sends (a fraction, or percent).',
		labelNames: ['project'],
		samples: ({snapshot}) => liveProjects(snapshot).flatMap((p) => (p.lastWer === undefined ? [] : [{labels: {project: p.projectId}, value: p.lastWer}])),
	},
	{
		name: 'mycotop_training_last_update_timestamp_seconds',
		type: 'gauge',
		help: "Time stamp of the project's last training event (Unix time), also once it is silent: until it is evicted.",
		labelNames: ['project'],
		samples: ({snapshot}) => snapshot.training.filter((p) => p.lastUpdatedMs > 0).map((p) => ({labels: {project: p.projectId}, value: p.lastUpdatedMs / 1000})),
	},
];

const TASK_FAMILIES: readonly Family[] = [
	{
		name: 'mycotop_tasks_completed_last_hour',
		type: 'gauge',
		help: "Tasks completed in the last hour (the seed's throughput_per_hour).",
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.tasks.throughputPerHour),
	},
	{
		name: 'mycotop_tasks_sla_compliance_ratio',
		type: 'gauge',
		help: 'Share of the last hour\'s timed completions within the SLA, 0 to 1 (1 when there were none).',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.tasks.slaCompliancePercent / 100),
	},
	{
		name: 'mycotop_tasks_sla_violations_last_hour',
		type: 'gauge',
		help: 'Completions of the last hour that took longer than the SLA.',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.tasks.slaViolations),
	},
	{
		name: 'mycotop_tasks_duration_mean_seconds',
		type: 'gauge',
		help: 'Mean duration of the last hour\'s timed completions (0 when there were none).',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.tasks.avgDurationSeconds),
	},
	{
		name: 'mycotop_tasks_sla_target_seconds',
		type: 'gauge',
		help: "The task SLA: a task should complete within this many seconds (the seed's 30 minutes).",
		labelNames: [],
		samples: () => single(SLA_SECONDS),
	},
	{
		name: 'mycotop_tasks_completed_today',
		type: 'gauge',
		help: "Tasks completed since local midnight (the seed's completed_today).",
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.tasks.completedToday),
	},
];

const AGENT_FAMILIES: readonly Family[] = [
	{
		name: 'mycotop_agent_busy',
		type: 'gauge',
		help: 'Whether the agent reported itself busy (1) or idle (0); absent before its first status and once it is silent for an hour.',
		labelNames: ['agent'],
		samples: ({snapshot}) => liveAgents(snapshot).flatMap((a) => (a.status === 'unknown' ? [] : [{labels: {agent: a.agent}, value: a.status === 'busy' ? 1 : 0}])),
	},
	{
		name: 'mycotop_agent_tasks',
		type: 'gauge',
		help: "The agent's current task count (taskCount of its last status); absent once it is silent for an hour.",
		labelNames: ['agent'],
		samples: ({snapshot}) => liveAgents(snapshot).map((a) => ({labels: {agent: a.agent}, value: a.currentTasks})),
	},
	{
		name: 'mycotop_agent_last_seen_timestamp_seconds',
		type: 'gauge',
		help: "Newest time stamp of the agent's messages (Unix time), also once it is silent: until it is evicted.",
		labelNames: ['agent'],
		samples: ({snapshot}) => snapshot.agents.filter((a) => a.lastSeenMs > 0).map((a) => ({labels: {agent: a.agent}, value: a.lastSeenMs / 1000})),
	},
	{
		name: 'mycotop_agents_load_variance_ratio',
		type: 'gauge',
		help: "The seed's load variance over the busy agents heard from within the hour: largest deviation from the mean task count, as a fraction of the mean.",
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.loadBalance.variancePercent / 100),
	},
];

const SELF_FAMILIES: readonly Family[] = [
	{
		name: 'mycotop_messages_received_total',
		type: 'counter',
		help: 'Bus messages received (stored, rejected or refused).',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.counters.received),
	},
	{
		name: 'mycotop_messages_stored_total',
		type: 'counter',
		help: 'Bus messages validated and stored.',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.counters.stored),
	},
	{
		name: 'mycotop_messages_rejected_total',
		type: 'counter',
		help: 'Bus messages that failed validation (counted, never stored).',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.counters.rejected),
	},
	{
		name: 'mycotop_messages_refused_total',
		type: 'counter',
		help: 'Valid bus messages refused because a new name would pass a cardinality limit: store.maxProjects or store.maxAgents with every name under it live, or the workflow steps limit.',
		labelNames: ['limit'],
		samples: ({snapshot}) => {
			const by = snapshot.counters.refusedBy;
			return [
				{labels: {limit: 'projects'}, value: by['projects'] ?? 0},
				{labels: {limit: 'agents'}, value: by['agents'] ?? 0},
				{labels: {limit: 'workflow_steps'}, value: by['workflowSteps'] ?? 0},
			];
		},
	},
	{
		name: 'mycotop_messages_partly_refused_total',
		type: 'counter',
		help: 'Bus messages stored with a part refused by a cardinality limit: task completions and failures from an agent over store.maxAgents, counted box-wide but not per agent (in messages_stored_total).',
		labelNames: ['limit'],
		samples: ({snapshot}) => [{labels: {limit: 'agents'}, value: snapshot.counters.partlyRefusedBy?.['agents'] ?? 0}],
	},
	{
		name: 'mycotop_store_evictions_total',
		type: 'counter',
		help: 'Projects and agents silent for over an hour dropped from memory to make room for a new one under store.maxProjects or store.maxAgents (their Redis keys stay).',
		labelNames: ['limit'],
		samples: ({snapshot}) => {
			const by = snapshot.counters.evictedBy;
			return [
				{labels: {limit: 'projects'}, value: by?.['projects'] ?? 0},
				{labels: {limit: 'agents'}, value: by?.['agents'] ?? 0},
			];
		},
	},
	{
		name: 'mycotop_writer_entries_written_total',
		type: 'counter',
		help: 'List entries this instance wrote to Redis.',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.writer?.entriesWritten ?? 0),
	},
	{
		name: 'mycotop_writer_entries_dropped_total',
		type: 'counter',
		help: 'List entries the writer gave up on (never written to Redis): the dropped count of the header and the headless log.',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.writer?.dropped ?? 0),
	},
	{
		name: 'mycotop_writer_entries_pending',
		type: 'gauge',
		help: 'List entries waiting to be written (pending batches and a batch being retried).',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.writer?.pendingEntries ?? 0),
	},
	{
		name: 'mycotop_redis_connection_state',
		type: 'gauge',
		help: "State of the Redis connection: 1 for the current state ('off' without Redis).",
		labelNames: ['state'],
		samples: ({snapshot}) => enumSamples(REDIS_STATES, snapshot.bus.url === undefined ? 'off' : (snapshot.bus.connection?.kind ?? 'connecting')),
	},
	{
		name: 'mycotop_redis_up',
		type: 'gauge',
		help: 'Whether Redis is connected (1) or not (0).',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.bus.connection?.kind === 'connected' ? 1 : 0),
	},
	{
		name: 'mycotop_redis_reconnects_total',
		type: 'counter',
		help: 'Subscriber connections lost after being up (each one a possible gap in pub/sub).',
		labelNames: [],
		samples: ({snapshot}) => single(snapshot.bus.reconnects),
	},
	{
		name: 'mycotop_lease_role',
		type: 'gauge',
		help: "This instance's role: writer (holds the lease), viewer, read-only or standalone (no Redis); 1 for the current one.",
		labelNames: ['role'],
		samples: ({snapshot}) => enumSamples(LEASE_ROLES, snapshot.bus.role, 'role'),
	},
	{
		name: 'mycotop_build_info',
		type: 'gauge',
		help: 'Always 1: the mycotop version and the Node.js version it runs on.',
		labelNames: ['version', 'node_version'],
		samples: ({version}) => [{labels: {version, node_version: process.version}, value: 1}],
	},
];

/** Every family with a fixed set of label names, in exposition order (ALERTS and the task histogram are in exposition.ts). */
export const FAMILIES: readonly Family[] = [...GPU_FAMILIES, ...TRAINING_FAMILIES, ...TASK_FAMILIES, ...AGENT_FAMILIES, ...SELF_FAMILIES];
