/**
The writer's step samples are logged (StepRollups.log) and merged together when the rollups are next read or written:
whatever comes in between (stored states read back, reads, writes, the lease lost), the rollups must say and write
exactly what merging each sample as it came (sampleKey) does.
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {type KvCommand} from '../../src/bus/kv.js';
import {SeriesKey} from '../../src/history/series-key.js';
import {StepRollups} from '../../src/history/step-rollups.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));
/** Commands with their bytes as base64 (a deep comparison of 100 KiB Buffers element by element takes seconds). */
const comparable = (commands: readonly KvCommand[]) => commands.map((command) => command.map((arg) => (Buffer.isBuffer(arg) ? arg.toString('base64') : arg)));

type Op =
	| {readonly op: 'sample'; readonly series: number; readonly step: number; readonly value: number}
	| {readonly op: 'settle' | 'write' | 'counts' | 'clear'};

describe('step samples logged, merged later', () => {
	it('the same commands and counts as samples merged one by one', async () => {
		const sample = fc.record({
			op: fc.constant('sample' as const),
			series: fc.integer({min: 0, max: 3}),
			// Mostly a run's steps, sometimes a far outlier (the outlier rule and widening depend on the order).
			step: fc.oneof({weight: 9, arbitrary: fc.integer({min: 0, max: 50_000})}, {weight: 1, arbitrary: fc.integer({min: 0, max: 2 ** 40})}),
			value: fc.oneof(fc.double({min: -10, max: 10, noNaN: true}), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)),
		});
		const other = fc.record({op: fc.constantFrom('settle' as const, 'write' as const, 'counts' as const, 'clear' as const)});
		await fc.assert(
			fc.asyncProperty(fc.array(fc.oneof({weight: 8, arbitrary: sample}, {weight: 2, arbitrary: other}), {maxLength: 300}), async (ops: Op[]) => {
				// Series 3's stored state is unreadable (the sample is dropped and counted), the others start empty.
				const load = async (key: string) => {
					if (key.includes(':s3:')) throw new Error('WRONGTYPE');
					return null;
				};
				const logged = new StepRollups(load, () => {});
				const direct = new StepRollups(load, () => {});
				const loggedKeys = [0, 1, 2, 3].map((i) => new SeriesKey(`training:s${i}:loss`));
				const directKeys = [0, 1, 2, 3].map((i) => new SeriesKey(`training:s${i}:loss`));
				let at = 0;
				for (const o of ops) {
					if (o.op === 'sample') {
						logged.log(loggedKeys[o.series]!, o.step, o.value);
						direct.sampleKey(directKeys[o.series]!, o.step, o.value);
					} else if (o.op === 'settle') await settle();
					else if (o.op === 'write') {
						at += 1000;
						expect(comparable(logged.takeCommands(at, true))).toEqual(comparable(direct.takeCommands(at, true)));
					} else if (o.op === 'counts') {
						expect(logged.counts()).toEqual(direct.counts());
						expect(logged.held).toBe(direct.held);
					} else {
						logged.clear();
						direct.clear();
					}
				}
				await settle();
				expect(comparable(logged.takeCommands(at + 1000, true))).toEqual(comparable(direct.takeCommands(at + 1000, true)));
				expect(logged.counts()).toEqual(direct.counts());
			}),
			{numRuns: 150},
		);
	});

	it('a full log is merged at once, so what waits stays bounded', async () => {
		const rollups = new StepRollups(async () => null, () => {});
		const key = new SeriesKey('training:p:loss');
		rollups.sampleKey(key, 0, 1);
		await settle();
		rollups.sampleKey(key, 1, 1);
		const series = key.steps!;
		const merged = () => series.count.reduce((a, b) => a + b, 0);
		for (let step = 2; step < 4097; step++) rollups.log(key, step, 1);
		expect(merged()).toBe(2);
		// Nothing read the rollups: the samples went in when the log filled (4,096), not later.
		rollups.log(key, 4097, 1);
		expect(merged()).toBe(4098);
	});
});
