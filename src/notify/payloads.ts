/**
One notification to one receiver as what delivery does with it: the HTTP requests (or the command) built by the
receiver type's payload builder, sealed so they never print their secrets. Pure: the secrets are revealed into the
request here and nowhere else; delivery sends `requests` in order (each `key` is what its sent-record names).
*/
import {type ReceiverConfig} from './notify-config.js';
import {type Notification} from './notify-types.js';
import {sealed, type Delivery, type HttpRequest, type PayloadContext} from './outbound.js';
import {topicOf} from './notify-config.js';
import {webhookPayload} from './payload-webhook.js';
import {slackMessage} from './payload-slack.js';
import {pagerDutyEvents} from './payload-pagerduty.js';
import {ntfyMessage} from './payload-ntfy.js';

const JSON_HEADERS = {'Content-Type': 'application/json', 'User-Agent': 'mycotop'} as const;

function post(receiver: ReceiverConfig, url: string, body: unknown, key: string, headers: Record<string, string> = {}): HttpRequest {
	return sealed({method: 'POST', url, headers: {...JSON_HEADERS, ...headers}, body: JSON.stringify(body), key}, receiver.type, receiver.name, key);
}

/** The delivery of `n` to `receiver` (a receiver with nothing to say for it, as PagerDuty for an ack of nothing sent, gets no requests). */
export function deliveryFor(receiver: ReceiverConfig, n: Notification, ctx: PayloadContext): Delivery {
	switch (receiver.type) {
		case 'webhook':
			return {type: 'http', requests: n.action === 'acknowledge' ? [] : [post(receiver, receiver.url.reveal(), webhookPayload(n, ctx, receiver.maxAlerts), 'webhook')]};
		case 'slack':
			return {type: 'http', requests: n.action === 'acknowledge' ? [] : [post(receiver, receiver.url.reveal(), slackMessage(n, ctx, receiver.channel), 'slack')]};
		case 'pagerduty': {
			const url = receiver.url.reveal();
			return {type: 'http', requests: pagerDutyEvents(n, receiver.routingKey.reveal(), ctx).map((e) => post(receiver, url, e, `${e.event_action}:${e.dedup_key}`))};
		}
		case 'ntfy': {
			if (n.action === 'acknowledge') return {type: 'http', requests: []};
			const {root, topic} = topicOf(receiver.url.reveal())!;
			const auth: Record<string, string> = receiver.token !== undefined ? {Authorization: `Bearer ${receiver.token.reveal()}`} : {};
			return {type: 'http', requests: [post(receiver, root, ntfyMessage(n, topic, ctx), 'ntfy', auth)]};
		}
		case 'command': {
			const command = {argv: [receiver.program, ...receiver.args.map((a) => a.reveal())], stdin: JSON.stringify(webhookPayload(n, ctx)), timeoutMs: receiver.timeoutMs, key: 'command'};
			return {type: 'command', command: sealed(command, 'command', receiver.name, 'command')};
		}
	}
}
