/**
A receiver that is down is retried for as long as its notification is news: until it is older than its route's
repeat interval (then abandoned, and the receiver's state says so), not for a fixed number of attempts. Real
delivery to a local HTTP server that fails every request.
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
let timer: NodeJS.Timeout | undefined;
afterEach(async () => {
	clearInterval(timer);
	await receiver?.close();
});

describe('retry budget', () => {
	it('retries past a dozen attempts until the notification is older than the repeat interval, then abandons it and says so', async () => {
		receiver = await startFakeReceiver();
		receiver.script([], {status: 503, body: 'down'});
		const records = memorySentRecords('me', () => true);
		const url = receiver.url;
		const d = new Delivery({
			receivers: [{name: 'pd', type: 'pagerduty', timeoutMs: 1000}],
			requestsFor: () => [{url, headers: {}, body: '{}'}],
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => true,
			policy: {baseMs: 10, capMs: 20},
			random: () => 1,
		});
		timer = setInterval(() => void d.tick(), 5);
		const n: Notification = {receiver: 'pd', groupKey: 'g', groupLabels: {}, status: 'firing', alerts: [], contentHash: 'g', repeatIntervalMs: 1500, reason: 'new', timeMs: Date.now()};
		const started = Date.now();
		d.enqueue([n]);
		await waitFor(() => d.pending() === 0, 10_000, 'abandoned');
		expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
		expect(receiver.requests.length).toBeGreaterThan(12);
		expect(d.receiverStates()[0]!.lastError).toMatch(/^HTTP 503: down \(abandoned after \d+ attempts over 1\.\d s: older than its route's repeat interval, 1\.5 s\)$/);
		expect(await records.done([{receiver: 'pd', groupKey: 'g', contentHash: 'g'}])).toEqual([true]);
	});
});
