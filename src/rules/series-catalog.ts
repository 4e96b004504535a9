/**
The series user rules can name, all from the Redis contract: per-project training series, per-GPU readings,
per-step workflow durations, and box-wide aggregates the engine samples once per evaluation (so windowed
conditions such as rate(5m) work on them too).
*/
import {systemFigures} from '../analysis/system-figures.js';
import {gpuLabels, labelsText, type Labels} from './labels.js';
import {type LabelledSeries, type RuleInput, type SeriesSource} from './rule-types.js';
import {type PointSeries, TimeRing} from './time-ring.js';
import {type AlertGroup} from './rule-types.js';
import {PercentSeries} from './percent-series.js';
import {FORECAST_METRICS, ForecastSeries, isForecastMetric} from './forecast-series.js';

export interface MetricInfo {
	readonly labels: readonly string[];
	readonly group: AlertGroup;
	readonly help: string;
}

/** Every metric a user rule may select, with its labels and the channel its alerts go to by default. */
export const METRICS: Readonly<Record<string, MetricInfo>> = {
	training_loss: {labels: ['project'], group: 'training', help: 'loss per step (events:training:progress), NaN kept'},
	training_wer: {labels: ['project'], group: 'training', help: 'WER per step, when sent'},
	gpu_temperature_celsius: {labels: ['gpu', 'uuid'], group: 'gpu', help: 'GPU temperature'},
	gpu_utilization_percent: {labels: ['gpu', 'uuid'], group: 'gpu', help: 'GPU utilization'},
	gpu_memory_used_mb: {labels: ['gpu', 'uuid'], group: 'gpu', help: 'GPU memory used (MiB)'},
	gpu_memory_percent: {labels: ['gpu', 'uuid'], group: 'gpu', help: 'GPU memory used / total, percent'},
	gpu_throttle_thermal: {labels: ['gpu', 'uuid'], group: 'gpu', help: '1 while a thermal clock event reason (HW or SW thermal slowdown) is active, else 0'},
	gpu_throttle_power: {labels: ['gpu', 'uuid'], group: 'gpu', help: '1 while a power clock event reason (SW power cap, HW power brake) is active, else 0'},
	gpu_pcie_link_degraded: {labels: ['gpu', 'uuid'], group: 'gpu', help: '1 while the PCIe link runs below its maximum width (or generation while busy), else 0'},
	gpu_xid_total: {labels: ['gpu', 'uuid'], group: 'gpu', help: 'Xid events seen on this GPU since mycotop started'},
	gpu_ecc_uncorrected_volatile: {labels: ['gpu', 'uuid'], group: 'gpu', help: 'uncorrectable ECC errors since the driver loaded (volatile count)'},
	workflow_step_duration_seconds: {labels: ['workflow', 'step'], group: 'system', help: 'duration of each reported workflow step'},
	throughput_per_hour: {labels: [], group: 'system', help: 'tasks completed in the last hour (sampled every evaluation)'},
	sla_compliance_percent: {labels: [], group: 'system', help: 'share of the last hour\'s tasks within the 30-minute SLA'},
	avg_task_duration_seconds: {labels: [], group: 'system', help: 'mean duration of the last hour\'s tasks'},
	load_variance_percent: {labels: [], group: 'distribution', help: 'the seed\'s load variance of busy agents'},
	busy_agents: {labels: [], group: 'distribution', help: 'number of busy agents'},
	critical_errors_per_hour: {labels: [], group: 'system', help: 'events:errors:critical in the last hour'},
	redis_memory_percent: {labels: [], group: 'system', help: 'Redis used_memory / maxmemory (or / the machine\'s memory without maxmemory), every 5 s'},
	redis_latency_ms: {labels: [], group: 'system', help: 'PING round trip on mycotop\'s Redis connection (ms), every 5 s'},
	...FORECAST_METRICS,
};

const DERIVED = ['throughput_per_hour', 'sla_compliance_percent', 'avg_task_duration_seconds', 'load_variance_percent', 'busy_agents', 'critical_errors_per_hour'] as const;

function labelled(labels: Labels, points: PointSeries): LabelledSeries {
	return {key: labelsText(labels), labels, points};
}

