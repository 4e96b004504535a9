import {describe, expect, it} from 'vitest';
import {StepRollups, StepSeries} from '../../src/history/step-rollups.js';
import {isStepWidth, RECORD_BYTES, STEP_HEADER_BYTES, STEP_SLOTS} from '../../src/history/rollup-layout.js';
import {stepRollupBuckets} from '../../src/history/bucket-read.js';

function storedWithWidth(width: number): Buffer {
	const stored = Buffer.alloc(STEP_HEADER_BYTES + STEP_SLOTS * RECORD_BYTES);
	stored.writeDoubleLE(width, 0);
	// One bucket with a sample, so a state read as valid would hold it.
	stored.writeUInt32LE(7, STEP_HEADER_BYTES + 16);
	return stored;
}

describe('a stored step width that the writer does not write', () => {
	it('only powers of two from 1 are step widths', () => {
		for (const w of [1, 2, 64, 4096, 2 ** 41]) expect(isStepWidth(w)).toBe(true);
		for (const w of [3, 6, 0.5, 0, -2, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 54, 1.5 * 2 ** 40]) expect(isStepWidth(w)).toBe(false);
	});

	it('a stored width of 3 is malformed: the series restarts empty and counts stay exact after a widening', () => {
		const s = StepSeries.fromBytes(storedWithWidth(3));
		expect(s.malformed).toBe(true);
		expect(s.width).toBe(1);
		for (let step = 0; step < 12_000; step += 3) s.add(step, 1);
		s.add(13_000, 1);
		let count = 0;
		for (let i = 0; i < STEP_SLOTS; i++) count += s.count[i]!;
		expect(count).toBe(4001);
	});

	it('the writer counts malformed states it restarted; a reader sees no buckets in one', async () => {
		const rollups = new StepRollups(async () => storedWithWidth(3), () => {});
		rollups.sample('training:a:loss', 1, 1);
		await new Promise((resolve) => setTimeout(resolve, 0));
		expect(rollups.counts().malformed).toBe(1);
		expect(stepRollupBuckets(storedWithWidth(3)).buckets).toEqual([]);
		expect(stepRollupBuckets(storedWithWidth(4)).buckets).toHaveLength(1);
	});
});
