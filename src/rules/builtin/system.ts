/** Built-in system rules: slow workflow steps, and a critical error that followed a hot GPU (correlation). */
import {mean, median} from '../stats.js';
import {builtin, fmt, type BuiltinEntry} from './common.js';

export const slowStepDetected: BuiltinEntry = builtin(
	{name: 'slow_step_detected', group: 'system', recommendation: 'Consider parallelization or resource optimization'},
	{
		severity: 'warning',
		description: 'median of the last 20 durations > 600 s with >= 10 reports (one outlier does not fire); clears below 540 s',
		evaluate: (ctx, emit) => {
			for (const s of ctx.input.workflowSteps) {
				if (s.durations.length < 10) continue;
				const med = median(s.durations.tailValues(20).filter(Number.isFinite));
				emit({
					labels: {workflow: s.workflowId, step: s.stepId},
					breach: med > 600,
					clear: med < 540,
					value: med,
					message: () => `Workflow ${s.workflowId} step ${s.stepId}: median ${fmt(med, 0)} s`,
				});
			}
		},
	},
	{
		severity: 'warning',
		description: 'mean of the last 100 durations > 600 s with >= 10 reports',
		evaluate: (ctx, emit) => {
			for (const s of ctx.input.workflowSteps) {
				if (s.durations.length < 10) continue;
				const avg = mean(s.durations.tailValues(100));
				emit({labels: {workflow: s.workflowId, step: s.stepId}, breach: avg > 600, value: avg, message: () => `Workflow ${s.workflowId} step ${s.stepId} averages ${fmt(avg, 0)} s`});
			}
		},
	},
);

const CORRELATION = {errorWindowMs: 60_000, samples: 10, threshold: 85} as const;

/** A critical error in the last minute while the hottest GPU's mean of its 10 samples before the error was > 85 °C. */
export const errorPerformanceCorrelation: BuiltinEntry = builtin(
	{name: 'error_performance_correlation', group: 'system', recommendation: 'Check GPU cooling before retrying'},
	{
		severity: 'warning',
		description: 'a critical error in the last minute while a GPU\'s mean of the 10 samples before it was > 85 °C',
		evaluate: (ctx, emit) => {
			const gpus = ctx.input.gpus;
			if (gpus === undefined || gpus.length === 0) return;
			const errors = ctx.input.criticalErrorsSince(ctx.input.nowMs - CORRELATION.errorWindowMs);
			let hottest = Number.NEGATIVE_INFINITY;
			let errorId = '';
			for (const e of errors) {
				for (const g of gpus) {
					const before = g.temperatureC.since(e.timeMs - 10 * 60_000);
					const values = before.values.filter((_, i) => before.times[i]! <= e.timeMs).slice(-CORRELATION.samples);
					if (values.length === 0) continue;
					const avg = mean(values);
					if (avg > hottest) {
						hottest = avg;
						errorId = e.errorId;
					}
				}
			}
			const breach = hottest > CORRELATION.threshold;
			emit({
				labels: {},
				breach,
				value: Number.isFinite(hottest) ? hottest : 0,
				message: () => `Critical error ${errorId} while GPU temperature averaged ${fmt(hottest, 0)} °C: possible cause high_gpu_temperature`,
			});
		},
	},
);

