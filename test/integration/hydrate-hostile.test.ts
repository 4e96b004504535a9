/** History read back from Redis at start is untrusted too: hostile key names and entries are refused and counted. */
import {describe, expect} from 'vitest';
import {redisAvailable} from '../helpers/redis-server.js';
import {redisPerTest as it} from '../helpers/redis-fixture.js';
import {snapshotToJson} from '../../src/store/snapshot.js';
import {onceText} from '../../src/once.js';

const enabled = redisAvailable();
const ESC = '\u001B';

describe.runIf(enabled)('hydration of hostile history', () => {
	it('keeps escape sequences out of the store and counts what it refused', async ({redis, startRuntime}) => {
		const client = redis.client();
		await client.lpush(`metrics:training:p${ESC}]52;c;ZXZpbA==\u0007q:loss`, JSON.stringify({step: 1, value: 1, timestamp: 't'}));
		await client.lpush('metrics:training:good:loss', JSON.stringify({step: 1, value: 1, timestamp: '2026-11-29T12:00:00Z'}));
		await client.lpush('metrics:tasks:completion_times', JSON.stringify({taskId: `t${ESC}]0;PWNED\u0007`, agent: 'a', duration: 5, timestamp: '2026-11-29T12:00:00Z'}));
		await client.hset(`metrics:agent:b${ESC}[31mred:performance`, {tasks_completed: '3', avg_duration_seconds: '1', error_rate_percent: '0'});
		await client.sadd('metrics:agents:active', `c\u202Eevil`);
		const runtime = await startRuntime({readOnly: true});
		const snap = runtime.snapshot();
		expect(snap.training.map((p) => p.projectId)).toEqual(['good']);
		expect(snap.tasks.recent).toEqual([]);
		expect(snap.agents).toEqual([]);
		expect(runtime.hydrationReport?.rejected).toBe(4);
		// Only what was loaded is reported: the hostile loss key is no project, the hostile agents no agents.
		expect(runtime.hydrationReport).toMatchObject({projects: 1, points: 1, completions: 0, agents: 0});
		// History skipped at start is not a received message (--once printed "4 received, 4 rejected").
		expect(snap.counters).toMatchObject({received: 0, rejected: 0, hydrationRejected: 4});
		expect(onceText(snap)).toContain('messages: 0 received, 0 stored, 0 rejected, 0 refused; history at start: 4 entries rejected');
		expect(snapshotToJson(snap)).not.toMatch(/[\u001B\u0007\u009B\u009D\u202E]/);
	});

	it('skips and counts stored entries with a 1e308 timestamp or a colon id, converts a nanosecond one, and starts (issue 10)', async ({redis, startRuntime}) => {
		const client = redis.client();
		const now = Date.now();
		const ns = `${now}000000`; // Python's time.time_ns(), as the seed would have stored it
		await client.lpush('metrics:training:p:loss', JSON.stringify({step: 1, value: 2, timestamp: 1e308}), JSON.stringify({step: 2, value: 1.5, timestamp: Number(ns)}));
		await client.lpush('metrics:training:p:wer', JSON.stringify({step: 1, value: 0.5, timestamp: -1e15}));
		await client.lpush('metrics:training:a:b:loss', JSON.stringify({step: 1, value: 1, timestamp: now}));
		await client.lpush('metrics:training:far:loss', JSON.stringify({step: 1, value: 1, timestamp: '2031-01-01T00:00:00Z'}));
		await client.lpush(
			'metrics:tasks:completion_times',
			JSON.stringify({taskId: 't1', agent: 'a', duration: 5, timestamp: 1e308}),
			JSON.stringify({taskId: 't2', agent: 'x:workload', duration: 5, timestamp: now}),
			JSON.stringify({taskId: 't3', agent: 'a', duration: 1e300, timestamp: now}),
			JSON.stringify({taskId: 't4', agent: 'a', duration: 5, timestamp: ns}),
		);
		await client.hset('metrics:agent:x:workload:workload', {current_tasks: '1'});
		await client.hset('metrics:agent:ok:performance', {tasks_completed: '1e300', avg_duration_seconds: '5', error_rate_percent: '0'});
		await client.hset('metrics:tasks:counters', {completed_today: '1e308'});
		const runtime = await startRuntime({readOnly: true});
		const snap = runtime.snapshot();
		expect(() => snapshotToJson(snap)).not.toThrow();
		expect(snap.training.map((p) => p.projectId)).toEqual(['far', 'p']);
		const p = snap.training.find((t) => t.projectId === 'p')!;
		expect(p.lossTail).toEqual([1.5]);
		expect(Math.abs(p.lastUpdatedMs - now)).toBeLessThan(1);
		// The far-future point is kept at the start time, never ahead of it.
		expect(snap.training.find((t) => t.projectId === 'far')!.lastUpdatedMs).toBeLessThanOrEqual(Date.now());
		expect(snap.tasks.recent.map((c) => c.taskId)).toEqual(['t4']);
		expect(snap.tasks.completedToday).toBe(0);
		expect(snap.counters.time).toMatchObject({unitConverted: 2, futureClamped: 1});
		// loss 1e308, wer -1e15, key a:b, completions t1 t2 t3, workload key x:workload, performance 1e300, completed_today 1e308
		expect(runtime.hydrationReport?.rejected).toBe(9);
		expect(snap.counters.rejectReasons['hydration: bad loss entry (timestamp out of range)']).toBe(1);
		// p and far were loaded (a:b was not, yet counted: "projects: 3"); the agent whose performance entry was
		// rejected (1e300 tasks) and the workload under a colon key are no agents ("ok" was listed, status unknown).
		expect(runtime.hydrationReport).toMatchObject({projects: 2, completions: 1, agents: 0});
		expect(snap.agents).toEqual([]);
		expect(snap.counters).toMatchObject({received: 0, rejected: 0, hydrationRejected: 9});
	});
});
