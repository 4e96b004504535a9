/** The payload builders, field by field against the published formats (reference/notifications.md). */
import {inspect} from 'node:util';
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../src/config/config.js';
import {type NotifyConfig, type ReceiverConfig} from '../../src/notify/notify-config.js';
import {type Notification, type NotifyAlert} from '../../src/notify/notify-types.js';
import {ago, truncateBytes, truncateText, ZERO_TIME, type HttpRequest, type PayloadContext} from '../../src/notify/outbound.js';
import {deliveryFor} from '../../src/notify/payloads.js';
import {fingerprintOf, webhookPayload} from '../../src/notify/payload-webhook.js';
import {slackEscape, slackMessage, SLACK_LIMITS} from '../../src/notify/payload-slack.js';
import {dedupKeyOf, PAGERDUTY_LIMITS, pagerDutyEvents} from '../../src/notify/payload-pagerduty.js';
import {ntfyMessage, NTFY_LIMITS} from '../../src/notify/payload-ntfy.js';
import {receiverSecrets} from '../../src/notify/notify-config.js';

const T0 = Date.UTC(2026, 11, 6, 3, 0, 0);
const CTX: PayloadContext = {nowMs: T0 + 5 * 60_000, externalUrl: 'http://box.example:9090', source: 'gpu-box-1'};

function alert(gpu: string, extra: Partial<NotifyAlert> = {}): NotifyAlert {
	return {
		id: `high_temperature{gpu="${gpu}",uuid="GPU-${gpu}"}`,
		rule: 'high_temperature',
		severity: 'critical',
		labels: {gpu, uuid: `GPU-${gpu}`, alertname: 'high_temperature', severity: 'critical'},
		annotations: {summary: `GPU ${gpu} temperature 91 °C`, description: 'temperature > 85 °C for 30 s', recommendation: 'Check cooling system and reduce load', value: '91'},
		status: 'firing',
		startsAtMs: T0,
		...extra,
	};
}

function notification(alerts: NotifyAlert[], extra: Partial<Notification> = {}): Notification {
	return {
		receiver: 'team',
		groupKey: '{}:{alertname="high_temperature"}',
		groupLabels: {alertname: 'high_temperature'},
		status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
		alerts,
		contentHash: 'h',
		repeatIntervalMs: 4 * 3_600_000,
		reason: 'new',
		timeMs: CTX.nowMs,
		...extra,
	};
}

const ENV = {SLACK: 'https://hooks.slack.com/services/T1/B2/SLACKSECRET', PD: 'PDROUTINGKEYSECRET0123456789abcd', NTFY: 'tk_NTFYSECRET'};
const CONFIG: NotifyConfig = (() => {
	const r = parseConfig(
		`notify:
  receivers:
    - {name: hook, webhook: {url: "http://127.0.0.1:1/hook?token=HOOKSECRET", max_alerts: 2}}
    - {name: team, slack: {url: "\${SLACK}", channel: "#gpu"}}
    - {name: oncall, pagerduty: {routing_key: "\${PD}", url: "http://127.0.0.1:1/v2/enqueue"}}
    - {name: phone, ntfy: {url: "http://127.0.0.1:1/base/box-alerts", token: "\${NTFY}"}}
    - {name: mail, command: {argv: [/bin/mail-alert, "--to", ops], timeout: 3s}}
  route: {receiver: team}
`,
		'c.yaml',
		ENV,
	);
	if (!r.ok) throw new Error(JSON.stringify(r.issues));
	return r.config.notify!;
})();
const receiver = (name: string): ReceiverConfig => CONFIG.receivers.get(name)!;
const only = (name: string, n: Notification): HttpRequest => {
	const d = deliveryFor(receiver(name), n, CTX);
	if (d.type !== 'http' || d.requests.length !== 1) throw new Error('expected one request');
	return d.requests[0]!;
};

