/**
The seed's rules, each in two variants: `seed` (the specification's rule as written, kept under its name) and
`sound` (the default: the same intent without the flaws listed in the alerting reference, §4.4), plus the rules
training needs that the seed lacks (non-finite loss, loss spike, lost GPU). Every detector is a pure function of
the rule input; the lifecycle (for, recovery, keep_firing_for, nodata) is the engine's.
*/
import {debiasedEma} from '../analysis/smoothing.js';
import {analyzeTrend} from '../analysis/training-trend.js';
import {loadBalance} from '../analysis/load-balance.js';
import {SLA_SECONDS} from '../contract/names.js';
import {type Severity} from './alert-state.js';
import {linearFit, MAD_TO_SIGMA, mad, mean, median} from './stats.js';
import {type AlertGroup, type GpuInput, type Rule, type RuleContext, type RuleSample, type RuleVariant} from './rule-types.js';
import {type PointSeries} from './time-ring.js';

type Emit = (sample: RuleSample) => void;

interface Spec {
	readonly name: string;
	readonly group: AlertGroup;
	readonly severity: Severity;
	readonly forMs: number;
	readonly keepFiringForMs: number;
	readonly description: string;
	readonly recommendation?: string;
	readonly evaluate: (ctx: RuleContext, emit: Emit) => void;
}

function rule(variant: RuleVariant, spec: Spec): Rule {
	return {...spec, variant};
}

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)).toString() : String(v));

function finiteTail(series: PointSeries, n: number): number[] {
	// Over-read a little so a few non-finite points do not shorten the window.
	return series.tailValues(n + 16).filter(Number.isFinite).slice(-n);
}

function isStale(series: PointSeries, ctx: RuleContext): boolean {
	const last = series.lastTime();
	return last === undefined || ctx.input.nowMs - last > ctx.staleAfterMs;
}

// ---------------------------------------------------------------- training

/**
A training series without a new point for this long is stale: it is not evaluated (a finished run is not an
incident, and no new alert starts on it), and an alert already firing on it goes to nodata instead of resolving.
*/
export const TRAINING_STALE_MS = 5 * 60_000;

/**
Per-project evaluation, cached per series: a training rule's result only changes when a point arrives, so an
unchanged series re-emits its last samples instead of recomputing windows of up to thousands of points.
*/
function projectRule(body: (project: string, loss: PointSeries, emit: Emit, ctx: RuleContext) => void): (ctx: RuleContext, emit: Emit) => void {
	const cache = new WeakMap<PointSeries, {t: number; n: number; v: number; samples: RuleSample[]}>();
	return (ctx, emit) => {
		for (const p of ctx.input.projects) {
			const last = p.loss.lastTime();
			if (last === undefined) continue;
			if (ctx.input.nowMs - last > TRAINING_STALE_MS) {
				// Every training rule's instance is the project: the engine turns this into nodata for a live alert.
				emit(staleSample({project: p.id}));
				continue;
			}
			const n = p.loss.length;
			const v = p.loss.lastValue()!;
			const hit = cache.get(p.loss);
			if (hit !== undefined && hit.t === last && hit.n === n && Object.is(hit.v, v)) {
				for (const sample of hit.samples) emit(sample);
				continue;
			}
			const samples: RuleSample[] = [];
			body(p.id, p.loss, (sample) => samples.push(sample), ctx);
			cache.set(p.loss, {t: last, n, v, samples});
			for (const sample of samples) emit(sample);
		}
	};
}

export const HIGH_LOSS = 5;

const highLossSeed = rule('seed', {
	name: 'high_training_loss',
	group: 'training',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'latest loss > 5 (NaN never fires: NaN > 5 is false)',
	recommendation: 'Check data quality and learning rate',
	evaluate: projectRule((project, loss, emit, ctx) => {
			const v = loss.lastValue() ?? Number.NaN;
			emit({labels: {project}, breach: v > HIGH_LOSS, value: v, message: () => `Training loss is unusually high (${fmt(v)} > ${HIGH_LOSS})`});
		}),
});

