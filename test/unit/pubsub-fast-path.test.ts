/** The subscriber's message fast path: RESP frame scanning, message decoding, frames split across socket chunks. */
import {describe, expect, it} from 'vitest';
import {frameEnd, INCOMPLETE, matchMessage, PubSubFastPath, UNSUPPORTED} from '../../src/bus/pubsub-fast-path.js';
import {seededRandom} from '../../src/demo/seeded-random.js';

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
const push3 = (channel: string, payload: string) => `>3\r\n${bulk('message')}${bulk(channel)}${bulk(payload)}`;
const array3 = (channel: string, payload: string) => `*3\r\n${bulk('message')}${bulk(channel)}${bulk(payload)}`;
const bytes = (text: string) => Buffer.from(text, 'utf8');

/** What a subscriber connection sees: a HELLO map, AUTH/SETNAME replies, confirmations, pongs and messages. */
const NON_MESSAGES = [
	`%2\r\n${bulk('server')}${bulk('redis')}${bulk('proto')}:3\r\n`,
	'+OK\r\n',
	`>3\r\n${bulk('subscribe')}${bulk('events:training:progress')}:1\r\n`,
	'+PONG\r\n',
	`*2\r\n${bulk('pong')}$0\r\n\r\n`,
	'-ERR unknown command\r\n',
	'$-1\r\n',
	'*-1\r\n',
	'_\r\n',
	',3.14\r\n',
	'#t\r\n',
	'(12345678901234567890\r\n',
	'=15\r\ntxt:Some string\r\n',
	'!21\r\nSYNTAX invalid syntax\r\n',
	`~2\r\n${bulk('a')}:2\r\n`,
	`|1\r\n${bulk('ttl')}:3600\r\n`,
	`>4\r\n${bulk('pmessage')}${bulk('events:*')}${bulk('events:x')}${bulk('{}')}`,
	`*3\r\n${bulk('messages')}${bulk('c')}${bulk('p')}`,
];

const CHANNELS = ['events:training:progress', 'events:tasks:updates', 'events:agents:status'];

describe('frameEnd', () => {
	it('finds the end of every RESP2 and RESP3 frame kind, and says INCOMPLETE for every proper prefix', () => {
		for (const text of [...NON_MESSAGES, push3('c', 'p'), array3('events:x', '{"a":1}')]) {
			const buf = bytes(text);
			expect(frameEnd(buf, 0, buf.length), text).toBe(buf.length);
			for (let cut = 0; cut < buf.length; cut++) expect(frameEnd(buf, 0, cut), `${JSON.stringify(text)} cut at ${cut}`).toBe(INCOMPLETE);
		}
	});

	it('finds a frame in the middle of a buffer', () => {
		const buf = bytes(`+OK\r\n${bulk('hello')}:7\r\n`);
		expect(frameEnd(buf, 5, buf.length)).toBe(5 + 11);
	});

	it('calls bytes that are not RESP unsupported instead of guessing', () => {
		for (const text of ['?what\r\n', '$abc\r\n', '$5\r\nhelloXY', '*x\r\n', '$-5\r\n', '$99999999999\r\n', '+OK\rX', '$?\r\n;4\r\nHell\r\n;0\r\n'])
			expect(frameEnd(bytes(text), 0, text.length), text).toBe(UNSUPPORTED);
	});
});

