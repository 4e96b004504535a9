/**
History rollups end to end, on a real redis-server: events stamped across 90 days go through the writer's batches
and the Lua merge; `mycotop history` and the HistorySource answer each tier's buckets with the right min, max and
count; a new runtime (a restart) reads the same; a writer handover does not count a sample twice; a training run
past 4,096 steps keeps its whole curve by step with its spike.
*/
import {describe, expect} from 'vitest';
import {redisPerTest} from '../helpers/redis-fixture.js';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {runtimeHistory} from '../../src/compose.js';
import {runCommand} from '../../src/commands.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {type Runtime} from '../../src/runtime.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `mycotop history ...` in-process, against `url`: its exit code and its stdout lines. */
async function history(url: string, ...args: string[]): Promise<{code: number; out: string[]; err: string[]}> {
	const out: string[] = [];
	const err: string[] = [];
	const code = await runCommand(['history', ...args], {MYCOTOP_REDIS_URL: url, REDIS_URL: url}, {out: (s) => out.push(s), err: (s) => err.push(s)});
	return {code, out, err};
}

function training(projectId: string, step: number, loss: number | string, timeMs: number): string {
	return JSON.stringify({projectId, step, loss, timestamp: new Date(timeMs).toISOString()});
}

/** Wait until the runtime's writer has nothing left and has written at least `entries` list entries. */
async function settled(runtime: Runtime, entries: number): Promise<void> {
	await waitFor(() => runtime.writer.stats.entriesWritten >= entries && runtime.writer.stats.pendingEntries === 0, 10_000, `${entries} entries written`);
	await runtime.writer.drain(2000);
}

