/**
Forecasts as series the rules can select, like any other (src/analysis/forecasts.ts): each point is the seconds
until the event at the recent rate, +Infinity when there is no forecast (too few points, a poor fit, no growth),
0 when it has already happened. They are computed only for the metrics a rule reads, once per evaluation, and get
a point only when their source has a new one, so they go stale (nodata) with it.

  forecast_gpu_memory_full_seconds{gpu,uuid}   GPU memory used reaches total, at its last 5 minutes' growth (none
                                               when one jump is over 25 % of the rise: a model load, a ratchet)
  forecast_disk_full_seconds{path}             a configured filesystem is full, at its last 30 minutes' growth
  forecast_sla_budget_spent_seconds            the SLA's error budget is spent, at the burn window's rate (with at
                                               least 10 timed tasks in the window; fewer: +Infinity)
  forecast_target_loss_seconds{project}        a project's loss reaches its configured target (training:)
*/
import {largestStepShare, timeToCapacity} from '../analysis/forecasts.js';
import {lossEta} from '../analysis/loss-eta.js';
import {DEFAULT_SLA, slaBudgetOfColumns} from '../analysis/sla-budget.js';
import {completionColumns} from './completion-scan.js';
import {gpuLabels, labelsText, type Labels} from './labels.js';
import {type LabelledSeries, type RuleInput} from './rule-types.js';
import {type PointSeries, TimeRing} from './time-ring.js';

export const FORECAST_METRICS = {
	forecast_gpu_memory_full_seconds: {of: 'gpu_memory', labels: ['gpu', 'uuid'], group: 'gpu', help: 'seconds until GPU memory is full at its last 5 minutes\' growth (+Inf: no forecast)'},
	forecast_disk_full_seconds: {of: 'disk', labels: ['path'], group: 'system', help: 'seconds until a host filesystem (host.paths) is full at its last 30 minutes\' growth (+Inf: no forecast)'},
	forecast_sla_budget_spent_seconds: {of: 'error_budget', labels: [], group: 'system', help: 'seconds until the SLA error budget (sla:) is spent at the recent burn rate (0: spent; +Inf: not shrinking)'},
	forecast_target_loss_seconds: {of: 'target_loss', labels: ['project'], group: 'training', help: 'seconds until a project\'s loss reaches its target (training:) at its recent slope (0: reached; +Inf: no forecast)'},
} as const;

export type ForecastMetric = keyof typeof FORECAST_METRICS;

/** `forecast: {of: KIND}` in a rule names one of these. */
export const FORECAST_KINDS: Readonly<Record<string, ForecastMetric>> = Object.fromEntries(
	Object.entries(FORECAST_METRICS).map(([metric, info]) => [info.of, metric as ForecastMetric]),
);

export function isForecastMetric(metric: string): metric is ForecastMetric {
	return Object.hasOwn(FORECAST_METRICS, metric);
}

const GPU_WINDOW_MS = 5 * 60_000;
const DISK_WINDOW_MS = 30 * 60_000;
const MIN_BUDGET_TASKS = 10;
/** The most of a GPU's rise over its window one sample-to-sample jump may be (as memory_leak_detection asks). */
const MAX_STEP_SHARE = 0.25;

/** Seconds from a forecast in ms (undefined: no forecast). */
function seconds(inMs: number | undefined): number {
	return inMs === undefined ? Number.POSITIVE_INFINITY : inMs / 1000;
}

interface Instance {
	readonly ring: TimeRing;
	series: LabelledSeries;
}

export class ForecastSeries {
	private readonly instances = new Map<string, Instance>();
	private readonly computedAt = new Map<ForecastMetric, {nowMs: number; list: readonly LabelledSeries[]}>();

	constructor(private readonly capacity = 600) {}

	/** The metric's series at this input's time (computed once per evaluation). */
	series(metric: ForecastMetric, input: RuleInput): readonly LabelledSeries[] {
		const hit = this.computedAt.get(metric);
		if (hit !== undefined && hit.nowMs === input.nowMs) return hit.list;
		const list = this.compute(metric, input);
		this.computedAt.set(metric, {nowMs: input.nowMs, list});
		return list;
	}

