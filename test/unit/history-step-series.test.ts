import {describe, expect, it} from 'vitest';
import {OUTLIERS_BEFORE_WIDENING, StepSeries} from '../../src/history/step-rollups.js';
import {STEP_SLOTS} from '../../src/history/rollup-layout.js';

function used(s: StepSeries): number {
	let n = 0;
	for (let i = 0; i < STEP_SLOTS; i++) if (s.count[i]! > 0) n++;
	return n;
}

function total(s: StepSeries): number {
	let n = 0;
	for (let i = 0; i < STEP_SLOTS; i++) n += s.count[i]!;
	return n;
}

describe('StepSeries: one outlying step', () => {
	it('a single step at epoch ms amid a 200k-step run is left out and the run keeps its whole curve', () => {
		const s = new StepSeries();
		for (let step = 0; step < 100_000; step++) s.add(step, 1 + Math.sin(step / 1000));
		s.add(Date.now(), 1);
		for (let step = 100_000; step < 200_000; step++) s.add(step, 1);
		// 200k steps in 4,096 buckets of a power-of-two width: 64 steps each, about 3,125 buckets used.
		expect(s.width).toBe(64);
		expect(used(s)).toBe(Math.ceil(200_000 / 64));
		expect(total(s)).toBe(200_000);
		expect(s.outliers).toBe(1);
	});

	it('outliers that keep coming widen the range (the producer changed scale) and none is lost', () => {
		const s = new StepSeries();
		for (let step = 0; step < 1000; step++) s.add(step, 1);
		const base = 1_700_000_000_000;
		for (let i = 0; i < OUTLIERS_BEFORE_WIDENING; i++) s.add(base + i * 1000, 2);
		expect(s.outliers).toBe(0);
		expect(total(s)).toBe(1000 + OUTLIERS_BEFORE_WIDENING);
		expect(s.width).toBeGreaterThan(base / STEP_SLOTS);
	});

	it('an empty series takes a first step at epoch ms as its range (no outlier rule before any sample)', () => {
		const s = new StepSeries();
		s.add(1_700_000_000_000, 1);
		expect(s.outliers).toBe(0);
		expect(total(s)).toBe(1);
	});

	it('a run growing by doubling is never an outlier', () => {
		const s = new StepSeries();
		for (let step = 1; step < 2 ** 30; step *= 2) s.add(step, 1);
		expect(s.outliers).toBe(0);
		expect(total(s)).toBe(30);
	});
});

describe('StepSeries read from Redis', () => {
	it('a stored state with no sample in it takes a first step at epoch ms as its range', () => {
		const empty = new StepSeries().encode(0, STEP_SLOTS - 1, true);
		const s = StepSeries.fromBytes(empty);
		s.add(1_700_000_000_000, 1);
		expect(s.outliers).toBe(0);
		expect(total(s)).toBe(1);
	});
});
