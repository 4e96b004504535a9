/** The subscriber's input rate as read holding judges it (src/bus/read-rate.ts): pure values, time passed in. */
import {describe, expect, it} from 'vitest';
import {afterRead, judgedRate, judgedRateAt, startedRate, type ReadRate} from '../../src/bus/read-rate.js';
import {holdsAfterRead} from '../../src/bus/coalesced-reads.js';

describe('judgedRate', () => {
	it('the last second\'s rate, or this second\'s so far when higher; the first read of a second is never held', () => {
		expect(judgedRate(1000, 0, 0)).toBe(Number.POSITIVE_INFINITY);
		// 200 messages of 250 bytes a second: 5 ms in, one message.
		expect(judgedRate(50_000, 250, 5)).toBe(50_000);
		expect(holdsAfterRead(250, judgedRate(50_000, 250, 5))).toBe(true);
		// A stream starting at 5,000/s after a quiet second: 0.2 ms in, one message already reads as 1.25 MB/s.
		expect(judgedRate(0, 250, 0.2)).toBe(1_250_000);
		expect(holdsAfterRead(250, judgedRate(0, 250, 0.2))).toBe(false);
		expect(judgedRate(300_000, 100, 500)).toBe(300_000);
	});
});

describe('read rate over whole seconds', () => {
	it('counts a second\'s reads, then keeps that stretch\'s rate as the last second\'s and counts again', () => {
		let rate = startedRate(100);
		expect(rate).toEqual({since: 100, bytes: 0, lastSecond: 0});
		rate = afterRead(rate, 250, 105);
		expect(rate).toEqual({since: 100, bytes: 250, lastSecond: 0});
		expect(judgedRateAt(rate, 105)).toBe(50_000);
		rate = afterRead(rate, 250, 600);
		expect(judgedRateAt(rate, 600)).toBe(1000);
		// 1,000 ms after the start: 750 bytes in that second, counting starts again at this read.
		rate = afterRead(rate, 250, 1100);
		expect(rate).toEqual({since: 1100, bytes: 0, lastSecond: 750});
		// The first read of a second is never held; after it, the last second's rate is the floor.
		expect(judgedRateAt(rate, 1100)).toBe(Number.POSITIVE_INFINITY);
		rate = afterRead(rate, 10, 1600);
		expect(judgedRateAt(rate, 1600)).toBe(750);
	});

	it('a quiet stretch longer than a second gives its own rate (bytes over the whole stretch)', () => {
		const rate = afterRead(afterRead(startedRate(0), 1000, 10), 1000, 4000);
		expect(rate).toEqual({since: 4000, bytes: 0, lastSecond: 500});
	});

	it('never changes the rate it is given', () => {
		const before: ReadRate = Object.freeze(afterRead(startedRate(0), 100, 10));
		const after = afterRead(before, 100, 20);
		expect(after).not.toBe(before);
		expect(before).toEqual({since: 0, bytes: 100, lastSecond: 0});
		expect(afterRead(before, 100, 2000)).toEqual({since: 2000, bytes: 0, lastSecond: 100});
	});
});
