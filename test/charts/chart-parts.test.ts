/** The pure chart parts: ranges, scales, ticks, x ticks, downsampling, cells, legend, settings. */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {yRange} from '../../src/charts/y-range.js';
import {yScale} from '../../src/charts/scale.js';
import {formatPlain, formatTick, niceStep, niceTicks, yTicks} from '../../src/charts/ticks.js';
import {formatRelative, formatWall, xTicks} from '../../src/charts/x-ticks.js';
import {columnOf, downsample, mergeColumns} from '../../src/charts/downsample.js';
import {cellGlyph, DotCanvas} from '../../src/charts/cells.js';
import {legendFigures, legendValue} from '../../src/charts/legend.js';
import {applyChartChange, DEFAULT_CHART_SETTINGS, maxScrollBack, stepSmoothing, windowRange, windowTitle, WINDOWS} from '../../src/charts/chart-settings.js';
import {durationCounts, taskSeries} from '../../src/charts/task-series.js';
import {bucketPoints, bucketRatePerHour} from '../../src/charts/bucket-points.js';
import {gpuGrid} from '../../src/charts/gpu-grid.js';

describe('yRange', () => {
	const spiky = [...Array.from({length: 99}, (_, i) => 1 + (i % 10) / 10), 1000];

	it('ignoring outliers, a single spike does not set the range (5th-95th percentile plus 20 % padding)', () => {
		const r = yRange(spiky, {ignoreOutliers: true, log: false})!;
		expect(r.max).toBeLessThan(2.5);
		expect(r.min).toBeGreaterThanOrEqual(1);
		expect(yRange(spiky, {ignoreOutliers: false, log: false})).toEqual({min: 1, max: 1000});
	});

	it('never pads past the data: a range without outliers is the data extent', () => {
		expect(yRange([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], {ignoreOutliers: true, log: false})).toEqual({min: 1, max: 10});
	});

	it('skips NaN and Infinity; none finite is no range', () => {
		expect(yRange([Number.NaN, 1, Number.POSITIVE_INFINITY, 3], {ignoreOutliers: false, log: false})).toEqual({min: 1, max: 3});
		expect(yRange([Number.NaN], {ignoreOutliers: true, log: false})).toBeUndefined();
		expect(yRange([], {ignoreOutliers: true, log: false})).toBeUndefined();
	});

	it('a flat line gets a band around it (around 0: ±1)', () => {
		expect(yRange([5, 5, 5], {ignoreOutliers: true, log: false})).toEqual({min: 4.5, max: 5.5});
		expect(yRange([0, 0], {ignoreOutliers: false, log: false})).toEqual({min: -1, max: 1});
	});

	it('on a log scale: decades of the positive values only', () => {
		const r = yRange([1e-3, 1e-2, 1e-1, 1, 10, 100, 0, -5], {ignoreOutliers: false, log: true})!;
		expect(r.min).toBeCloseTo(-3);
		expect(r.max).toBeCloseTo(2);
		expect(yRange([0, -1], {ignoreOutliers: false, log: true})).toBeUndefined();
	});
});

describe('yScale', () => {
	it('places values linearly and reports outliers, non-finite and (log) non-positive values', () => {
		const s = yScale({min: 0, max: 10}, false);
		expect(s.place(5)).toEqual({kind: 'in', fraction: 0.5});
		expect(s.place(11).kind).toBe('above');
		expect(s.place(-1).kind).toBe('below');
		expect(s.place(Number.NaN).kind).toBe('non-finite');
		const log = yScale({min: -3, max: 2}, true);
		expect(log.place(1)).toEqual({kind: 'in', fraction: 0.6});
		expect(log.place(0).kind).toBe('non-positive');
		expect(log.place(-2).kind).toBe('non-positive');
		expect(log.value(2)).toBe(100);
	});
});

describe('ticks', () => {
	it('nice steps are 1, 2 or 5 times a power of ten', () => {
		expect(niceStep(10, 5)).toBe(2);
		expect(niceStep(1, 4)).toBe(0.5);
		expect(niceStep(700, 3)).toBe(500);
		expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
		expect(niceTicks(0.13, 0.61, 4)).toEqual([0.2, 0.4, 0.6]);
	});

	it('end for a range at the edge of float precision (a flat series smoothed: the zoomed TUI hung and crashed on it)', () => {
		expect(niceTicks(2.5, 2.5 + 1e-15, 5)).toEqual([2.5]);
		expect(niceTicks(1e6, 1e6 + 1e-9, 5)).toEqual([1e6]);
		fc.assert(
			fc.property(fc.double({noNaN: true, noDefaultInfinity: true}), fc.double({min: 0, max: 1e300, noNaN: true}), fc.integer({min: 1, max: 8}), (min, span, count) => {
				const max = min + span;
				const ticks = niceTicks(min, max, count);
				expect(ticks.length).toBeLessThanOrEqual(count + 2);
			}),
		);
	});

	it('labels carry the unit', () => {
		expect(formatTick(50, 'percent', 25)).toBe('50%');
		expect(formatTick(0.95, 'share', 0.05)).toBe('95%');
		expect(formatTick(40_960, 'mb', 10_000)).toBe('40.0G');
		expect(formatTick(80, 'celsius', 20)).toBe('80°C');
		expect(formatTick(80, 'celsius', 20, 'C')).toBe('80C');
		expect(formatTick(300, 'watts', 100)).toBe('300W');
		expect(formatTick(12, 'per-hour', 4)).toBe('12/h');
		expect(formatPlain(0.25, 0.05)).toBe('0.25');
		expect(formatPlain(20_000, 5000)).toBe('20k');
		expect(formatPlain(0.0001, 0.0001)).toBe('1e-4');
	});

	it('a log scale over 5 decades is ticked at decades', () => {
		const ticks = yTicks(yScale({min: -3, max: 2}, true), 30, 'plain');
		expect(ticks.map((t) => t.label)).toEqual(['0.001', '0.01', '0.1', '1', '10', '100']);
	});
});

