/**
An ntfy message for a notification, published as JSON to the server root (`{topic, title, message, priority, tags,
click}`): the JSON form carries any characters in the title (HTTP headers would need them encoded). Priority from
the most severe firing alert: critical 5 (urgent), warning 4 (high), info 3 (default); a resolved message is 2
(low). Tags are emoji short codes ntfy shows before the title. The message lists at most 20 alerts (500 bytes each at most) and
stays under ntfy's 4,096-byte limit (longer messages become attachments there).
*/
import {type Notification, type NotifySeverity} from './notify-types.js';
import {ago, truncateBytes, type PayloadContext} from './outbound.js';
import {titleOf} from './payload-slack.js';

export const NTFY_LIMITS = {alerts: 20, messageBytes: 4000, lineBytes: 500} as const;

const PRIORITY: Readonly<Record<NotifySeverity, 3 | 4 | 5>> = {critical: 5, warning: 4, info: 3};
const TAG: Readonly<Record<NotifySeverity, string>> = {critical: 'rotating_light', warning: 'warning', info: 'information_source'};

export interface NtfyMessage {
	readonly topic: string;
	readonly title: string;
	readonly message: string;
	readonly priority: 1 | 2 | 3 | 4 | 5;
	readonly tags: readonly string[];
	readonly click?: string;
}

export function ntfyMessage(n: Notification, topic: string, ctx: PayloadContext): NtfyMessage {
	const firing = n.alerts.filter((a) => a.status === 'firing');
	const worst = firing.reduce<NotifySeverity | undefined>((w, a) => (w === undefined || PRIORITY[a.severity] > PRIORITY[w] ? a.severity : w), undefined);
	const lines: string[] = [];
	let bytes = 0;
	for (const a of n.alerts) {
		const text = a.annotations['summary'] ?? a.rule;
		const acked = a.ack !== undefined ? ` · acknowledged by ${a.ack.by}` : '';
		const line = truncateBytes(a.status === 'resolved' ? `✅ resolved: ${text}` : `${a.severity.toUpperCase()} ${text} (for ${ago(ctx.nowMs - a.startsAtMs)})${acked}`, NTFY_LIMITS.lineBytes);
		const size = Buffer.byteLength(line, 'utf8') + 1;
		// Room is kept for the closing "and N more".
		if (lines.length === NTFY_LIMITS.alerts || bytes + size > NTFY_LIMITS.messageBytes - 32) break;
		lines.push(line);
		bytes += size;
	}
	if (lines.length < n.alerts.length) lines.push(`and ${n.alerts.length - lines.length} more`);
	const runbook = n.alerts.find((a) => a.annotations['runbook_url'] !== undefined)?.annotations['runbook_url'];
	const click = runbook ?? (ctx.externalUrl || undefined);
	return {
		topic,
		title: titleOf(n),
		message: lines.join('\n'),
		priority: worst === undefined ? 2 : PRIORITY[worst],
		tags: [worst === undefined ? 'white_check_mark' : TAG[worst], 'mycotop'],
		...(click !== undefined ? {click} : {}),
	};
}
