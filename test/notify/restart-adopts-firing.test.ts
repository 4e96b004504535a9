/**
Alerts already firing when an instance starts (restored from the alert log after a restart, or firing before a
viewer started that later becomes the writer) make no transition: the notify part adopts them from the alert log's
rows. Their group's first message is the one the previous writer sent, recognised by the sent-record in a real
redis-server and not sent again; their resolve is sent. The real rule engine, notify part, grouping, PagerDuty
payloads and delivery to a real local HTTP receiver; the grouping on an accelerated clock.
*/
import {afterEach, describe, expect} from 'vitest';
import {redisAvailable, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {redisPerTest as it} from '../helpers/redis-fixture.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {NotifyPart} from '../../src/notify/notify-part.js';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {requestsFor} from '../../src/notify/attach-notify.js';
import {compileNotify, type NotifyConfig} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingState} from '../../src/notify/grouping.js';
import {notifyAlertOf, notifyAlertOfRow} from '../../src/notify/notify-alert.js';
import {redisSentRecords} from '../../src/writer/sent-records.js';
import {ourKeys} from '../../src/contract/names.js';
import {compileRules} from '../../src/rules/user-rules.js';
import {RuleEngine} from '../../src/rules/engine.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {type SentRecordClient} from '../../src/writer/sent-records.js';
import {type Ack} from '../../src/rules/ack-silence.js';

const S = 1000;
const KEY = 'PdRoutingKey0123456789abcdefABCD';
let receiver: FakeReceiver | undefined;

afterEach(async () => {
	await receiver?.close();
});

/** GPU 0 at 88 °C (high_temperature, a warning) until 100 s, then 60 °C (resolved). */
function world(): SeriesWorld {
	const w = new SeriesWorld();
	for (let t = 0; t <= 200 * S; t += S) w.add('gpu_temperature_celsius', {gpu: '0'}, t, t < 100 * S ? 88 : 60);
	return w;
}

const RULES = compileRules([]);

/** One instance: its rule engine, notify part and delivery, the writer while `lease.holder` is its name. */
function instance(name: string, notify: NotifyConfig, client: SentRecordClient, lease: {holder: string}) {
	const engine = new RuleEngine(RULES);
	const acks = new Map<string, Ack>();
	const records = redisSentRecords(client, name);
	let now = 0;
	const delivery = new Delivery({
		receivers: [{name: 'oncall', type: 'pagerduty'}],
		requestsFor: requestsFor(notify, () => ({nowMs: Date.now(), externalUrl: '', source: 'box'})),
		send: sendBy(sendHttp, runCommand),
		records: () => records,
		isWriter: () => lease.holder === name,
	});
	const rule = (n: string) => RULES.find((r) => r.name === n);
	const part = new NotifyPart<GroupingState>({
		initial: EMPTY_GROUPING,
		step: (s, input, at) => groupingStep(s, input, at, notify),
		alertOf: (t) => notifyAlertOf(t, rule(t.rule)),
		alertOfRow: (row) => notifyAlertOfRow(row, rule(row.rule)),
		rows: () => engine.rows(now, acks, new Map()),
		delivery,
		isWriter: () => lease.holder === name,
		now: () => now,
	});
	return {
		engine,
		delivery,
		acks,
		/** Evaluate at each second from `from` to `to`, stepping the notify part after each. */
		async run(w: SeriesWorld, from: number, to: number, evaluate = true): Promise<void> {
			for (let t = from; t <= to; t += S) {
				now = t;
				w.advance(t);
				if (evaluate) part.onTransitions(engine.evaluate(w.input(t)));
				await part.tick();
			}
		},
		/** Until its queue is empty (each round a delivery tick). */
		async drained(): Promise<void> {
			await waitFor(async () => {
				await delivery.tick();
				return delivery.pending() === 0;
			}, 8000, `${name}'s queue drained`);
		},
	};
}

