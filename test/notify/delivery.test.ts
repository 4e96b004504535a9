/**
The delivery queue against real local receivers (node:http): a receiver that fails then recovers gets the message
once; a 429's Retry-After is waited out; a 4xx is reported as misconfigured and not retried; one receiver's
messages keep their order. The payloads are small stand-ins: the core's builders are tested on their own.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {type Notification} from '../../src/notify/notify-types.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {waitFor} from '../helpers/redis-server.js';

let receiver: FakeReceiver | undefined;
let delivery: Delivery | undefined;
let timer: NodeJS.Timeout | undefined;

afterEach(async () => {
	clearInterval(timer);
	await receiver?.close();
	receiver = undefined;
	delivery = undefined;
});

function notification(groupKey: string, contentHash = groupKey): Notification {
	return {receiver: 'hook', groupKey, groupLabels: {}, status: 'firing', alerts: [], contentHash, repeatIntervalMs: 3_600_000, reason: 'new', timeMs: Date.now()};
}

function start(url: string, policy = {baseMs: 50, capMs: 2000}): Delivery {
	const records = memorySentRecords('me', () => true);
	delivery = new Delivery({
		receivers: [{name: 'hook', type: 'webhook', timeoutMs: 1000}],
		requestsFor: (n) => [{url, headers: {'content-type': 'application/json'}, body: JSON.stringify({groupKey: n.groupKey})}],
		send: sendBy(sendHttp, runCommand),
		records: () => records,
		isWriter: () => true,
		policy,
	});
	timer = setInterval(() => void delivery!.tick(), 20);
	return delivery;
}

describe('Delivery', () => {
	it('retries a receiver that fails, then delivers once when it recovers', async () => {
		receiver = await startFakeReceiver();
		receiver.script([{status: 503}, {status: 502}, {hold: false, status: 500}], {status: 200, body: 'ok'});
		const d = start(receiver.url);
		d.enqueue([notification('g1')]);
		await waitFor(() => d.receiverStates()[0]!.lastSuccessMs !== undefined, 10_000, 'delivered');
		await new Promise((r) => setTimeout(r, 300));
		expect(receiver.requests.map((r) => r.body)).toEqual(Array(4).fill('{"groupKey":"g1"}'));
		expect(receiver.requests.filter((r) => r.answered).length).toBe(4);
		const state = d.receiverStates()[0]!;
		expect(state).toMatchObject({queued: 0, lastError: expect.stringContaining('HTTP 500') as unknown});
		expect(state.misconfigured).toBeUndefined();
	});

	it("waits out a 429's Retry-After before trying again", async () => {
		receiver = await startFakeReceiver();
		receiver.script([{status: 429, headers: {'retry-after': '1'}}], {status: 200});
		const d = start(receiver.url);
		d.enqueue([notification('g1')]);
		await waitFor(() => receiver!.requests.length === 2, 10_000, 'the retry');
		const gap = receiver.requests[1]!.atMs - receiver.requests[0]!.atMs;
		expect(gap).toBeGreaterThanOrEqual(950);
		// Backoff alone would have waited at most 50 ms.
		await waitFor(() => d.receiverStates()[0]!.lastSuccessMs !== undefined, 5000, 'delivered');
	});

	it('reports a 4xx as misconfigured and does not retry it', async () => {
		receiver = await startFakeReceiver();
		receiver.script([], {status: 404, body: 'no_service'});
		const d = start(receiver.url);
		d.enqueue([notification('g1'), notification('g2')]);
		await waitFor(() => d.pending() === 0, 5000, 'both settled');
		await new Promise((r) => setTimeout(r, 300));
		expect(receiver.requests.length).toBe(2);
		const state = d.receiverStates()[0]!;
		expect(state.misconfigured).toBe(true);
		expect(state.lastError).toContain('HTTP 404: no_service');
		expect(state.lastError).toContain('not retried');
	});

	it("keeps one receiver's messages in order while the first is retried", async () => {
		receiver = await startFakeReceiver();
		receiver.script([{status: 500}, {status: 500}], {status: 200});
		const d = start(receiver.url);
		d.enqueue([notification('a'), notification('b'), notification('c')]);
		await waitFor(() => d.pending() === 0, 10_000, 'all delivered');
		const delivered = receiver.requests.filter((r) => r.answered).map((r) => (JSON.parse(r.body) as {groupKey: string}).groupKey);
		expect(delivered).toEqual(['a', 'a', 'a', 'b', 'c']);
	});

	it("sends a notification's several requests in order, each once, retrying only the one that failed", async () => {
		receiver = await startFakeReceiver();
		receiver.script([{status: 200}, {status: 503}], {status: 202});
		const records = memorySentRecords('me', () => true);
		const url = receiver.url;
		delivery = new Delivery({
			receivers: [{name: 'hook', type: 'pagerduty', timeoutMs: 1000}],
			requestsFor: () => ['a', 'b', 'c'].map((k) => ({url, headers: {}, body: k, key: `trigger:${k}`})),
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => true,
			policy: {baseMs: 20, capMs: 100},
		});
		timer = setInterval(() => void delivery!.tick(), 20);
		delivery.enqueue([notification('g1')]);
		await waitFor(() => delivery!.pending() === 0, 5000, 'delivered');
		expect(receiver.requests.map((r) => r.body)).toEqual(['a', 'b', 'b', 'c']);
		delivery.enqueue([notification('g1')]);
		await waitFor(() => delivery!.pending() === 0, 5000, 'dropped');
		expect(receiver.requests.length).toBe(4);
	});

	it('as a viewer, holds what it computed, drops what the writer settled, keeps what arrives meanwhile', async () => {
		let release = () => {};
		const gate = new Promise<void>((r) => (release = r));
		const asked: string[][] = [];
		const records = {
			claim: async () => 'not-writer' as const,
			settle: async () => undefined,
			done: async (ids: ReadonlyArray<{contentHash: string}>) => {
				asked.push(ids.map((i) => i.contentHash));
				await gate;
				return ids.map(() => true);
			},
		};
		const d = new Delivery({
			receivers: [{name: 'hook', type: 'webhook'}],
			requestsFor: () => [{url: 'http://127.0.0.1:9/', headers: {}, body: ''}],
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => false,
		});
		d.enqueue([notification('a'), notification('b')]);
		const round = d.tick();
		d.enqueue([notification('c')]);
		release();
		await round;
		expect(asked).toEqual([['a', 'b']]);
		expect(d.pending()).toBe(1);
		expect(d.receiverStates()[0]).toMatchObject({queued: 1});
	});

	it('sends nothing while the sent-record is refused, and says why', async () => {
		receiver = await startFakeReceiver();
		const url = receiver.url;
		const d = new Delivery({
			receivers: [{name: 'hook', type: 'webhook'}],
			requestsFor: () => [{url, headers: {}, body: 'x'}],
			send: sendBy(sendHttp, runCommand),
			records: () => ({
				claim: async () => {
					throw new Error("NOPERM User viewer has no permissions to run the 'eval' command");
				},
				settle: async () => undefined,
				done: async (ids) => ids.map(() => false),
			}),
			isWriter: () => true,
		});
		d.enqueue([notification('g1')]);
		await d.tick();
		expect(receiver.requests.length).toBe(0);
		expect(d.receiverStates()[0]).toMatchObject({queued: 1, lastError: expect.stringContaining('sent-record in Redis is unavailable (NOPERM') as unknown});
	});

	it('sends a notification it has already delivered only once', async () => {
		receiver = await startFakeReceiver();
		const d = start(receiver.url);
		d.enqueue([notification('g1')]);
		await waitFor(() => d.pending() === 0, 5000, 'delivered');
		d.enqueue([notification('g1')]);
		await waitFor(() => d.pending() === 0, 5000, 'dropped');
		expect(receiver.requests.length).toBe(1);
	});
});
