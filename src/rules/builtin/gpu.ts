/**
Built-in GPU rules: temperature, critical temperature, memory exhaustion, memory leak, low utilization, lost GPU, and
the health rules (thermal and power throttling, a new Xid, uncorrectable ECC, a PCIe link trained down).
*/
import {type GpuInput, type RuleContext} from '../rule-types.js';
import {linearFit, mean} from '../stats.js';
import {builtin, fmt, forGpus, type BuiltinEntry} from './common.js';
import {gpuLabels} from '../labels.js';

const TEMP = (g: GpuInput) => g.temperatureC;
const MEM = (g: GpuInput) => g.memoryUsedMb;
const UTIL = (g: GpuInput) => g.utilizationPercent;

/** An absolute backstop, lowered to just under the GPU's own slowdown temperature when the sampler knows it. */
function criticalTemp(g: GpuInput): number {
	return g.slowdownTempC !== undefined && g.slowdownTempC - 2 < 90 ? g.slowdownTempC - 2 : 90;
}

export const highTemperature: BuiltinEntry = builtin(
	{name: 'high_temperature', group: 'gpu', recommendation: 'Check cooling system and reduce load'},
	{
		severity: 'warning',
		forMs: 30_000,
		description: 'temperature > 85 °C for 30 s (warning), > 90 °C or the GPU\'s slowdown - 2 (critical); clears below 80 °C',
		evaluate: (ctx, emit) =>
			forGpus(ctx, emit, TEMP, (g, labels) => {
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
	},
	{
		series: 'gpu_temperature_celsius',
		condition: 'value > 85',
		severity: 'critical',
		stale_after: 'gpu',
		message: 'GPU {{gpu}} temperature {{value | round 0}} °C > 85 °C',
		description: 'temperature > 85 °C (the seed\'s collector)',
	},
);

export const gpuTemperatureCritical: BuiltinEntry = builtin(
	{name: 'gpu_temperature_critical', group: 'system', recommendation: 'Immediate action required'},
	{
		severity: 'critical',
		forMs: 15_000,
		description: 'temperature > 90 °C (or the GPU\'s slowdown - 2) for 15 s; clears below 85 °C',
		evaluate: (ctx, emit) =>
			forGpus(ctx, emit, TEMP, (g, labels) => {
				const t = g.temperatureC.lastValue() ?? Number.NaN;
				const limit = criticalTemp(g);
				emit({labels, breach: t > limit, clear: t < limit - 5, value: t, message: () => `GPU temperature critical (${fmt(t, 0)} °C > ${limit} °C)`});
			}),
	},
	{
		series: 'gpu_temperature_celsius',
		condition: 'value > 90',
		severity: 'critical',
		stale_after: 'gpu',
		message: 'GPU temperature critical ({{value | round 0}} °C > 90 °C)',
		description: 'temperature > 90 °C',
	},
);

export const memoryExhaustion: BuiltinEntry = builtin(
	{name: 'memory_exhaustion', group: 'gpu', recommendation: 'Enable gradient checkpointing or reduce batch size'},
	{
		series: 'gpu_memory_percent',
		condition: 'value > 95',
		recovery: 'value < 90',
		for: '15s',
		severity: 'critical',
		stale_after: 'gpu',
		message: 'GPU {{gpu}} memory at {{value | round 1}}%',
		description: 'memory used > 95% of total for 15 s; clears below 90%',
	},
	{
		series: 'gpu_memory_percent',
		condition: 'value > 95',
		severity: 'critical',
		stale_after: 'gpu',
		message: 'GPU {{gpu}} memory at {{value | round 1}}%',
		description: 'memory used > 95% of total',
	},
);

const LEAK = {windowMs: 5 * 60_000, minSamples: 10, growthMb: 1000, minR2: 0.8, maxStepShare: 0.25, horizonMs: 30 * 60_000} as const;

/**
Leak: over 5 minutes (>= 10 samples) the least-squares fit of memory on time grows > 1 GB with R² >= 0.8, and no
single step carries more than 25% of the growth (a caching allocator ratchets in a few big steps; a leak creeps).
Critical when the fit reaches the GPU's total within 30 minutes (time to OOM, Prometheus's predict_linear idiom).
*/
export const memoryLeakDetection: BuiltinEntry = builtin(
	{name: 'memory_leak_detection', group: 'system', recommendation: 'Potential memory leak: check for tensors kept across steps'},
	{
		severity: 'warning',
		forMs: 60_000,
		keepFiringForMs: 120_000,
		description: 'OLS growth over 5 min > 1 GB with R² >= 0.8 and no single step > 25% of it; critical when the fit reaches total memory within 30 min',
		evaluate: (ctx, emit) =>
			forGpus(ctx, emit, MEM, (g, labels) => {
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
	},
	{
		severity: 'warning',
		description: 'the last 10 memory samples strictly increasing and > 1 GB apart (an allocator ratchet trips it; one flat sample hides a leak)',
		evaluate: (ctx, emit) =>
			forGpus(ctx, emit, MEM, (g, labels) => {
				const v = g.memoryUsedMb.tailValues(10);
				let increasing = v.length === 10;
				for (let i = 1; i < v.length && increasing; i++) if (v[i]! <= v[i - 1]!) increasing = false;
				const growth = v.length === 10 ? v[9]! - v[0]! : 0;
				emit({labels, breach: increasing && growth > 1000, value: growth, message: () => `Potential memory leak: GPU ${labels.gpu} memory +${fmt(growth, 0)} MiB over 10 samples`});
			}),
	},
);

/** The project a context:project:{id} status says is training, if any (arms the low-utilization rule). */
function training(ctx: RuleContext): string | undefined {
	return ctx.input.projects.find((p) => p.status === 'training')?.id;
}

export const lowUtilization: BuiltinEntry = builtin(
	{name: 'low_utilization', group: 'gpu', recommendation: 'Training may be I/O bound or underutilizing GPU'},
	{
		severity: 'warning',
		forMs: 60_000,
		description: 'mean utilization over 1 min (>= 5 samples) < 30% for 1 min while a project is "training"; clears above 40%',
		evaluate: (ctx, emit) => {
			const project = training(ctx);
			if (project === undefined) return;
			forGpus(ctx, emit, UTIL, (g, labels) => {
				const w = g.utilizationPercent.since(ctx.input.nowMs - 60_000).values;
				if (w.length < 5) return;
				const u = mean(w);
				emit({labels, breach: u < 30, clear: u > 40, value: u, message: () => `GPU ${labels.gpu} utilization ${fmt(u, 0)}% (1 min mean) while ${project} is training`});
			});
		},
	},
	{
		severity: 'warning',
		description: 'utilization < 30% while a context:project:{id} status is "training"',
		evaluate: (ctx, emit) => {
			const project = training(ctx);
			if (project === undefined) return;
			forGpus(ctx, emit, UTIL, (g, labels) => {
				const u = g.utilizationPercent.lastValue() ?? Number.NaN;
				emit({labels, breach: u < 30, value: u, message: () => `GPU ${labels.gpu} utilization ${fmt(u, 0)}% while ${project} is training`});
			});
		},
	},
);

export const gpuLost: BuiltinEntry = builtin(
	{name: 'gpu_lost', group: 'gpu', recommendation: 'Check dmesg for XID errors; the node may need a reset'},
	{
		severity: 'critical',
		description: 'a GPU disappeared from nvidia-smi\'s output (fell off the bus)',
		evaluate: (ctx, emit) => {
			for (const g of ctx.input.gpus ?? [])
				emit({labels: gpuLabels(g.index, g.id), breach: g.lost, value: g.lost ? 1 : 0, message: `GPU ${g.index} (${g.name}) lost`});
		},
	},
);


/*
GPU health (src/gpu/gpu-health.ts): thresholds on the health series, as data. A GPU whose driver does not give a field
has no such series, and the rule stays silent for it.
*/

export const gpuThermalThrottling: BuiltinEntry = builtin(
	{
		name: 'gpu_thermal_throttling',
		group: 'gpu',
		recommendation: 'The GPU lowers its clocks for heat: check airflow, fans, inlet temperature and dust; a hot neighbour or a blocked slot is common',
	},
	{
		series: 'gpu_throttle_thermal',
		condition: 'avg(5m) > 0.5',
		recovery: 'avg(5m) < 0.1',
		for: '1m',
		severity: 'warning',
		stale_after: 'gpu',
		message: 'GPU {{gpu}} throttled for heat (share of the last 5 min: {{value | round 2}})',
		description: 'a thermal clock event reason (HW or SW thermal slowdown) active more than half of the last 5 min, for 1 min (a flapping throttle counts); clears below 10%',
	},
);

export const gpuPowerThrottling: BuiltinEntry = builtin(
	{
		name: 'gpu_power_throttling',
		group: 'gpu',
		recommendation: 'The GPU runs at its power cap: compare power.limit with the default limit (nvidia-smi -q -d POWER); a lowered cap or a power brake (PSU) costs throughput',
	},
	{
		series: 'gpu_throttle_power',
		condition: 'avg(15m) > 0.9',
		recovery: 'avg(15m) < 0.5',
		for: '5m',
		severity: 'info',
		stale_after: 'gpu',
		message: 'GPU {{gpu}} held at its power limit (share of the last 15 min: {{value | round 2}})',
		description: 'a power clock event reason (SW power cap, HW power brake) active over 90% of the last 15 min, for 5 min; info, since a busy GPU often sits at its cap; clears below 50%',
	},
);

export const gpuXid: BuiltinEntry = builtin(
	{
		name: 'gpu_xid',
		group: 'gpu',
		recommendation: 'Look the Xid up in NVIDIA\'s Xid catalogue and check dmesg; 48, 63, 64, 74, 79, 92, 94, 95 point at the hardware (drain the GPU), 13, 31, 43 usually at the application',
	},
	{
		series: 'gpu_xid_total',
		condition: 'increase(10m) > 0',
		severity: 'warning',
		stale_after: 'gpu',
		message: 'GPU {{gpu}}: {{value | round 0}} new Xid event(s) in the last 10 min',
		description: 'a new Xid event on the GPU (from the lines nvidia-smi prints); resolves 10 min after the last one',
	},
);

export const gpuEccUncorrectable: BuiltinEntry = builtin(
	{
		name: 'gpu_ecc_uncorrectable',
		group: 'gpu',
		recommendation: 'Drain the GPU: an uncorrectable ECC error can corrupt results; a GPU reset clears the volatile count and retires or remaps the bad memory',
	},
	{
		series: 'gpu_ecc_uncorrected_volatile',
		condition: 'value > 0',
		severity: 'critical',
		stale_after: 'gpu',
		message: 'GPU {{gpu}}: {{value | round 0}} uncorrectable ECC error(s) since the driver loaded',
		description: 'the volatile uncorrectable ECC count above 0; clears after a reset (the count goes back to 0)',
	},
);

export const gpuPcieLinkDegraded: BuiltinEntry = builtin(
	{
		name: 'gpu_pcie_link_degraded',
		group: 'gpu',
		recommendation: 'The PCIe link trained below its maximum: reseat the GPU or its riser, check the slot and the BIOS link settings; host-to-GPU copies slow down',
	},
	{
		series: 'gpu_pcie_link_degraded',
		condition: 'value > 0',
		for: '2m',
		severity: 'warning',
		stale_after: 'gpu',
		message: 'GPU {{gpu}} PCIe link below its maximum (width, or generation while busy)',
		description: 'the link width below its maximum, or its generation below its maximum while the GPU is >= 50% busy (idle GPUs lower it to save power), for 2 min',
	},
);