const highLossSound = rule('sound', {
	name: 'high_training_loss',
	group: 'training',
	severity: 'warning',
	forMs: 10_000,
	keepFiringForMs: 0,
	description: 'debiased EMA (0.6) of the last 10 finite losses > 5 for 10 s; clears below 4.5',
	recommendation: 'Check data quality and learning rate',
	evaluate: projectRule((project, loss, emit, ctx) => {
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
});

/** Non-finite loss: any NaN/Inf among the last 5 points or the last 3 s. Clears after 5 finite points. */
const nonFiniteLoss = rule('sound', {
	name: 'non_finite_loss',
	group: 'training',
	severity: 'critical',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'a NaN or Inf loss among the last 5 points (or the last 3 s); clears after 5 finite points',
	recommendation: 'The run diverged: restore the last good checkpoint, lower the learning rate, skip the offending batches',
	evaluate: projectRule((project, loss, emit, ctx) => {
			const recent = loss.tailValues(5);
			let bad = recent.find((v) => !Number.isFinite(v));
			// Also the last 3 s: a NaN logged between two evaluations by a fast trainer is not missed.
			if (bad === undefined) bad = loss.since(ctx.input.nowMs - 3000).values.find((v) => !Number.isFinite(v));
			const value = bad ?? loss.lastValue() ?? 0;
			// The message is rendered on resolve too: by then the value is the finite latest loss, and says so.
			emit({labels: {project}, breach: bad !== undefined, value, message: () => (Number.isFinite(value) ? `Loss is finite again: ${fmt(value, 4)}` : `Loss is ${String(value)} (non-finite)`)});
		}),
});

export const SPIKE = {base: 50, recent: 3, minBase: 20, relative: 0.5, sigmas: 6} as const;

/**
Loss spike: the last 3 finite losses all above median + max(0.5 |median|, 6 sigma) of the 50 before them
(sigma = 1.4826 MAD, robust to the spike itself). Clears when the newest loss is back under half that margin.
*/
const lossSpike = rule('sound', {
	name: 'loss_spike',
	group: 'training',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: `last ${SPIKE.recent} losses above median + max(${SPIKE.relative}·|median|, ${SPIKE.sigmas}σ) of the ${SPIKE.base} before them (σ = 1.4826 MAD)`,
	recommendation: 'Consider restarting from a checkpoint before the spike and skipping those batches',
	evaluate: projectRule((project, loss, emit, ctx) => {
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
});

const lossPlateauSeed = rule('seed', {
	name: 'loss_plateau',
	group: 'training',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'mean of the last 10 losses < 0.01 (tests "loss is small", not "not improving")',
	recommendation: 'Consider reducing learning rate or early stopping',
	evaluate: projectRule((project, loss, emit, ctx) => {
			const tail = loss.tailValues(10);
			const avg = mean(tail);
			emit({labels: {project}, breach: tail.length > 0 && avg < 0.01, value: avg, message: () => `Loss plateau: mean of last 10 is ${fmt(avg, 4)}`});
		}),
});

export const PLATEAU = {window: 240, ends: 80, threshold: 0.01, clearAt: 0.03} as const;

/**
Plateau, as ReduceLROnPlateau means it: over the last 240 finite losses, the median of the newest 80 is less than
1% below the median of the oldest 80 (medians, so a spike or a few outliers do not move it). Clears only when the
improvement is back above 3% (hysteresis), and keeps firing for 1 min.
*/
const lossPlateauSound = rule('sound', {
	name: 'loss_plateau',
	group: 'training',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 60_000,
	description: `median of the newest ${PLATEAU.ends} of the last ${PLATEAU.window} losses less than ${PLATEAU.threshold * 100}% below the median of the oldest ${PLATEAU.ends}; clears above ${PLATEAU.clearAt * 100}%`,
	recommendation: 'Consider reducing learning rate or early stopping',
	evaluate: projectRule((project, loss, emit) => {
		const tail = finiteTail(loss, PLATEAU.window);
		if (tail.length < PLATEAU.window) return;
		const before = median(tail.slice(0, PLATEAU.ends));
		if (before === 0) return;
		const after = median(tail.slice(-PLATEAU.ends));
		const improvement = (before - after) / Math.abs(before);
		emit({
			labels: {project},
			breach: improvement < PLATEAU.threshold,
			clear: improvement > PLATEAU.clearAt,
			value: improvement,
			message: () => `Loss plateau: ${fmt(improvement * 100, 2)}% improvement over the last ${PLATEAU.window} steps`,
		});
	}),
});

const convergenceSeed = rule('seed', {
	name: 'convergence_detected',
	group: 'training',
	severity: 'info',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'last 10% of samples span < 1% of their minimum (the seed\'s analyzeTrainingTrends), >= 10 samples',
	recommendation: 'Consider early stopping to save compute resources',
	evaluate: projectRule((project, loss, emit, ctx) => {
			const trend = analyzeTrend(loss.tailValues(10_000));
			if (trend.trend === 'insufficient_data') return;
			emit({labels: {project}, breach: trend.converged, value: trend.sampleCount, message: 'Training converged (last 10% of samples within 1%)'});
		}),
});

export const CONVERGENCE = {minSamples: 300, minWindow: 100, maxSamples: 1000, threshold: 0.01, clearAt: 0.02} as const;

const convergenceSound = rule('sound', {
	name: 'convergence_detected',
	group: 'training',
	severity: 'info',
	forMs: 0,
	keepFiringForMs: 60_000,
	description: '|median(last 10%) - median(prior 10%)| / median(prior 10%) < 1% over the last <= 1000 finite samples (>= 300, windows >= 100); clears above 2%',
	recommendation: 'Consider early stopping to save compute resources',
	evaluate: projectRule((project, loss, emit, ctx) => {
			const values = finiteTail(loss, CONVERGENCE.maxSamples);
			if (values.length < CONVERGENCE.minSamples) return;
			const k = Math.max(CONVERGENCE.minWindow, Math.floor(values.length * 0.1));
			// Medians: a few outliers entering a window do not look like progress (or its end).
			const recent = median(values.slice(-k));
			const prior = median(values.slice(-2 * k, -k));
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
});

// ---------------------------------------------------------------- GPU

/** Per GPU; `stale` says whether the series the rule reads has no fresh sample (always, for a lost GPU: its alerts go to nodata). */
function forGpus(
	ctx: RuleContext,
	emit: Emit,
	reads: (g: GpuInput) => PointSeries,
	body: (gpu: GpuInput, labels: {gpu: string; uuid: string}, stale: boolean) => void,
): void {
	for (const g of ctx.input.gpus ?? []) {
		const series = reads(g);
		if (series.length === 0) continue;
		body(g, {gpu: String(g.index), uuid: g.id}, g.lost || isStale(series, ctx));
	}
}

const TEMP = (g: GpuInput) => g.temperatureC;
const MEM = (g: GpuInput) => g.memoryUsedMb;
const UTIL = (g: GpuInput) => g.utilizationPercent;

/** An absolute backstop, lowered to just under the GPU's own slowdown temperature when the sampler knows it. */
function criticalTemp(g: GpuInput): number {
	return g.slowdownTempC !== undefined && g.slowdownTempC - 2 < 90 ? g.slowdownTempC - 2 : 90;
}

function staleSample(labels: Record<string, string>): RuleSample {
	return {labels, breach: false, value: Number.NaN, message: 'no data', stale: true};
}

const highTemperatureSeed = rule('seed', {
	name: 'high_temperature',
	group: 'gpu',
	severity: 'critical',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'temperature > 85 °C (the seed\'s collector)',
	recommendation: 'Check cooling system and reduce load',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, TEMP, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const t = g.temperatureC.lastValue() ?? Number.NaN;
			emit({labels, breach: t > 85, value: t, message: () => `GPU ${labels.gpu} temperature ${fmt(t, 0)} °C > 85 °C`});
		}),
});

const highTemperatureSound = rule('sound', {
	name: 'high_temperature',
	group: 'gpu',
	severity: 'warning',
	forMs: 30_000,
	keepFiringForMs: 0,
	description: 'temperature > 85 °C for 30 s (warning), > 90 °C or the GPU\'s slowdown - 2 (critical); clears below 80 °C',
	recommendation: 'Check cooling system and reduce load',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, TEMP, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const t = g.temperatureC.lastValue() ?? Number.NaN;
			const critical = t > criticalTemp(g);
			emit({
				labels,
				breach: t > 85,
				clear: t < 80,
				severity: critical ? 'critical' : 'warning',
				value: t,
				message: () => `GPU ${labels.gpu} temperature ${fmt(t, 0)} °C`,
			});
		}),
});

const tempCriticalSeed = rule('seed', {
	name: 'gpu_temperature_critical',
	group: 'system',
	severity: 'critical',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'temperature > 90 °C',
	recommendation: 'Immediate action required',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, TEMP, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const t = g.temperatureC.lastValue() ?? Number.NaN;
			emit({labels, breach: t > 90, value: t, message: () => `GPU temperature critical (${fmt(t, 0)} °C > 90 °C)`});
		}),
});

