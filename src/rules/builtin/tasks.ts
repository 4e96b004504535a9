/** Built-in task rules: throughput and the SLA (the seed's thresholds as data; the sound SLA rule as a burn rate). */
import {systemFigures} from '../../analysis/system-figures.js';
import {SLA_SECONDS} from '../../contract/names.js';
import {type Severity} from '../alert-state.js';
import {type CompletionColumns} from '../../analysis/task-aggregates.js';
import {completionColumns} from '../completion-scan.js';
import {builtin, fmt, type BuiltinEntry} from './common.js';

export const lowThroughput: BuiltinEntry = builtin(
	{name: 'low_throughput', group: 'system', recommendation: 'Check agent availability and queue health'},
	{
		severity: 'warning',
		forMs: 10 * 60_000,
		description: 'tasks in the last hour < 10 for 10 min, only once tasks have been seen in the last 24 h (no tasks at all is no data, not zero); clears at >= 12',
		evaluate: (ctx, emit) => {
			const now = ctx.input.nowMs;
			const last = ctx.input.lastCompletionMs;
			if (last === undefined || now - last > 86_400_000) return;
			const n = systemFigures(ctx.input, now).tasks.throughputPerHour;
			emit({labels: {}, breach: n < 10, clear: n >= 12, value: n, message: () => `Task throughput ${n}/hour, below 10/hour`});
		},
	},
	{
		series: 'throughput_per_hour',
		condition: 'value < 10',
		severity: 'warning',
		message: 'Task throughput {{value}}/hour, below 10/hour',
		description: 'tasks completed in the last hour < 10 (fires on an idle system too)',
	},
);

/** SLO 90% of tasks within the SLA; burn rate = error ratio / 10%. Pairs are ORed; both windows of a pair must burn. */
const SLA_BURN = {
	slo: 0.9,
	pairs: [
		{longMs: 3_600_000, shortMs: 5 * 60_000, burn: 2, severity: 'critical'},
		{longMs: 6 * 3_600_000, shortMs: 30 * 60_000, burn: 1, severity: 'warning'},
	],
	minLong: 10,
	minShort: 3,
} as const satisfies {slo: number; pairs: ReadonlyArray<{longMs: number; shortMs: number; burn: number; severity: Severity}>; minLong: number; minShort: number};

/** Error ratio (share over the SLA) of the timed completions in [now - windowMs, now], with the count. */
function errorRatio(completions: CompletionColumns, now: number, windowMs: number): {ratio: number; count: number} {
	const {times, durations, length} = completions;
	let count = 0;
	let bad = 0;
	for (let i = 0; i < length; i++) {
		const t = times[i]!;
		const d = durations[i]!;
		// A NaN time is in no window; a completion without a finite duration is untimed (the live store's input never
		// gives one; a backtest's `inf` or `nan` duration is left out the same way).
		if (!(t >= now - windowMs && t <= now) || !Number.isFinite(d)) continue;
		count += 1;
		if (d > SLA_SECONDS) bad += 1;
	}
	return {ratio: count === 0 ? 0 : bad / count, count};
}

/** Whether any timed completion is stamped at or after `sinceMs`. */
function anyTimedSince(completions: CompletionColumns, sinceMs: number): boolean {
	for (let i = 0; i < completions.length; i++) if (completions.times[i]! >= sinceMs && Number.isFinite(completions.durations[i]!)) return true;
	return false;
}

export const slaBreach: BuiltinEntry = builtin(
	{name: 'sla_breach', group: 'system', recommendation: 'Tasks taking too long to complete: the error budget is burning'},
	{
		severity: 'critical',
		description: 'error-budget burn rate (SLO 90% within 30 min): 1 h and 5 min both >= 2x (critical), or 6 h and 30 min both >= 1x (warning); >= 10 tasks in the long window; clears when every short window is under 3/4 of its rate',
		evaluate: (ctx, emit) => {
			const now = ctx.input.nowMs;
			const since = now - SLA_BURN.pairs[1].longMs;
			const all = completionColumns(ctx.input, since);
			if (!anyTimedSince(all, since)) return;
			const budget = 1 - SLA_BURN.slo;
			let severity: Severity | undefined;
			let clear = true;
			for (const pair of SLA_BURN.pairs) {
				const long = errorRatio(all, now, pair.longMs);
				const short = errorRatio(all, now, pair.shortMs);
				const burning = long.ratio / budget >= pair.burn && short.ratio / budget >= pair.burn;
				if (burning && long.count >= SLA_BURN.minLong && short.count >= SLA_BURN.minShort) severity ??= pair.severity;
				// Hysteresis: a pair stops holding the alert once its short window is under 3/4 of the burn rate.
				if (long.ratio / budget >= pair.burn && short.ratio / budget >= 0.75 * pair.burn) clear = false;
			}
			const shown = errorRatio(all, now, SLA_BURN.pairs[0].longMs).ratio / budget;
			emit({
				labels: {},
				breach: severity !== undefined,
				clear,
				severity: severity ?? 'warning',
				value: shown,
				message: () => `SLA error budget burning at ${fmt(shown, 1)}x (1 h); tasks taking too long to complete`,
			});
		},
	},
	{
		series: 'sla_compliance_percent',
		condition: 'value < 90',
		severity: 'critical',
		message: 'SLA compliance {{value | round 1}}%, below 90%',
		description: 'share of the last hour\'s tasks within 30 min < 90%',
		recommendation: 'Tasks taking too long to complete',
	},
);