describe('matchMessage', () => {
	it('reads channel and payload of RESP3 push and RESP2 array messages', () => {
		for (const text of [push3('events:tasks:updates', '{"taskId":"t"}'), array3('events:tasks:updates', '{"taskId":"t"}')]) {
			const buf = bytes(text);
			const frame = matchMessage(buf, 0, buf.length, {bytes: 0});
			expect(frame).not.toBeNull();
			expect(frame).not.toBe(INCOMPLETE);
			if (frame === null || frame === INCOMPLETE) return;
			expect(buf.toString('utf8', frame.channelStart, frame.channelEnd)).toBe('events:tasks:updates');
			expect(buf.toString('utf8', frame.payloadStart, frame.payloadEnd)).toBe('{"taskId":"t"}');
			expect(frame.end).toBe(buf.length);
		}
	});

	it('says null for every other frame, and tells how many bytes a split message needs once its headers are in', () => {
		for (const text of NON_MESSAGES) expect(matchMessage(bytes(text), 0, Buffer.byteLength(text), {bytes: 0}), text).toBeNull();
		const buf = bytes(push3('c', 'x'.repeat(1000)));
		const needed = {bytes: 0};
		expect(matchMessage(buf, 0, 100, needed)).toBe(INCOMPLETE);
		expect(needed.bytes).toBe(buf.length);
	});
});

/** Feed `stream` cut into the given chunks; collect messages and what was passed through. */
function feed(chunks: readonly Buffer[], channels = CHANNELS) {
	const messages: Array<[string, string]> = [];
	const passed: Buffer[] = [];
	const fastPath = new PubSubFastPath((channel, message) => messages.push([channel, message]), (chunk) => passed.push(Buffer.from(chunk)), channels);
	for (const chunk of chunks) fastPath.onData(chunk);
	return {messages, passed, fastPath};
}

function cutAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
	const points = [...new Set([0, ...cuts, buf.length])].sort((a, b) => a - b);
	return points.slice(1).map((end, i) => buf.subarray(points[i], end));
}

