/**
The subscriber's reads at a trickle (src/bus/coalesced-reads.ts) against a real redis-server: a message every 5 ms
is taken in a few reads a second, not one read per message; every message still arrives exactly once and in order;
a backlog (and any input above the trickle rate) is read on without holds; after a reconnect the new socket is held the same way.
*/
import {describe, expect, it} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {linkFixture, waitSubscribed} from '../helpers/subscriber-link.js';
import {holdsAfterRead, READ_HOLD_MS, SMALL_READ_BYTES, TRICKLE_BYTES_PER_SECOND} from '../../src/bus/coalesced-reads.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Deliveries grouped into reads: a gap of more than 3 ms between two deliveries starts a new group. */
function groups(times: readonly number[]): number {
	let n = times.length === 0 ? 0 : 1;
	for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > 3) n += 1;
	return n;
}

describe('holdsAfterRead', () => {
	it('holds after a small read at a trickle only', () => {
		expect(holdsAfterRead(0, 0)).toBe(true);
		expect(holdsAfterRead(SMALL_READ_BYTES - 1, TRICKLE_BYTES_PER_SECOND - 1)).toBe(true);
		expect(holdsAfterRead(SMALL_READ_BYTES, 0)).toBe(false);
		expect(holdsAfterRead(65_536, 0)).toBe(false);
		// A busy stream (5,000 messages of 250 bytes a second) keeps its latency.
		expect(holdsAfterRead(300, 5000 * 250)).toBe(false);
		expect(holdsAfterRead(300, TRICKLE_BYTES_PER_SECOND)).toBe(false);
	});
});

describe.runIf(redisAvailable())('subscriber reads at a trickle', () => {
	const fixture = linkFixture();

	it('takes a message every 5 ms in a few reads a second, each once and in order; a backlog without holds', {retry: 2}, async () => {
		const received: string[] = [];
		const times: number[] = [];
		const onMessage = (_channel: string, message: string) => {
			received.push(message);
			times.push(performance.now());
		};
		// As the writer (BusManager sets it from the role): only the writer holds its reads.
		const {link, publisher} = await fixture.subscribe({}, onMessage, (created) => {
			created.holdReads = true;
		});
		expect(link.readCoalescing, 'read batching in place on the plain TCP socket').toBeDefined();

		// A trickle: one message every 5 ms for 600 ms (about 100, each in a packet of its own).
		const sent: string[] = [];
		const started = performance.now();
		while (performance.now() - started < 600) {
			const message = JSON.stringify({i: sent.length});
			sent.push(message);
			await publisher.publish(INPUT_CHANNELS.taskUpdates, message);
			await sleep(5);
		}
		await waitFor(() => received.length >= sent.length, 5000, 'the trickle');
		expect(received).toEqual(sent);
		// One read per hold period at most (plus the first read and a slow timer or two), not one per message.
		expect(groups(times)).toBeLessThanOrEqual(Math.ceil(600 / READ_HOLD_MS) + 4);
		expect(link.readCoalescing!.stats.holds).toBeGreaterThan(0);

		// A backlog: 20,000 messages in one pipeline are read on as they come, not held read by read.
		const holdsBefore = link.readCoalescing!.stats.holds;
		const burst: string[] = [];
		const pipeline = publisher.pipeline();
		for (let i = 0; i < 20_000; i++) {
			const message = JSON.stringify({burst: i, pad: 'x'.repeat(150)});
			burst.push(message);
			pipeline.publish(INPUT_CHANNELS.trainingProgress, message);
		}
		await pipeline.exec();
		await waitFor(() => received.length >= sent.length + burst.length, 10_000, 'the burst');
		expect(received.slice(sent.length)).toEqual(burst);
		expect(link.readCoalescing!.stats.holds - holdsBefore).toBeLessThanOrEqual(20);

		// A new socket after a reconnect is held the same way, and delivers.
		const first = link.readCoalescing;
		await fixture.redis.restart(200);
		await waitFor(() => link.readCoalescing !== first && link.subscriberReady, 10_000, 'reconnected');
		const again = fixture.redis.client();
		await waitSubscribed(again, 'resubscribed');
		await again.publish(INPUT_CHANNELS.taskUpdates, '{"after":"restart"}');
		await waitFor(() => received.at(-1) === '{"after":"restart"}', 5000, 'message after restart');
		expect(link.readCoalescing).toBeDefined();
		publisher.disconnect();
		again.disconnect();
	});

	// A standby that lagged the writer by a hold would replay, on taking the lease, what the old writer had stored
	// (a reviewer's reproduction: test/faults/handover-trickle.test.ts).
	it('a standby (holdReads off) never holds: every message is read as it comes', async () => {
		const received: string[] = [];
		const {link, publisher} = await fixture.subscribe({}, (_channel, message) => received.push(message));
		expect(link.readCoalescing).toBeDefined();
		for (let i = 0; i < 40; i++) {
			await publisher.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({i}));
			await sleep(5);
		}
		await waitFor(() => received.length >= 40, 5000, 'the trickle');
		expect(link.readCoalescing!.stats.holds).toBe(0);
		publisher.disconnect();
	});
});