const tempCriticalSound = rule('sound', {
	name: 'gpu_temperature_critical',
	group: 'system',
	severity: 'critical',
	forMs: 15_000,
	keepFiringForMs: 0,
	description: 'temperature > 90 °C (or the GPU\'s slowdown - 2) for 15 s; clears below 85 °C',
	recommendation: 'Immediate action required',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, TEMP, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const t = g.temperatureC.lastValue() ?? Number.NaN;
			const limit = criticalTemp(g);
			emit({labels, breach: t > limit, clear: t < limit - 5, value: t, message: () => `GPU temperature critical (${fmt(t, 0)} °C > ${limit} °C)`});
		}),
});

function memPercent(g: GpuInput): number {
	const used = g.memoryUsedMb.lastValue();
	return used === undefined || g.memoryTotalMb === undefined || g.memoryTotalMb <= 0 ? Number.NaN : (used / g.memoryTotalMb) * 100;
}

const memoryExhaustionSeed = rule('seed', {
	name: 'memory_exhaustion',
	group: 'gpu',
	severity: 'critical',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'memory used > 95% of total',
	recommendation: 'Enable gradient checkpointing or reduce batch size',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, MEM, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const p = memPercent(g);
			emit({labels, breach: p > 95, value: p, message: () => `GPU ${labels.gpu} memory at ${fmt(p, 1)}%`});
		}),
});