describe('PubSubFastPath', () => {
	const expected: Array<[string, string]> = [];
	let text = '';
	NON_MESSAGES.forEach((other, i) => {
		const channel = CHANNELS[i % CHANNELS.length]!;
		const payload = JSON.stringify({projectId: `proj-${i}`, note: 'naïve – 日本語 🚀', step: i});
		text += other + (i % 2 === 0 ? push3(channel, payload) : array3(channel, payload));
		expected.push([channel, payload]);
	});
	const stream = bytes(text);

	it('decodes every message and hands every other frame to the decoder whole and in order, however the bytes are cut', () => {
		const whole = feed([stream]);
		expect(whole.messages).toEqual(expected);
		expect(Buffer.concat(whole.passed).toString()).toBe(NON_MESSAGES.join(''));
		expect(whole.passed.map((b) => b.toString())).toEqual(NON_MESSAGES);
		expect(whole.fastPath.stats).toEqual({messages: expected.length, passedThrough: NON_MESSAGES.length, disabled: false});
		// Every single cut point (inside headers, inside multi-byte characters, between CR and LF) ...
		for (let cut = 1; cut < stream.length; cut++) {
			const {messages, passed} = feed(cutAt(stream, [cut]));
			expect(messages, `cut at ${cut}`).toEqual(expected);
			expect(passed.map((b) => b.toString()), `cut at ${cut}`).toEqual(NON_MESSAGES);
		}
		// ... and many random cuts at once, down to one byte per chunk.
		const random = seededRandom(7);
		for (let round = 0; round < 200; round++) {
			const cuts = Array.from({length: 1 + Math.floor(random() * 60)}, () => Math.floor(random() * stream.length));
			const {messages, passed} = feed(cutAt(stream, cuts));
			expect(messages).toEqual(expected);
			expect(passed.map((b) => b.toString())).toEqual(NON_MESSAGES);
		}
		const byteByByte = feed(Array.from(stream, (_, i) => stream.subarray(i, i + 1)));
		expect(byteByByte.messages).toEqual(expected);
	});

	it('returns the subscribed channel names themselves, and decodes others', () => {
		const {messages} = feed([bytes(push3('events:tasks:updates', '1') + push3('events:other', '2'))]);
		expect(messages).toEqual([
			['events:tasks:updates', '1'],
			['events:other', '2'],
		]);
		expect(messages[0]![0]).toBe(CHANNELS[1]);
	});

	it('assembles a large message from many chunks in one copy', () => {
		const payload = JSON.stringify({blob: 'x'.repeat(1_000_000)});
		const buf = bytes('+PONG\r\n' + push3('events:training:progress', payload) + '+PONG\r\n');
		const chunks: Buffer[] = [];
		for (let i = 0; i < buf.length; i += 65_536) chunks.push(buf.subarray(i, i + 65_536));
		const {messages, passed} = feed(chunks);
		expect(messages).toEqual([['events:training:progress', payload]]);
		expect(passed.map((b) => b.toString())).toEqual(['+PONG\r\n', '+PONG\r\n']);
	});

	it('hands everything from bytes it does not understand on to the decoder, in order, and stays off', () => {
		const first = bytes(push3('events:tasks:updates', 'a') + '+OK\r\n?garbage\r\n' + push3('events:tasks:updates', 'b'));
		const second = bytes(push3('events:tasks:updates', 'c'));
		const {messages, passed, fastPath} = feed([first, second]);
		expect(messages).toEqual([['events:tasks:updates', 'a']]);
		expect(Buffer.concat(passed).toString()).toBe('+OK\r\n?garbage\r\n' + push3('events:tasks:updates', 'b') + push3('events:tasks:updates', 'c'));
		expect(fastPath.stats.disabled).toBe(true);
	});

	it('never drops bytes held at the end of a chunk when the next chunk is garbage', () => {
		const held = push3('events:tasks:updates', 'abc').slice(0, 20);
		const {messages, passed} = feed([bytes(held), bytes('?not resp\r\n')]);
		expect(messages).toEqual([]);
		expect(Buffer.concat(passed).toString()).toBe(held + '?not resp\r\n');
	});

	it('reads a large frame that is not a message in linear time (it waits for the bytes its blob needs)', () => {
		const big = `$${16 * 1024 * 1024}\r\n${'x'.repeat(16 * 1024 * 1024)}\r\n`;
		const buf = bytes('+PONG\r\n' + big + push3('events:tasks:updates', 'after'));
		const chunks: Buffer[] = [];
		for (let i = 0; i < buf.length; i += 65_536) chunks.push(buf.subarray(i, i + 65_536));
		const started = performance.now();
		const {messages, passed} = feed(chunks);
		const ms = performance.now() - started;
		expect(passed.map((b) => b.length)).toEqual([7, Buffer.byteLength(big)]);
		expect(messages).toEqual([['events:tasks:updates', 'after']]);
		// Rescanning the held bytes on every 64 KB read took about 15 s for this frame; once is well under 2 s.
		expect(ms).toBeLessThan(2000);
	});

	it('goes on with the rest of the read when a handler throws, and reports the error', () => {
		const errors: unknown[] = [];
		const messages: string[] = [];
		const passed: string[] = [];
		const fastPath = new PubSubFastPath(
			(_channel, message) => {
				if (message === 'boom') throw new Error('handler failed');
				messages.push(message);
			},
			(chunk) => passed.push(chunk.toString()),
			CHANNELS,
			() => true,
			(error) => errors.push(error),
		);
		fastPath.onData(bytes(push3('events:tasks:updates', 'boom') + '+PONG\r\n' + push3('events:tasks:updates', 'next')));
		expect(messages).toEqual(['next']);
		expect(passed).toEqual(['+PONG\r\n']);
		expect(errors).toHaveLength(1);
		expect(String(errors[0])).toContain('handler failed');
	});

	it('under RESP3 hands `*3 message` arrays to ioredis as replies, and still decodes push messages', () => {
		const messages: string[] = [];
		const passed: string[] = [];
		const reply = array3('events:tasks:updates', 'a reply');
		const fastPath = new PubSubFastPath(
			(_channel, message) => messages.push(message),
			(chunk) => passed.push(chunk.toString()),
			CHANNELS,
			() => false,
		);
		fastPath.onData(bytes(reply + push3('events:tasks:updates', 'pushed')));
		expect(messages).toEqual(['pushed']);
		expect(passed).toEqual([reply]);
	});
});
