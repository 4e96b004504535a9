/**
The notify part from the config's `notify:` section and the runtime's core: the core's pure pieces (notifyAlertOf,
groupingStep, deliveryFor) bound to delivery's I/O (the HTTP sender, the command runner, the sent-record over the
writer's Redis connection, fenced by the writer lease; a memory one on the embedded bus), the receivers' states
shared through the writer's batches. Undefined when no receiver is configured: nothing runs.
*/
import {hostname} from 'node:os';
import {type Redis} from 'ioredis';
import {type MycotopConfig} from '../config/config.js';
import {NOTIFY_KEYS} from '../contract/names.js';
import {type KvReader} from '../bus/kv.js';
import {journal} from '../journal.js';
import {type AlertRow} from '../rules/alert-snapshot.js';
import {compileRules} from '../rules/user-rules.js';
import {isClusterClient} from '../bus/redis-client.js';
import {memorySentRecords, redisSentRecords, type SentRecords} from '../writer/sent-records.js';
import {type NotifyConfig, notifySends, receiverSecrets, type ReceiverConfig} from './notify-config.js';
import {configSecrets, secretsRedactor} from './secrets.js';
import {notifyAlertOf, notifyAlertOfRow} from './notify-alert.js';
import {EMPTY_GROUPING, groupingStep, type GroupingState} from './grouping.js';
import {deliveryFor} from './payloads.js';
import {type Delivery as Outbound, type PayloadContext} from './outbound.js';
import {type DeliveryRequest} from './delivery-request.js';
import {type Notification} from './notify-types.js';
import {Delivery, sendBy} from './delivery.js';
import {sendHttp} from './http-sender.js';
import {CommandRunner} from './command-runner.js';
import {decodeReceiverState} from './receiver-state.js';
import {NotifyPart} from './notify-part.js';

/** The runtime's core as the notify part sees it (the Runtime satisfies it). */
export interface NotifyCore {
	readonly instanceId: string;
	readonly writer: {enqueueHash(key: string, fields: Record<string, string>): void};
	readonly bus: {
		readonly kind: 'redis' | 'embedded';
		readonly link?: {readonly writer: Redis};
		kv(): KvReader;
		canWrite(): boolean;
	};
}

/** A payload builder's output as the requests delivery sends in order. */
function requestsOf(outbound: Outbound): readonly DeliveryRequest[] {
	return outbound.type === 'http' ? outbound.requests : [outbound.command];
}

/** What a notification to `receiver` needs sent, with the context the builders take (now, external URL, host). */
export function requestsFor(config: NotifyConfig, context: () => PayloadContext): (n: Notification) => readonly DeliveryRequest[] {
	return (n) => {
		const receiver: ReceiverConfig | undefined = config.receivers.get(n.receiver);
		return receiver === undefined ? [] : requestsOf(deliveryFor(receiver, n, context()));
	};
}

export function notifyPartFrom(core: NotifyCore, config: MycotopConfig, rows: () => readonly AlertRow[]): NotifyPart<GroupingState> | undefined {
	const notify = config.notify;
	if (!notifySends(notify)) return undefined;
	const {bus, instanceId} = core;
	const revealed = receiverSecrets(notify).map((s) => s.reveal());
	const redact = secretsRedactor(revealed);
	// Every receiver's secrets, removed from an answer's or a program's excerpt before it is cut (not only after).
	const otherSecrets = configSecrets(revealed);
	const rules = new Map(compileRules(config.rules).map((r) => [r.name, r]));
	const source = hostname();
	let redisRecords: SentRecords | undefined;
	let redisClient: Redis | undefined;
	const memoryRecords = memorySentRecords(instanceId, () => bus.canWrite());
	const commands = new CommandRunner(otherSecrets);
	const delivery = new Delivery({
		receivers: [...notify.receivers.values()].map((r) => ({name: r.name, type: r.type, ...(r.type === 'command' ? {timeoutMs: r.timeoutMs} : {})})),
		requestsFor: requestsFor(notify, () => ({nowMs: Date.now(), externalUrl: notify.externalUrl, source})),
		send: sendBy((request, timeoutMs) => sendHttp(request, timeoutMs, otherSecrets), commands.run),
		records: () => {
			const link = bus.link;
			if (bus.kind !== 'redis' || link === undefined) return memoryRecords;
			if (redisClient !== link.writer) {
				redisClient = link.writer;
				redisRecords = redisSentRecords(link.writer, instanceId, Date.now, undefined, isClusterClient(link.writer));
			}
			return redisRecords!;
		},
		isWriter: () => bus.canWrite(),
		redact,
		attempted: (receiver, n, outcome) => journal.record({type: 'notify', receiver, groupKey: n.groupKey, reason: n.reason, alerts: n.alerts.length, outcome: redact(outcome)}),
	});
	return new NotifyPart<GroupingState>({
		initial: EMPTY_GROUPING,
		step: (state, input, nowMs) => groupingStep(state, input, nowMs, notify),
		alertOf: (t) => notifyAlertOf(t, rules.get(t.rule)),
		alertOfRow: (row) => notifyAlertOfRow(row, rules.get(row.rule)),
		rows,
		delivery,
		stopSenders: () => commands.stop(),
		isWriter: () => bus.canWrite(),
		publishStates: (states) => core.writer.enqueueHash(NOTIFY_KEYS.receivers, Object.fromEntries(states.map((s) => [s.name, JSON.stringify(s)]))),
		readStates: async () => {
			const raw = await bus.kv().hgetall(NOTIFY_KEYS.receivers);
			return Object.values(raw).flatMap((text) => decodeReceiverState(text) ?? []);
		},
	});
}
