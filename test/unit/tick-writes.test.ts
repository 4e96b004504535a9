/** The command connection's writes of one tick leave in one write (src/bus/tick-writes.ts). */
import {Writable} from 'node:stream';
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {coalesceTickWrites, type CorkableStream} from '../../src/bus/tick-writes.js';

/** A stream that records each write it is handed (one entry per write or writev, with its chunks). */
function recordingStream(): {stream: Writable; writes: string[][]} {
	const writes: string[][] = [];
	const stream = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			writes.push([chunk.toString()]);
			callback();
		},
		writev(chunks, callback) {
			writes.push(chunks.map((c) => (c.chunk as Buffer).toString()));
			callback();
		},
	});
	return {stream, writes};
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));
const asCorkable = (stream: Writable) => stream as unknown as CorkableStream;

describe('coalesceTickWrites', () => {
	it('sends what one tick wrote in one writev, in order, at the end of the tick', async () => {
		const {stream, writes} = recordingStream();
		expect(coalesceTickWrites(asCorkable(stream))).toBe(true);
		stream.write('a');
		stream.write('b');
		stream.write('c');
		expect(writes).toEqual([]);
		await nextTick();
		expect(writes).toEqual([['a', 'b', 'c']]);
	});

	it('a later tick is a write of its own; a lone write is a plain write', async () => {
		const {stream, writes} = recordingStream();
		coalesceTickWrites(asCorkable(stream));
		stream.write('x');
		await nextTick();
		stream.write('y');
		stream.write('z');
		await nextTick();
		expect(writes).toEqual([['x'], ['y', 'z']]);
	});

	it('a caller that corks itself (a transaction) goes in the same write', async () => {
		const {stream, writes} = recordingStream();
		coalesceTickWrites(asCorkable(stream));
		stream.write('ping');
		stream.cork();
		stream.write('multi');
		stream.write('exec');
		stream.uncork();
		await nextTick();
		expect(writes).toEqual([['ping', 'multi', 'exec']]);
	});

	it('is installed once per stream; end() still flushes what the tick wrote', async () => {
		const {stream, writes} = recordingStream();
		coalesceTickWrites(asCorkable(stream));
		expect(coalesceTickWrites(asCorkable(stream))).toBe(false);
		stream.write('a');
		stream.write('b');
		stream.end();
		await nextTick();
		await new Promise((resolve) => setImmediate(resolve));
		expect(writes.flat()).toEqual(['a', 'b']);
	});

	it('any pattern of writes across ticks: every byte arrives once, in order, one write per tick that wrote', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.array(fc.string({minLength: 1, maxLength: 5}), {maxLength: 6}), {maxLength: 8}), async (ticks) => {
				const {stream, writes} = recordingStream();
				coalesceTickWrites(asCorkable(stream));
				for (const tick of ticks) {
					for (const chunk of tick) stream.write(chunk);
					await nextTick();
				}
				expect(writes.flat()).toEqual(ticks.flat());
				expect(writes.length).toBe(ticks.filter((t) => t.length > 0).length);
			}),
			{numRuns: 200},
		);
	});
});
