import {describe, expect, it} from 'vitest';
import {linearFit, mad, median, robustZ} from '../../src/rules/stats.js';
import {rng} from './helpers.js';

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
});
