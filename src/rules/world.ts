/**
A replayable world of labelled series for `rules test`, `backtest` and the alert benchmark: points are loaded
up front and released into the rule input as time advances (a rule never sees the future).

Input series (the names rule tests use):
  training_loss{project}, training_wer{project}      loss / WER per point
  project_status{project}                            1 = context:project:{id} status "training", 0 = anything else
  training_target_loss{project}                      the project's target loss (training: in the config), latest wins
  disk_used_bytes{path}, disk_total_bytes{path}      a host filesystem's used bytes and size (forecast_disk_full_seconds)
  gpu_temperature_celsius{gpu}, gpu_utilization_percent{gpu}, gpu_memory_used_mb{gpu}, gpu_memory_total_mb{gpu}
  gpu_lost{gpu}                                      1 = the GPU fell off the bus
  gpu_throttle_thermal{gpu}, gpu_throttle_power{gpu}, gpu_pcie_link_degraded{gpu}   1/0 flags
  gpu_xid_total{gpu}, gpu_ecc_uncorrected_volatile{gpu}                              counts
  redis_memory_percent, redis_latency_ms              Redis's own health
  task_duration_seconds{agent?}                      each point is one completed task with that duration
  agent_tasks{agent}                                 current tasks of a busy agent (0 = idle)
  workflow_step_duration_seconds{workflow, step}     each point is one reported step duration
  critical_error                                     each point is one events:errors:critical
*/
import {labelsText, type Labels} from './labels.js';
import {gpuShape, type GpuInput, type ProjectInput, type RuleInput} from './rule-types.js';
import {TimeRing} from './time-ring.js';

export const WORLD_SERIES = [
	'training_loss',
	'training_wer',
	'project_status',
	'training_target_loss',
	'disk_used_bytes',
	'disk_total_bytes',
	'gpu_temperature_celsius',
	'gpu_utilization_percent',
	'gpu_memory_used_mb',
	'gpu_memory_total_mb',
	'gpu_lost',
	'gpu_throttle_thermal',
	'gpu_throttle_power',
	'gpu_pcie_link_degraded',
	'gpu_xid_total',
	'gpu_ecc_uncorrected_volatile',
	'redis_memory_percent',
	'redis_latency_ms',
	'task_duration_seconds',
	'agent_tasks',
	'workflow_step_duration_seconds',
	'critical_error',
] as const;

export type WorldSeriesName = (typeof WORLD_SERIES)[number];

interface Series {
	readonly metric: WorldSeriesName;
	readonly labels: Labels;
	readonly ring: TimeRing;
	/** Points not yet released, sorted by time. */
	readonly times: number[];
	readonly values: number[];
	next: number;
}

export class SeriesWorld {
	private readonly series = new Map<string, Series>();
	private readonly gpuCache = new Map<string, GpuInput>();
	private completions: Array<{durationSeconds: number; timeMs: number}> = [];
	private errors: Array<{errorId: string; timeMs: number}> = [];
	private now = Number.NEGATIVE_INFINITY;

	constructor(private readonly capacity = 20_000) {}

	/** Add a point (any order before `advance` reaches it). */
	add(metric: WorldSeriesName, labels: Labels, timeMs: number, value: number): void {
		const key = `${metric}{${labelsText(labels)}}`;
		let s = this.series.get(key);
		if (s === undefined) {
			s = {metric, labels, ring: new TimeRing(this.capacity), times: [], values: [], next: 0};
			this.series.set(key, s);
		}
		const last = s.times.length - 1;
		if (last >= s.next && s.times[last]! > timeMs) {
			// Keep pending points sorted (rare: out-of-order input).
			let i = s.times.length;
			while (i > s.next && s.times[i - 1]! > timeMs) i--;
			s.times.splice(i, 0, timeMs);
			s.values.splice(i, 0, value);
		} else {
			s.times.push(timeMs);
			s.values.push(value);
		}
	}

	/** Release every point at or before `now`. */
	advance(now: number): void {
		this.now = now;
		const before = {completions: this.completions.length, errors: this.errors.length};
		for (const s of this.series.values()) {
			while (s.next < s.times.length && s.times[s.next]! <= now) {
				const t = s.times[s.next]!;
				const v = s.values[s.next]!;
				s.next += 1;
				if (s.metric === 'task_duration_seconds') this.completions.push({durationSeconds: v, timeMs: t});
				else if (s.metric === 'critical_error') this.errors.push({errorId: `error-${this.errors.length + 1}`, timeMs: t});
				else s.ring.push(t, v);
			}
			if (s.next > 4096 && s.next === s.times.length) {
				s.times.length = 0;
				s.values.length = 0;
				s.next = 0;
			}
		}
		if (this.completions.length - before.completions > 1) this.completions.sort((a, b) => a.timeMs - b.timeMs);
		if (this.errors.length - before.errors > 1) this.errors.sort((a, b) => a.timeMs - b.timeMs);
		if (this.completions.length > 50_000) this.completions = this.completions.filter((c) => c.timeMs >= now - 7 * 3_600_000);
		if (this.errors.length > 10_000) this.errors = this.errors.slice(-5000);
	}

	/** Earliest pending point, or undefined when everything was released. */
	firstPendingMs(): number | undefined {
		let min: number | undefined;
		for (const s of this.series.values()) if (s.next < s.times.length && (min === undefined || s.times[s.next]! < min)) min = s.times[s.next]!;
		return min;
	}