describe('x ticks', () => {
	it('step ticks at nice multiples', () => {
		expect(xTicks('step', 0, 10_000, 60).map((t) => t.label)).toEqual(['0', '2000', '4000', '6000', '8000', '10.0k']);
	});

	it('relative ticks count from the origin', () => {
		const t0 = Date.UTC(2026, 0, 1);
		expect(xTicks('relative', t0, t0 + 3_600_000, 60).map((t) => t.label)).toEqual(['0s', '15m', '30m', '45m', '1h']);
		expect(formatRelative(90 * 60_000)).toBe('1h30m');
		expect(formatRelative(2 * 86_400_000)).toBe('2d');
	});

	it('wall ticks fall on round local times', () => {
		const t0 = new Date(2026, 0, 1, 10, 7).getTime();
		const ticks = xTicks('wall', t0, t0 + 3_600_000, 60);
		expect(ticks.map((t) => t.label)).toEqual(['10:15', '10:30', '10:45', '11:00']);
		expect(formatWall(new Date(2026, 2, 5, 1, 2, 3).getTime(), 86_400_000)).toBe('03-05');
	});
});

describe('downsample', () => {
	it('keeps each column’s min, max and last: a one-sample spike survives 10,000 points in 10 columns', () => {
		const xs = Array.from({length: 10_000}, (_, i) => i);
		const ys = xs.map((i) => (i === 4321 ? 99 : 1));
		const c = downsample({xs, ys}, 0, 9999, 10);
		expect(Math.max(...c.max)).toBe(99);
		expect(c.max[4]).toBe(99);
		expect([...c.count].reduce((s, n) => s + n, 0)).toBe(10_000);
		expect(c.last[9]).toBe(1);
		// Folded into fewer columns, the extremes stay exact.
		const merged = mergeColumns(c, 3);
		expect(Math.max(...merged.max)).toBe(99);
		expect([...merged.count].reduce((s, n) => s + n, 0)).toBe(10_000);
	});

	it('counts NaN/Inf per column instead of folding them in', () => {
		const c = downsample({xs: [0, 1, 2, 3], ys: [1, Number.NaN, Number.POSITIVE_INFINITY, 2]}, 0, 3, 2);
		expect([...c.nonFinite]).toEqual([1, 1]);
		expect([...c.max]).toEqual([1, 2]);
	});

	it('takes bucket extremes and non-finite counts', () => {
		const c = downsample({xs: [0, 10], ys: [5, 6], mins: [1, 2], maxs: [9, 8], nonFinite: [0, 3]}, 0, 10, 1);
		expect([c.min[0], c.max[0], c.last[0], c.nonFinite[0]]).toEqual([1, 9, 6, 3]);
	});

	it('one x goes to the middle column; outside the range to none', () => {
		expect(columnOf(5, 5, 5, 10)).toBe(5);
		expect(columnOf(11, 0, 10, 10)).toBe(-1);
		expect(columnOf(10, 0, 10, 10)).toBe(9);
	});
});

describe('cells', () => {
	it('braille dots: 2x4 per cell with the Unicode bit layout', () => {
		const c = new DotCanvas(1, 1, 'braille');
		c.set(0, 0, 0);
		c.set(1, 3, 0);
		expect(c.glyph(0, 0)).toBe(String.fromCodePoint(0x2800 + 0x01 + 0x80));
		expect(cellGlyph('braille', 0xff)).toBe('⣿');
	});

	it('block and ASCII: 1x2 per cell', () => {
		expect([0, 1, 2, 3].map((b) => cellGlyph('block', b))).toEqual([' ', '▀', '▄', '█']);
		expect([0, 1, 2, 3].map((b) => cellGlyph('ascii', b))).toEqual([' ', "'", '.', ':']);
	});

	it('a cell belongs to the last series that drew in it', () => {
		const c = new DotCanvas(2, 1, 'block');
		c.set(0, 0, 0);
		c.set(0, 1, 1);
		expect(c.ownerOf(0, 0)).toBe(1);
		expect(c.ownerOf(1, 0)).toBe(-1);
		c.set(5, 5, 0);
		expect(c.glyph(1, 0)).toBe(' ');
	});
});

