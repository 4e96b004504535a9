/**
Receivers are independent: one that holds its request (a slow endpoint, up to its timeout) stalls neither the other
receivers nor the grouping, which steps on schedule whatever is in flight. Real HTTP servers.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {NotifyPart} from '../../src/notify/notify-part.js';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {type Notification} from '../../src/notify/notify-types.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {waitFor} from '../helpers/redis-server.js';

let slow: FakeReceiver | undefined;
let fast: FakeReceiver | undefined;
let part: NotifyPart<null> | undefined;

afterEach(async () => {
	await part?.stop();
	slow?.releaseHeld();
	await slow?.close();
	await fast?.close();
});

const notification = (receiver: string, groupKey: string): Notification => ({receiver, groupKey, groupLabels: {}, status: 'firing', alerts: [], contentHash: groupKey, repeatIntervalMs: 3_600_000, reason: 'new', timeMs: 0});

describe('a slow receiver', () => {
	it('holds up neither the other receivers nor the grouping', async () => {
		slow = await startFakeReceiver();
		fast = await startFakeReceiver();
		slow.script([{hold: true}], {status: 200});
		const records = memorySentRecords('me', () => true);
		const urls: Record<string, string> = {slow: slow.url, fast: fast.url};
		const delivery = new Delivery({
			receivers: [
				{name: 'slow', type: 'webhook', timeoutMs: 4000},
				{name: 'fast', type: 'webhook', timeoutMs: 4000},
			],
			requestsFor: (n) => [{url: urls[n.receiver]!, headers: {}, body: n.groupKey}],
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => true,
		});
		const due: Notification[] = [];
		let steps = 0;
		part = new NotifyPart<null>({
			initial: null,
			step: (state) => {
				steps += 1;
				return {state, notifications: due.splice(0), inhibited: new Map()};
			},
			alertOf: () => undefined,
			rows: () => [],
			delivery,
			isWriter: () => true,
			tickMs: 50,
		});
		part.start();
		due.push(notification('slow', 's1'));
		await waitFor(() => slow!.requests.length === 1, 3000, 'the slow receiver got its request');
		const t0 = Date.now();
		const s0 = steps;
		due.push(notification('fast', 'f1'));
		await waitFor(() => fast!.requests.length === 1, 10_000, 'the fast receiver got its request');
		expect(Date.now() - t0).toBeLessThan(1000);
		// The grouping went on stepping (every 50 ms) while the slow request is held.
		await new Promise((r) => setTimeout(r, 500));
		expect(steps - s0).toBeGreaterThanOrEqual(5);
		expect(slow.requests.length).toBe(1);
	}, 20_000);
});
