/**
PagerDuty Events API v2: one event per alert, `dedup_key` = the alert's id (so the trigger, the acknowledge and the
resolve of one alert are one incident). A firing alert is a `trigger` with a `payload` (summary of at most 1,024
characters, source, severity, timestamp, component, group, class, custom_details) and the runbook in `links`; an
acknowledge notification
sends `acknowledge`, a resolved alert `resolve` (both only routing_key, dedup_key and event_action, as the API
asks). A firing alert already acknowledged in mycotop is not triggered again (its acknowledge went out when it was
given; a trigger of one acknowledged before it was ever sent would page for what someone already took).

Severity: mycotop's critical, warning and info map to PagerDuty's of the same name; PagerDuty's `error` is not
used (mycotop has no such level).
*/
import {createHash} from 'node:crypto';
import {type Notification, type NotifyAlert} from './notify-types.js';
import {rfc3339, truncateText, type PayloadContext} from './outbound.js';

export const PAGERDUTY_LIMITS = {summary: 1024, dedupKey: 255, source: 255} as const;

type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

export interface PagerDutyEvent {
	readonly routing_key: string;
	readonly event_action: PagerDutyAction;
	readonly dedup_key: string;
	readonly payload?: {
		readonly summary: string;
		readonly source: string;
		readonly severity: 'critical' | 'error' | 'warning' | 'info';
		readonly timestamp: string;
		readonly component?: string;
		readonly group?: string;
		readonly class: string;
		readonly custom_details: Readonly<Record<string, unknown>>;
	};
	readonly links?: ReadonlyArray<{readonly href: string; readonly text: string}>;
	readonly client?: string;
	readonly client_url?: string;
}

/** The alert id as a dedup_key: itself when it fits 255 characters, else a prefix and a hash of the whole. */
export function dedupKeyOf(id: string): string {
	if (id.length <= PAGERDUTY_LIMITS.dedupKey) return id;
	const hash = createHash('sha256').update(id).digest('hex').slice(0, 32);
	return `${id.slice(0, PAGERDUTY_LIMITS.dedupKey - hash.length - 1)}~${hash}`;
}

function triggerPayload(a: NotifyAlert, ctx: PayloadContext): NonNullable<PagerDutyEvent['payload']> {
	const summary = truncateText(`[${a.severity}] ${a.rule}: ${a.annotations['summary'] ?? a.rule}`, PAGERDUTY_LIMITS.summary);
	const gpu = a.labels['gpu'];
	const project = a.labels['project'];
	return {
		summary,
		source: truncateText(ctx.source || 'mycotop', PAGERDUTY_LIMITS.source),
		severity: a.severity,
		timestamp: rfc3339(a.startsAtMs),
		...(gpu !== undefined ? {component: `gpu ${gpu}`} : {}),
		...(project !== undefined ? {group: project} : {}),
		class: a.rule,
		custom_details: {
			labels: {...a.labels},
			...Object.fromEntries(Object.entries(a.annotations).filter(([k]) => k !== 'summary')),
			firing_since: rfc3339(a.startsAtMs),
			alert_id: a.id,
		},
	};
}

/** The events for a notification, in alert order. */
export function pagerDutyEvents(n: Notification, routingKey: string, ctx: PayloadContext): PagerDutyEvent[] {
	const client = {client: 'mycotop', ...(ctx.externalUrl ? {client_url: ctx.externalUrl} : {})};
	const out: PagerDutyEvent[] = [];
	for (const a of n.alerts) {
		const dedup_key = dedupKeyOf(a.id);
		if (n.action === 'acknowledge') {
			if (a.status === 'firing') out.push({routing_key: routingKey, event_action: 'acknowledge', dedup_key});
		} else if (a.status === 'resolved') out.push({routing_key: routingKey, event_action: 'resolve', dedup_key});
		else if (a.ack === undefined) {
			const runbook = a.annotations['runbook_url'];
			const links = runbook !== undefined ? {links: [{href: runbook, text: 'Runbook'}]} : {};
			out.push({routing_key: routingKey, event_action: 'trigger', dedup_key, payload: triggerPayload(a, ctx), ...links, ...client});
		}
	}
	return out;
}
