/** The live RuleInput: a view over the metrics store (no copies), the GPU part's readings and project contexts. */
import {type MetricsStore, type ProjectSeries} from '../store/metrics-store.js';
import {gpuShape, type GpuInput, type ProjectInput, type RuleInput} from './rule-types.js';
import {type PointSeries, storeRingSeries} from './time-ring.js';

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

export function storeInput(store: MetricsStore, now: number, statuses: ReadonlyMap<string, string>, gpus: readonly GpuInput[] | undefined, redis?: RuleInput['redis']): RuleInput {
	const projects: ProjectInput[] = [];
	for (const [id, series] of store.projects) {
		const v = views(series);
		const status = statuses.get(id);
		projects.push({id, loss: v.loss, ...(v.wer ? {wer: v.wer} : {}), ...(status !== undefined ? {status} : {})});
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
		completionsSince: (sinceMs) => store.completions.newestWhile((c) => c.timeMs >= sinceMs).filter((c) => Number.isFinite(c.durationSeconds)),
		lastCompletionMs: store.completions.newest(1)[0]?.timeMs,
		busyAgents: store.busyAgents(),
		workflowSteps,
		criticalErrorsSince: (sinceMs) => store.criticalErrors.newestWhile((e) => e.timeMs >= sinceMs),
		gpus,
		...(redis !== undefined ? {redis} : {}),
		shape: `${store.projects.size}|${store.workflowSteps.size}|${gpus?.map(gpuShape).join(',') ?? '-'}`,
	};
}
