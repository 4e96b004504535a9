/**
The seed's contract against a real redis-server: events published by a separate client produce exactly the seed's
keys, values and TTLs; malformed messages are counted and the stream goes on; hydration reads history back.
*/
import {describe, expect} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisTest} from '../helpers/redis-fixture.js';
import {type Runtime} from '../../src/runtime.js';

const enabled = redisAvailable();

// One writer for the file's tests, on the file's Redis.
const it = redisTest.extend({
	fileRuntimeOptions: [async ({}, use) => use({writer: {aggregateEveryMs: 100, analysisEveryMs: 200}, awaitWriterMs: 5000}), {scope: 'file'}],
});

describe.runIf(enabled)('seed contract against redis-server', () => {
	let client: Redis;
	let runtime: Runtime;

	it.beforeAll(async ({redis, fileRuntime}) => {
		client = redis.client();
		runtime = fileRuntime;
	});

	it('writes Pattern 1 (training) to the exact keys, shapes and TTLs', async () => {
		for (let step = 1; step <= 12; step++) {
			await client.publish('events:training:progress', JSON.stringify({projectId: 'proj-1', step, loss: 3 - step * 0.1, wer: 0.5, timestamp: `2026-11-29T12:00:${String(step).padStart(2, '0')}Z`}));
		}
		await client.publish('events:training:progress', JSON.stringify({projectId: 'proj-2', step: 1, loss: 1.25, timestamp: '2026-11-29T12:01:00Z'}));
		await waitFor(async () => (await client.llen('metrics:training:proj-1:loss')) === 12 && (await client.exists('metrics:training:proj-2:current')) === 1, 5000, 'training keys');

		const loss = (await client.lrange('metrics:training:proj-1:loss', 0, -1)).map((e) => JSON.parse(e));
		expect(loss[0]).toEqual({step: 12, value: 3 - 12 * 0.1, timestamp: '2026-11-29T12:00:12Z'});
		expect(loss[11]).toEqual({step: 1, value: 3 - 0.1, timestamp: '2026-11-29T12:00:01Z'});
		expect(await client.llen('metrics:training:proj-1:wer')).toBe(12);
		const ttl = await client.ttl('metrics:training:proj-1:loss');
		expect(ttl).toBeGreaterThan(604_800 - 10);
		expect(ttl).toBeLessThanOrEqual(604_800);
		expect(await client.hgetall('metrics:training:proj-1:current')).toEqual({loss: String(3 - 12 * 0.1), wer: '0.5', last_updated: '2026-11-29T12:00:12Z'});
		// proj-2 sent no WER: no WER list is invented for it.
		expect(await client.exists('metrics:training:proj-2:wer')).toBe(0);
		await waitFor(async () => (await client.hget('metrics:training:proj-1:analysis', 'trend')) === 'improving', 5000, 'analysis');
		const analysis = await client.hgetall('metrics:training:proj-1:analysis');
		expect(Object.keys(analysis).sort()).toEqual(['converged', 'slope', 'trend', 'volatility']);
		expect(Number(analysis['slope'])).toBeCloseTo(-0.1, 5);
	});

	it('writes Pattern 2 (tasks) and the per-agent performance from the store', async () => {
		const now = new Date().toISOString();
		const tasks = [
			{taskId: 't1', status: 'done', agent: 'ml-engineer', duration_seconds: 600, timestamp: now},
			{taskId: 't2', status: 'done', agent: 'ml-engineer', duration_seconds: 2400, timestamp: now},
			{taskId: 't3', status: 'failed', agent: 'ml-engineer', timestamp: now},
			{taskId: 't4', status: 'running', agent: 'data-engineer', timestamp: now},
		];
		for (const t of tasks) await client.publish('events:tasks:updates', JSON.stringify(t));
		// The aggregates are recomputed on a timer, so a write made between two of the four events is a true but
		// partial state: wait for the final figures themselves, then check everything else.
		const performance = {tasks_completed: '2', avg_duration_seconds: '1500', error_rate_percent: '33.33'};
		const aggregated = {throughput_per_hour: '2', avg_duration_seconds: '1500', sla_compliance_percent: '50'};
		const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
		await waitFor(async () => same(await client.hgetall('metrics:agent:ml-engineer:performance'), performance), 5000, 'agent performance');
		await waitFor(async () => same(await client.hgetall('metrics:tasks:aggregated'), aggregated), 5000, 'aggregates');
		await waitFor(async () => (await client.llen('metrics:tasks:completion_times')) === 2, 5000, 'both completions');

		const completions = (await client.lrange('metrics:tasks:completion_times', 0, -1)).map((e) => JSON.parse(e));
		expect(completions).toEqual([
			{taskId: 't2', agent: 'ml-engineer', duration: 2400, timestamp: now},
			{taskId: 't1', agent: 'ml-engineer', duration: 600, timestamp: now},
		]);
		const ttl = await client.ttl('metrics:tasks:completion_times');
		expect(ttl).toBeGreaterThan(86_400 - 10);
		await waitFor(async () => (await client.hget('metrics:tasks:counters', 'completed_today')) === '2', 5000, 'completed_today');
		// Nothing goes past the final figures afterwards.
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(await client.hgetall('metrics:tasks:aggregated')).toEqual(aggregated);
		expect(await client.hgetall('metrics:agent:ml-engineer:performance')).toEqual(performance);
		expect(await client.hget('metrics:tasks:counters', 'completed_today')).toBe('2');
	});

	it('writes Pattern 4 (agents): active set, workload and the seed load-balance formula', async () => {
		await client.publish('events:agents:status', JSON.stringify({agentType: 'a1', status: 'busy', taskCount: 2}));
		await client.publish('events:agents:status', JSON.stringify({agentType: 'a2', status: 'busy', taskCount: 6}));
		await client.publish('events:agents:status', JSON.stringify({agentType: 'a3', status: 'busy', taskCount: 1}));
		await client.publish('events:agents:status', JSON.stringify({agentType: 'a3', status: 'idle', taskCount: 0}));
		await waitFor(async () => (await client.hget('metrics:agents:load_balance', 'variance_percent')) === '50', 5000, 'load balance');
		expect((await client.smembers('metrics:agents:active')).sort()).toEqual(['a1', 'a2']);
		expect(await client.hgetall('metrics:agent:a2:workload')).toEqual({current_tasks: '6'});
		expect(await client.hgetall('metrics:agent:a3:workload')).toEqual({current_tasks: '0'});
		// mean of busy (2, 6) is 4, max deviation 2 -> 50%.
		expect(await client.hgetall('metrics:agents:load_balance')).toEqual({variance_percent: '50', avg_tasks_per_agent: '4'});
	});

	it('counts malformed messages with their reason and goes on', async () => {
		const before = runtime.store.counters.rejected;
		await client.publish('events:training:progress', '{not json');
		await client.publish('events:training:progress', JSON.stringify({projectId: 'x', step: 'one', loss: 1}));
		await client.publish('events:agents:status', JSON.stringify({agentType: 'a9', status: 'asleep'}));
		await client.publish('events:training:progress', JSON.stringify({projectId: 'after-garbage', step: 1, loss: 0.5}));
		await waitFor(() => runtime.store.projects.has('after-garbage'), 5000, 'valid message after garbage');
		expect(runtime.store.counters.rejected - before).toBe(3);
		expect(runtime.store.counters.rejectReasons.get('not JSON')).toBeGreaterThanOrEqual(1);
		expect(runtime.store.counters.rejectReasons.get('training: invalid step')).toBe(1);
		expect(runtime.snapshot().counters.rejected).toBe(runtime.store.counters.rejected);
	});

	it('trims lists to 10,000 entries', async () => {
		const pipeline = client.pipeline();
		for (let i = 0; i < 10_050; i++) pipeline.publish('events:training:progress', JSON.stringify({projectId: 'long', step: i, loss: 1}));
		await pipeline.exec();
		await waitFor(() => runtime.store.projects.get('long')?.lastStep === 10_049, 15_000, 'all published');
		await waitFor(async () => JSON.parse((await client.lindex('metrics:training:long:loss', 0)) ?? '{}').step === 10_049, 5000, 'last written');
		expect(await client.llen('metrics:training:long:loss')).toBe(10_000);
	});

	it('hydrates history at start so a second instance shows it immediately', async ({startRuntime}) => {
		const viewer = await startRuntime({readOnly: true});
		const snap = viewer.snapshot();
		const proj = snap.training.find((p) => p.projectId === 'proj-1');
		expect(proj?.points).toBe(12);
		expect(proj?.lastLoss).toBeCloseTo(1.8);
		expect(snap.tasks.recent.map((c) => c.taskId)).toEqual(['t2', 't1']);
		expect(snap.agents.find((a) => a.agent === 'ml-engineer')).toMatchObject({completed: 2, failed: 1, avgDurationSeconds: 1500});
		expect(snap.agents.find((a) => a.agent === 'a2')).toMatchObject({status: 'busy', currentTasks: 6});
		expect(snap.bus.role).toBe('read-only');
	});
});
