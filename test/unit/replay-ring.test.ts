import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {ReplayRing, replayable} from '../../src/ingest/replay-ring.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';

const TASKS = INPUT_CHANNELS.taskUpdates;
const fill = (ring: ReplayRing, from: number, to: number) => {
	for (let i = from; i < to; i++) ring.push(TASKS, `{"n":${i}}`);
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

	it('keeps only the channels that become list entries and counters, and nothing over the message size limit', () => {
		expect(replayable(INPUT_CHANNELS.trainingProgress, '{}')).toBe(true);
		expect(replayable(INPUT_CHANNELS.workflowSteps, '{}')).toBe(true);
		expect(replayable(INPUT_CHANNELS.agentStatus, '{}')).toBe(false);
		expect(replayable('events:alerts:gpu', '{}')).toBe(false);
		expect(replayable(TASKS, 'x'.repeat(70 * 1024))).toBe(false);
		const ring = new ReplayRing(100);
		ring.push(INPUT_CHANNELS.agentStatus, '{"agentType":"a","status":"idle"}');
		ring.push(TASKS, 'x'.repeat(70 * 1024));
		expect(ring.seq).toBe(0);
	});

	it('is bounded in characters as well as in count: a producer of big messages cannot grow it', () => {
		const ring = new ReplayRing(1000, 10_000);
		for (let i = 0; i < 100; i++) ring.push(TASKS, `${i}`.padEnd(1000, 'x'));
		const plan = ring.plan('1:nope');
		expect(plan.entries.length).toBe(10);
		expect(plan.evicted).toBe(true);
	});

	it('lets go of messages older than its age bound, a mark every 1,024 pushes, and still replays a recent watermark', () => {
		let now = 0;
		const writer = new ReplayRing(100_000, 16 * 1024 * 1024, 60_000, () => now);
		const viewer = new ReplayRing(100_000, 16 * 1024 * 1024, 60_000, () => now);
		// 200 messages a second for 10 minutes: without the age bound the ring would hold all 120,000 (up to its 100,000).
		let n = 0;
		for (let second = 0; second < 600; second++) {
			now = second * 1000;
			for (let i = 0; i < 200; i++, n++) for (const r of [writer, viewer]) r.push(TASKS, `{"n":${n}}`);
		}
		const oldestKept = numbers(viewer.plan('1:nope').entries)[0]!;
		// At most the last 60 s (12,000) and two marks' worth more; at least the last 60 s.
		expect(n - oldestKept).toBeLessThanOrEqual(12_000 + 2 * 1024);
		expect(n - oldestKept).toBeGreaterThanOrEqual(12_000);
		// A takeover seconds after the writer's last commit finds its watermark.
		const watermark = writer.watermark();
		now += 5000;
		for (let i = 0; i < 1000; i++, n++) viewer.push(TASKS, `{"n":${n}}`);
		const plan = viewer.plan(watermark);
		expect(plan.watermark).toBe('found');
		expect(numbers(plan.entries)).toEqual(Array.from({length: 1000}, (_, i) => n - 1000 + i));
	});

	it('a watermark whose window the age cut went through: a gap, and the window\'s messages left at the ring\'s start are not written again', () => {
		let now = 0;
		const writer = new ReplayRing(100_000, 16 * 1024 * 1024, 60_000, () => now);
		const viewer = new ReplayRing(100_000, 16 * 1024 * 1024, 60_000, () => now);
		// 2,050 messages (marks at 1,024 and 2,048), the writer commits: its window is 2,046..2,049.
		fill(writer, 0, 2050);
		fill(viewer, 0, 2050);
		const watermark = writer.watermark();
		// Quiet for 2 minutes; messages resume and the writer dies before committing any; the viewer gets 1,100 (a mark).
		now = 120_000;
		fill(viewer, 2050, 3150);
		const plan = viewer.plan(watermark);
		expect(plan.watermark).toBe('not-found');
		expect(plan.evicted).toBe(true);
		// 2,048 and 2,049 were stored by the old writer: replayed they would be stored twice.
		expect(numbers(plan.entries)).toEqual(Array.from({length: 1100}, (_, i) => 2050 + i));
	});

	it('at a trickle the age bound holds too (a mark is only taken every 1,024 pushes, so at most that many older)', () => {
		let now = 0;
		const ring = new ReplayRing(100_000, 16 * 1024 * 1024, 60_000, () => now);
		// 2 messages a second for 3 hours.
		for (let n = 0; n < 21_600; n++) {
			now = n * 500;
			ring.push(TASKS, `{"n":${n}}`);
		}
		expect(ring.plan('1:nope').entries.length).toBeLessThanOrEqual(120 + 2 * 1024);
	});

	it('a run of identical messages repeated after new ones: the oldest match wins (a double, never a loss), said as ambiguous', () => {
		const writer = new ReplayRing(100);
		const viewer = new ReplayRing(100);
		const idle = ['s1', 's2', 's3', 's4'];
		for (const r of [writer, viewer]) for (const raw of [...idle, ...idle]) r.push(TASKS, raw);
		const watermark = writer.watermark();
		for (const raw of ['during-1', 'during-2', ...idle]) viewer.push(TASKS, raw);
		const plan = viewer.plan(watermark);
		expect(plan.watermark).toBe('ambiguous');
		expect(plan.entries.map((e) => e.raw)).toContain('during-1');
		expect(plan.entries.map((e) => e.raw)).toContain('during-2');
	});

	it('a viewer that subscribed just before the writer\'s last commit finds the position at its ring\'s start (no double)', () => {
		const writer = new ReplayRing(100);
		const viewer = new ReplayRing(100);
		fill(writer, 0, 5);
		fill(viewer, 4, 5); // the viewer saw only the writer's newest message
		const watermark = writer.watermark();
		fill(viewer, 5, 6);
		const plan = viewer.plan(watermark);
		expect(plan.watermark).toBe('found');
		expect(numbers(plan.entries)).toEqual([5]);
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

	it('property: a viewer that saw the same stream never loses a message after the writer\'s commit point', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), {minLength: 1, maxLength: 200}), fc.nat(), fc.nat(), fc.nat(), (raws, cutSeed, extraSeed, joinSeed) => {
				const cut = 1 + (cutSeed % raws.length);
				// The viewer may have subscribed late, but before the writer's last commit.
				const joined = joinSeed % cut;
				const writer = new ReplayRing(1000);
				const viewer = new ReplayRing(1000);
				raws.forEach((raw, i) => {
					if (i >= joined) viewer.push(TASKS, raw);
					if (i < cut) writer.push(TASKS, raw);
				});
				const until = Math.min(raws.length, cut + (extraSeed % (raws.length + 1)));
				const plan = viewer.plan(writer.watermark(), until - joined);
				// Nothing after the cut is missing: the plan ends with every message in (cut, until].
				expect(plan.watermark).not.toBe('not-found');
				expect(plan.entries.length).toBeGreaterThanOrEqual(until - cut);
				expect(plan.entries.map((e) => e.raw)).toEqual(raws.slice(until - plan.entries.length, until));
				if (plan.watermark === 'found') expect(plan.entries.length).toBe(until - cut);
			}),
		);
	});

	it('property: growing its arrays as messages come keeps exactly what a plain bounded list keeps, in order', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 1, max: 5000}),
				fc.integer({min: 1, max: 80_000}),
				// Long runs (fast-check's default size would stay under the first 1,024 slots).
				fc.array(fc.nat({max: 12}), {maxLength: 6000, size: 'max'}),
				fc.nat(),
				(capacity, maxChars, lengths, markSeed) => {
					const ring = new ReplayRing(capacity, maxChars);
					const model: string[] = [];
					let chars = 0;
					let mark: string | undefined;
					const markAt = lengths.length === 0 ? 0 : markSeed % lengths.length;
					lengths.forEach((length, i) => {
						const raw = `${i}:${'x'.repeat(length)}`;
						ring.push(TASKS, raw);
						if (model.length === capacity) chars -= model.shift()!.length;
						while (model.length > 0 && chars + raw.length > maxChars) chars -= model.shift()!.length;
						model.push(raw);
						chars += raw.length;
						if (i === markAt) mark = ring.watermark();
					});
					expect(ring.allocated).toBeLessThanOrEqual(capacity);
					expect(ring.allocated).toBeGreaterThanOrEqual(model.length);
					// A watermark it never saw: the whole ring, oldest first.
					expect(ring.plan('1:nope').entries.map((e) => e.raw)).toEqual(model);
					// The position of an earlier watermark, when the messages it covers are still held: exactly what came after it.
					const after = lengths.length - 1 - markAt;
					if (mark !== undefined && after + Number(mark.split(':')[0]) <= model.length) {
						const plan = ring.plan(mark);
						expect(plan.watermark).toBe('found');
						expect(plan.entries.map((e) => e.raw)).toEqual(model.slice(model.length - after));
					}
				},
			),
			// Shrinking runs of thousands of messages takes minutes: the first counterexample is reported as found.
			{numRuns: 60, endOnFailure: true},
		);
	});
});
