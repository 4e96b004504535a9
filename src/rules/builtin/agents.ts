/** Built-in agent rules: unbalanced load across the busy agents (the seed's load balance, from systemFigures). */
import {systemFigures} from '../../analysis/system-figures.js';
import {builtin, fmt, type BuiltinEntry} from './common.js';

export const unbalancedLoad: BuiltinEntry = builtin(
	{name: 'unbalanced_load', group: 'distribution', recommendation: 'Rebalance tasks across agents'},
	{
		severity: 'warning',
		forMs: 60_000,
		description: 'the seed\'s variance > 30% for 1 min, with >= 3 busy agents averaging >= 2 tasks; clears below 20%',
		evaluate: (ctx, emit) => {
			const lb = systemFigures(ctx.input, ctx.input.nowMs).loadBalance;
			if (lb.agentCount < 3 || lb.avgTasksPerAgent < 2) return;
			emit({
				labels: {},
				breach: lb.variancePercent > 30,
				clear: lb.variancePercent < 20,
				value: lb.variancePercent,
				message: () => `Load variance ${fmt(lb.variancePercent, 0)}% across ${lb.agentCount} agents`,
			});
		},
	},
	{
		severity: 'warning',
		description: 'max deviation / mean of busy agents\' tasks > 30%',
		evaluate: (ctx, emit) => {
			const lb = systemFigures(ctx.input, ctx.input.nowMs).loadBalance;
			if (lb.agentCount === 0) return;
			emit({labels: {}, breach: lb.variancePercent > 30, value: lb.variancePercent, message: () => `Load variance ${fmt(lb.variancePercent, 0)}% across ${lb.agentCount} agents`});
		},
	},
);

