import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {debiasedEmaArray} from '../../src/analysis/smoothing.js';
import {downsample, xExtent, type Columns} from '../../src/charts/downsample.js';
import {ascendingExtent, liveColumns, type ColumnsCache} from '../../src/charts/live-columns.js';
import {liveSmoothed, type SmoothCache} from '../../src/charts/live-smoothing.js';
import {LiveFrame, type LiveCache} from '../../src/charts/live-chart.js';
import {rawAndSmoothed} from '../../src/charts/pane-series.js';
import {lineText, renderChart, type ChartOptions} from '../../src/charts/render-chart.js';
import {NumericRing} from '../../src/store/ring-buffer.js';

/** A step of a live series: points appended at its end, points dropped from its front (a full ring). */
interface Step {
	readonly add: ReadonlyArray<{dx: number; y: number}>;
	readonly drop: number;
}

const yArb = fc.oneof(
	{weight: 8, arbitrary: fc.double({min: -5, max: 50, noNaN: true})},
	{weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0)},
);
const stepArb: fc.Arbitrary<Step> = fc.record({
	add: fc.array(fc.record({dx: fc.constantFrom(0, 1, 1, 1, 2.5, 40), y: yArb}), {maxLength: 25}),
	drop: fc.nat({max: 12}),
});

/** The window after each step, as arrays plus the serial of its first point. */
function* windows(steps: readonly Step[], descendingAt = -1): Generator<{xs: Float64Array; ys: Float64Array; first: number}> {
	const xs: number[] = [];
	const ys: number[] = [];
	let first = 0;
	let x = 0;
	for (const [k, step] of steps.entries()) {
		for (const p of step.add) {
			x += k === descendingAt ? -p.dx : p.dx;
			xs.push(x);
			ys.push(p.y);
		}
		const drop = Math.min(step.drop, xs.length - first);
		first += drop;
		yield {xs: Float64Array.from(xs.slice(first)), ys: Float64Array.from(ys.slice(first)), first};
	}
}

function plain(c: Columns): unknown {
	return {count: [...c.count], min: [...c.min], max: [...c.max], last: [...c.last], nonFinite: [...c.nonFinite], latest: c.latest, nonPositive: c.nonPositive};
}

describe('liveColumns', () => {
	it('equals downsample over the window after any sequence of appended and dropped points', () => {
		let known = 0;
		fc.assert(
			fc.property(
				fc.array(stepArb, {minLength: 1, maxLength: 25}),
				fc.integer({min: 1, max: 40}),
				fc.double({min: -20, max: 100, noNaN: true}),
				fc.double({min: 0, max: 600, noNaN: true}),
				fc.integer({min: -1, max: 25}),
				(steps, columns, x0, span, descendingAt) => {
					let cache: ColumnsCache | undefined;
					for (const w of windows(steps, descendingAt)) {
						const extent = ascendingExtent(cache, w);
						if (extent !== undefined) {
							known += 1;
							expect(extent).toEqual(xExtent(w));
						}
						cache = liveColumns(cache, w, x0, x0 + span, columns);
						expect(plain(cache.columns)).toEqual(plain(downsample(w, x0, x0 + span, columns)));
					}
				},
			),
			{numRuns: 300},
		);
		// The O(1) extent was taken (and checked) often, not never.
		expect(known).toBeGreaterThan(100);
	});

	it('folds again the columns of points whose values changed', () => {
		const xs = Float64Array.from({length: 50}, (_, i) => i);
		const before = {xs, ys: Float64Array.from(xs, (x) => x), first: 0};
		const after = {xs, ys: Float64Array.from(xs, (x) => (x < 10 ? 100 + x : x)), first: 0};
		const cache = liveColumns(liveColumns(undefined, before, 0, 49, 10), after, 0, 49, 10, [0, 10]);
		expect(plain(cache.columns)).toEqual(plain(downsample(after, 0, 49, 10)));
		expect(cache.columns.max[0]).toBe(104);
	});
});

