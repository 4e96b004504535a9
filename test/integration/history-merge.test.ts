/**
The Lua merge against the pure merge rule, on a real redis-server: the same samples sent as one batch, or split
into batches in any partition and order, leave the same buckets in every tier, and those buckets are the ones the
pure rule computes. Sample times are 100 ms apart at least, so no two land on one position of a 1 h bucket
(1/65,536 of it, 55 ms), where the larger value would win over the later one (rollup-layout.ts).
*/
import {describe, expect} from 'vitest';
import fc from 'fast-check';
import {redisTest} from '../helpers/redis-fixture.js';
import {redisAvailable} from '../helpers/redis-server.js';
import {RollupBatch} from '../../src/history/rollup-batch.js';
import {RedisHistorySource} from '../../src/history/redis-history-source.js';
import {addSample, emptyAgg, type BucketAgg} from '../../src/history/bucket-agg.js';
import {float32Text, toFloat32} from '../../src/history/rollup-layout.js';

const HOUR = 3_600_000;

interface Sample {
	readonly t: number;
	readonly value: number;
}

const sampleArb = fc.record({
	t: fc.integer({min: 0, max: 20 * 36_000}).map((n) => n * 100),
	value: fc.oneof({weight: 9, arbitrary: fc.integer({min: -4000, max: 4000}).map((n) => n / 4)}, {weight: 1, arbitrary: fc.constant(Number.NaN)}),
});

describe.runIf(redisAvailable())('the Lua merge', () => {
	redisTest('any partition and order of batches gives the buckets of one batch, and of the pure rule', async ({redis}) => {
		const client = redis.client();
		const source = new RedisHistorySource(() => client);
		let run = 0;
		await fc.assert(
			fc.asyncProperty(fc.array(sampleArb, {minLength: 1, maxLength: 80}), fc.array(fc.boolean(), {maxLength: 80}), fc.integer({min: 0, max: 1000}), async (samples, cuts, seed) => {
				run += 1;
				const now = Date.now();
				const base = now - 21 * HOUR;
				const whole = `training:whole${run}:loss`;
				const split = `training:split${run}:loss`;
				const send = async (series: string, batch: readonly Sample[]) => {
					const rollups = new RollupBatch();
					for (const s of batch) rollups.sample(series, base + s.t, s.value);
					for (const command of rollups.toCommands(now)) await client.call('EVAL', ...command.slice(1));
				};
				await send(whole, samples);
				const batches: Sample[][] = [[]];
				samples.forEach((s, i) => {
					if (cuts[i] === true) batches.push([]);
					batches.at(-1)!.push(s);
				});
				const order = batches.map((b, i) => ({b, k: (i * 7919 + seed) % 97})).sort((x, y) => x.k - y.k);
				for (const {b} of order) await send(split, b);

				for (const stepMs of [undefined, 60_000, HOUR]) {
					const query = {fromMs: base, toMs: now, ...(stepMs !== undefined ? {stepMs} : {})};
					const a = await source.timeBuckets({series: whole, ...query});
					const b = await source.timeBuckets({series: split, ...query});
					expect(b.buckets).toEqual(a.buckets);
					// The pure rule, bucket by bucket, at the answer's resolution.
					const expected = new Map<number, BucketAgg>();
					for (const s of samples) {
						const t = base + s.t;
						const start = t - (t % a.resolution);
						let agg = expected.get(start);
						if (agg === undefined) expected.set(start, (agg = emptyAgg(start)));
						addSample(agg, t, s.value);
					}
					expect(a.buckets.map((x) => x.start)).toEqual([...expected.keys()].sort((x, y) => x - y));
					for (const bucket of a.buckets) {
						const e = expected.get(bucket.start)!;
						expect(bucket.count).toBe(e.count);
						expect(bucket.nonFinite ?? 0).toBe(e.nonFinite);
						expect(bucket.sum).toBe(e.sum);
						if (e.count > 0) {
							expect(bucket.min).toBe(float32Text(toFloat32(e.min)));
							expect(bucket.max).toBe(float32Text(toFloat32(e.max)));
							expect(bucket.last).toBe(float32Text(toFloat32(e.last)));
						}
					}
				}
			}),
			{numRuns: 25},
		);
	});
});