const memoryExhaustionSound = rule('sound', {
	name: 'memory_exhaustion',
	group: 'gpu',
	severity: 'critical',
	forMs: 15_000,
	keepFiringForMs: 0,
	description: 'memory used > 95% of total for 15 s; clears below 90%',
	recommendation: 'Enable gradient checkpointing or reduce batch size',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, MEM, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const p = memPercent(g);
			emit({labels, breach: p > 95, clear: p < 90, value: p, message: () => `GPU ${labels.gpu} memory at ${fmt(p, 1)}%`});
		}),
});

const leakSeed = rule('seed', {
	name: 'memory_leak_detection',
	group: 'system',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'the last 10 memory samples strictly increasing and > 1 GB apart (an allocator ratchet trips it; one flat sample hides a leak)',
	recommendation: 'Potential memory leak: check for tensors kept across steps',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, MEM, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const v = g.memoryUsedMb.tailValues(10);
			let increasing = v.length === 10;
			for (let i = 1; i < v.length && increasing; i++) if (v[i]! <= v[i - 1]!) increasing = false;
			const growth = v.length === 10 ? v[9]! - v[0]! : 0;
			emit({labels, breach: increasing && growth > 1000, value: growth, message: () => `Potential memory leak: GPU ${labels.gpu} memory +${fmt(growth, 0)} MiB over 10 samples`});
		}),
});

export const LEAK = {windowMs: 5 * 60_000, minSamples: 10, growthMb: 1000, minR2: 0.8, maxStepShare: 0.25, horizonMs: 30 * 60_000} as const;

