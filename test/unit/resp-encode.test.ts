/** The writer's command encoding gives exactly the bytes ioredis itself would send. */
import {describe, expect, it} from 'vitest';
import {Command} from 'ioredis';
import {EncodedEntries, encodeCommand} from '../../src/bus/resp-encode.js';
import {seededRandom} from '../../src/demo/seeded-random.js';

function ioredisBytes(name: string, args: Array<string | number>): Buffer {
	const writable = new Command(name, args).toWritable({});
	return typeof writable === 'string' ? Buffer.from(writable, 'utf8') : writable;
}

describe('encodeCommand', () => {
	it('matches ioredis byte for byte: empty, multi-byte, numbers, 0-9 and 10+ arguments, long values', () => {
		const cases: Array<[string, Array<string | number>]> = [
			['LPUSH', ['metrics:training:p:loss', '{"step":1,"value":2.5,"timestamp":"2026-11-29T20:00:00.000Z"}']],
			['LTRIM', ['k', 0, 9999]],
			['EXPIRE', ['k', 604_800]],
			['HSET', ['k', 'loss', '', 'note', 'naïve – 日本語 🚀']],
			['SET', ['mycotop:writer:last_batch:x', 'id', 'EX', 86_400]],
			['LPUSH', ['k', ...Array.from({length: 12}, (_, i) => `v${i}`)]],
			['LPUSH', ['k', 'x'.repeat(70_000), '\r\n$3\r\nnot a header']],
			['SADD', ['k', -1.5, 42]],
		];
		for (const [name, args] of cases) expect(encodeCommand([name, ...args]).equals(ioredisBytes(name, args)), `${name} ${String(args[0])}`).toBe(true);
	});

	it('matches ioredis on random text from every Unicode plane', () => {
		const random = seededRandom(11);
		const char = () => {
			const r = random();
			const code = r < 0.5 ? 32 + Math.floor(random() * 95) : r < 0.8 ? 0x80 + Math.floor(random() * 0x700) : r < 0.95 ? 0x800 + Math.floor(random() * 0xd000) : 0x1f300 + Math.floor(random() * 0x100);
			return String.fromCodePoint(code);
		};
		for (let round = 0; round < 200; round++) {
			const args = Array.from({length: 1 + Math.floor(random() * 20)}, () => Array.from({length: Math.floor(random() * 40)}, char).join(''));
			expect(encodeCommand(['LPUSH', ...args]).equals(ioredisBytes('LPUSH', args))).toBe(true);
		}
	});
});

describe('EncodedEntries', () => {
	it('gives back the same texts and the same command bytes as plain strings, across many blocks', () => {
		const random = seededRandom(5);
		const texts = Array.from({length: 3000}, (_, i) =>
			i % 500 === 0 ? 'é'.repeat(20_000) : i % 7 === 0 ? '' : JSON.stringify({step: i, value: random(), note: i % 3 === 0 ? '日本語 🚀' : 'ascii'}),
		);
		const entries = new EncodedEntries(16);
		for (const text of texts) entries.push(text);
		expect(entries.count).toBe(texts.length);
		expect(entries.texts()).toEqual(texts);
		const viaEntries = encodeCommand(['LPUSH', 'metrics:k', entries]);
		expect(viaEntries.equals(ioredisBytes('LPUSH', ['metrics:k', ...texts]))).toBe(true);
		expect(entries.byteLength).toBe(texts.reduce((sum, t) => sum + `$${Buffer.byteLength(t)}\r\n${t}\r\n`.length + Buffer.byteLength(t) - t.length, 0));
	});

	it('is empty until pushed to', () => {
		const entries = new EncodedEntries();
		expect(entries.texts()).toEqual([]);
		expect(entries.byteLength).toBe(0);
		expect(encodeCommand(['LPUSH', 'k', entries, 'x']).equals(ioredisBytes('LPUSH', ['k', 'x']))).toBe(true);
	});

	it('stays small when a batch spreads a few entries over many keys', () => {
		const before = process.memoryUsage().arrayBuffers;
		const lists = Array.from({length: 20_000}, () => {
			const entries = new EncodedEntries();
			for (let i = 0; i < 5; i++) entries.push(`{"duration":${i},"timestamp":"2026-11-29T12:00:00.000Z"}`);
			return entries;
		});
		const grownMb = (process.memoryUsage().arrayBuffers - before) / 1e6;
		expect(lists.reduce((n, l) => n + l.count, 0)).toBe(100_000);
		// About 6 MB of entries; fixed 16 KB second blocks made this 330 MB.
		expect(grownMb).toBeLessThan(64);
	});
});
