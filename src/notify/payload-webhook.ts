/**
Alertmanager's webhook payload, version 4, for the webhook receiver (and on the command receiver's stdin), so
anything that takes Alertmanager webhooks takes ours: `receiver`, `status`, `alerts[]` (`status`, `labels`,
`annotations`, `startsAt`, `endsAt` (Go's zero time while firing), `generatorURL`, `fingerprint`), `groupLabels`,
`commonLabels`, `commonAnnotations`, `externalURL`, `version` "4", `groupKey`, `truncatedAlerts`.

The fingerprint is Alertmanager's shape (16 hex digits), here of a SHA-256 of the alert id. An acknowledged alert
carries its ack as annotations (`acknowledged_by`, `acknowledged_at`, `ack_comment`, `ack_until`): Alertmanager has
no ack, and annotations are where extra words go.
*/
import {createHash} from 'node:crypto';
import {type Notification, type NotifyAlert} from './notify-types.js';
import {rfc3339, ZERO_TIME, type PayloadContext} from './outbound.js';

/** 16 hex digits identifying the alert (stable per alert id). */
export function fingerprintOf(id: string): string {
	return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** The annotations an alert is sent with: its own, and its ack. */
function annotationsOf(alert: NotifyAlert): Record<string, string> {
	const out: Record<string, string> = {...alert.annotations};
	if (alert.ack !== undefined) {
		out['acknowledged_by'] = alert.ack.by;
		out['acknowledged_at'] = rfc3339(alert.ack.atMs);
		if (alert.ack.comment !== undefined) out['ack_comment'] = alert.ack.comment;
		if (alert.ack.untilMs !== undefined) out['ack_until'] = rfc3339(alert.ack.untilMs);
	}
	return out;
}

/** The entries every record shares (same key, same value). */
function common(records: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
	const [first, ...rest] = records;
	if (first === undefined) return {};
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(first)) if (rest.every((r) => r[k] === v)) out[k] = v;
	return out;
}

export interface WebhookPayload {
	readonly receiver: string;
	readonly status: 'firing' | 'resolved';
	readonly alerts: ReadonlyArray<{
		readonly status: 'firing' | 'resolved';
		readonly labels: Readonly<Record<string, string>>;
		readonly annotations: Readonly<Record<string, string>>;
		readonly startsAt: string;
		readonly endsAt: string;
		readonly generatorURL: string;
		readonly fingerprint: string;
	}>;
	readonly groupLabels: Readonly<Record<string, string>>;
	readonly commonLabels: Readonly<Record<string, string>>;
	readonly commonAnnotations: Readonly<Record<string, string>>;
	readonly externalURL: string;
	readonly version: '4';
	readonly groupKey: string;
	readonly truncatedAlerts: number;
}

/** The payload for a notification; `maxAlerts` > 0 keeps that many alerts and counts the rest in truncatedAlerts. */
export function webhookPayload(n: Notification, ctx: PayloadContext, maxAlerts = 0): WebhookPayload {
	const kept = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
	const alerts = kept.map((a) => ({
		status: a.status,
		labels: {...a.labels},
		annotations: annotationsOf(a),
		startsAt: rfc3339(a.startsAtMs),
		endsAt: a.status === 'resolved' && a.endsAtMs !== undefined ? rfc3339(a.endsAtMs) : ZERO_TIME,
		generatorURL: ctx.externalUrl,
		fingerprint: fingerprintOf(a.id),
	}));
	return {
		receiver: n.receiver,
		status: n.status,
		alerts,
		groupLabels: {...n.groupLabels},
		// Over every alert of the group, as Alertmanager computes them before truncating.
		commonLabels: common(n.alerts.map((a) => a.labels)),
		commonAnnotations: common(n.alerts.map(annotationsOf)),
		externalURL: ctx.externalUrl,
		version: '4',
		groupKey: n.groupKey,
		truncatedAlerts: n.alerts.length - kept.length,
	};
}
