/**
The SLA's error budget as the tasks pane, `--once` and the rules see it: an SLO (a share of tasks within the
seed's 30-minute SLA) over a window, the budget left, the recent burn rate, and when the budget is spent at that
rate (forecasts.ts's errorBudget). Pure.
*/
import {SLA_SECONDS} from '../contract/names.js';
import {errorBudget} from './forecasts.js';
import {type CompletionColumns} from './task-aggregates.js';

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

/** What the budget is made of: the window's timed tasks and late ones, the burn window's, the oldest counted. */
class BudgetCounts {
	total = 0;
	late = 0;
	recentTotal = 0;
	recentLate = 0;
	oldestMs = Number.POSITIVE_INFINITY;

	constructor(
		private readonly from: number,
		private readonly recentFrom: number,
		private readonly until: number,
		private readonly slaSeconds: number,
	) {}

	add(timeMs: number, durationSeconds: number): void {
		if (!(timeMs > this.from && timeMs <= this.until) || !Number.isFinite(durationSeconds)) return;
		const isLate = durationSeconds > this.slaSeconds;
		this.total += 1;
		if (isLate) this.late += 1;
		if (timeMs < this.oldestMs) this.oldestMs = timeMs;
		if (timeMs > this.recentFrom) {
			this.recentTotal += 1;
			if (isLate) this.recentLate += 1;
		}
	}
}

/**
The budget at `now` from completions (any order; those outside (now - window, now + 60 s] and those without a
finite duration are left out, as the task figures do). Undefined without a timed task in the window.
*/
export function slaBudget(completions: readonly TimedCompletion[], now: number, settings: SlaSettings = DEFAULT_SLA, slaSeconds = SLA_SECONDS): SlaBudget | undefined {
	const counts = new BudgetCounts(now - settings.windowMs, now - settings.burnWindowMs, now + 60_000, slaSeconds);
	for (const c of completions) counts.add(c.timeMs, c.durationSeconds);
	return budgetOf(counts, settings);
}

/** The same budget from completions as columns (the store's ring: no object per completion, no copy). */
export function slaBudgetOfColumns(completions: CompletionColumns, now: number, settings: SlaSettings = DEFAULT_SLA, slaSeconds = SLA_SECONDS): SlaBudget | undefined {
	const counts = new BudgetCounts(now - settings.windowMs, now - settings.burnWindowMs, now + 60_000, slaSeconds);
	for (let i = 0; i < completions.length; i++) counts.add(completions.times[i]!, completions.durations[i]!);
	return budgetOf(counts, settings);
}

function budgetOf(counts: BudgetCounts, settings: SlaSettings): SlaBudget | undefined {
	const {total, late, oldestMs} = counts;
	const budget = errorBudget({target: settings.objective, total, bad: late, recentTotal: counts.recentTotal, recentBad: counts.recentLate, recentMs: settings.burnWindowMs});
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
