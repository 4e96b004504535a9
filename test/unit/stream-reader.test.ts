import {describe, expect, it} from 'vitest';
import {compareStreamIds, parseXreadReply} from '../../src/bus/stream-reader.js';
import {INPUT_STREAMS, streamForChannel} from '../../src/contract/names.js';

describe('stream reader, pure parts', () => {
	it('orders stream ids by time, then sequence', () => {
		expect(compareStreamIds('1-0', '1-0')).toBe(0);
		expect(compareStreamIds('1-1', '1-0')).toBe(1);
		expect(compareStreamIds('2-0', '10-0')).toBe(-1);
		expect(compareStreamIds('1700000000000-5', '1700000000000-12')).toBe(-1);
		expect(compareStreamIds('junk', '0-0')).toBe(0);
	});

	it('reads both reply shapes (RESP2 nested, RESP3 flattened) and keeps entries without data as undefined', () => {
		const nested = [['s1', [['1-0', ['data', '{"a":1}']], ['1-1', ['other', 'x']]]]];
		const flat = ['s1', [['1-0', ['data', '{"a":1}']], ['1-1', ['other', 'x']]], 's2', []];
		for (const reply of [nested, flat]) {
			const parsed = parseXreadReply(reply);
			expect(parsed.get('s1')).toEqual([
				{id: '1-0', data: '{"a":1}'},
				{id: '1-1', data: undefined},
			]);
		}
		expect(parseXreadReply(flat).get('s2')).toEqual([]);
		expect(parseXreadReply(null).size).toBe(0);
		expect(parseXreadReply([42, ['s', 'junk']]).size).toBe(0);
	});

	it('names a stream after each input channel', () => {
		expect(streamForChannel('events:training:progress')).toBe('events:stream:training:progress');
		expect(INPUT_STREAMS.get('events:stream:tasks:updates')).toBe('events:tasks:updates');
		expect(INPUT_STREAMS.size).toBe(5);
	});
});
