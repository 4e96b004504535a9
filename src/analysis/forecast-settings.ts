/** The forecasts' settings from the config's `sla:` and `training:` sections (validated by config.ts). Pure. */
import {durationValue} from '../rules/duration.js';
import {type TrainingTargets} from './loss-eta.js';
import {DEFAULT_SLA, type SlaSettings} from './sla-budget.js';

export interface ForecastSettings {
	readonly sla: SlaSettings;
	readonly training: TrainingTargets;
}

export const DEFAULT_FORECASTS: ForecastSettings = {sla: DEFAULT_SLA, training: {}};

interface ForecastSections {
	readonly sla?: {readonly objective?: number; readonly window?: string | number; readonly burnWindow?: string | number};
	readonly training?: TrainingTargets;
}

/** The settings, defaults filled in; a burn window longer than the window is cut to it. */
export function forecastSettingsFrom(config: ForecastSections): ForecastSettings {
	const windowMs = durationValue(config.sla?.window) ?? DEFAULT_SLA.windowMs;
	const burnWindowMs = Math.min(windowMs, durationValue(config.sla?.burnWindow) ?? DEFAULT_SLA.burnWindowMs);
	const training = config.training ?? {};
	return {
		sla: {objective: config.sla?.objective ?? DEFAULT_SLA.objective, windowMs, burnWindowMs},
		training: {...(training.targetLoss !== undefined ? {targetLoss: training.targetLoss} : {}), ...(training.targets !== undefined ? {targets: training.targets} : {})},
	};
}