	lastPendingMs(): number | undefined {
		let max: number | undefined;
		for (const s of this.series.values()) if (s.times.length > 0 && (max === undefined || s.times.at(-1)! > max)) max = s.times.at(-1)!;
		return max;
	}

	private of(metric: WorldSeriesName): Series[] {
		const out: Series[] = [];
		for (const s of this.series.values()) if (s.metric === metric) out.push(s);
		return out;
	}

	input(now = this.now): RuleInput {
		const statuses = new Map<string, number | undefined>();
		for (const s of this.of('project_status')) statuses.set(s.labels['project'] ?? '', s.ring.lastValue());
		const targets = new Map(this.of('training_target_loss').map((s) => [s.labels['project'] ?? '', s.ring.lastValue()] as const));
		const wer = new Map(this.of('training_wer').map((s) => [s.labels['project'] ?? '', s.ring] as const));
		const projects: ProjectInput[] = this.of('training_loss').map((s) => {
			const id = s.labels['project'] ?? '';
			const st = statuses.get(id);
			const w = wer.get(id);
			const target = targets.get(id);
			return {id, loss: s.ring, ...(w ? {wer: w} : {}), ...(st !== undefined ? {status: st === 1 ? 'training' : 'idle'} : {}), ...(target !== undefined ? {targetLoss: target} : {})};
		});
		const busyAgents = this.of('agent_tasks').flatMap((s) => {
			const v = s.ring.lastValue();
			return v !== undefined && v > 0 ? [{agent: s.labels['agent'] ?? '', currentTasks: v}] : [];
		});
		const workflowSteps = this.of('workflow_step_duration_seconds').map((s) => ({workflowId: s.labels['workflow'] ?? '', stepId: s.labels['step'] ?? '', durations: s.ring}));
		const gpus = this.gpus();
		const redisMemory = this.of('redis_memory_percent')[0];
		const redisLatency = this.of('redis_latency_ms')[0];
		const redis = redisMemory !== undefined || redisLatency !== undefined ? {memoryPercent: redisMemory?.ring ?? new TimeRing(1), latencyMs: redisLatency?.ring ?? new TimeRing(1)} : undefined;
		const totals = new Map(this.of('disk_total_bytes').map((s) => [s.labels['path'] ?? '', s.ring.lastValue()] as const));
		const disks = this.of('disk_used_bytes').map((s) => ({path: s.labels['path'] ?? '', usedBytes: s.ring, totalBytes: totals.get(s.labels['path'] ?? '')}));
		const completions = this.completions;
		const errors = this.errors;
		return {
			nowMs: now,
			projects,
			completionsSince: (since) => tailSince(completions, since),
			lastCompletionMs: completions.at(-1)?.timeMs,
			busyAgents,
			workflowSteps,
			criticalErrorsSince: (since) => tailSince(errors, since),
			gpus,
			...(redis !== undefined ? {redis} : {}),
			...(disks.length > 0 ? {disks} : {}),
			shape: `${projects.length}|${workflowSteps.length}|${gpus?.map(gpuShape).join(',') ?? '-'}`,
		};
	}

	private gpus(): GpuInput[] | undefined {
		const byGpu = new Map<string, Partial<Record<WorldSeriesName, Series>>>();
		for (const s of this.series.values()) {
			if (!s.metric.startsWith('gpu_')) continue;
			const g = s.labels['gpu'] ?? '0';
			const entry = byGpu.get(g) ?? {};
			entry[s.metric] = s;
			byGpu.set(g, entry);
		}
		if (byGpu.size === 0) return undefined;
		const out: GpuInput[] = [];
		for (const [g, m] of [...byGpu].sort((a, b) => Number(a[0]) - Number(b[0]))) {
			let cached = this.gpuCache.get(g);
			if (cached === undefined) {
				const empty = new TimeRing(1);
				cached = {
					id: m.gpu_temperature_celsius?.labels['uuid'] ?? `GPU-${g}`,
					index: Number(g),
					name: 'synthetic',
					lost: false,
					temperatureC: m.gpu_temperature_celsius?.ring ?? empty,
					memoryUsedMb: m.gpu_memory_used_mb?.ring ?? empty,
					memoryTotalMb: undefined,
					utilizationPercent: m.gpu_utilization_percent?.ring ?? empty,
					...(m.gpu_throttle_thermal ? {throttleThermal: m.gpu_throttle_thermal.ring} : {}),
					...(m.gpu_throttle_power ? {throttlePower: m.gpu_throttle_power.ring} : {}),
					...(m.gpu_pcie_link_degraded ? {linkDegraded: m.gpu_pcie_link_degraded.ring} : {}),
					...(m.gpu_xid_total ? {xidTotal: m.gpu_xid_total.ring} : {}),
					...(m.gpu_ecc_uncorrected_volatile ? {eccUncorrected: m.gpu_ecc_uncorrected_volatile.ring} : {}),
				};
			}
			const total = m.gpu_memory_total_mb?.ring.lastValue();
			const lost = m.gpu_lost?.ring.lastValue() === 1;
			if (cached.memoryTotalMb !== total || cached.lost !== lost) cached = {...cached, memoryTotalMb: total, lost};
			this.gpuCache.set(g, cached);
			out.push(cached);
		}
		return out;
	}
}

/** Items at or after `since` from a time-ordered array (binary search from the end). */
function tailSince<T extends {timeMs: number}>(items: readonly T[], since: number): readonly T[] {
	let lo = 0;
	let hi = items.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (items[mid]!.timeMs < since) lo = mid + 1;
		else hi = mid;
	}
	return lo === 0 ? items : items.slice(lo);
}
