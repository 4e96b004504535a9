/**
The events' history rollups held across the writer's transactions (write-batcher.ts): under load they are merged into
Redis at most once a second (and by an explicit flush or a drain), never twice, every sample exactly once; what an
instance holds when it loses the lease is left out, never written by it afterwards. On a real redis-server.
*/
import {describe, expect, it} from 'vitest';
import {startRedis, redisAvailable} from '../helpers/redis-server.js';
import {RedisKv} from '../../src/bus/redis-kv.js';
import {HISTORY_KEYS, INPUT_CHANNELS} from '../../src/contract/names.js';
import {bucketPlace, decodeRecord, RECORD_BYTES, TIERS} from '../../src/history/rollup-layout.js';
import {Ingest} from '../../src/ingest/ingest.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.runIf(redisAvailable())('history rollups held across transactions', () => {
	async function setUp() {
		const redis = await startRedis();
		const client = redis.client();
		const lease = {held: true};
		const target: WriterTarget = {
			kv: () => new RedisKv(client),
			canWrite: () => lease.held,
			canWriteHost: () => true,
			shouldQueue: () => false,
			isReady: () => true,
			publish: () => {},
			instanceId: 'held',
		};
		const store = new MetricsStore();
		const writer = new SeedWriter(store, target, {history: true});
		const ingest = new Ingest(store, writer);
		// One closed 10 s bucket, 20-30 s ago: every sample of the test lands in it.
		const bucket = Math.floor(Date.now() / 10_000) * 10_000 - 30_000;
		let step = 0;
		const publish = (count: number) => {
			for (let i = 0; i < count; i++, step++) {
				ingest.handle(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'p', step, loss: 1 + (step % 7), timestamp: new Date(bucket + (step % 9000)).toISOString()}));
			}
		};
		/** The loss bucket's count of samples in Redis (0 when absent). */
		const counted = async (): Promise<number> => {
			const tier = TIERS[0]!;
			const {chunk, slot} = bucketPlace(tier, bucket);
			const bytes = await client.getrangeBuffer(HISTORY_KEYS.chunk('10s', 'training:p:loss', chunk), slot * RECORD_BYTES, (slot + 1) * RECORD_BYTES - 1);
			return decodeRecord(bytes, 0)?.count ?? 0;
		};
		const evals = async (): Promise<number> => Number(/cmdstat_eval:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
		return {redis, client, lease, writer, publish, counted, evals, entries: () => writer.stats.entriesWritten};
	}

	it('merges at most once a second under load, every sample exactly once, and all of it at a drain', async () => {
		const t = await setUp();
		try {
			// Five scheduled (paced) transactions within a few hundred ms: the first carries the rollups, the rest do not.
			for (let round = 0; round < 5; round++) {
				t.publish(400);
				await t.writer.flush(true);
				await sleep(30);
			}
			expect(t.entries()).toBe(2000);
			expect(t.writer.stats.batches).toBeGreaterThanOrEqual(5);
			expect(await t.evals()).toBe(1);
			expect(await t.counted()).toBe(400);
			// Past the interval, the next scheduled transaction takes what was held.
			await sleep(1000);
			t.publish(10);
			await t.writer.flush(true);
			expect(await t.evals()).toBe(2);
			expect(await t.counted()).toBe(2010);
			// A drain writes the rest at once.
			t.publish(90);
			expect(await t.writer.drain(5000)).toBe(true);
			expect(await t.counted()).toBe(2100);
		} finally {
			t.writer.stop();
			t.client.disconnect();
			await t.redis.stop();
		}
	});

	it('an explicit flush writes the held samples at once', async () => {
		const t = await setUp();
		try {
			t.publish(100);
			await t.writer.flush(true);
			t.publish(100);
			await t.writer.flush(true);
			expect(await t.counted()).toBe(100);
			await t.writer.flush();
			expect(await t.counted()).toBe(200);
		} finally {
			t.writer.stop();
			t.client.disconnect();
			await t.redis.stop();
		}
	});

	it('what is held when the lease goes is never written by this instance, and nothing is counted twice', async () => {
		const t = await setUp();
		try {
			t.publish(100);
			await t.writer.flush(true);
			// Past the pacing gap (20 ms), so the second scheduled flush sends its transaction instead of waiting.
			await sleep(30);
			t.publish(100);
			await t.writer.flush(true);
			expect(t.entries()).toBe(200);
			expect(await t.counted()).toBe(100);
			// The lease goes (another instance writes now): the held samples are let go with it.
			t.lease.held = false;
			await t.writer.flush();
			// The 100 samples of committed events it let go are counted: stored entries = history + left out.
			expect(t.writer.stats.historyDropped).toBe(100);
			t.lease.held = true;
			t.publish(50);
			expect(await t.writer.drain(5000)).toBe(true);
			expect(await t.counted()).toBe(150);
			expect(t.entries()).toBe((await t.counted()) + t.writer.stats.historyDropped);
		} finally {
			t.writer.stop();
			t.client.disconnect();
			await t.redis.stop();
		}
	});
});
