/**
A burst through a real redis-server with the encoding worker (entry-encoder.ts): big transactions' training entries
are encoded on the worker thread, and what Redis holds is exactly what the plain path writes, in order, with the
accounting whole (every message stored, the counters equal to the completion list, nothing dropped), through a
Redis stall in the middle of the burst too.
*/
import {describe, expect} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisPerTest as it} from '../helpers/redis-fixture.js';
import {stepEntry, timestampJson} from '../../src/writer/seed-entries.js';

const PROJECTS = 4;
const AGENTS = 3;

/** Message `i` of the burst: 4 of 5 training steps (with WER), 1 of 5 a task completion. */
function message(i: number, base: number): [string, string] {
	const timestamp = new Date(base + i).toISOString();
	if (i % 5 !== 4) return ['events:training:progress', JSON.stringify({projectId: `burst-${i % PROJECTS}`, step: i, loss: 1 + Math.sin(i) / 3, wer: (i % 97) / 100, timestamp})];
	return ['events:tasks:updates', JSON.stringify({taskId: `t-${i}`, status: 'done', agent: `agent-${i % AGENTS}`, duration_seconds: 60 + (i % 600), timestamp})];
}

async function publishBurst(client: Redis, from: number, to: number, base: number): Promise<void> {
	for (let start = from; start < to; start += 1000) {
		const pipeline = client.pipeline();
		for (let i = start; i < Math.min(to, start + 1000); i++) pipeline.publish(...message(i, base));
		await pipeline.exec();
	}
}

/** The loss and WER lists as the plain path writes them (newest first). */
function expectedLists(count: number, base: number): Map<string, string[]> {
	const lists = new Map<string, string[]>();
	const add = (key: string, entry: string) => lists.set(key, [entry, ...(lists.get(key) ?? [])]);
	for (let i = 0; i < count; i++) {
		if (i % 5 === 4) continue;
		const event = JSON.parse(message(i, base)[1]) as {projectId: string; step: number; loss: number; wer: number; timestamp: string};
		add(`metrics:training:${event.projectId}:loss`, stepEntry(event.step, event.loss, timestampJson(event.timestamp)));
		add(`metrics:training:${event.projectId}:wer`, stepEntry(event.step, event.wer, timestampJson(event.timestamp)));
	}
	return lists;
}

describe.runIf(redisAvailable())('a burst with the encoding worker', () => {
	for (const stall of [false, true]) {
		it(`writes every entry once, byte for byte, with the counters equal to the list${stall ? ', through a 1 s Redis stall' : ''}`, {timeout: 60_000}, async ({redis, startRuntime}) => {
			const runtime = await startRuntime({awaitWriterMs: 5000, history: true});
			const client = redis.client();
			const count = 20_000;
			const base = Date.now() - 60_000;
			await publishBurst(client, 0, count / 2, base);
			if (stall) {
				const sleeper = redis.client();
				await sleeper.call('DEBUG', 'SLEEP', '1');
				sleeper.disconnect();
			}
			await publishBurst(client, count / 2, count, base);
			const completions = count / 5;
			await waitFor(async () => (await client.llen('metrics:tasks:completion_times')) === completions && runtime.writer.stats.pendingEntries === 0, 30_000, 'the burst written');
			expect(await runtime.writer.drain(10_000)).toBe(true);

			for (const [key, entries] of expectedLists(count, base)) expect(await client.lrange(key, 0, -1), key).toEqual(entries);
			const stats = runtime.writer.stats;
			expect(stats.encoder.workerBatches).toBeGreaterThan(0);
			expect(stats.encoder.failures).toBe(0);
			expect(stats.dropped).toBe(0);
			expect(runtime.store.counters.stored).toBe(count);
			expect(runtime.store.counters.rejected).toBe(0);
			expect(Number(await client.hget('metrics:tasks:counters', 'completed_today'))).toBe(completions);
			let perAgent = 0;
			for (let a = 0; a < AGENTS; a++) perAgent += Number(await client.hget(`metrics:agent:agent-${a}:performance`, 'tasks_completed'));
			expect(perAgent).toBe(completions);
			client.disconnect();
		});
	}
});
