/**
Built-in rules on forecasts (src/rules/forecast-series.ts), as data in the user rules' format: GPU memory full
within 15 minutes at its recent growth, and the SLA's error budget spent within the hour at its recent burn rate.
*/
import {builtin, type BuiltinEntry} from './common.js';

export const gpuMemoryFullSoon: BuiltinEntry = builtin(
	{
		name: 'gpu_memory_full_soon',
		group: 'gpu',
		recommendation: 'GPU memory is growing toward its limit: look for a leak (tensors kept across steps, a growing cache), lower the batch size, or checkpoint before it runs out',
	},
	{
		series: 'forecast_gpu_memory_full_seconds',
		condition: 'value <= 900',
		recovery: 'value > 1800',
		for: '2m',
		severity: 'warning',
		stale_after: 'gpu',
		message: 'GPU {{gpu}} memory full in {{value | round 0}} s at its last 5 minutes\' growth',
		resolved_message: 'GPU {{gpu}} memory no longer forecast full within 30 min at its last 5 minutes\' growth',
		description: 'GPU memory reaches its total within 15 min at its last 5 minutes\' growth (least squares, R² >= 0.6), for 2 min; clears beyond 30 min',
	},
);

export const slaBudgetExhaustion: BuiltinEntry = builtin(
	{
		name: 'sla_budget_exhaustion',
		group: 'system',
		recommendation: 'The SLA error budget runs out within the hour: find why tasks run past 30 minutes (slow agents, a stuck queue, starved GPUs) or shed load',
	},
	{
		series: 'forecast_sla_budget_spent_seconds',
		condition: 'value <= 3600',
		recovery: 'value > 7200',
		for: '5m',
		severity: 'warning',
		message: 'SLA error budget spent within the hour at the recent burn rate ({{value | round 0}} s to go; 0: spent already)',
		resolved_message: 'SLA error budget no longer forecast spent within 2 h at the recent burn rate',
		description: 'the SLA error budget (sla: objective over window, >= 10 tasks) is spent within 1 h at the burn window\'s rate (or already is), for 5 min; clears beyond 2 h',
	},
);
