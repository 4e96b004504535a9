/**
Series keys (history/series-key.ts) cache a series' samples in the current batch and its held step rollup: sampling
through them must give exactly what sampling by name gives, across batch boundaries, and a step rollup the writer let
go (evicted, or the lease lost) must never take a sample again.
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {RollupBatch, RollupMemo} from '../../src/history/rollup-batch.js';
import {SeriesKey} from '../../src/history/series-key.js';
import {IDLE_EVICT_MS, MAX_HELD_SERIES, StepRollups} from '../../src/history/step-rollups.js';

const NOW = Date.UTC(2026, 0, 10);

describe('series keys', () => {
	it('by key or by name: the same commands, whatever the batch boundaries', () => {
		const sample = fc.record({series: fc.integer({min: 0, max: 3}), ago: fc.integer({min: 0, max: 3 * 86_400_000}), value: fc.double({noDefaultInfinity: false}), cut: fc.boolean()});
		fc.assert(
			fc.property(fc.array(sample, {maxLength: 200}), (samples) => {
				const keys = [0, 1, 2, 3].map((i) => new SeriesKey(`agent:a${i}:load`));
				const memo = new RollupMemo();
				const byKey: RollupBatch[] = [new RollupBatch(memo)];
				const byName: RollupBatch[] = [new RollupBatch(memo)];
				for (const s of samples) {
					byKey.at(-1)!.sampleKey(keys[s.series]!, NOW - s.ago, s.value);
					byName.at(-1)!.sample(keys[s.series]!.name, NOW - s.ago, s.value);
					if (s.cut) {
						byKey.push(new RollupBatch(memo));
						byName.push(new RollupBatch(memo));
					}
				}
				expect(byKey.map((b) => b.toCommands(NOW))).toEqual(byName.map((b) => b.toCommands(NOW)));
			}),
			{numRuns: 200},
		);
	});

	it('a step rollup let go is never sampled through a stale key; its buckets are freed', async () => {
		const rollups = new StepRollups(async () => null, () => {});
		const key = new SeriesKey('training:p:loss');
		rollups.sampleKey(key, 1, 1);
		await new Promise((resolve) => setImmediate(resolve));
		rollups.sampleKey(key, 2, 2);
		const first = key.steps!;
		expect(first.count[2]).toBe(1);
		rollups.clear();
		expect(first.capacity).toBe(0);
		// After the lease came back: the sample goes to a fresh state read from Redis, not to the released one.
		rollups.sampleKey(key, 3, 3);
		await new Promise((resolve) => setImmediate(resolve));
		rollups.sampleKey(key, 4, 4);
		expect(key.steps).not.toBe(first);
		expect(first.count.length).toBe(0);
		expect(key.steps!.count[3]).toBe(1);
		expect(key.steps!.count[4]).toBe(1);
		expect(rollups.held).toBe(1);
	});

	it('at the held-series cap, with unreadable (wrong-type) keys and evictions: by key exactly as by name', async () => {
		const settle = () => new Promise((resolve) => setImmediate(resolve));
		// A step key another program made a list: Redis answers WRONGTYPE to the read.
		const load = async (key: string) => {
			if (key.includes(':bad')) throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
			return null;
		};
		const byKey = new StepRollups(load, () => {});
		const byName = new StepRollups(load, () => {});
		const names = [...Array.from({length: MAX_HELD_SERIES + 8}, (_, i) => `training:p${i}:loss`), 'training:bad:loss'];
		const keys = names.map((name) => new SeriesKey(name));
		const both = (i: number, step: number, value: number) => {
			byKey.sampleKey(keys[i]!, step, value);
			byName.sample(names[i]!, step, value);
		};
		const commands = (at: number) => [byKey.takeCommands(at, true), byName.takeCommands(at, true)];
		for (let round = 0; round < 3; round++) {
			for (let i = 0; i < names.length; i++) both(i, round * 2, i + round);
			await settle();
			for (let i = 0; i < names.length; i++) both(i, round * 2 + 1, i - round);
			const [k, n] = commands(round * (IDLE_EVICT_MS + 1));
			expect(k).toEqual(n);
			expect(byKey.counts()).toEqual(byName.counts());
			expect(byKey.held).toBe(byName.held);
			// Idle past the eviction time: every written series is let go, and read again by its next sample.
			commands(round * (IDLE_EVICT_MS + 1) + IDLE_EVICT_MS + 1);
			expect(byKey.held).toBe(byName.held);
		}
		expect(byKey.counts().dropped).toBeGreaterThan(0);
	});
});
