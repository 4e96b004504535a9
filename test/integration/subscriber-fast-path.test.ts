/**
The subscriber's message fast path against a real redis-server: it is in place with the pinned ioredis, every
message arrives exactly once and in order, the heartbeat's replies still reach ioredis, and a reconnect puts a
fresh fast path in front of the new socket.
*/
import {describe, expect, it} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {linkFixture, waitSubscribed} from '../helpers/subscriber-link.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';

describe.runIf(redisAvailable())('subscriber fast path', () => {
	const fixture = linkFixture();

	it('decodes the messages itself, in order, exactly once, and leaves PING replies and reconnects to ioredis', async () => {
		const received: Array<[string, string]> = [];
		const {link, publisher} = await fixture.subscribe({heartbeatMs: 100}, (channel, message) => received.push([channel, message]));
		const first = link.fastPath;
		expect(first, 'fast path installed in front of ioredis 6.0.0').toBeDefined();

		// Sizes from empty to larger than a socket read, multi-byte text, both channels.
		const sent: Array<[string, string]> = [];
		for (let i = 0; i < 3000; i++) {
			const channel = i % 2 === 0 ? INPUT_CHANNELS.taskUpdates : INPUT_CHANNELS.trainingProgress;
			const message = i % 500 === 7 ? JSON.stringify({i, blob: 'é'.repeat(100_000)}) : i % 3 === 0 ? '' : JSON.stringify({i, text: '日本語 🚀'});
			sent.push([channel, message]);
		}
		const pipeline = publisher.pipeline();
		for (const [channel, message] of sent) pipeline.publish(channel, message);
		await pipeline.exec();
		await waitFor(() => received.length >= sent.length, 10_000, 'all messages');
		expect(received).toEqual(sent);
		expect(first!.stats.messages).toBe(sent.length);
		expect(first!.stats.disabled).toBe(false);

		// The heartbeat's PING replies pass through to ioredis, which resolves them (lastSeenMs moves without messages).
		const passedBefore = first!.stats.passedThrough;
		const seenBefore = link.lastSeenMs;
		await waitFor(() => first!.stats.passedThrough >= passedBefore + 2 && link.lastSeenMs > seenBefore, 3000, 'PING replies through ioredis');

		// A new connection gets a new fast path, and the resubscribed channels deliver through it.
		await fixture.redis.restart(200);
		await waitFor(() => link.fastPath !== first && link.subscriberReady, 10_000, 'reconnected');
		const again = fixture.redis.client();
		await waitSubscribed(again, 'resubscribed');
		await again.publish(INPUT_CHANNELS.taskUpdates, '{"after":"restart"}');
		await waitFor(() => received.at(-1)?.[1] === '{"after":"restart"}', 5000, 'message after restart');
		expect(link.fastPath!.stats.messages).toBe(1);
		publisher.disconnect();
		again.disconnect();
	});
});
