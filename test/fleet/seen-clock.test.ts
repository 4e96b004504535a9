/** When a host was last seen, by the viewer's clock (src/fleet/seen-clock.ts): pure, with a property. */
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {observeScores, type SeenEntry} from '../../src/fleet/seen-clock.js';

const NOW = 1_800_000_000_000;

describe('seen times by our clock', () => {
	it('first read: the score, never later than now; a changed score is seen now; an unchanged one keeps its time', () => {
		const first = observeScores(new Map(), [{member: 'ahead', score: NOW + 600_000}, {member: 'behind', score: NOW - 600_000}, {member: 'nan', score: Number.NaN}], NOW);
		expect(first.get('ahead')!.seenAtMs).toBe(NOW);
		expect(first.get('behind')!.seenAtMs).toBe(NOW - 600_000);
		expect(first.has('nan')).toBe(false);
		const second = observeScores(first, [{member: 'ahead', score: NOW + 600_000}, {member: 'behind', score: NOW - 599_000}], NOW + 1000);
		expect(second.get('ahead')!.seenAtMs).toBe(NOW);
		expect(second.get('behind')!.seenAtMs).toBe(NOW + 1000);
		// A member no longer read is forgotten.
		expect(observeScores(second, [], NOW + 2000).size).toBe(0);
	});

	it('a seen time is never after the read and never goes back (property)', () => {
		fc.assert(
			fc.property(fc.array(fc.array(fc.record({member: fc.constantFrom('a', 'b', 'c'), score: fc.double({noNaN: false})}), {maxLength: 5}), {maxLength: 8}), (reads) => {
				let seen: ReadonlyMap<string, SeenEntry> = new Map();
				let nowMs = NOW;
				for (const read of reads) {
					const before = seen;
					seen = observeScores(seen, read, nowMs);
					for (const [member, entry] of seen) {
						expect(entry.seenAtMs).toBeLessThanOrEqual(nowMs);
						const earlier = before.get(member);
						if (earlier !== undefined) expect(entry.seenAtMs).toBeGreaterThanOrEqual(earlier.seenAtMs);
					}
					nowMs += 1000;
				}
			}),
		);
	});
});
