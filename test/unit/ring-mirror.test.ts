import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {NumericRing} from '../../src/store/ring-buffer.js';
import {RingMirror} from '../../src/store/ring-mirror.js';

describe('RingMirror', () => {
	it('gives the ring columns and serial after any pushes and clears, and never changes an array it gave', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 1, max: 50}),
				fc.array(fc.oneof({weight: 9, arbitrary: fc.nat({max: 40})}, {weight: 1, arbitrary: fc.constant(-1)}), {minLength: 1, maxLength: 30}),
				(capacity, steps) => {
					const ring = new NumericRing(capacity);
					const mirror = new RingMirror();
					const given: Array<{got: ReturnType<RingMirror['sync']>; copy: number[][]}> = [];
					let n = 0;
					for (const pushes of steps) {
						if (pushes < 0) ring.clear();
						for (let i = 0; i < pushes; i++, n++) ring.push(n * 2, Math.sin(n), 1000 + n);
						const got = mirror.sync(ring);
						const want = ring.columns();
						expect([...got.xs]).toEqual([...want.xs]);
						expect([...got.values]).toEqual([...want.values]);
						expect([...got.times]).toEqual([...want.times]);
						expect(got.first).toBe(ring.firstSerial);
						given.push({got, copy: [[...got.xs], [...got.values], [...got.times]]});
					}
					for (const {got, copy} of given) expect([[...got.xs], [...got.values], [...got.times]]).toEqual(copy);
				},
			),
			{numRuns: 300},
		);
	});

	it('numbers points from 0 as pushed, the oldest held first', () => {
		const ring = new NumericRing(3);
		for (let i = 0; i < 5; i++) ring.push(i, i, i);
		expect(ring.firstSerial).toBe(2);
		ring.clear();
		expect(ring.firstSerial).toBe(5);
	});
});