export class SeriesCatalog implements SeriesSource {
	private readonly derived = new Map<string, TimeRing>();
	private readonly derivedSeries = new Map<string, readonly LabelledSeries[]>();
	private cache = new Map<string, readonly LabelledSeries[]>();
	private cachedShape: string | undefined;
	private input: RuleInput | undefined;
	private readonly forecasts = new ForecastSeries();

	constructor(derivedCapacity = 4096) {
		for (const name of DERIVED) {
			const ring = new TimeRing(derivedCapacity);
			this.derived.set(name, ring);
			this.derivedSeries.set(name, [labelled({}, ring)]);
		}
	}

	/** Sample the box-wide aggregates at this evaluation and point the per-entity series at this input. */
	update(input: RuleInput): void {
		this.input = input;
		if (input.shape === undefined || input.shape !== this.cachedShape) {
			this.cache = new Map();
			this.cachedShape = input.shape;
		}
		const now = input.nowMs;
		// The same figures as the snapshot and the seed's keys (analysis/system-figures.ts).
		const figures = systemFigures(input, now);
		this.derived.get('throughput_per_hour')!.push(now, figures.tasks.throughputPerHour);
		this.derived.get('sla_compliance_percent')!.push(now, figures.tasks.slaCompliancePercent);
		this.derived.get('avg_task_duration_seconds')!.push(now, figures.tasks.avgDurationSeconds);
		this.derived.get('load_variance_percent')!.push(now, figures.loadBalance.variancePercent);
		this.derived.get('busy_agents')!.push(now, figures.busyAgents);
		this.derived.get('critical_errors_per_hour')!.push(now, input.criticalErrorsSince(now - 3_600_000).length);
	}

	series(metric: string): readonly LabelledSeries[] {
		const derived = this.derivedSeries.get(metric);
		if (derived !== undefined) return derived;
		if (isForecastMetric(metric)) return this.input === undefined ? [] : this.forecasts.series(metric, this.input);
		let list = this.cache.get(metric);
		if (list === undefined) {
			list = this.build(metric);
			// Without a shape signature the input may change every evaluation: do not keep the list.
			if (this.cachedShape !== undefined) this.cache.set(metric, list);
		}
		return list;
	}

	private build(metric: string): readonly LabelledSeries[] {
		const input = this.input;
		if (input === undefined) return [];
		const gpu = (pick: (g: NonNullable<RuleInput['gpus']>[number]) => PointSeries | undefined) =>
			(input.gpus ?? []).flatMap((g) => {
				const points = pick(g);
				return points === undefined ? [] : [{...labelled(gpuLabels(g.index, g.id), points), lost: g.lost}];
			});
		switch (metric) {
			case 'training_loss':
				return input.projects.map((p) => labelled({project: p.id}, p.loss));
			case 'training_wer':
				return input.projects.flatMap((p) => (p.wer === undefined ? [] : [labelled({project: p.id}, p.wer)]));
			case 'gpu_temperature_celsius':
				return gpu((g) => g.temperatureC);
			case 'gpu_utilization_percent':
				return gpu((g) => g.utilizationPercent);
			case 'gpu_memory_used_mb':
				return gpu((g) => g.memoryUsedMb);
			case 'gpu_memory_percent':
				return gpu((g) => (g.memoryTotalMb === undefined || g.memoryTotalMb <= 0 ? undefined : new PercentSeries(g.memoryUsedMb, g.memoryTotalMb)));
			case 'gpu_throttle_thermal':
				return gpu((g) => g.throttleThermal);
			case 'gpu_throttle_power':
				return gpu((g) => g.throttlePower);
			case 'gpu_pcie_link_degraded':
				return gpu((g) => g.linkDegraded);
			case 'gpu_xid_total':
				return gpu((g) => g.xidTotal);
			case 'gpu_ecc_uncorrected_volatile':
				return gpu((g) => g.eccUncorrected);
			case 'redis_memory_percent':
				return input.redis === undefined ? [] : [labelled({}, input.redis.memoryPercent)];
			case 'redis_latency_ms':
				return input.redis === undefined ? [] : [labelled({}, input.redis.latencyMs)];
			case 'workflow_step_duration_seconds':
				return input.workflowSteps.map((s) => labelled({workflow: s.workflowId, step: s.stepId}, s.durations));
			default:
				return [];
		}
	}
}