/**
Leak: over 5 minutes (>= 10 samples) the least-squares fit of memory on time grows > 1 GB with R² >= 0.8, and no
single step carries more than 25% of the growth (a caching allocator ratchets in a few big steps; a leak creeps).
Critical when the fit reaches the GPU's total within 30 minutes (time to OOM, Prometheus's predict_linear idiom).
*/
const leakSound = rule('sound', {
	name: 'memory_leak_detection',
	group: 'system',
	severity: 'warning',
	forMs: 60_000,
	keepFiringForMs: 120_000,
	description: 'OLS growth over 5 min > 1 GB with R² >= 0.8 and no single step > 25% of it; critical when the fit reaches total memory within 30 min',
	recommendation: 'Potential memory leak: check for tensors kept across steps',
	evaluate: (ctx, emit) =>
		forGpus(ctx, emit, MEM, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const now = ctx.input.nowMs;
			const w = g.memoryUsedMb.since(now - LEAK.windowMs);
			if (w.values.length < LEAK.minSamples) return;
			const fit = linearFit(w.times, w.values);
			const span = w.times.at(-1)! - w.times[0]!;
			const growth = fit.slope * span;
			let maxStep = 0;
			for (let i = 1; i < w.values.length; i++) maxStep = Math.max(maxStep, w.values[i]! - w.values[i - 1]!);
			const creeping = growth > 0 && maxStep <= LEAK.maxStepShare * growth;
			const breach = growth > LEAK.growthMb && fit.r2 >= LEAK.minR2 && creeping;
			const predicted = fit.intercept + fit.slope * (now + LEAK.horizonMs);
			const oom = g.memoryTotalMb !== undefined && predicted > g.memoryTotalMb;
			emit({
				labels,
				breach,
				clear: growth < LEAK.growthMb / 2 || fit.r2 < 0.5 || !creeping,
				severity: breach && oom ? 'critical' : 'warning',
				value: growth,
				message: () =>
					`Potential memory leak: GPU ${labels.gpu} memory +${fmt(growth, 0)} MiB in ${Math.round(span / 1000)} s` +
					(oom ? `; out of memory in under ${LEAK.horizonMs / 60_000} min at this rate` : ''),
			});
		}),
});

function training(ctx: RuleContext): string | undefined {
	return ctx.input.projects.find((p) => p.status === 'training')?.id;
}

const lowUtilSeed = rule('seed', {
	name: 'low_utilization',
	group: 'gpu',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'utilization < 30% while a context:project:{id} status is "training"',
	recommendation: 'Training may be I/O bound or underutilizing GPU',
	evaluate: (ctx, emit) => {
		const project = training(ctx);
		if (project === undefined) return;
		forGpus(ctx, emit, UTIL, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const u = g.utilizationPercent.lastValue() ?? Number.NaN;
			emit({labels, breach: u < 30, value: u, message: () => `GPU ${labels.gpu} utilization ${fmt(u, 0)}% while ${project} is training`});
		});
	},
});

const lowUtilSound = rule('sound', {
	name: 'low_utilization',
	group: 'gpu',
	severity: 'warning',
	forMs: 60_000,
	keepFiringForMs: 0,
	description: 'mean utilization over 1 min (>= 5 samples) < 30% for 1 min while a project is "training"; clears above 40%',
	recommendation: 'Training may be I/O bound or underutilizing GPU',
	evaluate: (ctx, emit) => {
		const project = training(ctx);
		if (project === undefined) return;
		forGpus(ctx, emit, UTIL, (g, labels, stale) => {
			if (stale) return emit(staleSample(labels));
			const w = g.utilizationPercent.since(ctx.input.nowMs - 60_000).values;
			if (w.length < 5) return;
			const u = mean(w);
			emit({labels, breach: u < 30, clear: u > 40, value: u, message: () => `GPU ${labels.gpu} utilization ${fmt(u, 0)}% (1 min mean) while ${project} is training`});
		});
	},
});

const gpuLost = rule('sound', {
	name: 'gpu_lost',
	group: 'gpu',
	severity: 'critical',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'a GPU disappeared from nvidia-smi\'s output (fell off the bus)',
	recommendation: 'Check dmesg for XID errors; the node may need a reset',
	evaluate: (ctx, emit) => {
		for (const g of ctx.input.gpus ?? [])
			emit({labels: {gpu: String(g.index), uuid: g.id}, breach: g.lost, value: g.lost ? 1 : 0, message: `GPU ${g.index} (${g.name}) lost`});
	},
});

// ---------------------------------------------------------------- tasks, agents, workflows, errors

