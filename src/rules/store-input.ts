/** The live RuleInput: a view over the metrics store (no copies), the GPU part's readings and project contexts. */
import {type MetricsStore, type ProjectSeries} from '../store/metrics-store.js';
import {gpuShape, type GpuInput, type ProjectInput, type RuleInput} from './rule-types.js';
import {type PointSeries, storeRingSeries} from './time-ring.js';
import {targetLossFor, type TrainingTargets} from '../analysis/loss-eta.js';
import {type SlaSettings} from '../analysis/sla-budget.js';

const projectViews = new WeakMap<ProjectSeries, {loss: PointSeries; wer?: PointSeries}>();
const stepViews = new WeakMap<object, PointSeries>();

function views(series: ProjectSeries): {loss: PointSeries; wer?: PointSeries} {
	let v = projectViews.get(series);
	if (v === undefined || (v.wer === undefined && series.wer !== undefined)) {
		v = {loss: storeRingSeries(series.loss), ...(series.wer ? {wer: storeRingSeries(series.wer)} : {})};
		projectViews.set(series, v);
	}
	return v;
}

/** What the forecast series read besides the store: the SLA settings, the target losses, the host's filesystems. */
interface ForecastInputs {
	readonly sla?: SlaSettings;
	readonly training?: TrainingTargets;
	readonly disks?: RuleInput['disks'];
}

export function storeInput(store: MetricsStore, now: number, statuses: ReadonlyMap<string, string>, gpus: readonly GpuInput[] | undefined, redis?: RuleInput['redis'], forecast: ForecastInputs = {}): RuleInput {
	const projects: ProjectInput[] = [];
	let withWer = 0;
	for (const [id, series] of store.projects) {
		const v = views(series);
		if (v.wer !== undefined) withWer += 1;
		const status = statuses.get(id);
		const targetLoss = targetLossFor(forecast.training, id);
		projects.push({id, loss: v.loss, ...(v.wer ? {wer: v.wer} : {}), ...(status !== undefined ? {status} : {}), ...(targetLoss !== undefined ? {targetLoss} : {})});
	}
	const workflowSteps = [...store.workflowSteps.values()].map((entry) => {
		let durations = stepViews.get(entry);
		if (durations === undefined) {
			durations = storeRingSeries(entry.durations);
			stepViews.set(entry, durations);
		}
		return {workflowId: entry.workflowId, stepId: entry.stepId, durations};
	});
	return {
		nowMs: now,
		projects,
		// SLA rules judge durations: a completion that carried none is left out (it is neither within nor over).
		completionsSince: (sinceMs) => store.completions.newestWhere((c) => c.timeMs >= sinceMs && Number.isFinite(c.durationSeconds)),
		taskAggregates: (at, sla) => store.completions.aggregates(at, sla, true),
		completionColumns: () => store.completions.columns(),
		lastCompletionMs: store.completions.newest(1)[0]?.timeMs,
		busyAgents: store.busyAgents(now),
		workflowSteps,
		criticalErrorsSince: (sinceMs) => store.criticalErrors.newestWhile((e) => e.timeMs >= sinceMs),
		gpus,
		...(redis !== undefined ? {redis} : {}),
		...(forecast.sla !== undefined ? {sla: forecast.sla} : {}),
		...(forecast.disks !== undefined && forecast.disks.length > 0 ? {disks: forecast.disks} : {}),
		// The store's generation, not the number of projects: one project evicting another leaves the count unchanged
		// (the catalog would keep the evicted one's series and never list the new one); a WER series arriving later
		// adds a series too.
		shape: `${store.generation}|${withWer}|${store.workflowSteps.size}|${gpus?.map(gpuShape).join(',') ?? '-'}`,
	};
}
