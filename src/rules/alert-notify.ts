/**
What the rules part announces, as Prometheus's rule manager gets a NotifyFunc: one message per transition on the
seed's events:alerts:{group} channel, and the seed's insights for a slow workflow step and for an error that
followed a hot GPU. The messages are pure functions; `alertNotifier` binds them to a publish function (the bus's
output publish, which sends only from the writer instance).
*/
import {ALERT_CHANNELS, messageSource, OUTPUT_CHANNELS} from '../contract/names.js';
import {isoTime} from '../contract/time.js';
import {type AlertTransition} from './engine.js';

/** Announce transitions (those with `send` unset are recorded, not announced). */
export type NotifyFunc = (transitions: readonly AlertTransition[]) => void;

/** The message published on events:alerts:{group}: the seed's fields (rule/type, severity, message, timestamp) and ours. */
function alertMessage(t: AlertTransition, instanceId: string): Record<string, unknown> {
	const labels = t.labels;
	return {
		rule: t.rule,
		type: t.rule,
		severity: t.severity,
		state: t.kind,
		message: t.message,
		...(labels['project'] !== undefined ? {projectId: labels['project']} : {}),
		labels,
		value: Number.isFinite(t.value) ? t.value : String(t.value),
		alertId: t.id,
		activeAt: isoTime(t.activeAtMs),
		...(t.firedAtMs !== undefined ? {firedAt: isoTime(t.firedAtMs)} : {}),
		...(t.recommendation !== undefined ? {recommendation: t.recommendation} : {}),
		timestamp: isoTime(t.timeMs),
		source: messageSource(instanceId),
	};
}

/** The seed's events:insights:workflows message for a step that is consistently slow. */
export function slowStepInsight(t: AlertTransition, instanceId: string): Record<string, unknown> {
	return {
		type: 'slow_step_detected',
		workflowId: t.labels['workflow'] ?? null,
		stepId: t.labels['step'] ?? null,
		avgDuration: Number.isFinite(t.value) ? t.value : null,
		recommendation: 'Consider parallelization or resource optimization',
		timestamp: isoTime(t.timeMs),
		source: messageSource(instanceId),
	};
}

/** The seed's events:insights:correlations message for an error that followed a hot GPU. */
export function correlationInsight(t: AlertTransition, errorId: string | undefined, instanceId: string): Record<string, unknown> {
	return {
		type: 'error_performance_correlation',
		errorId: errorId ?? null,
		possibleCause: 'high_gpu_temperature',
		avgTemp: Number.isFinite(t.value) ? t.value : null,
		recommendation: 'Check GPU cooling before retrying',
		timestamp: isoTime(t.timeMs),
		source: messageSource(instanceId),
	};
}

export interface NotifierOptions {
	/** Publish one of our outputs (sent only by the instance that writes the shared keys). */
	readonly publish: (channel: string, message: string) => void;
	readonly instanceId: string;
	/** The newest critical error's id, for the correlation insight. */
	readonly latestErrorId: () => string | undefined;
}

/** The NotifyFunc over a publish function. */
export function alertNotifier(options: NotifierOptions): NotifyFunc {
	const {publish, instanceId} = options;
	return (transitions) => {
		for (const t of transitions) {
			if (!t.send || t.kind === 'cancelled') continue;
			publish(ALERT_CHANNELS[t.group], JSON.stringify(alertMessage(t, instanceId)));
			// The seed sends this correlation to error-coordinator as an insight, not only as an alert.
			// And a slow workflow step goes to workflow-orchestrator as the seed's insight.
			if (t.rule === 'slow_step_detected' && t.kind === 'firing') publish(OUTPUT_CHANNELS.insightsWorkflows, JSON.stringify(slowStepInsight(t, instanceId)));
			if (t.rule === 'error_performance_correlation' && t.kind === 'firing')
				publish(OUTPUT_CHANNELS.insightsCorrelations, JSON.stringify(correlationInsight(t, options.latestErrorId(), instanceId)));
		}
	};
}
