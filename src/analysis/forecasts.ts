/**
Forecasts as pure functions of recent points: when a growing quantity reaches its capacity (GPU memory, a disk),
when an SLA's error budget is spent at the current burn rate, and when a training run reaches a target loss. Each
returns undefined when the data do not support an answer (too few points, a poor fit, no growth), never a made-up
time. Times in ms; the caller says how far ahead is worth saying.
*/
import {linearFit} from '../rules/stats.js';

export interface Forecast {
	/** Milliseconds from `nowMs` until the event. */
	readonly inMs: number;
	/** The fitted rate, per hour, in the quantity's unit. */
	readonly ratePerHour: number;
	/** How well a line fits the window (0..1). */
	readonly r2: number;
}

/** Fewest points and the poorest fit a forecast is made from. */
const MIN_POINTS = 10;
const MIN_R2 = 0.6;

/**
When a quantity growing along the least-squares line of `values` on `times` reaches `capacity` (GPU memory used
against total, disk used against size). Undefined with fewer than 10 points, R² under 0.6, or no growth; 0 when
already at capacity. Pure.
*/
export function timeToCapacity(times: readonly number[], values: readonly number[], capacity: number, nowMs: number): Forecast | undefined {
	const n = Math.min(times.length, values.length);
	if (n < MIN_POINTS || !Number.isFinite(capacity)) return undefined;
	const last = values[n - 1]!;
	const fit = linearFit(times.slice(0, n), values.slice(0, n));
	const ratePerHour = fit.slope * 3_600_000;
	if (last >= capacity) return {inMs: 0, ratePerHour, r2: fit.r2};
	if (!(fit.slope > 0) || fit.r2 < MIN_R2) return undefined;
	const fittedNow = fit.intercept + fit.slope * nowMs;
	return {inMs: Math.max(0, (capacity - fittedNow) / fit.slope), ratePerHour, r2: fit.r2};
}

/**
The largest single rise between consecutive values as a share of the whole rise over the window (0..1; 1 when
the window did not rise at all): a creep is many small rises, a model load or an allocator's ratchet one jump.
Pure.
*/
export function largestStepShare(values: readonly number[]): number {
	let largest = 0;
	for (let i = 1; i < values.length; i++) largest = Math.max(largest, values[i]! - values[i - 1]!);
	const rise = values.length === 0 ? 0 : values.at(-1)! - Math.min(...values);
	return rise > 0 ? Math.min(1, largest / rise) : 1;
}

export interface ErrorBudget {
	/** Share of the budget left (1: untouched, 0: spent, negative: overspent). */
	readonly remaining: number;
	/** At the recent burn rate, until the budget is spent; undefined when nothing is burning (or it is spent). */
	readonly spentInMs?: number;
	/** Recent bad-event rate against the rate the SLO allows (1: exactly on budget). */
	readonly burnRate: number;
}

/**
An SLO of `target` (0.9: 90 % of tasks within the SLA) over a period: `total` and `bad` events so far in it,
`recentTotal` / `recentBad` in the last `recentMs`. The budget is (1 - target) × total. Each new event also earns
budget ((1 - target) of it), so the budget shrinks at the recent bad rate less the rate it is earned at: it is
being burned only while the burn rate is above 1, and then it is spent in left / (net rate). Undefined without
events. Pure.
*/
export function errorBudget(input: {readonly target: number; readonly total: number; readonly bad: number; readonly recentTotal: number; readonly recentBad: number; readonly recentMs: number}): ErrorBudget | undefined {
	const {target, total, bad, recentTotal, recentBad, recentMs} = input;
	if (!(target > 0 && target < 1) || total <= 0 || recentMs <= 0) return undefined;
	const allowed = (1 - target) * total;
	const remaining = (allowed - bad) / allowed;
	const burnRate = recentTotal > 0 ? recentBad / recentTotal / (1 - target) : 0;
	const netPerMs = (recentBad - (1 - target) * recentTotal) / recentMs;
	const left = allowed - bad;
	// Burning only above 1 (with room for rounding: 1 - 0.9 is not 0.1 in floating point).
	return {remaining, burnRate, ...(burnRate > 1 + 1e-9 && netPerMs > 0 && left > 0 ? {spentInMs: left / netPerMs} : {})};
}

export interface TrainingEta extends Forecast {
	/** Steps still to go at the fitted rate. */
	readonly steps?: number;
}

/**
When a training run's loss reaches `target`, from its recent slope: log(loss) is fitted against time (losses fall
roughly exponentially over a window; the log also keeps a late plateau from looking fast), extrapolated to
log(target). Undefined when the loss is not falling, the fit is poor, a loss is not positive, or there are under 10
points; 0 when the latest loss is already at or under the target. With `steps` (one per point), also the steps to go.
Pure.
*/
export function trainingEta(times: readonly number[], losses: readonly number[], target: number, nowMs: number, steps?: readonly number[]): TrainingEta | undefined {
	const n = Math.min(times.length, losses.length);
	if (n < MIN_POINTS || !(target > 0)) return undefined;
	if (losses.slice(0, n).some((l) => !(l > 0) || !Number.isFinite(l))) return undefined;
	if (losses[n - 1]! <= target) return {inMs: 0, ratePerHour: 0, r2: 1, ...(steps !== undefined ? {steps: 0} : {})};
	const logs = losses.slice(0, n).map(Math.log);
	const fit = linearFit(times.slice(0, n), logs);
	if (!(fit.slope < 0) || fit.r2 < MIN_R2) return undefined;
	const fittedNow = fit.intercept + fit.slope * nowMs;
	const inMs = Math.max(0, (Math.log(target) - fittedNow) / fit.slope);
	let toGo: number | undefined;
	if (steps !== undefined && steps.length >= n) {
		const stepsPerMs = (steps[n - 1]! - steps[0]!) / Math.max(1, times[n - 1]! - times[0]!);
		if (stepsPerMs > 0) toGo = Math.round(inMs * stepsPerMs);
	}
	return {inMs, ratePerHour: fit.slope * 3_600_000, r2: fit.r2, ...(toGo !== undefined ? {steps: toGo} : {})};
}