function pagerDuty(url: string): NotifyConfig {
	const compiled = compileNotify({receivers: [{name: 'oncall', pagerduty: {routing_key: KEY, url}}], route: {receiver: 'oncall', group_wait: '1s', group_interval: '2s'}}, {});
	if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
	return compiled.config;
}

const actions = () => receiver!.requests.map((r) => (JSON.parse(r.body) as {event_action: string}).event_action);

/** A PagerDuty receiver, and instance A holding the lease, run from 0 to `untilMs` and drained. */
async function firstWriter(redis: TestRedis, untilMs: number) {
	receiver = await startFakeReceiver('/v2/enqueue');
	receiver.script([], {status: 202, body: '{"status":"success"}'});
	const notify = pagerDuty(receiver.url);
	await redis.client().set(ourKeys.writerLease, 'a');
	const lease = {holder: 'a'};
	const w = world();
	const a = instance('a', notify, redis.client(), lease);
	await a.run(w, 0, untilMs);
	await a.drained();
	return {notify, lease, w, a};
}

/** B takes the lease (in the harness and in Redis). */
async function handOver(redis: TestRedis, lease: {holder: string}): Promise<void> {
	lease.holder = 'b';
	await redis.client().set(ourKeys.writerLease, 'b');
}

describe.runIf(redisAvailable())('alerts already firing at start', () => {
	it('after a restart: the trigger already sent is not sent again; an ack is sent as PagerDuty\'s acknowledge; the resolve is sent', async ({redis}) => {
		const {notify, lease, w, a} = await firstWriter(redis, 40 * S);
		expect(actions()).toEqual(['trigger']);
		// A stops; B starts, restores A's log (the alert comes back firing, with no transition), takes the lease.
		const b = instance('b', notify, redis.client(), lease);
		b.engine.restore(a.engine.transitions(), 41 * S);
		await handOver(redis, lease);
		await b.run(w, 41 * S, 60 * S);
		await b.drained();
		expect(actions()).toEqual(['trigger']);
		// Someone acknowledges it at 61 s (the alert log's ack, as read from Redis).
		const id = b.engine.rows(61 * S, new Map(), new Map())[0]!.id;
		b.acks.set(id, {alertId: id, by: 'ana@box', atMs: 61 * S, severity: 'warning'});
		await b.run(w, 61 * S, 70 * S);
		await b.drained();
		expect(actions()).toEqual(['trigger', 'acknowledge']);
		await b.run(w, 71 * S, 130 * S);
		await b.drained();
		expect(actions()).toEqual(['trigger', 'acknowledge', 'resolve']);
		expect(new Set(receiver!.requests.map((r) => (JSON.parse(r.body) as {dedup_key: string}).dedup_key)).size).toBe(1);
	});

	it('after a restart, an alert that resolves at the first evaluation, before the part saw it firing: the resolve is sent', async ({redis}) => {
		const {notify, lease, w, a} = await firstWriter(redis, 99 * S);
		expect(actions()).toEqual(['trigger']);
		const b = instance('b', notify, redis.client(), lease);
		b.engine.restore(a.engine.transitions(), 100 * S);
		await handOver(redis, lease);
		await b.run(w, 100 * S, 130 * S);
		await b.drained();
		expect(actions()).toEqual(['trigger', 'resolve']);
	});

	it('a viewer started after the alert fired, that becomes the writer, sends its resolve (and only that)', async ({redis}) => {
		const {notify, lease, w, a} = await firstWriter(redis, 40 * S);
		// B starts as a viewer at 41 s, restores the log, runs beside A.
		const b = instance('b', notify, redis.client(), lease);
		b.engine.restore(a.engine.transitions(), 41 * S);
		for (let t = 41 * S; t <= 60 * S; t += S) {
			await a.run(w, t, t);
			await b.run(w, t, t);
		}
		await a.drained();
		await b.drained();
		expect(actions()).toEqual(['trigger']);
		// A stops: B takes the lease; the alert resolves at 100 s.
		await handOver(redis, lease);
		await b.run(w, 61 * S, 130 * S);
		await b.drained();
		expect(actions()).toEqual(['trigger', 'resolve']);
	});
});