describe('legend', () => {
	it('latest (NaN kept), min and max, non-finite counted', () => {
		expect(legendFigures(downsample({xs: [1, 2, 3], ys: [3, 1, Number.NaN]}, 1, 3, 2))).toEqual({latest: Number.NaN, min: 1, max: 3, nonFinite: 1});
		expect(legendValue(Number.NaN, 'plain')).toBe('NaN');
		expect(legendValue(0.953, 'share')).toBe('95.3%');
		expect(legendValue(undefined, 'plain')).toBe('-');
	});
});

describe('chart settings', () => {
	it('smoothing steps up and down through TensorBoard-like weights, within 0..0.99', () => {
		expect(stepSmoothing(0.6, 1)).toBe(0.8);
		expect(stepSmoothing(0.6, -1)).toBe(0.4);
		expect(stepSmoothing(0.99, 1)).toBe(0.99);
		expect(stepSmoothing(0, -1)).toBe(0);
		expect(stepSmoothing(0.5, 1)).toBe(0.6);
	});

	it('windows cycle live, 5m ... 90d and back; scrolling stays within 90 days', () => {
		let s = DEFAULT_CHART_SETTINGS;
		const seen = [];
		for (let i = 0; i < WINDOWS.length; i++) {
			s = applyChartChange(s, 'window-next');
			seen.push(s.window);
		}
		expect(seen).toEqual(['5m', '1h', '6h', '24h', '7d', '30d', '90d', 'live']);
		expect(applyChartChange(DEFAULT_CHART_SETTINGS, 'window-prev').window).toBe('90d');
		expect(applyChartChange(DEFAULT_CHART_SETTINGS, 'scroll-back').scrollBack).toBe(0);
		const day = {...DEFAULT_CHART_SETTINGS, window: '24h' as const};
		expect(maxScrollBack('90d')).toBe(0);
		expect(maxScrollBack('24h')).toBe(178);
		const back = applyChartChange(applyChartChange(day, 'scroll-back'), 'scroll-back');
		expect(windowTitle(back)).toBe('24h ending 1d ago');
		expect(windowRange(back, 100 * 86_400_000)).toEqual([98 * 86_400_000, 99 * 86_400_000]);
		expect(applyChartChange(back, 'window-next').scrollBack).toBe(0);
		expect(applyChartChange(applyChartChange(day, 'scroll-back'), 'scroll-forward').scrollBack).toBe(0);
	});

	it('toggles log, outliers, detail; cycles the x axis', () => {
		const s = DEFAULT_CHART_SETTINGS;
		expect(applyChartChange(s, 'log').log).toBe(true);
		expect(applyChartChange(s, 'outliers').ignoreOutliers).toBe(false);
		expect(applyChartChange(s, 'detail').detail).toBe(true);
		expect([1, 2, 3].map((n) => Array.from({length: n}).reduce<typeof s>((a) => applyChartChange(a, 'x-mode'), s).xMode)).toEqual(['relative', 'wall', 'step']);
	});
});

describe('series for tasks, buckets and grids', () => {
	it('throughput per hour and SLA share per bin; a bin with no task has no SLA point', () => {
		const t0 = 0;
		const completions = [
			{taskId: 'a', agent: 'x', durationSeconds: 60, timeMs: 10_000},
			{taskId: 'b', agent: 'x', durationSeconds: 3600, timeMs: 20_000},
			{taskId: 'c', agent: 'x', durationSeconds: 60, timeMs: 130_000},
		];
		const s = taskSeries(completions, t0, 180_000, 1800);
		expect(s.binMs).toBe(60_000);
		expect(Array.from(s.throughput.ys)).toEqual([120, 0, 60]);
		expect(Array.from(s.sla.ys)).toEqual([0.5, 1]);
		expect(Array.from(s.sla.xs)).toEqual([0, 120_000]);
		expect(durationCounts([0, 299, 300, 1799, 1800, 7200, Number.NaN])).toEqual([2, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]);
	});

	it('buckets become points (mean, extremes, non-finite) and rates per hour', () => {
		const answer = {series: 's', resolution: 60_000, buckets: [{start: 0, min: 1, max: 9, sum: 10, count: 2, last: 9, nonFinite: 1}]};
		const p = bucketPoints(answer);
		expect([p.xs[0], p.ys[0], p.mins![0], p.maxs![0], p.nonFinite![0]]).toEqual([0, 5, 1, 9, 1]);
		expect(bucketRatePerHour(answer).ys[0]).toBe(600);
	});

	it('8 GPUs fit 120x40 in a 2x4 grid', () => {
		const g = gpuGrid(8, 119, 36, 5);
		expect([g.columns, g.count, g.cellHeight]).toEqual([2, 8, 9]);
		expect(g.cellWidth * 2 + 1).toBeLessThanOrEqual(119);
	});
});
