/**
completed_today carries its day (`completed_day`): a writer that finds another day's count in Redis (the previous
writer died before midnight, or the box restarts the next day) starts again from what it counted itself, instead of
adding today's completions to yesterday's; hydration shows 0 for another day's count.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {INPUT_CHANNELS, keys} from '../../src/contract/names.js';
import {localDayStamp} from '../../src/store/metrics-store.js';
import {Runtime} from '../../src/runtime.js';

describe.runIf(redisAvailable())('completed_today and its day', () => {
	let redis: TestRedis | undefined;
	let runtime: Runtime | undefined;
	afterEach(async () => {
		await runtime?.stop(500);
		await redis?.stop();
		runtime = undefined;
		redis = undefined;
	});

	async function run(stored: Record<string, string>, completions: number): Promise<{counters: Record<string, string>; shownAtStart: number}> {
		redis = await startRedis();
		const client = redis.client();
		if (Object.keys(stored).length > 0) await client.hset(keys.tasksCounters, stored);
		const r = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, instanceId: 'day-test'});
		runtime = r;
		await r.start(3000);
		await waitFor(() => r.bus.role === 'writer', 8000, 'writer lease');
		const shownAtStart = r.store.completedToday;
		for (let n = 0; n < completions; n++)
			await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `d${n}`, status: 'done', agent: 'day-agent', duration_seconds: 3}));
		await waitFor(async () => (await client.llen(keys.tasksCompletionTimes)) === completions, 5000, 'entries written');
		await waitFor(async () => (await client.hget(keys.tasksCounters, 'completed_day')) === localDayStamp(Date.now()), 5000, 'day written');
		return {counters: await client.hgetall(keys.tasksCounters), shownAtStart};
	}

	it("another day's count in Redis: today's completions start from 0, not from yesterday's 470", async () => {
		const {counters, shownAtStart} = await run({completed_today: '470', completed_day: '2000-01-01'}, 5);
		expect(shownAtStart).toBe(0);
		expect(counters['completed_today']).toBe('5');
		expect(counters['completed_day']).toBe(localDayStamp(Date.now()));
	});

	it("today's count in Redis: added to", async () => {
		const {counters, shownAtStart} = await run({completed_today: '10', completed_day: localDayStamp(Date.now())}, 5);
		expect(shownAtStart).toBe(10);
		expect(counters['completed_today']).toBe('15');
	});

	it('a count without a day (written by an older version): taken to be today\'s, as before', async () => {
		const {counters} = await run({completed_today: '7'}, 2);
		expect(counters['completed_today']).toBe('9');
	});
});
