/**
A viewer holds what it computed as long as the writer may still retry it (the route's repeat interval, at least
30 minutes), so a handover in the middle of a long receiver outage finds the notification still held. The clock is
the test's.
*/
import {describe, expect, it} from 'vitest';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {type Notification} from '../../src/notify/notify-types.js';

const M = 60_000;
const H = 60 * M;

describe('a viewer holds', () => {
	it('a notification for its repeat interval (4 h), a short-interval one for 30 minutes', async () => {
		let now = 0;
		const d = new Delivery({
			receivers: [{name: 'pd', type: 'pagerduty'}],
			requestsFor: () => [{url: 'http://127.0.0.1:9/', headers: {}, body: '{}'}],
			send: sendBy(sendHttp, runCommand),
			records: () => memorySentRecords('viewer', () => false),
			isWriter: () => false,
			now: () => now,
		});
		const n = (key: string, repeatIntervalMs: number): Notification => ({receiver: 'pd', groupKey: key, groupLabels: {}, status: 'firing', alerts: [], contentHash: key, repeatIntervalMs, reason: 'new', timeMs: 0});
		d.enqueue([n('long', 4 * H), n('short', 5 * M)]);
		now = 2 * H;
		await d.tick();
		expect(d.pending()).toBe(1);
		now = 4 * H - M;
		await d.tick();
		expect(d.pending()).toBe(1);
		now = 4 * H + M;
		await d.tick();
		expect(d.pending()).toBe(0);
	});
});
