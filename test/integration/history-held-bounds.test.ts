/**
The writer's held history rollups under a hostile load on a real redis-server: events stamped all over the 90 days'
retention while Redis is stalled (SIGSTOP mid-flush), so nothing can be merged. What is held stays bounded, every
sample left out is counted, and once Redis is back every other sample is in the time tiers exactly once.
*/
import {describe, expect, it} from 'vitest';
import {startRedis, redisAvailable} from '../helpers/redis-server.js';
import {RedisKv} from '../../src/bus/redis-kv.js';
import {describeWrites} from '../../src/bus/connection-state.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {RedisHistorySource} from '../../src/history/redis-history-source.js';
import {Ingest} from '../../src/ingest/ingest.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';

const DAY_MS = 86_400_000;
const PROJECTS = 100;
const STALLED_EVENTS = 150_000;

describe.runIf(redisAvailable())('held history rollups, bounded', () => {
	it('a stall with events stamped across 90 days holds a bounded number of buckets, counts what it leaves out, and merges the rest once', async () => {
		const redis = await startRedis();
		const client = redis.client();
		const target: WriterTarget = {
			kv: () => new RedisKv(client),
			canWrite: () => true,
			canWriteHost: () => true,
			shouldQueue: () => true,
			isReady: () => true,
			publish: () => {},
			instanceId: 'bounds',
		};
		const store = new MetricsStore();
		const writer = new SeedWriter(store, target, {history: true});
		const ingest = new Ingest(store, writer);
		const now = Date.now();
		const steps = new Array<number>(PROJECTS).fill(0);
		// A fixed pseudo-random sequence (mulberry32), so a failure replays.
		let seed = 12_345;
		const random = () => {
			seed = (seed + 0x6d_2b_79_f5) | 0;
			let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
			t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
			return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
		};
		let published = 0;
		const publish = (count: number) => {
			for (let i = 0; i < count; i++) {
				const project = Math.floor(random() * PROJECTS);
				const timestamp = new Date(now - 60_000 - Math.floor(random() * 89 * DAY_MS)).toISOString();
				ingest.handle(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: `p${project}`, step: steps[project]!++, loss: 1 + random(), timestamp}));
				published += 1;
			}
		};
		try {
			publish(1000);
			await writer.flush();
			expect(writer.stats.historyHeldBuckets).toBe(0);
			// Redis stalls mid-flush: that transaction hangs, and nothing can be merged while the events keep coming.
			publish(10);
			const inFlight = writer.flush();
			redis.pause();
			publish(STALLED_EVENTS);
			const held = writer.stats.historyHeldBuckets;
			const dropped = writer.stats.historyDropped;
			expect(held).toBeLessThanOrEqual(100_000);
			expect(dropped).toBeGreaterThan(0);
			redis.resume();
			await inFlight;
			expect(await writer.drain(120_000)).toBe(true);
			expect(writer.stats.historyHeldBuckets).toBe(0);
			// Every sample not counted as left out is in the 1 h tier exactly once.
			const source = new RedisHistorySource(() => client);
			let stored = 0;
			for (let p = 0; p < PROJECTS; p++) {
				const answer = await source.timeBuckets({series: `training:p${p}:loss`, fromMs: now - 90 * DAY_MS, toMs: now + 60_000, stepMs: 3_600_000});
				for (const bucket of answer.buckets) stored += bucket.count;
			}
			expect(stored + writer.stats.historyDropped).toBe(published);
		} finally {
			redis.resume();
			writer.stop();
			client.disconnect();
			await redis.stop();
		}
	}, 180_000);
});

describe.runIf(redisAvailable())('held history rollups in a batch given up', () => {
	it('a batch carrying the held rollups, failed and then abandoned with the lease, counts the samples of events committed before it', async () => {
		const redis = await startRedis();
		const client = redis.client();
		const lease = {held: true};
		let failNext = false;
		const kv = new RedisKv(client);
		const failing: typeof kv = Object.create(kv) as typeof kv;
		// The link dies with the transaction in flight: its outcome unknown to the writer (not applied here).
		failing.exec = async (...args: Parameters<typeof kv.exec>) => {
			if (failNext) {
				failNext = false;
				throw new Error('Connection is closed.');
			}
			return kv.exec(...args);
		};
		const target: WriterTarget = {
			kv: () => failing,
			canWrite: () => lease.held,
			canWriteHost: () => true,
			shouldQueue: () => false,
			isReady: () => true,
			publish: () => {},
			instanceId: 'abandoned',
		};
		const store = new MetricsStore();
		const writer = new SeedWriter(store, target, {history: true});
		const ingest = new Ingest(store, writer);
		let step = 0;
		const publish = (count: number) => {
			for (let i = 0; i < count; i++, step++) ingest.handle(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'x', step, loss: 1, timestamp: new Date().toISOString()}));
		};
		const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
		try {
			publish(100);
			await writer.flush(true);
			await sleep(30);
			// Committed, its samples held (merged at most once a second).
			publish(100);
			await writer.flush(true);
			expect(writer.stats.entriesWritten).toBe(200);
			await sleep(1050);
			// The next transaction carries the held samples, and fails; then the lease goes to another instance.
			publish(10);
			failNext = true;
			await writer.flush(true);
			expect(writer.stats.failures).toBe(1);
			lease.held = false;
			await writer.flush();
			expect(writer.stats.dropped).toBe(10);
			expect(writer.stats.historyDropped).toBe(100);
		} finally {
			writer.stop();
			client.disconnect();
			await redis.stop();
		}
	});
});

describe('the bus line', () => {
	it('says how many samples the time tiers left out', () => {
		expect(describeWrites({pendingEntries: 0, dropped: 0, historyDropped: 49_872}, true)).toBe(' · 49872 samples not in history by time');
		expect(describeWrites({pendingEntries: 0, dropped: 0, historyDropped: 0}, true)).toBe('');
	});
});
