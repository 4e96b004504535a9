/**
A Slack incoming-webhook message for a notification: `text` (the line a phone's notification shows, and what
clients without blocks print) and `blocks`: a header (`[FIRING:8] high_temperature`), then one section per alert
with its severity, rule, labels, message, value, since when (Slack's date token, with the UTC time as fallback),
the recommendation, who acknowledged it, and a runbook link when the rule has one; resolved alerts say when they
resolved. At most 10 alerts are detailed (Slack allows 50 blocks and 3,000 characters a section); a context line
counts the rest. `channel` is sent when configured (older webhooks honour it). Text from alerts is escaped for
Slack's mrkdwn (&, <, >).
*/
import {type Notification, type NotifyAlert} from './notify-types.js';
import {ago, truncateText, type PayloadContext} from './outbound.js';

export const SLACK_LIMITS = {alerts: 10, sectionChars: 3000, headerChars: 150, textChars: 3000} as const;

const EMOJI = {critical: ':rotating_light:', warning: ':warning:', info: ':information_source:', resolved: ':white_check_mark:'} as const;

/** Text for mrkdwn: Slack's three control characters escaped. */
export function slackEscape(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's date token: shown in the reader's time zone; the fallback is the UTC time. */
function slackDate(ms: number): string {
	const fallback = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
	return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

function labelText(alert: NotifyAlert): string {
	const shown = Object.entries(alert.labels).filter(([k]) => k !== 'alertname' && k !== 'severity');
	return shown.length === 0 ? '' : shown.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The title: `[FIRING:3] rule` (or the group's labels when the group holds several rules). */
export function titleOf(n: Notification): string {
	const firing = n.alerts.filter((a) => a.status === 'firing').length;
	const rules = [...new Set(n.alerts.map((a) => a.rule))];
	const what = rules.length === 1 ? rules[0]! : Object.values(n.groupLabels).join(' ') || `${rules.length} rules`;
	return n.status === 'firing' ? `[FIRING:${firing}] ${what}` : `[RESOLVED] ${what}`;
}

function alertSection(a: NotifyAlert, ctx: PayloadContext): string {
	const head = a.status === 'resolved' ? `${EMOJI.resolved} *RESOLVED*` : `${EMOJI[a.severity]} *${a.severity.toUpperCase()}*`;
	const labels = labelText(a);
	const lines = [`${head} · \`${slackEscape(a.rule)}\`${labels ? ` · ${slackEscape(labels)}` : ''}`];
	const summary = a.annotations['summary'];
	if (summary) lines.push(`>${slackEscape(summary)}`);
	const value = a.annotations['value'];
	const since = `since ${slackDate(a.startsAtMs)} (${ago(ctx.nowMs - a.startsAtMs)})`;
	if (a.status === 'resolved') lines.push(`Resolved ${a.endsAtMs !== undefined ? `${slackDate(a.endsAtMs)} ` : ''}after ${ago((a.endsAtMs ?? ctx.nowMs) - a.startsAtMs)}`);
	else lines.push(`${value !== undefined ? `Value *${slackEscape(value)}* · ` : ''}${since}${a.annotations['state'] === 'nodata' ? ' · *no data*' : ''}`);
	const recommendation = a.annotations['recommendation'];
	if (recommendation && a.status === 'firing') lines.push(`_${slackEscape(recommendation)}_`);
	if (a.ack !== undefined && a.status === 'firing')
		lines.push(`:eyes: Acknowledged by ${slackEscape(a.ack.by)} ${ago(ctx.nowMs - a.ack.atMs)} ago${a.ack.comment ? `: “${slackEscape(a.ack.comment)}”` : ''}`);
	const runbook = a.annotations['runbook_url'];
	if (runbook && /^https?:\/\/[^\s|<>]+$/.test(runbook)) lines.push(`<${runbook}|Runbook>`);
	return truncateText(lines.join('\n'), SLACK_LIMITS.sectionChars);
}

export interface SlackMessage {
	readonly text: string;
	readonly blocks: ReadonlyArray<Record<string, unknown>>;
	readonly channel?: string;
}

export function slackMessage(n: Notification, ctx: PayloadContext, channel?: string): SlackMessage {
	const title = titleOf(n);
	const first = n.alerts[0]?.annotations['summary'];
	const more = n.alerts.length > 1 ? ` (and ${n.alerts.length - 1} more)` : '';
	const emoji = n.status === 'resolved' ? EMOJI.resolved : EMOJI[n.alerts.find((a) => a.status === 'firing')?.severity ?? 'info'];
	// The top-level text is mrkdwn too (notifications, fallbacks): escaped like the sections, so a project id such as
	// `<!channel>` in a summary cannot ping a channel.
	const text = truncateText(`${emoji} ${slackEscape(title)}${first ? ` — ${slackEscape(first)}` : ''}${more}`, SLACK_LIMITS.textChars);
	const blocks: Array<Record<string, unknown>> = [{type: 'header', text: {type: 'plain_text', text: truncateText(title, SLACK_LIMITS.headerChars), emoji: true}}];
	for (const a of n.alerts.slice(0, SLACK_LIMITS.alerts)) blocks.push({type: 'section', text: {type: 'mrkdwn', text: alertSection(a, ctx)}});
	const rest = n.alerts.length - SLACK_LIMITS.alerts;
	const footer = [`mycotop · ${slackEscape(ctx.source)}`, ...(rest > 0 ? [`and ${rest} more alert${rest === 1 ? '' : 's'}`] : [])];
	blocks.push({type: 'context', elements: footer.map((t) => ({type: 'mrkdwn', text: t}))});
	return {text, blocks, ...(channel !== undefined ? {channel} : {})};
}
