/**
The store's caps and staleness end to end: a real redis-server, the runtime (hydration, subscriber, writer) and the
real exporter scraped over HTTP. Projects read back from Redis whose last event is days old no longer keep a live
project out (they are evicted, and their Redis keys stay); completions from agents over store.maxAgents reach the
box-wide task metrics; an agent whose last status is a day old is not exported as busy.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {INPUT_CHANNELS, keys} from '../../src/contract/names.js';
import {Runtime} from '../../src/runtime.js';
import {MetricsPart} from '../../src/metrics/metrics-part.js';
import {Exposition} from '../../src/metrics/exposition.js';
import {type StoreLimits} from '../../src/store/metrics-store.js';
import {parseExposition, samplesOf, valueOf} from '../metrics/parse-exposition.js';

const DAY = 86_400_000;

describe.runIf(redisAvailable())('caps and staleness through Redis and a real scrape', () => {
	let redis: TestRedis | undefined;
	let runtime: Runtime | undefined;
	let part: MetricsPart | undefined;
	afterEach(async () => {
		await part?.stop();
		await runtime?.stop(500);
		await redis?.stop();
		part = undefined;
		runtime = undefined;
		redis = undefined;
	});

	async function start(limits: Partial<StoreLimits>, seed?: (client: ReturnType<TestRedis['client']>) => Promise<void>) {
		redis = await startRedis();
		const client = redis.client();
		if (seed !== undefined) await seed(client);
		const exposition = new Exposition({processMetrics: false});
		const r = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, instanceId: 'caps-test', limits, listeners: {onStored: exposition.observe}});
		runtime = r;
		await r.start(3000);
		await waitFor(() => r.bus.role === 'writer', 8000, 'writer lease');
		part = new MetricsPart(r, {address: {host: '127.0.0.1', port: 0}, exposition, smoothing: 0.6});
		await part.start();
		const url = `http://127.0.0.1:${part.bound!.port}/metrics`;
		const scrape = async () => parseExposition(await (await fetch(url)).text());
		return {client, scrape, store: r.store};
	}

	it('two projects from 3 days ago read back at start (maxProjects 2): a live project is stored and exported, the oldest evicted, its Redis keys kept', async () => {
		const old = Date.now() - 3 * DAY;
		const {client, scrape, store} = await start({maxProjects: 2}, async (c) => {
			await c.lpush(keys.trainingLoss('oldA'), JSON.stringify({step: 1, value: 0.5, timestamp: old}));
			await c.lpush(keys.trainingLoss('oldB'), JSON.stringify({step: 1, value: 0.5, timestamp: old + 1000}));
		});
		expect(store.projects.size).toBe(2);
		for (let step = 1; step <= 3; step++)
			await client.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'live', step, loss: 0.4, timestamp: Date.now()}));
		await waitFor(() => store.projects.get('live')?.loss.length === 3, 5000, 'the live project stored');
		const parsed = await scrape();
		expect(valueOf(parsed, 'mycotop_training_loss', {project: 'live'})).toBe(0.4);
		expect(valueOf(parsed, 'mycotop_messages_refused_total', {limit: 'projects'})).toBe(0);
		expect(valueOf(parsed, 'mycotop_store_evictions_total', {limit: 'projects'})).toBe(1);
		// The stale project still in memory has no loss sample (a stale last value), only its last update time.
		expect(samplesOf(parsed, 'mycotop_training_loss').map((s) => s.labels['project'])).toEqual(['live']);
		expect(valueOf(parsed, 'mycotop_training_last_update_timestamp_seconds', {project: 'oldB'})).toBe((old + 1000) / 1000);
		// Eviction is the store's: the contract's keys in Redis are left alone.
		expect(await client.exists(keys.trainingLoss('oldA'))).toBe(1);
	});

	it('completions from a1..a4 with maxAgents 2 (a slot held by a busy agent known only from Redis): all four in tasks_completed_total; the leftover agent evicted', async () => {
		const {client, scrape, store} = await start({maxAgents: 2}, async (c) => {
			await c.hset(keys.agentWorkload('ghost'), {current_tasks: '7'});
			await c.sadd(keys.agentsActive, 'ghost');
		});
		expect(store.agents.has('ghost')).toBe(true);
		const now = Math.floor(Date.now() / 1000);
		for (const a of ['a1', 'a2', 'a3', 'a4'])
			await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `t-${a}-${now}`, agent: a, status: 'completed', duration_seconds: 10, timestamp: now}));
		await waitFor(() => store.counters.received === 4, 5000, 'four messages received');
		const parsed = await scrape();
		expect(valueOf(parsed, 'mycotop_tasks_completed_total')).toBe(4);
		expect(valueOf(parsed, 'mycotop_task_duration_seconds_count')).toBe(4);
		expect(valueOf(parsed, 'mycotop_tasks_completed_last_hour')).toBe(4);
		expect(valueOf(parsed, 'mycotop_messages_partly_refused_total', {limit: 'agents'})).toBe(2);
		// The ghost was never heard since start: a2 took its slot; it is no longer exported as busy.
		expect(samplesOf(parsed, 'mycotop_agent_busy').filter((x) => x.labels['agent'] === 'ghost')).toEqual([]);
		expect(valueOf(parsed, 'mycotop_store_evictions_total', {limit: 'agents'})).toBe(1);
		// The writer wrote every completion to the seed's list, as the store counted them.
		await waitFor(async () => (await client.llen(keys.tasksCompletionTimes)) === 4, 5000, 'completions written');
	});

	it('second hostile review: a completion from an agent over maxAgents writes the box-wide list and counters, never a key of that agent', async () => {
		const {client, store} = await start({maxAgents: 2});
		for (const a of ['live1', 'live2']) await client.publish(INPUT_CHANNELS.agentStatus, JSON.stringify({agentType: a, status: 'busy', taskCount: 1, timestamp: Date.now()}));
		const now = Math.floor(Date.now() / 1000);
		for (let i = 0; i < 5; i++)
			await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `t${i}`, agent: `spam${i}`, status: 'completed', duration_seconds: 5, timestamp: now}));
		await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: 'tf', agent: 'spam-failed', status: 'failed', timestamp: now}));
		await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: 'tl', agent: 'live1', status: 'completed', duration_seconds: 5, timestamp: now}));
		await waitFor(() => store.counters.received === 9, 5000, 'nine messages received');
		expect(store.counters.partlyRefusedBy.agents).toBe(6);
		await waitFor(async () => (await client.llen(keys.tasksCompletionTimes)) === 6, 5000, 'completions written');
		await waitFor(async () => (await client.hget(keys.agentPerformance('live1'), 'tasks_completed')) === '1', 5000, 'live1 counted');
		await waitFor(async () => (await client.hget(keys.tasksCounters, 'completed_today')) === '6', 5000, 'box-wide counter');
		// A second of aggregates later, still no key of a refused agent.
		await new Promise((resolve) => setTimeout(resolve, 1200));
		expect((await client.keys('metrics:agent:*:performance')).sort()).toEqual([keys.agentPerformance('live1')]);
		expect(await client.keys('metrics:agent:spam*')).toEqual([]);
	});

	it('second hostile review: after a restart, agent keys left in Redis never lock a live agent out (read back, evictable at once)', async () => {
		const {client, store} = await start({maxAgents: 2}, async (c) => {
			for (const a of ['left1', 'left2', 'left3']) await c.hset(keys.agentPerformance(a), {tasks_completed: '1'});
		});
		expect(store.agents.size).toBe(2);
		expect(store.counters.evictedBy.agents).toBe(0);
		for (const a of ['new1', 'new2']) await client.publish(INPUT_CHANNELS.agentStatus, JSON.stringify({agentType: a, status: 'busy', taskCount: 3, timestamp: Date.now()}));
		await waitFor(() => store.counters.received === 2, 5000, 'two statuses received');
		expect([...store.agents.keys()].sort()).toEqual(['new1', 'new2']);
		expect(store.counters.refusedBy.agents).toBe(0);
		expect(store.counters.evictedBy.agents).toBe(2);
	});

	it('second hostile review: hydrating more idle projects than the cap never evicts; the ones loaded are whole (loss and WER), the rest skipped', async () => {
		const old = Date.now() - DAY;
		const {store} = await start({maxProjects: 2}, async (c) => {
			for (const [i, p] of ['A', 'B', 'C'].entries()) {
				await c.lpush(keys.trainingLoss(p), JSON.stringify({step: 1, value: 0.5, timestamp: old + i}));
				await c.lpush(keys.trainingWer(p), JSON.stringify({step: 1, value: 0.2, timestamp: old + i}));
			}
		});
		expect(store.projects.size).toBe(2);
		expect(store.counters.evictedBy.projects).toBe(0);
		for (const [id, series] of store.projects) {
			expect(series.loss.length, id).toBe(1);
			expect(series.wer?.length, id).toBe(1);
			expect(series.lastSeenMs, id).toBeGreaterThanOrEqual(old);
		}
	});
});
