/** R1/R2: Redis killed and restarted while events stream in. */
import {describe, expect} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {numsub, plainClient, SequencePublisher} from './harness.js';
import {READ_HOLD_MS} from '../../src/bus/coalesced-reads.js';

describe.runIf(redisAvailable())('Redis restarts mid-stream', () => {
	it('stays up, resubscribes within 2 s of Redis returning, counts the gap, bounds and delivers queued writes', async ({task, onTestFinished, redis, startRuntime}) => {
		const row = faultRow(
			task,
			'R1 Redis killed (SIGKILL), back after 1.5 s, mid-stream',
			'UI stays up; resubscribed <= 2 s after Redis returns, exactly once; gap counted and shown; writes queued in the outage bounded (200), the rest counted as dropped, the kept ones delivered',
		);
		const runtime = await startRuntime({writer: {maxPendingEntries: 200}, startTimeoutMs: 3000, stopTimeoutMs: 500});
		await waitFor(() => runtime.bus.role === 'writer', 8000, 'writer lease');
		const client = plainClient(redis.url);
		const publisher = new SequencePublisher(client);
		publisher.start();
		onTestFinished(() => {
			publisher.stop();
			client.disconnect();
		});
		await waitFor(() => runtime.store.counters.stored > 100, 5000, 'events flowing');

		await redis.kill();
		const downAt = Date.now();
		// Writes produced while Redis is away (a GPU sampler keeps sampling): 300 list entries, 200 may wait.
		for (let i = 0; i < 300; i++) runtime.writer.enqueueList('mycotop:test:outage', JSON.stringify({i}), 3600);
		await waitFor(() => runtime.bus.status().connection?.kind === 'reconnecting', 3000, 'reconnecting state');
		await waitFor(() => runtime.writer.stats.pendingEntries > 0, 1000, 'writes queued');
		const during = runtime.snapshot().bus.summary;
		const droppedDuring = runtime.writer.stats.dropped;
		const queuedDuring = runtime.writer.stats.pendingEntries;
		const storedDuring = runtime.store.counters.stored;
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1500 - (Date.now() - downAt))));
		await redis.start();
		const backAt = Date.now();
		const admin = plainClient(redis.url);
		await waitFor(async () => (await numsub(admin, INPUT_CHANNELS.trainingProgress)) >= 1, 5000, 'resubscribed');
		const resubscribeMs = Date.now() - backAt;
		const storedBefore = runtime.store.counters.stored;
		await waitFor(() => runtime.store.counters.stored > storedBefore + 50, 5000, 'events flowing again');
		// Entries of the outage either reach Redis or are counted as dropped (the batch also holds the stream's last
		// unflushed events, which took part of the 200 places).
		await waitFor(async () => (await admin.llen('mycotop:test:outage')) === 300 - droppedDuring, 5000, 'queued writes delivered');
		// No publish may still be on its way when the store and Redis are counted: an event stored after the count of
		// Redis's lists would be "produced" but not yet written (this made the check fail about one run in eight).
		// Settled: the store's count unchanged for longer than the writer's subscriber holds its reads at a trickle
		// (READ_HOLD_MS: a publish Redis has answered can wait that long in the socket; two polls 10 ms apart saw no
		// change while 10 events waited, and the count of Redis's lists came before them).
		await publisher.stopAndSettle();
		let lastStored = -1;
		let sameSince = Date.now();
		await waitFor(
			() => {
				const stored = runtime.store.counters.stored;
				if (stored !== lastStored) {
					lastStored = stored;
					sameSince = Date.now();
				}
				return Date.now() - sameSince > 4 * READ_HOLD_MS;
			},
			5000,
			'the last events stored',
		);
		await waitFor(async () => (await runtime.writer.drain(1000)) && runtime.writer.stats.pendingEntries === 0, 5000, 'writer drained');
		// Every list entry produced from the outage on is in Redis or counted as dropped. The fresh Redis holds the
		// events that were unflushed at the kill (queued - kept outage entries), the kept outage entries and all
		// events stored after the outage, less the dropped ones.
		const inRedis = (await admin.llen('metrics:training:seq:loss')) + (await admin.llen('mycotop:test:outage'));
		const produced = queuedDuring - (300 - droppedDuring) + 300 + (runtime.store.counters.stored - storedDuring);

		const status = runtime.snapshot().bus;
		row.observe(
			`resubscribed ${resubscribeMs} ms after Redis returned (NUMSUB ${await numsub(admin, INPUT_CHANNELS.trainingProgress)}); ` +
				`gaps ${status.reconnects}, header "${status.summary.replace(/^Redis \S+ /, '')}"; during the outage ${queuedDuring} queued, ` +
				`${droppedDuring} dropped, header "${during.replace(/^Redis \S+ /, '')}"; ${await admin.llen('mycotop:test:outage')} delivered after; accounted ${inRedis} in Redis + ${runtime.writer.stats.dropped} dropped of ${produced}`,
		);
		expect(inRedis + runtime.writer.stats.dropped).toBe(produced);
		expect(resubscribeMs).toBeLessThanOrEqual(2000);
		expect(await numsub(admin, INPUT_CHANNELS.trainingProgress)).toBe(1);
		expect(status.connection?.kind).toBe('connected');
		expect(status.reconnects).toBe(1);
		expect(status.summary).toContain('1 gap');
		expect(status.lastGapMs).toBeGreaterThanOrEqual(1500);
		// 200 outage entries wait (the bound); a batch that was in flight at the kill waits on top of them.
		expect(queuedDuring).toBeGreaterThanOrEqual(200);
		expect(droppedDuring).toBeGreaterThanOrEqual(100);
		expect(during).toMatch(new RegExp(`reconnecting .*${queuedDuring} writes queued · ${droppedDuring} writes dropped`));
		expect(await admin.llen('mycotop:test:outage')).toBe(300 - droppedDuring);
		expect(runtime.writer.stats.pendingEntries).toBe(0);
		expect(runtime.writer.stats.dropped).toBeGreaterThanOrEqual(droppedDuring);
		admin.disconnect();
		client.disconnect();
	});
});