const lowThroughputSeed = rule('seed', {
	name: 'low_throughput',
	group: 'system',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'tasks completed in the last hour < 10 (fires on an idle system too)',
	recommendation: 'Check agent availability and queue health',
	evaluate: (ctx, emit) => {
		const n = ctx.input.completionsSince(ctx.input.nowMs - 3_600_000).length;
		emit({labels: {}, breach: n < 10, value: n, message: () => `Task throughput ${n}/hour, below 10/hour`});
	},
});

const lowThroughputSound = rule('sound', {
	name: 'low_throughput',
	group: 'system',
	severity: 'warning',
	forMs: 10 * 60_000,
	keepFiringForMs: 0,
	description: 'tasks in the last hour < 10 for 10 min, only once tasks have been seen in the last 24 h (no tasks at all is no data, not zero); clears at >= 12',
	recommendation: 'Check agent availability and queue health',
	evaluate: (ctx, emit) => {
		const now = ctx.input.nowMs;
		const last = ctx.input.lastCompletionMs;
		if (last === undefined || now - last > 86_400_000) return;
		const n = ctx.input.completionsSince(now - 3_600_000).length;
		emit({labels: {}, breach: n < 10, clear: n >= 12, value: n, message: () => `Task throughput ${n}/hour, below 10/hour`});
	},
});

const slaSeed = rule('seed', {
	name: 'sla_breach',
	group: 'system',
	severity: 'critical',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'share of the last hour\'s tasks within 30 min < 90%',
	recommendation: 'Tasks taking too long to complete',
	evaluate: (ctx, emit) => {
		const hour = ctx.input.completionsSince(ctx.input.nowMs - 3_600_000);
		const ok = hour.filter((c) => c.durationSeconds <= SLA_SECONDS).length;
		const pct = hour.length === 0 ? 100 : (ok / hour.length) * 100;
		emit({labels: {}, breach: pct < 90, value: pct, message: () => `SLA compliance ${fmt(pct, 1)}%, below 90%`});
	},
});

/** SLO 90% of tasks within the SLA; burn rate = error ratio / 10%. Pairs are ORed; both windows of a pair must burn. */
export const SLA_BURN = {
	slo: 0.9,
	pairs: [
		{longMs: 3_600_000, shortMs: 5 * 60_000, burn: 2, severity: 'critical'},
		{longMs: 6 * 3_600_000, shortMs: 30 * 60_000, burn: 1, severity: 'warning'},
	],
	minLong: 10,
	minShort: 3,
} as const satisfies {slo: number; pairs: ReadonlyArray<{longMs: number; shortMs: number; burn: number; severity: Severity}>; minLong: number; minShort: number};

/** Error ratio (share over the SLA) of completions in [now - windowMs, now], with the count. */
export function errorRatio(completions: readonly {durationSeconds: number; timeMs: number}[], now: number, windowMs: number): {ratio: number; count: number} {
	let count = 0;
	let bad = 0;
	for (const c of completions) {
		if (c.timeMs < now - windowMs || c.timeMs > now) continue;
		count += 1;
		if (c.durationSeconds > SLA_SECONDS) bad += 1;
	}
	return {ratio: count === 0 ? 0 : bad / count, count};
}

