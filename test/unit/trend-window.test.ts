/**
The incremental trend (trendOfTail) against analyzeTrend over the same tail, after every push: random series with
NaN and ±Infinity, rings that wrap, windows shorter and longer than the ring, a cleared ring, values near the
slope boundaries. `trend`, `converged` and `sampleCount` must be identical; slope and volatility equal within a
relative 1e-9 (plus 1e-12 of the data's magnitude, where the exact answer is about zero).
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {analyzeTrend, type TrendAnalysis} from '../../src/analysis/training-trend.js';
import {TrendWindow, trendOfTail} from '../../src/analysis/trend-window.js';
import {NumericRing} from '../../src/store/ring-buffer.js';

function close(a: number, b: number, magnitude: number, relative: number): boolean {
	if (Object.is(a, b)) return true;
	return Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * (1 + magnitude);
}

function expectSame(got: TrendAnalysis, want: TrendAnalysis, values: readonly number[]): void {
	const magnitude = values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
	expect(got.trend).toBe(want.trend);
	expect(got.converged).toBe(want.converged);
	expect(got.sampleCount).toBe(want.sampleCount);
	if (!close(got.slope, want.slope, magnitude, 1e-9)) expect(got.slope).toBe(want.slope);
	if (!close(got.volatility, want.volatility, magnitude, 1e-7)) expect(got.volatility).toBe(want.volatility);
}

const value = fc.oneof(
	{weight: 20, arbitrary: fc.double({min: -1e6, max: 1e6, noNaN: true})},
	{weight: 20, arbitrary: fc.double({min: 0, max: 10, noNaN: true})},
	{weight: 2, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e150, -1e150)},
);

/** A loss-like curve: decay, noise, plateaus and steps, so the trend and convergence both change along the run. */
const curve = fc.record({
	start: fc.double({min: 0.01, max: 100, noNaN: true}),
	rate: fc.double({min: 0, max: 0.05, noNaN: true}),
	noise: fc.double({min: 0, max: 0.2, noNaN: true}),
	slope: fc.constantFrom(0, 0.01, -0.01, 0.01 + 1e-12, 0.0099999, 0.02, -0.5),
	length: fc.integer({min: 1, max: 600}),
	seed: fc.integer(),
});

describe('trendOfTail equals analyzeTrend over the same tail', () => {
	it('for random values (NaN, ±Infinity, huge), rings that wrap and windows of any length', () => {
		fc.assert(
			fc.property(fc.array(value, {maxLength: 300}), fc.integer({min: 1, max: 80}), fc.integer({min: 1, max: 120}), fc.integer({min: 0, max: 300}), (values, capacity, size, clearAt) => {
				const ring = new NumericRing(capacity);
				values.forEach((v, i) => {
					if (i === clearAt) ring.clear();
					ring.push(i, v, i);
					const tail = ring.tailValues(size);
					expectSame(trendOfTail(ring, size), analyzeTrend(tail), tail);
				});
			}),
			{numRuns: 200},
		);
	});

	it('for loss-like curves, on both sides of the ±0.01 slope and the 1% convergence boundaries', () => {
		fc.assert(
			fc.property(curve, fc.integer({min: 10, max: 200}), fc.integer({min: 10, max: 400}), (c, capacity, size) => {
				let s = c.seed;
				const random = () => {
					s = (Math.imul(s, 1_103_515_245) + 12_345) | 0;
					return (s >>> 0) / 2 ** 32;
				};
				const ring = new NumericRing(capacity);
				const window = new TrendWindow(Math.min(size, capacity));
				for (let i = 0; i < c.length; i++) {
					const v = c.start * Math.exp(-c.rate * i) + c.slope * i + c.noise * (random() - 0.5) * (i % 97 === 50 ? 0 : 1);
					ring.push(i, v, i);
					const tail = ring.tailValues(size);
					expectSame(window.analyze(ring), analyzeTrend(tail), tail);
				}
			}),
			{numRuns: 150},
		);
	});

	it('keeps exact answers on a slope exactly at the boundary and on flat series', () => {
		for (const slope of [0.01, -0.01, 0]) {
			const ring = new NumericRing(50);
			for (let i = 0; i < 200; i++) {
				ring.push(i, 3 + slope * i, i);
				const tail = ring.tailValues(40);
				const got = trendOfTail(ring, 40);
				expect(got.trend).toBe(analyzeTrend(tail).trend);
				expect(got.converged).toBe(analyzeTrend(tail).converged);
			}
		}
	});

	it('serves the whole ring for any length from its capacity up (the rule and the writer share one window)', () => {
		const ring = new NumericRing(30);
		for (let i = 0; i < 100; i++) ring.push(i, Math.sin(i / 5), i);
		expect(trendOfTail(ring, 10_000)).toEqual(trendOfTail(ring, 30));
		expectSame(trendOfTail(ring, 10_000), analyzeTrend(ring.tailValues(ring.length)), ring.tailValues(30));
	});
});
