/**
The forecasts as text: the SLA's error budget (tasks pane, `--once`) and a project's ETA to its target loss
(training pane, `--once`). Pure; the panes cut the text to their width in display cells.
*/
import {type SlaBudget} from '../analysis/sla-budget.js';
import {type LossEta} from '../analysis/loss-eta.js';
import {formatSpan, formatValue} from './units.js';
import {type Tone} from './theme.js';

export interface ToneText {
	readonly text: string;
	readonly tone?: Tone;
}

/** A step count in two significant figures: 950, 1.2k, 12k, 3.4M. */
export function compactCount(n: number): string {
	if (!Number.isFinite(n) || n < 0) return '?';
	if (n < 1000) return String(Math.round(n));
	if (n < 10_000) return `${(n / 1000).toFixed(1)}k`;
	if (n < 1e6) return `${Math.round(n / 1000)}k`;
	if (n < 1e7) return `${(n / 1e6).toFixed(1)}M`;
	return n < 1e9 ? `${Math.round(n / 1e6)}M` : '>999M';
}

/** A configured window: whole hours up to two days as hours (24h, not 1d), else as formatSpan writes it. */
function windowText(ms: number): string {
	return ms <= 48 * 3_600_000 && ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : formatSpan(ms);
}

function percent(share: number): string {
	return `${Math.round(share * 100)}%`;
}

/** Spent within an hour at the recent rate, or already spent: critical; burning at all: a warning. */
function budgetTone(budget: SlaBudget): Tone | undefined {
	if (budget.remaining <= 0 || (budget.spentInMs !== undefined && budget.spentInMs < 3_600_000)) return 'critical';
	if (budget.spentInMs !== undefined) return 'warn';
	return undefined;
}

/**
`budget 62% left · burn 2.4x · spent in ~5h` (burning), `budget 97% left` (not shrinking), `budget spent
(-40%)`; `long` adds the SLO and the task counts: `(90% within 30m over 24h: 412 tasks, 12 late)`.
*/
export function budgetText(budget: SlaBudget, long = false): ToneText {
	const parts = [budget.remaining <= 0 ? `budget spent (${percent(budget.remaining)})` : `budget ${percent(Math.min(1, budget.remaining))} left`];
	if (budget.burnRate > 0) parts.push(`burn ${Number(budget.burnRate.toFixed(1))}x`);
	if (budget.spentInMs !== undefined) parts.push(`spent in ~${formatSpan(budget.spentInMs)}`);
	let text = parts.join(' · ');
	if (long) text += ` (SLO ${Number((budget.objective * 100).toFixed(2))}% within 30m over ${windowText(budget.windowMs)}: ${budget.total} tasks, ${budget.late} late; burn over the last ${windowText(budget.burnWindowMs)})`;
	const tone = budgetTone(budget);
	return {text, ...(tone !== undefined ? {tone} : {})};
}

/** The short form on the SLA line of a short pane: `budget 62% ~5h` (left, spent in), `budget 97%`, `budget spent`. */
export function budgetShortText(budget: SlaBudget): ToneText {
	const text = budget.remaining <= 0 ? 'budget spent' : `budget ${percent(Math.min(1, budget.remaining))}${budget.spentInMs !== undefined ? ` ~${formatSpan(budget.spentInMs)}` : ''}`;
	const tone = budgetTone(budget);
	return {text, ...(tone !== undefined ? {tone} : {})};
}

/**
`ETA ~3h20m to loss 0.500 (~12k steps)`, or `loss 0.500 reached`; the time counts down from `nowMs`. Once the
projected time has passed without a refit reaching the target (the run stopped sending, or slowed), it says so:
`ETA passed 5m ago, loss 0.500 not reached`, rather than standing at `~0s`.
*/
export function etaText(eta: LossEta, nowMs: number): string {
	const target = formatValue(eta.target);
	if (eta.inMs === 0) return `loss ${target} reached`;
	if (nowMs > eta.atMs) return `ETA passed ${formatSpan(nowMs - eta.atMs)} ago, loss ${target} not reached`;
	const left = eta.atMs - nowMs;
	const steps = eta.steps !== undefined && eta.steps > 0 ? ` (~${compactCount(eta.steps)} steps)` : '';
	return `ETA ~${formatSpan(left)} to loss ${target}${steps}`;
}

/** The short form for a crowded line: `ETA ~3h20m`, `at target`, or `ETA passed` once its time has gone by. */
export function etaShortText(eta: LossEta, nowMs: number): string {
	if (eta.inMs === 0) return 'at target';
	return nowMs > eta.atMs ? 'ETA passed' : `ETA ~${formatSpan(eta.atMs - nowMs)}`;
}
