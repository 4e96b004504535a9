/**
The notify part with the real core (grouping, PagerDuty payloads) and real delivery to a local HTTP server: a
transition fires, the alert log's ack becomes PagerDuty's acknowledge, the resolve follows, all with one dedup_key;
acks and silences are read from the alert log's rows.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {NotifyPart, acksOf, silencedOf} from '../../src/notify/notify-part.js';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {requestsFor} from '../../src/notify/attach-notify.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {compileNotify} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep} from '../../src/notify/grouping.js';
import {notifyAlertOf} from '../../src/notify/notify-alert.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';
import {type AlertTransition} from '../../src/rules/engine.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {waitFor} from '../helpers/redis-server.js';

const KEY = 'PdRoutingKey0123456789abcdefABCD';
let receiver: FakeReceiver | undefined;
let part: NotifyPart<unknown> | undefined;

afterEach(async () => {
	await part?.stop();
	await receiver?.close();
});

const row = (over: Partial<AlertRow>): AlertRow => ({id: 'gpu_hot:0', rule: 'gpu_hot', severity: 'critical', state: 'firing', message: 'hot', labels: {gpu: '0'}, sinceMs: 1, updatedMs: 1, origin: 'rules', ...over});

function transition(kind: 'firing' | 'resolved', timeMs: number): AlertTransition {
	return {
		id: 'gpu_hot:0',
		rule: 'gpu_hot',
		group: 'gpu',
		key: 'gpu=0',
		labels: {gpu: '0'},
		kind,
		from: kind === 'firing' ? 'pending' : 'firing',
		to: kind === 'firing' ? 'firing' : 'resolved',
		severity: 'critical',
		value: 91,
		message: 'GPU 0 at 91 C',
		timeMs,
		activeAtMs: timeMs - 1000,
		firedAtMs: kind === 'firing' ? timeMs : timeMs - 5000,
		send: true,
	};
}

describe('acksOf / silencedOf', () => {
	it('reads the acks and silences the alert log shows', () => {
		const rows = [
			row({state: 'acknowledged', acknowledgedBy: 'alice@box', acknowledgedMs: 5, ackComment: 'on it', ackUntilMs: 99}),
			row({id: 'b', state: 'silenced'}),
			row({id: 'c', acknowledgedBy: 'stale', acknowledgedMs: 3}),
			// Silenced (or nodata) and acknowledged: the state shows the silence, the ack holds (not a lapse).
			row({id: 'd', state: 'silenced', acknowledgedBy: 'bob@box', acknowledgedMs: 7}),
		];
		expect([...acksOf(rows)]).toEqual([
			['gpu_hot:0', {by: 'alice@box', atMs: 5, comment: 'on it', untilMs: 99}],
			['d', {by: 'bob@box', atMs: 7}],
		]);
		expect([...silencedOf(rows)]).toEqual(['b', 'd']);
	});
});

describe('NotifyPart', () => {
	it('PagerDuty gets trigger, acknowledge and resolve with one dedup_key', async () => {
		receiver = await startFakeReceiver('/v2/enqueue');
		receiver.script([], {status: 202, body: '{"status":"success"}'});
		const compiled = compileNotify({receivers: [{name: 'pager', pagerduty: {routing_key: KEY, url: receiver.url}}], route: {receiver: 'pager', group_wait: '0s', group_interval: '1s'}}, {});
		if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
		const notify = compiled.config;
		let rows: AlertRow[] = [];
		const records = memorySentRecords('me', () => true);
		const delivery = new Delivery({
			receivers: [{name: 'pager', type: 'pagerduty'}],
			requestsFor: requestsFor(notify, () => ({nowMs: Date.now(), externalUrl: '', source: 'box'})),
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => true,
		});
		const p = new NotifyPart({
			initial: EMPTY_GROUPING,
			step: (s, input, now) => groupingStep(s, input, now, notify),
			alertOf: (t) => notifyAlertOf(t),
			rows: () => rows,
			delivery,
			isWriter: () => true,
			tickMs: 50,
		});
		part = p as NotifyPart<unknown>;
		p.start();
		const actions = () => receiver!.requests.map((r) => (JSON.parse(r.body) as {event_action: string}).event_action);
		p.onTransitions([transition('firing', Date.now())]);
		rows = [row({})];
		await waitFor(() => actions().length === 1, 5000, 'the trigger');
		rows = [row({state: 'acknowledged', acknowledgedBy: 'alice@box', acknowledgedMs: Date.now(), ackComment: 'on it'})];
		await waitFor(() => actions().length === 2, 5000, 'the acknowledge');
		p.onTransitions([transition('resolved', Date.now())]);
		rows = [row({state: 'resolved'})];
		await waitFor(() => actions().length === 3, 5000, 'the resolve');
		expect(actions()).toEqual(['trigger', 'acknowledge', 'resolve']);
		const bodies = receiver.requests.map((r) => JSON.parse(r.body) as {dedup_key: string; routing_key: string});
		expect(new Set(bodies.map((b) => b.dedup_key))).toEqual(new Set(['gpu_hot:0']));
		expect(bodies.every((b) => b.routing_key === KEY)).toBe(true);
		// The receiver holds the third request before the delivery has read its reply: wait for the reply to settle.
		await waitFor(() => p.receiverStates()[0]?.queued === 0 && (p.receiverStates()[0]?.lastSuccessMs ?? 0) > 0, 5000, 'the last reply');
		expect(p.receiverStates()[0]).toMatchObject({name: 'pager', type: 'pagerduty', queued: 0});
		expect(p.receiverStates()[0]!.lastSuccessMs).toBeGreaterThan(0);
	});
});