describe('liveSmoothed', () => {
	it('equals the full debiased EMA to the bit after any sequence of appended and dropped points', () => {
		fc.assert(
			fc.property(fc.array(stepArb, {minLength: 1, maxLength: 40}), fc.constantFrom(0, 0.2, 0.6, 0.9, 0.99), (steps, weight) => {
				let cache: SmoothCache | undefined;
				for (const w of windows(steps)) {
					const next = liveSmoothed(cache, w.ys, w.first, weight);
					const full = debiasedEmaArray(w.ys, weight);
					expect([...next.cache.values].map((v) => Object.is(v, v) && v)).toEqual([...full].map((v) => Object.is(v, v) && v));
					// What changed is inside the reported range: the rest is the previous value.
					if (cache !== undefined) {
						for (let i = 0; i < w.ys.length; i++) {
							const serial = w.first + i;
							const old = serial - cache.first < cache.values.length ? cache.values[serial - cache.first] : undefined;
							const inChanged = next.changed !== undefined && serial >= next.changed[0] && serial < next.changed[1];
							if (old !== undefined && !inChanged) expect(Object.is(next.cache.values[i], old)).toBe(true);
						}
					}
					cache = next.cache;
				}
			}),
			{numRuns: 300},
		);
	});

	it('recomputes only the front until it meets the old average when a long window drops a point', () => {
		const ys = Float64Array.from({length: 2000}, (_, i) => 1 + Math.sin(i / 7));
		const a = liveSmoothed(undefined, ys, 0, 0.6);
		const b = liveSmoothed(a.cache, ys.subarray(1), 1, 0.6);
		expect(b.changed![1] - b.changed![0]).toBeLessThan(200);
		expect([...b.cache.values]).toEqual([...debiasedEmaArray(ys.subarray(1), 0.6)]);
	});
});

describe('a live chart with caches', () => {
	const options: ChartOptions = {width: 60, height: 16, cells: 'braille', log: false, ignoreOutliers: true, xMode: 'step', unit: 'plain', title: 'loss'};

	it('draws the same lines as the chart recomputed from every point, as a full ring gains points', () => {
		fc.assert(
			fc.property(fc.array(fc.double({min: 0.01, max: 9, noNaN: true}), {minLength: 1, maxLength: 120}), fc.integer({min: 20, max: 300}), (news, capacity) => {
				const ring = new NumericRing(capacity);
				for (let i = 0; i < 400; i++) ring.push(i + 1, 3 * Math.exp(-i / 100) + ((i * 7919) % 13) * 0.01, i * 1000);
				let caches: ReadonlyMap<string, LiveCache> = new Map();
				let step = 400;
				for (const y of news) {
					step += 1;
					ring.push(step, y, step * 1000);
					const c = ring.columns();
					const points = {xs: c.xs, ys: c.values, first: ring.firstSerial};
					const frame = new LiveFrame(caches);
					const live = renderChart(frame.rawAndSmoothed('p|loss', 'loss', points, 0.6, 'accent', false), options, frame.data);
					caches = frame.caches();
					const full = renderChart(rawAndSmoothed('loss', points, 0.6, 'accent', false), options);
					expect(live.map(lineText)).toEqual(full.map(lineText));
					expect(live).toEqual(full);
				}
			}),
			{numRuns: 40},
		);
	});

	it('keeps the cache of a series drawn, and misses it when the width changes', () => {
		const xs = Float64Array.from({length: 100}, (_, i) => i);
		const points = {xs, ys: Float64Array.from(xs, (x) => x * 0.5), first: 0};
		const one = new LiveFrame(new Map());
		renderChart(one.rawAndSmoothed('k', 'loss', points, 0.6, 'accent', false), options, one.data);
		const cache = one.caches().get('k')!;
		expect(cache.raw?.columns.count.length).toBeGreaterThan(0);
		const wider = {...options, width: 80};
		const two = new LiveFrame(one.caches());
		const lines = renderChart(two.rawAndSmoothed('k', 'loss', points, 0.6, 'accent', false), wider, two.data);
		expect(lines).toEqual(renderChart(rawAndSmoothed('loss', points, 0.6, 'accent', false), wider));
		expect(two.caches().get('k')!.raw!.build.count.length).not.toBe(cache.raw!.build.count.length);
	});
});
