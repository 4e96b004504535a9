/**
`mycotop history --step` on a real redis-server: a step longer than the range is capped at it and no bucket starts
before the range's first tier bucket; a step that is not a multiple of the stored tier says the step it answers in.
*/
import {describe, expect} from 'vitest';
import {redisTest} from '../helpers/redis-fixture.js';
import {redisAvailable} from '../helpers/redis-server.js';
import {runCommand} from '../../src/commands.js';
import {RollupBatch} from '../../src/history/rollup-batch.js';

const HOUR = 3_600_000;

async function history(url: string, ...args: string[]): Promise<{code: number; out: string[]; err: string[]}> {
	const out: string[] = [];
	const err: string[] = [];
	const code = await runCommand(['history', ...args], {MYCOTOP_REDIS_URL: url, REDIS_URL: url}, {out: (s) => out.push(s), err: (s) => err.push(s)});
	return {code, out, err};
}

describe.runIf(redisAvailable())('history --step and the range', () => {
	redisTest('--step 30d over --since 24h: capped at the range, said on stderr, every bucket inside the range', async ({redis}) => {
		const client = redis.client();
		const now = Date.now();
		const batch = new RollupBatch();
		for (const ago of [23 * HOUR, 12 * HOUR, HOUR]) batch.sample('gpu:box:1:util', now - ago, 50);
		for (const command of batch.toCommands(now)) await client.call('EVAL', ...command.slice(1));

		const {code, out, err} = await history(redis.url, 'gpu:box:1:util', '--since', '24h', '--step', '30d', '--json');
		expect(code).toBe(0);
		expect(err.join('\n')).toContain('--step 30d is longer than the range: capped at 1d');
		const answer = JSON.parse(out[0]!) as {resolution: number; stepCapped: boolean; buckets: Array<{start: number; count: number}>};
		expect(answer.resolution).toBe(24 * HOUR);
		expect(answer.stepCapped).toBe(true);
		const from = now - 24 * HOUR;
		// The range's first tier bucket (1 h here) is where the first may start; none before it.
		for (const b of answer.buckets) expect(b.start).toBeGreaterThan(from - HOUR);
		expect(answer.buckets.reduce((n, b) => n + b.count, 0)).toBe(3);
	});

	redisTest('--step 15s is answered in 20 s buckets of the 10 s tier, and says so', async ({redis}) => {
		const client = redis.client();
		const now = Date.now();
		const batch = new RollupBatch();
		batch.sample('gpu:box:2:util', now - 60_000, 50);
		for (const command of batch.toCommands(now)) await client.call('EVAL', ...command.slice(1));
		const {code, out, err} = await history(redis.url, 'gpu:box:2:util', '--since', '1h', '--step', '15s');
		expect(code).toBe(0);
		expect(err.join('\n')).toContain('--step 15s answered in 20s buckets');
		expect(out[0]).toContain('1 bucket of 20s');
	});
});
