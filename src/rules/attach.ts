/** The rules part from the config's `rules` and `alerting` sections and the GPU part's readings. */
import {type MycotopConfig} from '../config/config.js';
import {type GpuQuery} from '../gpu/gpu-store.js';
import {durationValue} from './duration.js';
import {GpuTracker} from './gpu-tracker.js';
import {RulesPart, type RulesHost} from './rules-part.js';
import {compileRules} from './user-rules.js';

export interface AlertingSettings {
	readonly evaluationIntervalMs: number;
	readonly repeatIntervalMs: number;
	readonly staleAfterMs: number;
}

export function alertingSettings(config: MycotopConfig): AlertingSettings {
	const raw = (config.raw['alerting'] ?? {}) as Record<string, unknown>;
	return {
		evaluationIntervalMs: Math.max(50, durationValue(raw['evaluationInterval']) ?? 1000),
		repeatIntervalMs: durationValue(raw['repeatInterval']) ?? 5 * 60_000,
		staleAfterMs: durationValue(raw['staleAfter']) ?? 15_000,
	};
}

/** GPU readings for the rules from the GPU part's query API (history seeds each GPU's series once). */
export function gpuSourceFrom(query: GpuQuery): (now: number) => ReturnType<GpuTracker['update']> {
	const tracker = new GpuTracker(1800, (uuid, metric) => query.series(uuid, metric));
	return (now) => {
		const status = query.status();
		return tracker.update({state: status.state, gpus: query.rows(), ...(status.lastFrameMs !== undefined ? {lastFrameMs: status.lastFrameMs} : {})}, now);
	};
}

export function rulesPartFrom(host: RulesHost, config: MycotopConfig, gpu?: GpuQuery): RulesPart {
	const settings = alertingSettings(config);
	return new RulesPart(host, {
		rules: compileRules(config.rules),
		evaluationIntervalMs: settings.evaluationIntervalMs,
		repeatIntervalMs: settings.repeatIntervalMs,
		staleAfterMs: settings.staleAfterMs,
		...(gpu !== undefined ? {gpus: gpuSourceFrom(gpu)} : {}),
	});
}
