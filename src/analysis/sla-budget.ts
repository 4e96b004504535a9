/**
The SLA's error budget as the tasks pane, `--once` and the rules see it: an SLO (a share of tasks within the
seed's 30-minute SLA) over a window, the budget left, the recent burn rate, and when the budget is spent at that
rate (forecasts.ts's errorBudget). Pure.
*/
import {SLA_SECONDS} from '../contract/names.js';
import {errorBudget} from './forecasts.js';
import {columnsOf, type CompletionColumns} from './task-aggregates.js';

export interface SlaSettings {
	/** Share of tasks that must complete within the SLA (0.9: 90 %). */
	readonly objective: number;
	/** The budget's window: tasks completed in the last `windowMs` count. */
	readonly windowMs: number;
	/** The recent rate the forecast extrapolates. */
	readonly burnWindowMs: number;
}

/**
The default: the seed's own line (compliance under 90 % is its SLA alert, and `sla_breach` burns against 90 %),
over 24 h (the seed keeps completion times 24 h, so a restarted mycotop can rebuild the window from Redis), with
the last hour's rate.
*/
export const DEFAULT_SLA: SlaSettings = {objective: 0.9, windowMs: 24 * 3_600_000, burnWindowMs: 3_600_000};

export interface SlaBudget {
	readonly objective: number;
	readonly windowMs: number;
	readonly burnWindowMs: number;
	/** Timed tasks in the window, and those over the SLA. */
	readonly total: number;
	readonly late: number;
	/** Share of the budget left: 1 untouched, 0 spent, negative overspent. */
	readonly remaining: number;
	/** Late share of the burn window's tasks against the share the SLO allows (1: exactly on budget). */
	readonly burnRate: number;
	/** While the budget shrinks (burn rate above 1): when it is spent at the recent rate. */
	readonly spentInMs?: number;
	/** The oldest task counted (the window may reach back further than mycotop has seen). */
	readonly oldestMs: number;
}

interface TimedCompletion {
	readonly durationSeconds: number;
	readonly timeMs: number;
}

/**
The budget at `now` from completions (any order; those outside (now - window, now + 60 s] and those without a
finite duration are left out, as the task figures do). Undefined without a timed task in the window.
*/
export function slaBudget(completions: readonly TimedCompletion[], now: number, settings: SlaSettings = DEFAULT_SLA, slaSeconds = SLA_SECONDS): SlaBudget | undefined {
	return slaBudgetOfColumns(columnsOf(completions), now, settings, slaSeconds);
}

/** The same budget from completions as columns (the store's ring: no object per completion, no copy). */
export function slaBudgetOfColumns(completions: CompletionColumns, now: number, settings: SlaSettings = DEFAULT_SLA, slaSeconds = SLA_SECONDS): SlaBudget | undefined {
	const {times, durations, length} = completions;
	const from = now - settings.windowMs;
	const recentFrom = now - settings.burnWindowMs;
	const until = now + 60_000;
	let total = 0;
	let late = 0;
	let recentTotal = 0;
	let recentLate = 0;
	let oldestMs = Number.POSITIVE_INFINITY;
	for (let i = 0; i < length; i++) {
		const timeMs = times[i]!;
		const durationSeconds = durations[i]!;
		if (!(timeMs > from && timeMs <= until) || !Number.isFinite(durationSeconds)) continue;
		const isLate = durationSeconds > slaSeconds;
		total += 1;
		if (isLate) late += 1;
		if (timeMs < oldestMs) oldestMs = timeMs;
		if (timeMs > recentFrom) {
			recentTotal += 1;
			if (isLate) recentLate += 1;
		}
	}
	const budget = errorBudget({target: settings.objective, total, bad: late, recentTotal, recentBad: recentLate, recentMs: settings.burnWindowMs});
	if (budget === undefined) return undefined;
	return {
		objective: settings.objective,
		windowMs: settings.windowMs,
		burnWindowMs: settings.burnWindowMs,
		total,
		late,
		remaining: budget.remaining,
		burnRate: budget.burnRate,
		...(budget.spentInMs !== undefined ? {spentInMs: budget.spentInMs} : {}),
		oldestMs,
	};
}