const slaSound = rule('sound', {
	name: 'sla_breach',
	group: 'system',
	severity: 'critical',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'error-budget burn rate (SLO 90% within 30 min): 1 h and 5 min both >= 2x (critical), or 6 h and 30 min both >= 1x (warning); >= 10 tasks in the long window; clears when every short window is under 3/4 of its rate',
	recommendation: 'Tasks taking too long to complete: the error budget is burning',
	evaluate: (ctx, emit) => {
		const now = ctx.input.nowMs;
		const all = ctx.input.completionsSince(now - SLA_BURN.pairs[1].longMs);
		if (all.length === 0) return;
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
});

const unbalancedSeed = rule('seed', {
	name: 'unbalanced_load',
	group: 'distribution',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'max deviation / mean of busy agents\' tasks > 30%',
	recommendation: 'Rebalance tasks across agents',
	evaluate: (ctx, emit) => {
		const lb = loadBalance(ctx.input.busyAgents.map((a) => a.currentTasks));
		if (lb.agentCount === 0) return;
		emit({labels: {}, breach: lb.variancePercent > 30, value: lb.variancePercent, message: () => `Load variance ${fmt(lb.variancePercent, 0)}% across ${lb.agentCount} agents`});
	},
});

const unbalancedSound = rule('sound', {
	name: 'unbalanced_load',
	group: 'distribution',
	severity: 'warning',
	forMs: 60_000,
	keepFiringForMs: 0,
	description: 'the seed\'s variance > 30% for 1 min, with >= 3 busy agents averaging >= 2 tasks; clears below 20%',
	recommendation: 'Rebalance tasks across agents',
	evaluate: (ctx, emit) => {
		const lb = loadBalance(ctx.input.busyAgents.map((a) => a.currentTasks));
		if (lb.agentCount < 3 || lb.avgTasksPerAgent < 2) return;
		emit({
			labels: {},
			breach: lb.variancePercent > 30,
			clear: lb.variancePercent < 20,
			value: lb.variancePercent,
			message: () => `Load variance ${fmt(lb.variancePercent, 0)}% across ${lb.agentCount} agents`,
		});
	},
});

const slowStepSeed = rule('seed', {
	name: 'slow_step_detected',
	group: 'system',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'mean of the last 100 durations > 600 s with >= 10 reports',
	recommendation: 'Consider parallelization or resource optimization',
	evaluate: (ctx, emit) => {
		for (const s of ctx.input.workflowSteps) {
			if (s.durations.length < 10) continue;
			const avg = mean(s.durations.tailValues(100));
			emit({labels: {workflow: s.workflowId, step: s.stepId}, breach: avg > 600, value: avg, message: () => `Workflow ${s.workflowId} step ${s.stepId} averages ${fmt(avg, 0)} s`});
		}
	},
});

const slowStepSound = rule('sound', {
	name: 'slow_step_detected',
	group: 'system',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'median of the last 20 durations > 600 s with >= 10 reports (one outlier does not fire); clears below 540 s',
	recommendation: 'Consider parallelization or resource optimization',
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
});

export const CORRELATION = {errorWindowMs: 60_000, samples: 10, threshold: 85} as const;

/** A critical error in the last minute while the hottest GPU's mean of its 10 samples before the error was > 85 °C. */
const correlation = rule('sound', {
	name: 'error_performance_correlation',
	group: 'system',
	severity: 'warning',
	forMs: 0,
	keepFiringForMs: 0,
	description: 'a critical error in the last minute while a GPU\'s mean of the 10 samples before it was > 85 °C',
	recommendation: 'Check GPU cooling before retrying',
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
});

/** Every built-in rule by name: the sound default, the seed's version when it differs. */
export const BUILTIN_RULES: ReadonlyArray<{readonly sound: Rule; readonly seed?: Rule}> = [
	{sound: highLossSound, seed: highLossSeed},
	{sound: nonFiniteLoss},
	{sound: lossSpike},
	{sound: lossPlateauSound, seed: lossPlateauSeed},
	{sound: convergenceSound, seed: convergenceSeed},
	{sound: highTemperatureSound, seed: highTemperatureSeed},
	{sound: tempCriticalSound, seed: tempCriticalSeed},
	{sound: memoryExhaustionSound, seed: memoryExhaustionSeed},
	{sound: leakSound, seed: leakSeed},
	{sound: lowUtilSound, seed: lowUtilSeed},
	{sound: gpuLost},
	{sound: lowThroughputSound, seed: lowThroughputSeed},
	{sound: slaSound, seed: slaSeed},
	{sound: unbalancedSound, seed: unbalancedSeed},
	{sound: slowStepSound, seed: slowStepSeed},
	{sound: correlation},
];

export const BUILTIN_NAMES: readonly string[] = BUILTIN_RULES.map((r) => r.sound.name);

export function builtinRule(name: string, variant: 'sound' | 'seed' = 'sound'): Rule | undefined {
	const entry = BUILTIN_RULES.find((r) => r.sound.name === name);
	if (entry === undefined) return undefined;
	return variant === 'seed' ? (entry.seed ?? entry.sound) : entry.sound;
}

/** The default rule set: every sound rule. */
export function defaultRules(): Rule[] {
	return BUILTIN_RULES.map((r) => r.sound);
}
