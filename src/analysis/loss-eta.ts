/**
A project's ETA to its target loss, from the recent loss (forecasts.ts's trainingEta): the last 30 minutes of
points (at most 2,000) averaged into up to 30 equal time buckets first, since per-step losses are noisy enough to
spoil any fit, then log(loss) fitted against time. Pure.
*/
import {trainingEta} from './forecasts.js';

/** The configured target losses: one for every project, and per project (which wins). */
export interface TrainingTargets {
	readonly targetLoss?: number;
	readonly targets?: Readonly<Record<string, number>>;
}

/** The target loss of a project, or undefined when none is configured. */
export function targetLossFor(targets: TrainingTargets | undefined, projectId: string): number | undefined {
	if (targets === undefined) return undefined;
	const own = targets.targets !== undefined && Object.hasOwn(targets.targets, projectId) ? targets.targets[projectId] : undefined;
	return own ?? targets.targetLoss;
}

export interface LossEta {
	readonly target: number;
	/** From the newest point's time (the fit's "now") to the target; 0 when reached. */
	readonly inMs: number;
	/** When the target is reached: the newest point's time + inMs (a screen subtracts its own clock). */
	readonly atMs: number;
	/** Steps still to go at the recent step rate, when known. */
	readonly steps?: number;
}

/** The window the ETA is fitted over. */
const ETA_WINDOW_MS = 30 * 60_000;
const MAX_POINTS = 2000;
const BUCKETS = 30;

interface LossPoint {
	/** The step. */
	readonly x: number;
	readonly value: number;
	readonly timeMs: number;
}

/**
The ETA from a project's newest points (oldest first). Undefined when no target is set, there are too few buckets
(under 10), a loss in the window is zero or negative (no log), the loss is not falling, or the fit is poor.
Non-finite losses are skipped (the non_finite_loss rule speaks for them); while the newest one is non-finite (the run
diverged) there is no ETA.
*/
export function lossEta(points: readonly LossPoint[], target: number | undefined): LossEta | undefined {
	if (target === undefined || !(target > 0) || !Number.isFinite(target) || points.length === 0) return undefined;
	// Times as they came (a producer's clock may step back): the window is taken by time, not by order.
	const timed = points.slice(-MAX_POINTS).filter((p) => Number.isFinite(p.timeMs));
	if (timed.length === 0) return undefined;
	const latest = timed.reduce((a, p) => (p.timeMs >= a.timeMs ? p : a));
	// The run diverged (its newest loss is NaN or Inf): the finite points before it no longer say when it gets there.
	if (!Number.isFinite(latest.value)) return undefined;
	const tail = timed.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.x));
	if (tail.length === 0) return undefined;
	const newest = Math.max(...tail.map((p) => p.timeMs));
	const window = tail.filter((p) => p.timeMs >= newest - ETA_WINDOW_MS);
	// Checked before bucketing: a bucket's mean can be positive around a zero or negative loss, whose log means nothing.
	if (window.some((p) => !(p.value > 0))) return undefined;
	const start = Math.min(...window.map((p) => p.timeMs));
	const span = Math.max(1, newest - start);
	const sums = Array.from({length: BUCKETS}, () => ({n: 0, t: 0, v: 0, x: 0}));
	for (const p of window) {
		const b = sums[Math.max(0, Math.min(BUCKETS - 1, Math.floor(((p.timeMs - start) / span) * BUCKETS)))]!;
		b.n += 1;
		b.t += p.timeMs;
		b.v += p.value;
		b.x += p.x;
	}
	const filled = sums.filter((b) => b.n > 0);
	const times = filled.map((b) => b.t / b.n);
	const losses = filled.map((b) => b.v / b.n);
	const steps = filled.map((b) => b.x / b.n);
	const eta = trainingEta(times, losses, target, newest, steps);
	if (eta === undefined) return undefined;
	return {target, inMs: eta.inMs, atMs: newest + eta.inMs, ...(eta.steps !== undefined ? {steps: eta.steps} : {})};
}
