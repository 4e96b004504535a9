/**
The training entries recorded as step records (step-entries.ts) and encoded later, here or in the encoding worker
(entry-encoder.ts): the bytes must be those of the plain path, `push(stepEntry(step, value, timestampJson(t)))`, for
every input and every mix with entries pushed as they are, wherever they are encoded; a worker that fails, or
answers after its transaction was encoded here, changes nothing but the stats.
*/
import {afterEach, describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {EncodedEntries, encodeCommand} from '../../src/bus/resp-encode.js';
import {type KvCommand} from '../../src/bus/kv.js';
import {stepEntry, timestampJson} from '../../src/writer/seed-entries.js';
import {StepEntries} from '../../src/writer/step-entries.js';
import {EntryEncoder, workerSource} from '../../src/writer/entry-encoder.js';
import {PendingBatch} from '../../src/writer/pending-batch.js';

type Step = readonly [step: number, value: number, timestamp: string | number];
/** A step entry, or an entry pushed as it is (a literal). */
type Item = {readonly step: Step} | {readonly text: string};

const anyNumber = fc.oneof(
	fc.double(),
	fc.integer(),
	fc.nat({max: Number.MAX_SAFE_INTEGER}),
	fc.constantFrom(0, -0, 9, 10, 1e15, 1e21, 1e-7, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, 9.999999999999999e22),
);
const timestamp = fc.oneof(
	fc.date({min: new Date(0), max: new Date(8.64e15), noInvalidDate: true}).map((d) => d.toISOString()),
	fc.string(),
	fc.string({unit: 'binary'}),
	fc.constantFrom('', '"', '\\', '2026-12-06T09:00:00.000Z\u0000', 'é', '\u007f', '日本'),
	anyNumber,
);
const item: fc.Arbitrary<Item> = fc.oneof(
	{weight: 5, arbitrary: fc.tuple(anyNumber, anyNumber, timestamp).map((step) => ({step}))},
	{weight: 1, arbitrary: fc.string({unit: 'binary'}).map((text) => ({text}))},
);

const plainText = (i: Item) => ('text' in i ? i.text : stepEntry(i.step[0], i.step[1], timestampJson(i.step[2])));

function recorded(items: readonly Item[]): StepEntries {
	const entries = new StepEntries();
	for (const i of items) {
		if ('text' in i) entries.push(i.text);
		else entries.pushStep(...i.step);
	}
	return entries;
}

function plain(items: readonly Item[]): EncodedEntries {
	const entries = new EncodedEntries();
	for (const i of items) entries.push(plainText(i));
	return entries;
}

const bytesOf = (entries: EncodedEntries) => encodeCommand(['LPUSH', 'k', entries]);

const encoders: EntryEncoder[] = [];
afterEach(() => {
	for (const encoder of encoders.splice(0)) encoder.stop();
});
function encoder(options: ConstructorParameters<typeof EntryEncoder>[0]): EntryEncoder {
	const made = new EntryEncoder(options);
	encoders.push(made);
	return made;
}

describe('StepEntries (recorded, encoded on this thread)', () => {
	it('gives the count, bytes and texts of the plain path for any mix of steps and literals', () => {
		fc.assert(
			fc.property(fc.array(item, {maxLength: 80}), (items) => {
				const direct = recorded(items);
				const reference = plain(items);
				expect(direct.count).toBe(reference.count);
				expect(direct.unencoded).toBe(items.length);
				expect(bytesOf(direct).equals(bytesOf(reference))).toBe(true);
				expect(direct.texts()).toEqual(reference.texts());
				expect(direct.unencoded).toBe(0);
			}),
			{numRuns: 1500},
		);
	});

	it('keeps the order when entries are recorded after some were encoded', () => {
		fc.assert(
			fc.property(fc.array(item, {maxLength: 30}), fc.array(item, {maxLength: 30}), (first, second) => {
				const direct = recorded(first);
				direct.encodeHere();
				for (const i of second) {
					if ('text' in i) direct.push(i.text);
					else direct.pushStep(...i.step);
				}
				expect(bytesOf(direct).equals(bytesOf(plain([...first, ...second])))).toBe(true);
			}),
			{numRuns: 300},
		);
	});

	it("copies the records for the worker into an ArrayBuffer of their own (transferring it never detaches Node's Buffer pool)", () => {
		const entries = recorded([{step: [1, 2, '2026-12-06T09:00:00.000Z']}, {text: 'x'}]);
		const {records} = entries.copyRecords();
		expect(records.byteOffset).toBe(0);
		expect(records.buffer.byteLength).toBe(records.length);
		structuredClone(records.buffer, {transfer: [records.buffer]});
		// The batch's own records still read (they were not the transferred buffer).
		expect(bytesOf(entries).equals(bytesOf(plain([{step: [1, 2, '2026-12-06T09:00:00.000Z']}, {text: 'x'}])))).toBe(true);
	});

	it('takes an encoding only for the records it was made from (never an entry twice)', () => {
		const entries = recorded([{step: [1, 2, 'a']}, {step: [2, 3, 'b']}]);
		const copy = entries.copyRecords();
		entries.encodeHere();
		const before = bytesOf(entries);
		expect(entries.adopt(new Uint8Array(10), copy.entries)).toBe(false);
		expect(bytesOf(entries).equals(before)).toBe(true);
	});
});

/** Random lists of a transaction, as LPUSH commands (with other commands between them, as a batch has). */
const transaction = fc.array(fc.array(item, {minLength: 0, maxLength: 60}), {minLength: 1, maxLength: 8});
const commandsOf = (lists: ReadonlyArray<readonly Item[]>, make: (items: readonly Item[]) => EncodedEntries): KvCommand[] =>
	lists.flatMap((items, i): KvCommand[] => [
		['LPUSH', `list:${i}`, make(items)],
		['LTRIM', `list:${i}`, 0, 9999],
	]);
const wire = (commands: readonly KvCommand[]) => Buffer.concat(commands.map((command) => encodeCommand(command)));

describe('EntryEncoder', () => {
	it('encodes in the worker the same bytes as the plain path, for random transactions', async () => {
		const worker = encoder({minEntries: 1});
		await fc.assert(
			fc.asyncProperty(transaction, async (lists) => {
				const commands = commandsOf(lists, recorded);
				await worker.encode(commands);
				for (const command of commands) if (command[2] instanceof StepEntries) expect(command[2].unencoded).toBe(0);
				expect(wire(commands).equals(wire(commandsOf(lists, plain)))).toBe(true);
			}),
			{numRuns: 150},
		);
		expect(worker.stats.failures).toBe(0);
		expect(worker.stats.state).toBe('running');
		expect(worker.stats.workerBatches).toBeGreaterThan(100);
	});

	it('encodes a small transaction here, without starting the worker', async () => {
		const small = encoder({minEntries: 1000});
		const items: Item[] = Array.from({length: 999}, (_, i) => ({step: [i, i / 7, '2026-12-06T09:00:00.000Z']}));
		const commands = commandsOf([items], recorded);
		await small.encode(commands);
		expect(small.stats.state).toBe('off');
		expect(small.stats.workerBatches).toBe(0);
		expect(wire(commands).equals(wire(commandsOf([items], plain)))).toBe(true);
	});

	it('falls back to encoding here when the worker dies, counts it, and never uses it again', async () => {
		// A worker that exits at its first message, as one killed by an out-of-memory error would.
		const dying = encoder({minEntries: 1, workerSource: "require('node:worker_threads').parentPort.on('message', () => process.exit(3));"});
		const lists: Item[][] = [[{step: [1, 0.5, '2026-12-06T09:00:00.000Z']}, {text: 'naïve'}], [{step: [2, Number.NaN, 1764000000000]}]];
		const commands = commandsOf(lists, recorded);
		await dying.encode(commands);
		expect(wire(commands).equals(wire(commandsOf(lists, plain)))).toBe(true);
		expect(dying.stats).toMatchObject({state: 'failed', failures: 1, workerBatches: 0});
		expect(dying.stats.lastError).toMatch(/exited \(code 3\)/);
		const again = commandsOf(lists, recorded);
		await dying.encode(again);
		expect(wire(again).equals(wire(commandsOf(lists, plain)))).toBe(true);
		expect(dying.stats.failures).toBe(1);
	});

	it('counts every big transaction encoded here after the worker failed (workerBatches + inlineBigBatches: all of them)', async () => {
		const dying = encoder({minEntries: 2, workerSource: "require('node:worker_threads').parentPort.on('message', () => process.exit(3));"});
		const big: Item[][] = [[{step: [1, 0.5, '2026-12-06T09:00:00.000Z']}, {step: [2, 0.25, '2026-12-06T09:00:01.000Z']}]];
		for (let i = 0; i < 3; i++) {
			const commands = commandsOf(big, recorded);
			await dying.encode(commands);
			expect(wire(commands).equals(wire(commandsOf(big, plain)))).toBe(true);
		}
		// A small one is no big transaction, wherever it is encoded.
		await dying.encode(commandsOf([[{step: [3, 0.125, 'x']}]], recorded));
		expect(dying.stats).toMatchObject({state: 'failed', failures: 1, workerBatches: 0, inlineBigBatches: 3});
	});

	it('falls back when the worker throws, or does not answer in time', async () => {
		const throwing = encoder({minEntries: 1, workerSource: "require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom'); });"});
		const silent = encoder({minEntries: 1, answerTimeoutMs: 200, workerSource: "require('node:worker_threads').parentPort.on('message', () => {});"});
		for (const [which, reason] of [
			[throwing, /boom/],
			[silent, /no answer within 200 ms/],
		] as const) {
			const lists: Item[][] = [[{step: [3, 1.25, '2026-12-06T09:00:00.000Z']}]];
			const commands = commandsOf(lists, recorded);
			await which.encode(commands);
			expect(wire(commands).equals(wire(commandsOf(lists, plain)))).toBe(true);
			expect(which.stats.state).toBe('failed');
			expect(which.stats.lastError).toMatch(reason);
		}
	});

	it('falls back when the worker answers with something else than the bytes asked for', async () => {
		const sources = [
			"const p = require('node:worker_threads').parentPort; p.on('message', (m) => p.postMessage({id: m.id}));",
			"const p = require('node:worker_threads').parentPort; p.on('message', (m) => p.postMessage({id: m.id, parts: [], lengths: []}));",
			"const p = require('node:worker_threads').parentPort; p.on('message', (m) => p.postMessage({id: m.id, parts: m.parts.map(() => new ArrayBuffer(4)), lengths: m.parts.map(() => 99)}));",
		];
		for (const source of sources) {
			const odd = encoder({minEntries: 1, workerSource: source});
			const lists: Item[][] = [[{step: [4, 0.75, '2026-12-06T09:00:00.000Z']}], [{text: 'x'}]];
			const commands = commandsOf(lists, recorded);
			await odd.encode(commands);
			expect(wire(commands).equals(wire(commandsOf(lists, plain)))).toBe(true);
			expect(odd.stats).toMatchObject({state: 'failed', failures: 1, workerBatches: 0});
		}
	});

	it("runs the worker program from the encoder function's own source (nothing outside it)", () => {
		// The bundle and the single-file builds carry no second file: the worker evaluates this text alone.
		const source = workerSource();
		expect(source).toContain('encodeStepRecords');
		expect(() => new Function('require', source)).not.toThrow();
	});
});

describe('PendingBatch.pushStep with the worker', () => {
	it("makes a transaction's bytes equal to the plain path's, with literals in the same lists", async () => {
		const worker = encoder({minEntries: 1});
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), item), {maxLength: 80}), async (list) => {
				const direct = new PendingBatch(100_000);
				const reference = new PendingBatch(100_000);
				for (const [key, i] of list) {
					if ('text' in i) direct.push(key, i.text, 60);
					else direct.pushStep(key, ...i.step, 60);
					reference.push(key, plainText(i), 60);
				}
				const commands = direct.toCommands(10_000, 0);
				await worker.encode(commands);
				expect(wire(commands).equals(wire(reference.toCommands(10_000, 0)))).toBe(true);
			}),
			{numRuns: 100},
		);
	});
});