	/** Push `value` at `timeMs` when the source has a point newer than the instance's last one. */
	private point(metric: ForecastMetric, labels: Labels, timeMs: number | undefined, value: () => number, lost = false): LabelledSeries {
		const key = `${metric}{${labelsText(labels)}}`;
		let instance = this.instances.get(key);
		if (instance === undefined) {
			const ring = new TimeRing(this.capacity);
			instance = {ring, series: {key: labelsText(labels), labels, points: ring}};
			this.instances.set(key, instance);
		}
		const last = instance.ring.lastTime();
		if (timeMs !== undefined && Number.isFinite(timeMs) && (last === undefined || timeMs > last)) instance.ring.push(timeMs, value());
		if ((instance.series.lost ?? false) !== lost) instance.series = {...instance.series, lost};
		return instance.series;
	}

	private compute(metric: ForecastMetric, input: RuleInput): readonly LabelledSeries[] {
		switch (metric) {
			case 'forecast_gpu_memory_full_seconds':
				return (input.gpus ?? []).flatMap((g) => {
					const at = g.memoryUsedMb.lastTime();
					if (at === undefined) return [];
					return [
						this.point(
							metric,
							gpuLabels(g.index, g.id),
							at,
							() => {
								const w = g.memoryUsedMb.since(at - GPU_WINDOW_MS);
								if (g.memoryTotalMb === undefined || !(g.memoryTotalMb > 0)) return Number.POSITIVE_INFINITY;
								const f = timeToCapacity(w.times, w.values, g.memoryTotalMb, at);
								// A rise that is mostly one jump (a model loading, a caching allocator's ratchet) is not a trend.
								if (f !== undefined && f.inMs > 0 && largestStepShare(w.values) > MAX_STEP_SHARE) return Number.POSITIVE_INFINITY;
								return seconds(f?.inMs);
							},
							g.lost,
						),
					];
				});
			case 'forecast_disk_full_seconds':
				return (input.disks ?? []).flatMap((d) => {
					const at = d.usedBytes.lastTime();
					if (at === undefined) return [];
					return [
						this.point(metric, {path: d.path}, at, () => {
							const w = d.usedBytes.since(at - DISK_WINDOW_MS);
							return d.totalBytes === undefined || !(d.totalBytes > 0) ? Number.POSITIVE_INFINITY : seconds(timeToCapacity(w.times, w.values, d.totalBytes, at)?.inMs);
						}),
					];
				});
			case 'forecast_sla_budget_spent_seconds': {
				const sla = input.sla ?? DEFAULT_SLA;
				const now = input.nowMs;
				return [
					this.point(metric, {}, now, () => {
						const budget = slaBudgetOfColumns(completionColumns(input, now - sla.windowMs), now, sla);
						// Under 10 tasks one late task is a tenth of them: no verdict yet (sla_breach asks as many).
						if (budget === undefined || budget.total < MIN_BUDGET_TASKS) return Number.POSITIVE_INFINITY;
						if (budget.remaining <= 0) return 0;
						return seconds(budget.spentInMs);
					}),
				];
			}
			case 'forecast_target_loss_seconds':
				return input.projects.flatMap((p) => {
					const at = p.loss.lastTime();
					if (p.targetLoss === undefined || at === undefined) return [];
					return [this.point(metric, {project: p.id}, at, () => seconds(lossEtaOf(p.loss, p.targetLoss!, at)))];
				});
		}
	}
}

/** The ETA of a loss series (no steps: the rules judge time). */
function lossEtaOf(loss: PointSeries, target: number, at: number): number | undefined {
	const w = loss.since(at - 30 * 60_000);
	const points = w.values.map((value, i) => ({x: 0, value, timeMs: w.times[i]!}));
	return lossEta(points, target)?.inMs;
}