describe.runIf(redisAvailable())('history rollups', () => {
	redisPerTest('events stamped across 90 days: each tier answers min/max/count, the CLI prints them, a restart reads the same', async ({redis, startRuntime}) => {
		const runtime = await startRuntime({awaitWriterMs: 5000});
		const client = redis.client();
		const now = Date.now();
		// Three samples per moment, moments at 80 d, 5 d, 3 h and 2 min ago; each moment's values are known.
		const moments = [80 * DAY, 5 * DAY, 3 * HOUR, 2 * 60_000].map((ago) => now - ago);
		let published = 0;
		for (const [m, t] of moments.entries()) {
			for (const [i, v] of [1, 5, 3].entries()) {
				await client.publish(INPUT_CHANNELS.trainingProgress, training('proj-a', m * 10 + i, v + m * 10, t + i * 1000));
				published += 1;
			}
		}
		// A diverged step: counted as non-finite in its bucket, never folded into min/max.
		await client.publish(INPUT_CHANNELS.trainingProgress, training('proj-a', 99, 'NaN', now - 2 * 60_000 + 5000));
		published += 1;
		// A task completion 2 days ago past the SLA, and one now within it.
		await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: 't1', status: 'done', agent: 'ml', duration_seconds: 2400, timestamp: new Date(now - 2 * DAY).toISOString()}));
		await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: 't2', status: 'done', agent: 'ml', duration_seconds: 60, timestamp: new Date(now - 60_000).toISOString()}));
		await settled(runtime, published + 2);

		const source = runtimeHistory(runtime);
		expect(await source.list()).toEqual(['tasks:duration', 'tasks:sla', 'tasks:throughput', 'training:proj-a:loss']);

		// 90 days: the 1 h tier, every moment in its own bucket.
		const d90 = await source.timeBuckets({series: 'training:proj-a:loss', fromMs: now - 90 * DAY, toMs: now});
		expect(d90.resolution).toBe(HOUR);
		const byStart = (ms: number) => ms - (ms % HOUR);
		const expectMoment = (buckets: typeof d90.buckets, width: number, m: number) => {
			const t = moments[m]!;
			const bucket = buckets.find((b) => b.start === t - (t % width));
			expect(bucket, `moment ${m}`).toBeDefined();
			return bucket!;
		};
		for (const m of [0, 1, 2]) {
			const b = expectMoment(d90.buckets, HOUR, m);
			expect(b).toMatchObject({min: 1 + m * 10, max: 5 + m * 10, count: 3, sum: 9 + m * 30, last: 3 + m * 10});
		}
		// The last moment and the NaN can share an hour bucket: min/max/count are the finite samples only.
		const lastHour = d90.buckets.find((b) => b.start === byStart(moments[3]! + 5000))!;
		expect(lastHour.nonFinite).toBe(1);
		expect(lastHour.min).toBe(31);
		expect(d90.buckets.reduce((n, b) => n + b.count, 0)).toBe(12);

		// 7 days: the 1 min tier; the 80-day moment is outside it.
		const d7 = await source.timeBuckets({series: 'training:proj-a:loss', fromMs: now - 7 * DAY, toMs: now});
		expect(d7.resolution).toBe(60_000);
		expect(d7.buckets.reduce((n, b) => n + b.count, 0)).toBe(9);
		expect(expectMoment(d7.buckets, 60_000, 1)).toMatchObject({min: 11, max: 15, count: 3});
		// 24 h at 10 s: the two recent moments (each sample 1 s apart can straddle a 10 s edge: counts add up).
		const h24 = await source.timeBuckets({series: 'training:proj-a:loss', fromMs: now - DAY, toMs: now});
		expect(h24.resolution).toBe(10_000);
		expect(h24.buckets.reduce((n, b) => n + b.count, 0)).toBe(6);
		expect(Math.max(...h24.buckets.filter((b) => b.count > 0).map((b) => b.max))).toBe(35);
		// A wanted step coarser than the tier: buckets merged to it.
		const coarse = await source.timeBuckets({series: 'training:proj-a:loss', fromMs: now - 90 * DAY, toMs: now, stepMs: DAY});
		expect(coarse.resolution).toBe(DAY);
		expect(coarse.buckets.find((b) => b.start === moments[0]! - (moments[0]! % DAY))).toMatchObject({min: 1, max: 5, count: 3});

		// Tasks: throughput counts completions, sla's mean is the share within 30 minutes.
		const sla = await source.timeBuckets({series: 'tasks:sla', fromMs: now - 7 * DAY, toMs: now, stepMs: 7 * DAY});
		expect(sla.buckets.reduce((n, b) => n + b.sum, 0) / sla.buckets.reduce((n, b) => n + b.count, 0)).toBe(0.5);

		// The CLI: the same buckets as JSON, as CSV, and the list.
		const json = await history(redis.url, 'training:proj-a:loss', '--since', '90d', '--json');
		expect(json.code).toBe(0);
		const parsed = JSON.parse(json.out[0]!) as {resolution: number; buckets: Array<{count: number; min: number | null; max: number | null; nonFinite: number}>};
		expect(parsed.resolution).toBe(HOUR);
		expect(parsed.buckets.map((b) => b.count)).toEqual(d90.buckets.map((b) => b.count));
		expect(parsed.buckets.map((b) => b.min)).toEqual(d90.buckets.map((b) => b.min));
		const csv = await history(redis.url, 'training:proj-a:loss', '--since', '7d', '--step', '1h', '--csv');
		expect(csv.code).toBe(0);
		expect(csv.out[0]!.split('\n')[0]).toBe('time,min,max,mean,sum,count,last,non_finite');
		expect(csv.out[0]!.split('\n').length - 1).toBe((await source.timeBuckets({series: 'training:proj-a:loss', fromMs: Date.now() - 7 * DAY, toMs: Date.now(), stepMs: HOUR})).buckets.length);
		const table = await history(redis.url, 'training:proj-a:loss', '--since', '90d');
		expect(table.out[0]).toMatch(/^training:proj-a:loss: \d+ buckets of 1h$/);
		const list = await history(redis.url, '--list');
		expect(list.out).toContain('training:proj-a:loss');
		// Errors: a series with no history, a name that is not one, a bad duration.
		expect((await history(redis.url, 'training:nobody:loss')).code).toBe(1);
		expect((await history(redis.url, 'training:a b:loss')).code).toBe(2);
		expect((await history(redis.url, 'training:proj-a:loss', '--since', 'soon')).code).toBe(2);

		// A restart: a new runtime on the same Redis answers the same buckets.
		await runtime.stop();
		const again = await startRuntime({awaitWriterMs: 5000});
		const after = await runtimeHistory(again).timeBuckets({series: 'training:proj-a:loss', fromMs: now - 90 * DAY, toMs: now});
		expect(after).toEqual(d90);
	});

	redisPerTest('a writer handover: every sample counted once, from both writers', async ({redis, startRuntime}) => {
		const a = await startRuntime({awaitWriterMs: 5000});
		const b = await startRuntime({leaseTtlMs: 1500, leaseRenewMs: 300});
		const client = redis.client();
		const t0 = Date.now() - 30 * 60_000;
		for (let i = 0; i < 200; i++) await client.publish(INPUT_CHANNELS.trainingProgress, training('hand', i, i % 7, t0 + i * 1000));
		await settled(a, 200);
		// The writer goes away (a clean stop hands the lease over); the other instance writes from now on.
		await a.stop();
		await waitFor(() => b.bus.role === 'writer', 10_000, 'second writer');
		for (let i = 200; i < 400; i++) await client.publish(INPUT_CHANNELS.trainingProgress, training('hand', i, i % 7, t0 + i * 1000));
		await settled(b, 200);
		const answer = await runtimeHistory(b).timeBuckets({series: 'training:hand:loss', fromMs: t0 - DAY, toMs: Date.now(), stepMs: DAY});
		expect(answer.buckets.reduce((n, x) => n + x.count, 0)).toBe(400);
		expect(answer.buckets.reduce((n, x) => n + x.sum, 0)).toBe([...Array(400).keys()].reduce((s, i) => s + (i % 7), 0));
		const steps = await runtimeHistory(b).stepBuckets('training:hand:loss');
		expect(steps.resolution).toBe(1);
		expect(steps.buckets.length).toBe(400);
		expect(steps.buckets.every((x) => x.count === 1)).toBe(true);
	});

	redisPerTest('a run past 4,096 steps keeps its whole curve by step, its spike in a max', async ({redis, startRuntime}) => {
		const runtime = await startRuntime({awaitWriterMs: 5000});
		const client = redis.client();
		const t0 = Date.now() - HOUR;
		// 20,000 steps sent 100 apart (200 messages), a spike at step 12,345.
		const steps = [...Array(200).keys()].map((i) => i * 100);
		steps.push(12_345);
		for (const [i, step] of steps.entries()) await client.publish(INPUT_CHANNELS.trainingProgress, training('long', step, step === 12_345 ? 50 : 2, t0 + i * 100));
		await settled(runtime, steps.length);
		const answer = await runtimeHistory(runtime).stepBuckets('training:long:loss');
		// 19,900 steps need width 8 for 4,096 buckets.
		expect(answer.resolution).toBe(8);
		expect(answer.buckets.reduce((n, b) => n + b.count, 0)).toBe(201);
		const spike = answer.buckets.find((b) => b.max === 50)!;
		expect(spike.start).toBe(12_345 - (12_345 % 8));
		const fewer = await runtimeHistory(runtime).stepBuckets('training:long:loss', 100);
		expect(fewer.buckets.length).toBeLessThanOrEqual(100);
		expect(Math.max(...fewer.buckets.map((b) => b.max))).toBe(50);
	});
});
