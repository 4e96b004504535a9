/** Built-in training rules: high loss, non-finite loss, loss spike, plateau, convergence (per project). */
import {debiasedEma} from '../../analysis/smoothing.js';
import {trendOfSeries} from '../../analysis/trend-window.js';
import {MAD_TO_SIGMA, mad, mean, median} from '../stats.js';
import {builtin, finiteTail, fmt, projectRule, type BuiltinEntry} from './common.js';

const HIGH_LOSS = 5;

export const highTrainingLoss: BuiltinEntry = builtin(
	{name: 'high_training_loss', group: 'training', recommendation: 'Check data quality and learning rate'},
	{
		severity: 'warning',
		forMs: 10_000,
		description: 'debiased EMA (0.6) of the last 10 finite losses > 5 for 10 s; clears below 4.5',
		evaluate: projectRule((project, loss, emit) => {
			const tail = finiteTail(loss, 10);
			if (tail.length === 0) return;
			const smoothed = debiasedEma(tail, 0.6).at(-1)!;
			emit({
				labels: {project},
				breach: smoothed > HIGH_LOSS,
				clear: smoothed < HIGH_LOSS * 0.9,
				value: smoothed,
				message: () => `Training loss is unusually high (smoothed ${fmt(smoothed)} > ${HIGH_LOSS})`,
			});
		}),
	},
	{
		series: 'training_loss',
		condition: `value > ${HIGH_LOSS}`,
		severity: 'warning',
		stale_after: '5m',
		message: `Training loss is unusually high ({{value | round 2}} > ${HIGH_LOSS})`,
		description: 'latest loss > 5 (NaN never fires: NaN > 5 is false)',
	},
);

/** Non-finite loss: any NaN/Inf among the last 5 points or the last 3 s. Clears after 5 finite points. */
export const nonFiniteLoss: BuiltinEntry = builtin(
	{name: 'non_finite_loss', group: 'training', recommendation: 'The run diverged: restore the last good checkpoint, lower the learning rate, skip the offending batches'},
	{
		severity: 'critical',
		description: 'a NaN or Inf loss among the last 5 points (or the last 3 s); clears after 5 finite points',
		evaluate: projectRule((project, loss, emit, ctx) => {
			const recent = loss.tailValues(5);
			let bad = recent.find((v) => !Number.isFinite(v));
			// Also the last 3 s: a NaN logged between two evaluations by a fast trainer is not missed.
			if (bad === undefined) bad = loss.since(ctx.input.nowMs - 3000).values.find((v) => !Number.isFinite(v));
			const value = bad ?? loss.lastValue() ?? 0;
			// The message is rendered on resolve too: by then the value is the finite latest loss, and says so.
			emit({labels: {project}, breach: bad !== undefined, value, message: () => (Number.isFinite(value) ? `Loss is finite again: ${fmt(value, 4)}` : `Loss is ${String(value)} (non-finite)`)});
		}),
	},
);

const SPIKE = {base: 50, recent: 3, minBase: 20, relative: 0.5, sigmas: 6} as const;

/**
Loss spike: the last 3 finite losses all above median + max(0.5 |median|, 6 sigma) of the 50 before them
(sigma = 1.4826 MAD, robust to the spike itself). Clears when the newest loss is back under half that margin.
*/
export const lossSpike: BuiltinEntry = builtin(
	{name: 'loss_spike', group: 'training', recommendation: 'Consider restarting from a checkpoint before the spike and skipping those batches'},
	{
		severity: 'warning',
		description: `last ${SPIKE.recent} losses above median + max(${SPIKE.relative}·|median|, ${SPIKE.sigmas}σ) of the ${SPIKE.base} before them (σ = 1.4826 MAD)`,
		evaluate: projectRule((project, loss, emit) => {
			const tail = finiteTail(loss, SPIKE.base + SPIKE.recent);
			if (tail.length < SPIKE.minBase + SPIKE.recent) return;
			const base = tail.slice(0, -SPIKE.recent);
			const recent = tail.slice(-SPIKE.recent);
			const med = median(base);
			const margin = Math.max(SPIKE.relative * Math.abs(med), SPIKE.sigmas * MAD_TO_SIGMA * mad(base, med));
			const low = Math.min(...recent);
			const last = recent.at(-1)!;
			emit({
				labels: {project},
				breach: low > med + margin,
				clear: last < med + margin / 2,
				value: last,
				message: () => `Loss spike: ${fmt(last)} vs recent median ${fmt(med)}`,
			});
		}),
	},
);

