import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {ReplayRing} from '../../src/ingest/replay-ring.js';

const fill = (ring: ReplayRing, from: number, to: number) => {
	for (let i = from; i < to; i++) ring.push('events:tasks:updates', `{"n":${i}}`);
};
const numbers = (entries: ReadonlyArray<{raw: string}>) => entries.map((e) => (JSON.parse(e.raw) as {n: number}).n);

describe('ReplayRing', () => {
	it('replays exactly what came after the watermark of the other instance', () => {
		const writer = new ReplayRing(100);
		const viewer = new ReplayRing(100);
		fill(writer, 0, 40);
		fill(viewer, 0, 40);
		const watermark = writer.watermark();
		fill(viewer, 40, 55);
		const plan = viewer.plan(watermark);
		expect(plan.watermark).toBe('found');
		expect(numbers(plan.entries)).toEqual(Array.from({length: 15}, (_, i) => 40 + i));
	});

	it('stops at the position given (what came after it was written live)', () => {
		const ring = new ReplayRing(100);
		fill(ring, 0, 10);
		const watermark = ring.watermark();
		fill(ring, 10, 20);
		const until = ring.seq;
		fill(ring, 20, 25);
		expect(numbers(ring.plan(watermark, until).entries)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
	});

	it('a repeated message does not match the wrong place: the window covers three', () => {
		const ring = new ReplayRing(100);
		for (const raw of ['a', 'x', 'x', 'b', 'x', 'x']) ring.push('c', raw);
		const watermark = ring.watermark();
		ring.push('c', 'x');
		expect(ring.plan(watermark).entries.map((e) => e.raw)).toEqual(['x']);
	});

	it('no watermark in Redis: nothing to replay; a watermark it never saw: the whole ring, and says whether it overflowed', () => {
		const ring = new ReplayRing(10);
		fill(ring, 0, 5);
		expect(ring.plan(null)).toEqual({entries: [], watermark: 'none', evicted: false});
		const other = new ReplayRing(10);
		fill(other, 100, 103);
		const plan = ring.plan(other.watermark());
		expect(plan.watermark).toBe('not-found');
		expect(numbers(plan.entries)).toEqual([0, 1, 2, 3, 4]);
		fill(ring, 5, 30);
		const overflowed = ring.plan(other.watermark());
		expect(overflowed.evicted).toBe(true);
		expect(numbers(overflowed.entries)).toEqual(Array.from({length: 10}, (_, i) => 20 + i));
	});

	it('property: a viewer that saw the same stream replays exactly the suffix after the writer\'s commit point', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), {minLength: 1, maxLength: 200}), fc.nat(), fc.nat(), (raws, cutSeed, extraSeed) => {
				const cut = 1 + (cutSeed % raws.length);
				const writer = new ReplayRing(1000);
				const viewer = new ReplayRing(1000);
				raws.forEach((raw, i) => {
					viewer.push('c', raw);
					if (i < cut) writer.push('c', raw);
				});
				const until = Math.min(raws.length, cut + (extraSeed % (raws.length + 1)));
				const plan = viewer.plan(writer.watermark(), until);
				// The replayed messages are the ones after some position whose last 3 equal the writer's last 3: with
				// repeats, possibly a later such position, never an earlier one; so nothing before the cut comes back.
				expect(plan.watermark).toBe('found');
				expect(plan.entries.length).toBeLessThanOrEqual(Math.max(0, until - cut));
				expect(plan.entries.map((e) => e.raw)).toEqual(raws.slice(until - plan.entries.length, until));
			}),
		);
	});
});
