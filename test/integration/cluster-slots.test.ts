/**
The writer's batches on a Redis Cluster are cut per hash slot (src/bus/cluster-kv.ts, src/history/rollup-slots.ts):
- every part names keys of one slot only; every command of the batch is in exactly one part, in the batch's order;
  the marker is the last command of the last part (so a stored marker means every part was applied);
- the history merge cut per slot leaves exactly the bytes the uncut merge leaves (checked on a real redis-server:
  the uncut EVAL in database 0, the per-slot EVALs in database 1, every key compared);
- a slot tag names a key of our own in any slot.
*/
import calculateSlot from 'cluster-key-slot';
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {planBySlot, slotMarkerKey, slotTag} from '../../src/bus/cluster-kv.js';
import type {KvCommand} from '../../src/bus/kv.js';
import {RollupBatch, type RollupCommand} from '../../src/history/rollup-batch.js';
import {splitRollupBySlot} from '../../src/history/rollup-slots.js';
import {HISTORY_KEYS} from '../../src/contract/names.js';
import {redisTest} from '../helpers/redis-fixture.js';
import {redisAvailable} from '../helpers/redis-server.js';

const DAY = 86_400_000;
const keyArb = fc.oneof(
	fc.constantFrom('metrics:tasks:counters', 'metrics:tasks:completion_times', 'metrics:gpu:current', 'mycotop:writer:watermark'),
	fc.string({minLength: 1, maxLength: 12}).map((id) => `metrics:training:${id}:loss`),
	fc.string({minLength: 0, maxLength: 6}).map((tag) => `metrics:agent:{${tag}}x:performance`),
);
const commandArb: fc.Arbitrary<KvCommand> = fc.oneof(
	keyArb.map((k): KvCommand => ['LPUSH', k, 'v']),
	keyArb.map((k): KvCommand => ['HSET', k, 'f', '1']),
	keyArb.map((k): KvCommand => ['EXPIRE', k, 60]),
);

function rollupCommands(series: readonly string[], days: number, nowMs: number): RollupCommand[] {
	const batch = new RollupBatch();
	for (const s of series) for (let d = 0; d < days; d++) for (let k = 0; k < 3; k++) batch.sample(s, nowMs - d * DAY - k * 7000, d * 10 + k - 5);
	return batch.toCommands(nowMs);
}

describe('per-slot batches', () => {
	it('property: one slot per part, every command once and in order, the marker last', () => {
		fc.assert(
			fc.property(fc.array(commandArb, {maxLength: 60}), fc.boolean(), (commands, withMarker) => {
				const marker: KvCommand | undefined = withMarker ? ['SET', 'mycotop:writer:last_batch:i1', 'i1:7', 'EX', 86_400] : undefined;
				const parts = planBySlot(commands, marker);
				const seen: number[] = [];
				for (const part of parts) {
					for (const command of part.commands) expect(calculateSlot(command[1])).toBe(part.slot);
					expect([...part.origins].sort((a, b) => a - b)).toEqual(part.origins);
					seen.push(...part.origins);
				}
				const expected = commands.map((_, i) => i);
				if (marker !== undefined) {
					expected.push(commands.length);
					const last = parts.at(-1)!;
					expect(last.commands.at(-1)).toBe(marker);
					expect(last.slot).toBe(calculateSlot(marker[1]));
				}
				expect(seen.sort((a, b) => a - b)).toEqual(expected);
			}),
		);
	});

	it('a command whose keys span slots is refused (CROSSSLOT), not sent', () => {
		expect(() => planBySlot([['EVAL', 'return 1', 2, 'a', 'b']], undefined)).toThrow(/CROSSSLOT/);
	});

	it('slot tags: a key of our own in every slot, the braces its hash tag', () => {
		for (const slot of [0, 1, 5461, 10923, 16383, ...Array.from({length: 50}, (_, i) => (i * 331) % 16384)]) {
			expect(calculateSlot(slotTag(slot))).toBe(slot);
			expect(calculateSlot(slotMarkerKey(slot, 'host:{odd}:1'))).toBe(slot);
		}
	});

	it('the history merge cut per slot: each EVAL in one slot, index entries once, every chunk once with its arguments', () => {
		const now = Date.now();
		const series = ['training:a:loss', 'training:b:wer', 'gpu:h1:u1:utilization', 'tasks:throughput'];
		for (const command of rollupCommands(series, 40, now)) {
			const pieces = splitRollupBySlot(command, calculateSlot);
			expect(pieces.length).toBeGreaterThan(1);
			const chunks = new Map<string, string>();
			let indexEntries = 0;
			for (const piece of pieces) {
				const n = Number(piece[2]);
				const keys = piece.slice(3, 3 + n).map(String);
				expect(new Set(keys.map((k) => calculateSlot(k))).size).toBe(1);
				const argv = piece.slice(3 + n);
				const nIndex = Number(argv[2]);
				indexEntries += nIndex;
				if (nIndex > 0) expect(keys[0]).toBe(HISTORY_KEYS.index);
				const chunkArgs = argv.slice(4 + 2 * nIndex);
				keys.slice(1).forEach((key, i) => chunks.set(key, chunkArgs.slice(3 * i, 3 * i + 3).map((a) => (Buffer.isBuffer(a) ? a.toString('hex') : String(a))).join('|')));
			}
			const n = Number(command[2]);
			const originalArgv = command.slice(3 + n);
			expect(indexEntries).toBe(Number(originalArgv[2]));
			const originalKeys = command.slice(4, 3 + n).map(String);
			const originalChunkArgs = originalArgv.slice(4 + 2 * Number(originalArgv[2]));
			const original = new Map(originalKeys.map((key, i) => [key, originalChunkArgs.slice(3 * i, 3 * i + 3).map((a) => (Buffer.isBuffer(a) ? a.toString('hex') : String(a))).join('|')]));
			expect(chunks).toEqual(original);
		}
	});
});

describe.runIf(redisAvailable())('per-slot history merge on a real redis-server', () => {
	redisTest('leaves the same bytes as the uncut merge, over two rounds (new chunks, then merged into)', async ({redis}) => {
		const whole = redis.client();
		const cut = redis.client();
		await cut.select(1);
		const now = Date.now();
		const series = ['training:a:loss', 'training:b:wer', 'gpu:h1:u1:utilization'];
		for (const round of [0, 1]) {
			for (const command of rollupCommands(series, 30, now - round * 3000)) {
				const [, ...args] = command;
				await whole.call('EVAL', ...(args as Array<string | number | Buffer>));
				for (const piece of splitRollupBySlot(command, calculateSlot)) {
					const [, ...pieceArgs] = piece;
					await cut.call('EVAL', ...(pieceArgs as Array<string | number | Buffer>));
				}
			}
		}
		const keys = (await whole.keys('mycotop:history:*')).sort();
		expect(keys.length).toBeGreaterThan(20);
		expect((await cut.keys('mycotop:history:*')).sort()).toEqual(keys);
		for (const key of keys) {
			if (key === HISTORY_KEYS.index) expect(await cut.zrange(key, '0', '-1', 'WITHSCORES')).toEqual(await whole.zrange(key, '0', '-1', 'WITHSCORES'));
			else expect((await cut.getBuffer(key))!.equals((await whole.getBuffer(key))!), key).toBe(true);
		}
	});
});
