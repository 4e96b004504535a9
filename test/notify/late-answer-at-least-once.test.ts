/**
Pins what the README's exactly-once paragraph says of a receiver that answers after the timeout: the attempt counts
as failed, and the retry sends the message again, so even one healthy writer delivers it twice (at-least-once).
A real local HTTP server that takes the first request and answers it late.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {waitFor} from '../helpers/redis-server.js';

let receiver: FakeReceiver | undefined;
let timer: NodeJS.Timeout | undefined;
afterEach(async () => {
	clearInterval(timer);
	receiver?.releaseHeld();
	await receiver?.close();
});

describe('a receiver that answers after the timeout', () => {
	it('gets the message again on the retry: two requests with the same body, one writer', async () => {
		receiver = await startFakeReceiver();
		receiver.script([{hold: true}], {status: 200});
		const records = memorySentRecords('me', () => true);
		const url = receiver.url;
		const d = new Delivery({
			receivers: [{name: 'hook', type: 'webhook', timeoutMs: 500}],
			requestsFor: () => [{url, headers: {}, body: 'page'}],
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => true,
			policy: {baseMs: 50, capMs: 50},
		});
		timer = setInterval(() => void d.tick(), 25);
		d.enqueue([{receiver: 'hook', groupKey: 'g', groupLabels: {}, status: 'firing', alerts: [], contentHash: 'h', repeatIntervalMs: 3_600_000, reason: 'new', timeMs: Date.now()}]);
		await waitFor(() => d.pending() === 0, 5000, 'delivered');
		expect(receiver.requests.map((r) => r.body)).toEqual(['page', 'page']);
		expect(d.receiverStates()[0]!.lastError).toMatch(/^no answer within 0\.5 s/);
	});
});
