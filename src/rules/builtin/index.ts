/**
The built-in rules, by area (training, gpu, tasks, agents, system): the seed's rules, each in two variants, `seed`
(the specification's rule as written, kept under its name) and `sound` (the default: the same intent without the
flaws listed in the alerting reference, §4.4), plus the rules training needs that the seed lacks (non-finite loss,
loss spike, lost GPU). Plain thresholds are data in the user rules' format; detectors are code (common.ts).
Every detector is a pure function of the rule input; the lifecycle (for, recovery, keep_firing_for, nodata) is the
engine's.
*/
import {type Rule} from '../rule-types.js';
import {type BuiltinEntry} from './common.js';
import {convergenceDetected, highTrainingLoss, lossPlateau, lossSpike, nonFiniteLoss} from './training.js';
import {
	gpuEccUncorrectable,
	gpuLost,
	gpuPcieLinkDegraded,
	gpuPowerThrottling,
	gpuTemperatureCritical,
	gpuThermalThrottling,
	gpuXid,
	highTemperature,
	lowUtilization,
	memoryExhaustion,
	memoryLeakDetection,
} from './gpu.js';
import {lowThroughput, slaBreach} from './tasks.js';
import {unbalancedLoad} from './agents.js';
import {errorPerformanceCorrelation, slowStepDetected} from './system.js';
import {redisLatencyHigh, redisMemoryHigh} from './redis.js';
import {gpuMemoryFullSoon, slaBudgetExhaustion} from './forecasts.js';

export {TRAINING_STALE_MS} from './common.js';

/** Every built-in rule by name, in the order `rules list` prints them: the sound default, the seed's version when it differs. */
export const BUILTIN_RULES: readonly BuiltinEntry[] = [
	highTrainingLoss,
	nonFiniteLoss,
	lossSpike,
	lossPlateau,
	convergenceDetected,
	highTemperature,
	gpuTemperatureCritical,
	memoryExhaustion,
	memoryLeakDetection,
	lowUtilization,
	gpuLost,
	gpuThermalThrottling,
	gpuPowerThrottling,
	gpuXid,
	gpuEccUncorrectable,
	gpuPcieLinkDegraded,
	lowThroughput,
	slaBreach,
	unbalancedLoad,
	slowStepDetected,
	errorPerformanceCorrelation,
	redisMemoryHigh,
	redisLatencyHigh,
	gpuMemoryFullSoon,
	slaBudgetExhaustion,
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
