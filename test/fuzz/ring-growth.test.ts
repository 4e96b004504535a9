/** NumericRing grows its arrays on demand (for 100,000 project ids): it must behave exactly like a plain ring. */
import {describe, expect, it} from 'vitest';
import {NumericRing} from '../../src/store/ring-buffer.js';
import {prng} from './generator.js';

describe('NumericRing with growing arrays', () => {
	it('matches a naive bounded list for random capacities and lengths', () => {
		const random = prng(7);
		for (let round = 0; round < 200; round++) {
			const capacity = 1 + Math.floor(random() * 300);
			const ring = new NumericRing(capacity);
			const naive: Array<{x: number; value: number; timeMs: number}> = [];
			const pushes = Math.floor(random() * 900);
			for (let i = 0; i < pushes; i++) {
				const point = {x: i, value: random(), timeMs: 1000 + i};
				ring.push(point.x, point.value, point.timeMs);
				naive.push(point);
				if (naive.length > capacity) naive.shift();
			}
			expect(ring.length).toBe(naive.length);
			expect(ring.tail(capacity)).toEqual(naive);
			expect(ring.tailValues(5)).toEqual(naive.slice(-5).map((p) => p.value));
			expect(ring.lastValue()).toBe(naive.at(-1)?.value);
			expect(ring.valuesSince(1000 + pushes - 10)).toEqual(naive.filter((p) => p.timeMs >= 1000 + pushes - 10).map((p) => p.value));
		}
	});
});
