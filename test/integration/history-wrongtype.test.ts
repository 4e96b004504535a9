/**
A history key of another type (another program wrote it) on a real redis-server: the merge script skips that key,
merges every other key of the batch, and the writer counts the skipped key among Redis's refusals, named.
*/
import {describe, expect} from 'vitest';
import {redisPerTest} from '../helpers/redis-fixture.js';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {runtimeHistory} from '../../src/compose.js';
import {HISTORY_KEYS, INPUT_CHANNELS} from '../../src/contract/names.js';
import {bucketPlace, decodeRecord, RECORD_BYTES, TIERS} from '../../src/history/rollup-layout.js';

describe.runIf(redisAvailable())('history: a key of the wrong type', () => {
	redisPerTest('a 10 s chunk that is a list is skipped and counted; the 1 min and 1 h tiers and the other series of the batch are merged', async ({redis, startRuntime}) => {
		const client = redis.client();
		const now = Date.now();
		const t = now - 60_000;
		const [tenSeconds, oneMinute] = [TIERS[0]!, TIERS[1]!];
		const poisonedPlace = bucketPlace(tenSeconds, t - (t % tenSeconds.widthMs));
		const poisoned = HISTORY_KEYS.chunk('10s', 'training:evil:loss', poisonedPlace.chunk);
		await client.lpush(poisoned, 'not a chunk');
		const runtime = await startRuntime({awaitWriterMs: 5000});
		// One batch: a training event (its 10 s chunk poisoned) and a task completion.
		await Promise.all([
			client.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'evil', step: 1, loss: 0.5, timestamp: new Date(t).toISOString()})),
			client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: 't1', status: 'done', agent: 'ml', duration_seconds: 60, timestamp: new Date(t).toISOString()})),
		]);
		await waitFor(() => runtime.writer.stats.entriesWritten >= 2 && runtime.writer.stats.pendingEntries === 0, 10_000, 'written');
		await runtime.writer.drain(2000);

		// The poisoned key is left as it was.
		expect(await client.type(poisoned)).toBe('list');
		// The same series' 1 min bucket (another key of the same EVAL) holds the sample.
		const minutePlace = bucketPlace(oneMinute, t - (t % oneMinute.widthMs));
		const minute = await client.getBuffer(HISTORY_KEYS.chunk('1m', 'training:evil:loss', minutePlace.chunk));
		expect(minute).not.toBeNull();
		expect(decodeRecord(minute!, minutePlace.slot * RECORD_BYTES)).toMatchObject({count: 1, min: 0.5, max: 0.5});
		// Another series of the batch: its buckets are there.
		const tasks = await runtimeHistory(runtime).timeBuckets({series: 'tasks:throughput', fromMs: now - 3_600_000, toMs: now});
		expect(tasks.buckets.reduce((n, b) => n + b.count, 0)).toBe(1);
		// Counted and named like the writer's other refusals.
		expect(runtime.writer.stats.commandErrors).toBeGreaterThanOrEqual(1);
		expect(runtime.writer.stats.lastCommandError).toContain(poisoned);
	});
});
