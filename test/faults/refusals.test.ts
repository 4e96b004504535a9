/**
Redis up but refusing writes (maxmemory with noeviction, min-replicas-to-write without replicas): the refusal is
named on screen with a count, writes wait (bounded), what could not wait is dropped, counted per key family and
reported in Redis once it takes writes again, where `--once` on any machine reads it.
*/
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {runCli} from '../helpers/cli.js';
import {INPUT_CHANNELS, keys, ourKeys} from '../../src/contract/names.js';
import {type Runtime} from '../../src/runtime.js';
import {faultRow} from './fault-table.js';
import {plainClient, requireBuild, startRuntime} from './harness.js';

describe.runIf(redisAvailable())('Redis refusing writes', () => {
	let redis: TestRedis | undefined;
	let runtime: Runtime | undefined;

	beforeAll(() => requireBuild());
	afterEach(async () => {
		await runtime?.stop(500);
		await redis?.stop();
		runtime = undefined;
		redis = undefined;
	});

	it('maxmemory + noeviction: OOM named with a count; 50 completions with room for 20: 20 written, 30 dropped and reported; --once shows it', async ({task}) => {
		const row = faultRow(
			task,
			'A6 Redis at maxmemory (noeviction) while 50 completions arrive (room for 20 waiting writes)',
			'header names "Redis refuses writes: OOM" with a count; after memory is freed 20 written + 30 dropped = 50; tasks 30 in mycotop:writes:dropped and --once',
		);
		redis = await startRedis(['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction']);
		runtime = await startRuntime(redis.url, {writer: {maxPendingEntries: 20}});
		const r = runtime;
		await waitFor(() => r.bus.role === 'writer', 8000, 'writer lease');
		const admin = plainClient(redis.url);
		const client = plainClient(redis.url);
		// Fill Redis until it refuses.
		const filler = 'x'.repeat(64 * 1024);
		let fillers = 0;
		for (;;) {
			try {
				await admin.set(`filler:${fillers}`, filler);
				fillers += 1;
			} catch (error) {
				expect(String(error)).toMatch(/OOM/);
				break;
			}
		}
		for (let n = 1; n <= 50; n++)
			await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `oom${n}`, status: 'done', agent: 'oom-agent', duration_seconds: 5}));
		await waitFor(() => r.store.counters.stored === 50, 5000, 'all 50 taken in');
		await waitFor(() => /Redis refuses writes: OOM \(maxmemory reached\) ×\d+/.test(r.snapshot().bus.summary), 8000, 'OOM named in the header');
		// The drops are counted as the waiting batch is retried against the refusal: wait for the retries to reach them.
		await waitFor(() => (r.writer.stats.droppedByFamily.tasks ?? 0) >= 30, 5000, 'the 30 drops counted');
		const during = r.snapshot().bus.summary;
		expect(r.writer.stats.droppedByFamily).toEqual({tasks: 30});
		// Memory back: the waiting writes go in, the drops are reported.
		for (let i = 0; i < fillers; i++) await admin.del(`filler:${i}`);
		await waitFor(async () => (await admin.llen(keys.tasksCompletionTimes)) === 20 && (await admin.hget(ourKeys.writesDropped, 'tasks')) === '30', 10_000, 'written and reported');
		await waitFor(() => !r.snapshot().bus.summary.includes('refuses writes'), 5000, 'refusal cleared');
		expect(await admin.hget(keys.tasksCounters, 'completed_today')).toBe('20');
		const once = await runCli(['--once', '--no-gpu', '--redis-url', redis.url]);
		expect(once.stdout).toContain('writes dropped (reported by the writers in mycotop:writes:dropped): tasks 30');
		row.observe(`during: "${during.replace(/^Redis \S+ /, '')}"; after: list 20, completed_today 20, reported tasks 30; --once prints it`);
		admin.disconnect();
		client.disconnect();
	});

	it('min-replicas-to-write without replicas: NOREPLICAS named with a count while the lease is refused', async ({task}) => {
		const row = faultRow(task, 'A7 min-replicas-to-write 1, no replica', 'header names "Redis refuses writes: NOREPLICAS" with a count; nothing crashes');
		redis = await startRedis(['--min-replicas-to-write', '1']);
		runtime = await startRuntime(redis.url);
		const r = runtime;
		await waitFor(() => /Redis refuses writes: NOREPLICAS \(not enough replicas \(min-replicas-to-write\)\) ×\d+/.test(r.snapshot().bus.summary), 8000, 'NOREPLICAS named');
		row.observe(`"${r.snapshot().bus.summary.replace(/^Redis \S+ /, '')}"`);
	});

	it('a key of the wrong type (another program wrote it): Redis applies the rest; the refused commands are named, their entries counted as dropped', async ({task}) => {
		const row = faultRow(
			task,
			'A8 metrics:tasks:completion_times is a string (WRONGTYPE) while 3 completions arrive',
			'header names "Redis refused N commands: WRONGTYPE ... (metrics:tasks:completion_times)"; tasks 3 dropped and reported',
		);
		redis = await startRedis();
		runtime = await startRuntime(redis.url);
		const r = runtime;
		await waitFor(() => r.bus.role === 'writer', 8000, 'writer lease');
		const admin = plainClient(redis.url);
		await admin.set(keys.tasksCompletionTimes, 'legacy');
		for (let n = 1; n <= 3; n++)
			await admin.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `wt${n}`, status: 'done', agent: 'wt-agent', duration_seconds: 5}));
		await waitFor(() => (r.writer.stats.droppedByFamily.tasks ?? 0) === 3, 5000, 'the 3 entries counted as dropped');
		const summary = r.snapshot().bus.summary;
		expect(summary).toMatch(/Redis refused \d+ commands?: WRONGTYPE.*\(metrics:tasks:completion_times\)/);
		expect(summary).toContain('3 writes dropped (tasks 3)');
		await waitFor(async () => (await admin.hget(ourKeys.writesDropped, 'tasks')) === '3', 5000, 'reported in Redis');
		row.observe(`"${summary.replace(/^Redis \S+ /, '')}"`);
		admin.disconnect();
	});
});