describe('Alertmanager webhook v4', () => {
	it('has every top-level and per-alert field, with Alertmanager\'s values', () => {
		const resolved = alert('1', {status: 'resolved', endsAtMs: T0 + 60_000, annotations: {summary: 'GPU 1 temperature 70 °C', description: 'temperature > 85 °C for 30 s', value: '70'}});
		const acked = alert('0', {ack: {by: 'ana@box', atMs: T0 + 90_000, comment: 'on it', untilMs: T0 + 3_600_000}});
		const p = webhookPayload(notification([acked, resolved]), CTX);
		expect(Object.keys(p)).toEqual(['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
		expect(p.receiver).toBe('team');
		expect(p.status).toBe('firing');
		expect(p.version).toBe('4');
		expect(p.groupKey).toBe('{}:{alertname="high_temperature"}');
		expect(p.truncatedAlerts).toBe(0);
		expect(p.externalURL).toBe('http://box.example:9090');
		expect(p.groupLabels).toEqual({alertname: 'high_temperature'});
		expect(p.commonLabels).toEqual({alertname: 'high_temperature', severity: 'critical'});
		expect(p.commonAnnotations).toEqual({description: 'temperature > 85 °C for 30 s'});
		expect(p.alerts).toHaveLength(2);
		const [a, r] = p.alerts;
		expect(Object.keys(a!)).toEqual(['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
		expect(a).toEqual({
			status: 'firing',
			labels: {gpu: '0', uuid: 'GPU-0', alertname: 'high_temperature', severity: 'critical'},
			annotations: {
				summary: 'GPU 0 temperature 91 °C',
				description: 'temperature > 85 °C for 30 s',
				recommendation: 'Check cooling system and reduce load',
				value: '91',
				acknowledged_by: 'ana@box',
				acknowledged_at: '2026-12-06T03:01:30.000Z',
				ack_comment: 'on it',
				ack_until: '2026-12-06T04:00:00.000Z',
			},
			startsAt: '2026-12-06T03:00:00.000Z',
			endsAt: ZERO_TIME,
			generatorURL: 'http://box.example:9090',
			fingerprint: fingerprintOf(acked.id),
		});
		expect(a!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
		expect(r).toMatchObject({status: 'resolved', endsAt: '2026-12-06T03:01:00.000Z', startsAt: '2026-12-06T03:00:00.000Z'});
		expect(ZERO_TIME).toBe('0001-01-01T00:00:00Z');
		// RFC 3339 times, as Alertmanager's.
		expect(Number.isNaN(Date.parse(a!.startsAt))).toBe(false);
		expect(webhookPayload(notification([resolved]), CTX).status).toBe('resolved');
	});

	it('truncates to max_alerts and counts the rest; common labels stay those of every alert', () => {
		const req = only('hook', notification([alert('0'), alert('1'), alert('2')]));
		expect(req.url).toBe('http://127.0.0.1:1/hook?token=HOOKSECRET');
		expect(req.headers).toEqual({'Content-Type': 'application/json', 'User-Agent': 'mycotop'});
		const body = JSON.parse(req.body) as ReturnType<typeof webhookPayload>;
		expect(body.alerts).toHaveLength(2);
		expect(body.truncatedAlerts).toBe(1);
		expect(body.receiver).toBe('team');
	});
});

describe('Slack incoming webhook', () => {
	it('reads as a message: text, header, a section per alert with severity, rule, labels, value, since, runbook', () => {
		const withRunbook = alert('0', {annotations: {...alert('0').annotations, runbook_url: 'https://wiki.example/hot-gpu'}});
		const m = slackMessage(notification([withRunbook, alert('1')]), CTX, '#gpu');
		expect(m.channel).toBe('#gpu');
		expect(m.text).toBe(':rotating_light: [FIRING:2] high_temperature — GPU 0 temperature 91 °C (and 1 more)');
		expect(m.blocks[0]).toEqual({type: 'header', text: {type: 'plain_text', text: '[FIRING:2] high_temperature', emoji: true}});
		const section = (m.blocks[1] as {type: string; text: {type: string; text: string}});
		expect(section.type).toBe('section');
		expect(section.text.type).toBe('mrkdwn');
		expect(section.text.text.split('\n')).toEqual([
			':rotating_light: *CRITICAL* · `high_temperature` · gpu=0, uuid=GPU-0',
			'>GPU 0 temperature 91 °C',
			'Value *91* · since <!date^1796526000^{date_short_pretty} {time}|2026-12-06T03:00:00Z> (5m)',
			'_Check cooling system and reduce load_',
			'<https://wiki.example/hot-gpu|Runbook>',
		]);
		expect((m.blocks[2] as {text: {text: string}}).text.text).not.toContain('Runbook');
		expect(m.blocks.at(-1)).toEqual({type: 'context', elements: [{type: 'mrkdwn', text: 'mycotop · gpu-box-1'}]});
	});

	it('says resolved, and who acknowledged with the comment', () => {
		const resolved = alert('1', {status: 'resolved', endsAtMs: T0 + 4 * 60_000});
		const acked = alert('0', {ack: {by: 'ana@box', atMs: T0 + 60_000, comment: 'fan <replaced>'}});
		const m = slackMessage(notification([acked, resolved]), CTX);
		expect(m.channel).toBeUndefined();
		const texts = m.blocks.slice(1, 3).map((b) => (b as {text: {text: string}}).text.text);
		expect(texts[0]).toContain(':eyes: Acknowledged by ana@box 4m ago: “fan &lt;replaced&gt;”');
		expect(texts[1]!.split('\n')[0]).toBe(':white_check_mark: *RESOLVED* · `high_temperature` · gpu=1, uuid=GPU-1');
		expect(texts[1]).toContain('Resolved <!date^1796526240^{date_short_pretty} {time}|2026-12-06T03:04:00Z> after 4m');
		const all = slackMessage(notification([resolved]), CTX);
		expect(all.text).toBe(':white_check_mark: [RESOLVED] high_temperature — GPU 1 temperature 91 °C');
	});

	it('details at most 10 alerts and counts the rest; escapes mrkdwn', () => {
		const many = Array.from({length: 13}, (_, i) => alert(String(i)));
		const m = slackMessage(notification(many), CTX);
		expect(m.blocks.filter((b) => b['type'] === 'section')).toHaveLength(SLACK_LIMITS.alerts);
		expect(m.blocks.at(-1)).toEqual({type: 'context', elements: [{type: 'mrkdwn', text: 'mycotop · gpu-box-1'}, {type: 'mrkdwn', text: 'and 3 more alerts'}]});
		expect(m.blocks.length).toBeLessThanOrEqual(50);
		expect(slackEscape('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
		const long = alert('0', {annotations: {summary: 'x'.repeat(5000)}});
		const text = (slackMessage(notification([long]), CTX).blocks[1] as {text: {text: string}}).text.text;
		expect(text.length).toBeLessThanOrEqual(3000);
	});

	it('is posted to the webhook URL as JSON', () => {
		const req = only('team', notification([alert('0')]));
		expect(req).toMatchObject({method: 'POST', url: ENV.SLACK, key: 'slack'});
		expect(JSON.parse(req.body)).toMatchObject({text: expect.any(String), blocks: expect.any(Array), channel: '#gpu'});
	});
});

describe('PagerDuty Events API v2', () => {
	it('triggers with dedup_key = alert id and a full payload', () => {
		const [e] = pagerDutyEvents(notification([alert('0', {labels: {gpu: '0', uuid: 'GPU-0', alertname: 'high_temperature', severity: 'critical', project: 'llm'}})]), 'KEY', CTX);
		expect(Object.keys(e!)).toEqual(['routing_key', 'event_action', 'dedup_key', 'payload', 'client', 'client_url']);
		expect(e).toMatchObject({routing_key: 'KEY', event_action: 'trigger', dedup_key: 'high_temperature{gpu="0",uuid="GPU-0"}', client: 'mycotop', client_url: 'http://box.example:9090'});
		expect(e!.payload).toEqual({
			summary: '[critical] high_temperature: GPU 0 temperature 91 °C',
			source: 'gpu-box-1',
			severity: 'critical',
			timestamp: '2026-12-06T03:00:00.000Z',
			component: 'gpu 0',
			group: 'llm',
			class: 'high_temperature',
			custom_details: {
				labels: {gpu: '0', uuid: 'GPU-0', alertname: 'high_temperature', severity: 'critical', project: 'llm'},
				description: 'temperature > 85 °C for 30 s',
				recommendation: 'Check cooling system and reduce load',
				value: '91',
				firing_since: '2026-12-06T03:00:00.000Z',
				alert_id: 'high_temperature{gpu="0",uuid="GPU-0"}',
			},
		});
	});

	it('links the runbook when the rule has one', () => {
		const [e] = pagerDutyEvents(notification([alert('0', {annotations: {summary: 's', runbook_url: 'https://wiki.example/r'}})]), 'K', {...CTX, externalUrl: ''});
		expect(Object.keys(e!)).toEqual(['routing_key', 'event_action', 'dedup_key', 'payload', 'links', 'client']);
		expect(e!.links).toEqual([{href: 'https://wiki.example/r', text: 'Runbook'}]);
		expect(e!.payload!.custom_details['runbook_url']).toBe('https://wiki.example/r');
	});

	it('maps severities, bounds the summary to 1024 characters and the dedup_key to 255', () => {
		for (const severity of ['critical', 'warning', 'info'] as const)
			expect(pagerDutyEvents(notification([alert('0', {severity})]), 'K', CTX)[0]!.payload!.severity).toBe(severity);
		const long = pagerDutyEvents(notification([alert('0', {annotations: {summary: '°'.repeat(3000)}})]), 'K', CTX)[0]!;
		expect(long.payload!.summary.length).toBe(PAGERDUTY_LIMITS.summary);
		expect(long.payload!.summary.endsWith('…')).toBe(true);
		const id = `r{${'x'.repeat(400)}}`;
		const key = dedupKeyOf(id);
		expect(key.length).toBe(PAGERDUTY_LIMITS.dedupKey);
		expect(dedupKeyOf(`r{${'x'.repeat(399)}y}`)).not.toBe(key);
		expect(dedupKeyOf('short')).toBe('short');
	});

	it('acknowledges and resolves with only routing_key, dedup_key and event_action; an acked alert is not re-triggered', () => {
		const a = alert('0', {ack: {by: 'ana@box', atMs: T0}});
		expect(pagerDutyEvents(notification([a], {action: 'acknowledge', reason: 'acknowledge'}), 'K', CTX)).toEqual([{routing_key: 'K', event_action: 'acknowledge', dedup_key: a.id}]);
		expect(pagerDutyEvents(notification([{...a, status: 'resolved', endsAtMs: T0 + 1}]), 'K', CTX)).toEqual([{routing_key: 'K', event_action: 'resolve', dedup_key: a.id}]);
		expect(pagerDutyEvents(notification([a, alert('1')]), 'K', CTX).map((e) => `${e.event_action} ${e.dedup_key}`)).toEqual([`trigger ${alert('1').id}`]);
	});

	it('is one POST per event to the configured URL', () => {
		const d = deliveryFor(receiver('oncall'), notification([alert('0'), alert('1', {status: 'resolved', endsAtMs: T0})]), CTX);
		if (d.type !== 'http') throw new Error('http');
		expect(d.requests.map((r) => [r.url, r.key, (JSON.parse(r.body) as {routing_key: string}).routing_key])).toEqual([
			['http://127.0.0.1:1/v2/enqueue', `trigger:${alert('0').id}`, ENV.PD],
			['http://127.0.0.1:1/v2/enqueue', `resolve:${alert('1').id}`, ENV.PD],
		]);
	});
});

describe('ntfy', () => {
	it('publishes JSON to the server root with topic, title, message, priority from severity, tags', () => {
		const req = only('phone', notification([alert('0'), alert('1', {severity: 'warning'})]));
		expect(req.url).toBe('http://127.0.0.1:1/base/');
		expect(req.headers).toEqual({'Content-Type': 'application/json', 'User-Agent': 'mycotop', Authorization: `Bearer ${ENV.NTFY}`});
		expect(JSON.parse(req.body)).toEqual({
			topic: 'box-alerts',
			title: '[FIRING:2] high_temperature',
			message: 'CRITICAL GPU 0 temperature 91 °C (for 5m)\nWARNING GPU 1 temperature 91 °C (for 5m)',
			priority: 5,
			tags: ['rotating_light', 'mycotop'],
			click: 'http://box.example:9090',
		});
	});

	it('maps priority per severity, low for resolved; links the runbook; stays under 4 KB', () => {
		expect(ntfyMessage(notification([alert('0', {severity: 'warning'})]), 't', CTX)).toMatchObject({priority: 4, tags: ['warning', 'mycotop']});
		expect(ntfyMessage(notification([alert('0', {severity: 'info'})]), 't', CTX)).toMatchObject({priority: 3, tags: ['information_source', 'mycotop']});
		const resolved = ntfyMessage(notification([alert('0', {status: 'resolved', endsAtMs: T0})]), 't', CTX);
		expect(resolved).toMatchObject({priority: 2, tags: ['white_check_mark', 'mycotop'], title: '[RESOLVED] high_temperature', message: '✅ resolved: GPU 0 temperature 91 °C'});
		const runbook = ntfyMessage(notification([alert('0', {annotations: {summary: 's', runbook_url: 'https://wiki.example/r'}})]), 't', {...CTX, externalUrl: ''});
		expect(runbook.click).toBe('https://wiki.example/r');
		expect(ntfyMessage(notification([alert('0')]), 't', {...CTX, externalUrl: ''}).click).toBeUndefined();
		const big = ntfyMessage(notification(Array.from({length: 30}, (_, i) => alert(String(i), {annotations: {summary: '°'.repeat(300)}}))), 't', CTX);
		expect(Buffer.byteLength(big.message)).toBeLessThanOrEqual(NTFY_LIMITS.messageBytes);
		expect(big.message.split('\n').at(-1)).toMatch(/^and \d+ more$/);
		const few = ntfyMessage(notification(Array.from({length: 25}, (_, i) => alert(String(i)))), 't', CTX);
		expect(few.message.split('\n')).toHaveLength(NTFY_LIMITS.alerts + 1);
		expect(few.message.split('\n').at(-1)).toBe('and 5 more');
	});
});

describe('command', () => {
	it('runs argv (no shell) with the webhook JSON on stdin and the timeout', () => {
		const d = deliveryFor(receiver('mail'), notification([alert('0')]), CTX);
		if (d.type !== 'command') throw new Error('command');
		expect(d.command.argv).toEqual(['/bin/mail-alert', '--to', 'ops']);
		expect(d.command.timeoutMs).toBe(3000);
		expect(JSON.parse(d.command.stdin)).toEqual(webhookPayload(notification([alert('0')]), CTX));
	});
});

describe('secrets in requests', () => {
	it('never show through String, JSON.stringify or inspect of a request', () => {
		const n = notification([alert('0'), alert('1', {status: 'resolved', endsAtMs: T0})]);
		const printed: string[] = [];
		for (const rc of CONFIG.receivers.values()) {
			const d = deliveryFor(rc, n, CTX);
			const items = d.type === 'http' ? d.requests : [d.command];
			for (const item of items) printed.push(String(item), JSON.stringify(item), inspect(item), `${item as unknown as string}`, JSON.stringify({item}));
			printed.push(JSON.stringify(d), inspect(d, {depth: 10}));
		}
		const text = printed.join('\n');
		for (const s of receiverSecrets(CONFIG)) expect(text).not.toContain(s.reveal());
		for (const word of ['SLACKSECRET', 'HOOKSECRET', 'PDROUTINGKEYSECRET', 'NTFYSECRET']) expect(text).not.toContain(word);
		expect(text).toContain('POST to slack receiver team (slack)');
	});

	it('an acknowledge notification is PagerDuty\'s alone', () => {
		const ack = notification([alert('0', {ack: {by: 'a', atMs: T0}})], {action: 'acknowledge', reason: 'acknowledge'});
		for (const name of ['hook', 'team', 'phone']) expect(deliveryFor(receiver(name), ack, CTX)).toEqual({type: 'http', requests: []});
	});
});

describe('text helpers', () => {
	it('cut text without splitting characters', () => {
		expect(truncateText('abc', 3)).toBe('abc');
		expect(truncateText('abcd', 3)).toBe('ab…');
		expect(truncateText('a😀b', 3)).toBe('a…');
		expect(truncateBytes('°°°', 5)).toBe('°…');
		expect([ago(45_000), ago(5 * 60_000), ago(130 * 60_000), ago(3 * 86_400_000), ago(-5)]).toEqual(['45s', '5m', '2h10m', '3d', '0s']);
	});
});
