/**
The fast condition values (per-evaluation columns, windows read from the ring into reused arrays, robust_z from a
sorted window kept across evaluations) against the plain computation over `since()`'s arrays: Math.min/Math.max
over the spread window, the mean in order, robustZ over a fresh copy. Random series with NaN, ±Infinity, ±0 and
repeated values, rings that wrap and get cleared, times out of order, percent views, windows of any length, and
many evaluations in a row. Equal to the bit, except that robust_z may give -0 where the plain one gives 0 (see
sorted-window.ts): compared with zeros' signs ignored.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ColumnCache, type Fn} from '../../src/rules/condition-columns.js';
import {PercentSeries} from '../../src/rules/percent-series.js';
import {SortedWindows} from '../../src/rules/sorted-window.js';
import {robustZ} from '../../src/rules/stats.js';
import {type LabelledSeries} from '../../src/rules/rule-types.js';
import {NumericRing, TimeRing, type PointSeries} from '../../src/store/ring-buffer.js';

/** The plain value, written out here independently of the code under test. */
function plain(fn: Fn, windowMs: number, points: PointSeries, now: number): number {
	if (fn === 'value') return points.lastValue() ?? Number.NaN;
	const {values, times} = points.since(now - windowMs);
	const n = values.length;
	if (n === 0) return Number.NaN;
	switch (fn) {
		case 'rate':
			return n < 2 ? Number.NaN : (times[n - 1]! - times[0]!) / 1000 > 0 ? (values[n - 1]! - values[0]!) / ((times[n - 1]! - times[0]!) / 1000) : Number.NaN;
		case 'increase':
			return n < 2 ? Number.NaN : values[n - 1]! - values[0]!;
		case 'avg':
			return values.reduce((s, v) => s + v, 0) / n;
		case 'min':
			return Math.min(...values);
		case 'max':
			return Math.max(...values);
		case 'robust_z':
			return n < 6 ? Number.NaN : robustZ(values[n - 1]!, values.slice(0, -1));
	}
}

const same = (a: number, b: number) => Object.is(a, b) || (a === 0 && b === 0);

const value = fc.oneof(
	{weight: 10, arbitrary: fc.integer({min: -5, max: 5})},
	{weight: 10, arbitrary: fc.double({min: -1e3, max: 1e3, noNaN: true})},
	{weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0)},
);
const FNS: readonly Fn[] = ['value', 'rate', 'increase', 'avg', 'min', 'max', 'robust_z'];

describe('condition columns equal the plain computation', () => {
	it('over many evaluations in a row, for every function, window and kind of series', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({v: value, dt: fc.integer({min: -300, max: 2000}), clear: fc.integer({min: 0, max: 49}).map((x) => x === 0)}), {minLength: 1, maxLength: 200}),
				fc.integer({min: 1, max: 60}),
				fc.array(fc.record({fn: fc.constantFrom(...FNS), windowMs: fc.integer({min: 1, max: 20_000})}), {minLength: 1, maxLength: 4}),
				(points, capacity, conditions) => {
					const time = new TimeRing(capacity);
					const numeric = new NumericRing(capacity);
					const list: LabelledSeries[] = [
						{key: 'a', labels: {}, points: time},
						{key: 'b', labels: {}, points: numeric},
						{key: 'c', labels: {}, points: new PercentSeries(time, 81_920)},
					];
					const windows = new SortedWindows();
					let t = 0;
					points.forEach((p, i) => {
						t += p.dt;
						if (p.clear) time.clear();
						time.push(t, p.v);
						numeric.push(i, p.v, t);
						const now = t + 500;
						const columns = new ColumnCache(now, windows).of(list);
						for (const c of conditions) {
							const column = columns.column(c.fn, c.windowMs);
							list.forEach((s, k) => {
								const want = plain(c.fn, c.windowMs, s.points, now);
								const got = column.at(k);
								if (!same(got, want)) expect({fn: c.fn, window: c.windowMs, series: s.key, got}).toEqual({fn: c.fn, window: c.windowMs, series: s.key, got: want});
							});
						}
					});
				},
			),
			{numRuns: 150},
		);
	});

	it('robust_z on a long steady series: the sorted window follows the ring as it wraps', () => {
		const ring = new TimeRing(500);
		const windows = new SortedWindows();
		let seed = 7;
		for (let i = 0; i < 3000; i++) {
			seed = (Math.imul(seed, 1_103_515_245) + 12_345) | 0;
			ring.push(i * 1000, Math.round(((seed >>> 0) / 2 ** 32) * 50) / 10);
			const got = windows.robustZ(ring, i * 1000, 300_000);
			const want = plain('robust_z', 300_000, ring, i * 1000);
			expect(same(got, want)).toBe(true);
		}
	});
});