const PLATEAU = {window: 240, ends: 80, threshold: 0.01, clearAt: 0.03} as const;

/**
Plateau, as ReduceLROnPlateau means it: over the last 240 finite losses, the median of the newest 80 is less than
1% below the median of the oldest 80 (medians, so a spike or a few outliers do not move it). Clears only when the
improvement is back above 3% (hysteresis), and keeps firing for 1 min. The seed's tests "loss is small".
*/
export const lossPlateau: BuiltinEntry = builtin(
	{name: 'loss_plateau', group: 'training', recommendation: 'Consider reducing learning rate or early stopping'},
	{
		severity: 'warning',
		keepFiringForMs: 60_000,
		description: `median of the newest ${PLATEAU.ends} of the last ${PLATEAU.window} losses less than ${PLATEAU.threshold * 100}% below the median of the oldest ${PLATEAU.ends}; clears above ${PLATEAU.clearAt * 100}%`,
		evaluate: projectRule((project, loss, emit) => {
			const tail = finiteTail(loss, PLATEAU.window);
			if (tail.length < PLATEAU.window) return;
			const before = median(tail, 0, PLATEAU.ends);
			if (before === 0) return;
			const after = median(tail, tail.length - PLATEAU.ends);
			const improvement = (before - after) / Math.abs(before);
			emit({
				labels: {project},
				breach: improvement < PLATEAU.threshold,
				clear: improvement > PLATEAU.clearAt,
				value: improvement,
				message: () => `Loss plateau: ${fmt(improvement * 100, 2)}% improvement over the last ${PLATEAU.window} steps`,
			});
		}),
	},
	{
		severity: 'warning',
		description: 'mean of the last 10 losses < 0.01 (tests "loss is small", not "not improving")',
		evaluate: projectRule((project, loss, emit) => {
			const tail = loss.tailValues(10);
			const avg = mean(tail);
			emit({labels: {project}, breach: tail.length > 0 && avg < 0.01, value: avg, message: () => `Loss plateau: mean of last 10 is ${fmt(avg, 4)}`});
		}),
	},
);

const CONVERGENCE = {minSamples: 300, minWindow: 100, maxSamples: 1000, threshold: 0.01, clearAt: 0.02} as const;

export const convergenceDetected: BuiltinEntry = builtin(
	{name: 'convergence_detected', group: 'training', recommendation: 'Consider early stopping to save compute resources'},
	{
		severity: 'info',
		keepFiringForMs: 60_000,
		description: '|median(last 10%) - median(prior 10%)| / median(prior 10%) < 1% over the last <= 1000 finite samples (>= 300, windows >= 100); clears above 2%',
		evaluate: projectRule((project, loss, emit) => {
			const values = finiteTail(loss, CONVERGENCE.maxSamples);
			if (values.length < CONVERGENCE.minSamples) return;
			const k = Math.max(CONVERGENCE.minWindow, Math.floor(values.length * 0.1));
			// Medians: a few outliers entering a window do not look like progress (or its end).
			const recent = median(values, values.length - k);
			const prior = median(values, Math.max(0, values.length - 2 * k), values.length - k);
			if (prior === 0) return;
			const change = Math.abs(recent - prior) / Math.abs(prior);
			emit({
				labels: {project},
				breach: change < CONVERGENCE.threshold,
				clear: change > CONVERGENCE.clearAt,
				value: change,
				message: () => `Training converged: ${fmt(change * 100)}% change over the last 10% of ${values.length} samples`,
			});
		}),
	},
	{
		severity: 'info',
		description: 'last 10% of samples span < 1% of their minimum (the seed\'s analyzeTrainingTrends), >= 10 samples',
		evaluate: projectRule((project, loss, emit) => {
			const trend = trendOfSeries(loss, 10_000);
			if (trend.trend === 'insufficient_data') return;
			emit({labels: {project}, breach: trend.converged, value: trend.sampleCount, message: 'Training converged (last 10% of samples within 1%)'});
		}),
	},
);

