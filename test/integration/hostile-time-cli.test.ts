/**
Issue 10, end to end: the built `mycotop --headless` against a private redis-server. A nanosecond timestamp and a
1e308 timestamp on every input channel used to end the process within seconds (`RangeError: Invalid time value` in
the writer, the dashboard payload, the snapshot), and the stored value killed the next start at hydration.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {startCli, type RunningCli} from '../helpers/cli.js';
import {ALERT_CHANNELS, INPUT_CHANNELS} from '../../src/contract/names.js';

const enabled = redisAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One message per input channel (and one alert channel), stamped `timestamp`; ids carry `tag`. */
function messages(tag: string, timestamp: number | string): Array<[string, string]> {
	const body = (o: Record<string, unknown>) => JSON.stringify({...o, timestamp});
	return [
		[INPUT_CHANNELS.trainingProgress, body({projectId: `p-${tag}`, step: 1, loss: 1.5, wer: 0.2})],
		[INPUT_CHANNELS.taskUpdates, body({taskId: `t-${tag}`, status: 'done', agent: `a-${tag}`, duration_seconds: 12})],
		[INPUT_CHANNELS.agentStatus, body({agentType: `a-${tag}`, status: 'busy', taskCount: 2})],
		[INPUT_CHANNELS.errorsCritical, body({errorId: `e-${tag}`, message: 'boom'})],
		[INPUT_CHANNELS.workflowSteps, body({workflowId: `w-${tag}`, stepId: 's', duration: 3})],
		[ALERT_CHANNELS.system, body({severity: 'warning', type: `x-${tag}`, message: 'm', source: 'other-agent'})],
	];
}

describe.runIf(enabled)('--headless survives hostile timestamps on every channel, and so does the next start', () => {
	let redis: TestRedis;
	let client: Redis;
	const running: RunningCli[] = [];

	beforeAll(async () => {
		redis = await startRedis();
		client = redis.client();
	});
	afterAll(async () => {
		for (const cli of running) cli.kill('SIGKILL');
		await redis?.stop();
	});

	it('nanosecond and 1e308 timestamps: the process stays up, rejects are reported, ns times are converted; a restart hydrates', {timeout: 60_000}, async () => {
		const first = startCli(['--headless', '--redis-url', redis.url]);
		running.push(first);
		await waitFor(() => first.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 15_000, 'writer role');

		const nowNs = `${Date.now()}000000`; // Python's time.time_ns()
		const pipeline = client.pipeline();
		for (const [channel, raw] of [...messages('ns', Number(nowNs)), ...messages('huge', 1e308), ...messages('neg', -1e15)]) pipeline.publish(channel, raw);
		await pipeline.exec();

		await waitFor(() => first.lines().filter((l) => l['type'] === 'reject').length >= 4, 5000, 'four reject lines');
		// The writer flushes and the dashboard payload goes out every few seconds: stay up through them.
		await sleep(6000);
		expect(first.child.exitCode).toBeNull();
		expect(first.stderr()).not.toMatch(/RangeError|Invalid time value/);
		const rejects = first.lines().filter((l) => l['type'] === 'reject').map((l) => l['reason']);
		expect(rejects.sort()).toEqual(['task: timestamp out of range', 'task: timestamp out of range', 'training: timestamp out of range', 'training: timestamp out of range']);

		// The nanosecond messages were stored, with a time Redis readers understand.
		const loss = (await client.lrange('metrics:training:p-ns:loss', 0, -1)).map((e) => JSON.parse(e) as {timestamp: string});
		expect(loss).toHaveLength(1);
		expect(Math.abs(Date.parse(loss[0]!.timestamp) - Number(nowNs) / 1e6)).toBeLessThan(1000);
		const completions = (await client.lrange('metrics:tasks:completion_times', 0, -1)).map((e) => JSON.parse(e) as {taskId: string; timestamp: string});
		expect(completions.map((c) => c.taskId)).toEqual(['t-ns']);
		expect(Number.isNaN(Date.parse(completions[0]!.timestamp))).toBe(false);
		expect(await client.exists('metrics:training:p-huge:loss', 'metrics:training:p-neg:loss')).toBe(0);

		first.kill('SIGTERM');
		expect(await first.exited()).toBe(0);

		// What an older mycotop (or another writer) left behind: the next start reads it back and must survive it.
		await client.lpush('metrics:training:p-ns:loss', JSON.stringify({step: 2, value: 1, timestamp: 1e308}), JSON.stringify({step: 3, value: 1, timestamp: Number(nowNs)}));
		await client.lpush('metrics:tasks:completion_times', JSON.stringify({taskId: 'old', agent: 'a', duration: 1e300, timestamp: 1e308}));
		await client.lpush('metrics:workflow:w-ns:step:s:durations', JSON.stringify({duration: 1, timestamp: 1e308}));

		const second = startCli(['--headless', '--redis-url', redis.url]);
		running.push(second);
		await waitFor(() => second.lines().some((l) => l['type'] === 'hydrated'), 15_000, 'hydrated line');
		const hydrated = second.lines().find((l) => l['type'] === 'hydrated')!;
		expect(hydrated['rejected']).toBe(2);
		expect(hydrated['points']).toBeGreaterThanOrEqual(3); // p-ns: loss steps 1 and 3, wer step 1
		await waitFor(() => second.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 15_000, 'second writer role');
		await sleep(6000);
		expect(second.child.exitCode).toBeNull();
		second.kill('SIGTERM');
		expect(await second.exited()).toBe(0);
		expect(second.stderr()).not.toMatch(/RangeError|Invalid time value/);
	});
});
