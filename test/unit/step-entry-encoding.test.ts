/**
The writer's training entries are encoded straight into the batch's bytes (EncodedEntries.pushStepEntry, PendingBatch.pushStep):
the bytes must be those of the plain path, `push(stepEntry(step, value, timestampJson(timestamp)))`, for every input,
validated or not (escaping timestamps fall back to the plain path).
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {EncodedEntries, encodeCommand} from '../../src/bus/resp-encode.js';
import {PendingBatch} from '../../src/writer/pending-batch.js';
import {stepEntry, timestampJson} from '../../src/writer/seed-entries.js';

type Entry = readonly [step: number, value: number, timestamp: string | number];

const plainEntry = ([step, value, timestamp]: Entry) => stepEntry(step, value, timestampJson(timestamp));

const anyNumber = fc.oneof(
	fc.double(),
	fc.integer(),
	fc.nat({max: Number.MAX_SAFE_INTEGER}),
	fc.constantFrom(0, -0, 9, 10, 99, 100, 999_999_999, 1e9, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 1e15 - 1, 1e15, 1e21, 1e-7, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, 9.999999999999999e22),
);
const timestamp = fc.oneof(
	fc.date({min: new Date(0), max: new Date(8.64e15), noInvalidDate: true}).map((d) => d.toISOString()),
	fc.string(),
	fc.string({unit: 'grapheme'}),
	fc.string({unit: 'binary'}),
	fc.constantFrom('', '"', '\\', '2026-12-06T09:00:00.000Z\u0000', '2026-12-06T09:00:00+02:00', 'é', '\u007f'),
	anyNumber,
);
const entry: fc.Arbitrary<Entry> = fc.tuple(anyNumber, anyNumber, timestamp);

describe('EncodedEntries.pushStepEntry', () => {
	it('gives the bytes and texts of push(stepEntry(...)) for any step, value and timestamp', () => {
		fc.assert(
			fc.property(fc.array(entry, {maxLength: 60}), fc.integer({min: 1, max: 512}), (list, firstBlock) => {
				const direct = new EncodedEntries(firstBlock);
				const plain = new EncodedEntries(firstBlock);
				for (const e of list) {
					if (!direct.pushStepEntry(...e)) direct.push(plainEntry(e));
					plain.push(plainEntry(e));
				}
				expect(direct.count).toBe(plain.count);
				expect(direct.byteLength).toBe(plain.byteLength);
				expect(direct.texts()).toEqual(plain.texts());
				expect(encodeCommand(['LPUSH', 'k', direct]).equals(encodeCommand(['LPUSH', 'k', plain]))).toBe(true);
			}),
			{numRuns: 2000},
		);
	});

	it('writes nothing and says so when the timestamp needs escaping', () => {
		for (const bad of ['a"b', 'a\\b', 'tab\t', 'naïve', '\u007f', '日本']) {
			const entries = new EncodedEntries(8);
			entries.push('x');
			const before = entries.byteLength;
			expect(entries.pushStepEntry(1, 2, bad)).toBe(false);
			expect(entries.byteLength).toBe(before);
			expect(entries.count).toBe(1);
			expect(entries.texts()).toEqual(['x']);
		}
	});

	it('reads back as the seed JSON for validated shapes', () => {
		const entries = new EncodedEntries();
		expect(entries.pushStepEntry(7, 2.5, '2026-12-06T09:00:00.000Z')).toBe(true);
		expect(entries.pushStepEntry(8, Number.NaN, 1764000000000)).toBe(true);
		expect(entries.pushStepEntry(9, Number.NEGATIVE_INFINITY, 1764000000000.5)).toBe(true);
		expect(entries.texts().map((t) => JSON.parse(t) as unknown)).toEqual([
			{step: 7, value: 2.5, timestamp: '2026-12-06T09:00:00.000Z'},
			{step: 8, value: 'NaN', timestamp: 1764000000000},
			{step: 9, value: '-Infinity', timestamp: 1764000000000.5},
		]);
	});
});

describe('PendingBatch.pushStep', () => {
	it('makes the same commands as push(stepEntry(...)), full batch included', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), entry), {maxLength: 40}), fc.integer({min: 0, max: 45}), (list, maxEntries) => {
				const direct = new PendingBatch(maxEntries);
				const plain = new PendingBatch(maxEntries);
				for (const [key, e] of list) expect(direct.pushStep(key, ...e, 60)).toBe(plain.push(key, plainEntry(e), 60));
				expect(direct.entryCount).toBe(plain.entryCount);
				const bytes = (batch: PendingBatch) => Buffer.concat(batch.toCommands(10_000, 0).map((command) => encodeCommand(command)));
				expect(bytes(direct).equals(bytes(plain))).toBe(true);
			}),
			{numRuns: 500},
		);
	});
});
