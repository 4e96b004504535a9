import {describe, expect, it} from 'vitest';
import {linearFit, mad, median, robustZ} from '../../src/rules/stats.js';
import {rng} from './helpers.js';
import {finiteTail} from '../../src/rules/builtin/common.js';
import {type PointSeries} from '../../src/rules/time-ring.js';

describe('statistics', () => {
	it('median agrees with a sort on random inputs, with ties and even lengths', () => {
		const r = rng(99);
		for (let t = 0; t < 500; t++) {
			const n = 1 + Math.floor(r() * 60);
			const a = Array.from({length: n}, () => Math.floor(r() * 8));
			const s = [...a].sort((x, y) => x - y);
			expect(median(a)).toBe(n % 2 ? s[n >> 1] : (s[n / 2 - 1]! + s[n / 2]!) / 2);
		}
		expect(Number.isNaN(median([]))).toBe(true);
	});

	it('median of a range agrees with a sort of that slice, the reused buffer growing past 256 and shrinking back', () => {
		const r = rng(7);
		for (let t = 0; t < 300; t++) {
			const n = 1 + Math.floor(r() * (t % 10 === 0 ? 1200 : 60));
			const a = Array.from({length: n}, () => Math.floor(r() * 50) / 4);
			const start = Math.floor(r() * n);
			const end = start + 1 + Math.floor(r() * (n - start));
			const s = a.slice(start, end).sort((x, y) => x - y);
			const m = s.length;
			expect(median(a, start, end)).toBe(m % 2 ? s[m >> 1] : (s[m / 2 - 1]! + s[m / 2]!) / 2);
			expect(a).toHaveLength(n);
		}
		expect(Number.isNaN(median([1, 2, 3], 2, 2))).toBe(true);
	});

	it('robust z ignores the outlier it measures and guards MAD = 0', () => {
		expect(mad([1, 2, 3, 4, 100])).toBe(1);
		expect(robustZ(100, [1, 2, 3, 4, 5])).toBeGreaterThan(30);
		expect(robustZ(5, [5, 5, 5, 5])).toBe(0);
		expect(robustZ(6, [5, 5, 5, 5])).toBe(Number.POSITIVE_INFINITY);
	});

	it('linear fit: slope, intercept and R²', () => {
		const fit = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
		expect(fit.slope).toBeCloseTo(2);
		expect(fit.intercept).toBeCloseTo(1);
		expect(fit.r2).toBeCloseTo(1);
		expect(linearFit([0, 1, 2], [4, 4, 4]).r2).toBe(0);
	});

	it('finiteTail trims in place to what filter-then-slice of the last n + 16 gives, NaN and Infinity among them', () => {
		const r = rng(11);
		for (let t = 0; t < 400; t++) {
			const len = Math.floor(r() * 300);
			const values = Array.from({length: len}, () => (r() < (t % 3 === 0 ? 0.3 : 0.01) ? [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][Math.floor(r() * 3)]! : r()));
			const series = {tailValues: (k: number) => values.slice(Math.max(0, len - k))} as unknown as PointSeries;
			const n = 1 + Math.floor(r() * 250);
			expect(finiteTail(series, n)).toEqual(values.slice(Math.max(0, len - n - 16)).filter(Number.isFinite).slice(-n));
		}
	});
});
