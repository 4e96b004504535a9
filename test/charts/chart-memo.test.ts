import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {DotCanvas, type CellMode} from '../../src/charts/cells.js';
import {LiveFrame, type LiveCache} from '../../src/charts/live-chart.js';
import {rawAndSmoothed} from '../../src/charts/pane-series.js';
import {ChartMemo, lineText, placementOf, renderChart, type ChartOptions} from '../../src/charts/render-chart.js';
import {yScale} from '../../src/charts/scale.js';

/** One redraw of a live chart: points appended, points dropped from the front, and the view as it is now. */
interface Step {
	readonly add: ReadonlyArray<{dx: number; y: number}>;
	readonly drop: number;
	readonly width: number;
	readonly height: number;
	readonly cells: CellMode;
	readonly log: boolean;
	readonly ignoreOutliers: boolean;
	readonly smoothing: number;
	/** A window (x range) instead of the data's extent: its start as a share of the data's, and its span. */
	readonly window: {readonly start: number; readonly span: number} | undefined;
	readonly unit: 'plain' | 'percent';
}

const yArb = fc.oneof(
	{weight: 10, arbitrary: fc.double({min: -5, max: 50, noNaN: true})},
	{weight: 2, arbitrary: fc.double({min: 1e-4, max: 1e6, noNaN: true})},
	{weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 1e300)},
);

/** Most steps keep the view (as a live chart does between seconds); some change one thing or several. */
const stepArb = (base: Omit<Step, 'add' | 'drop'>): fc.Arbitrary<Step> =>
	fc.record({
		add: fc.array(fc.record({dx: fc.constantFrom(0, 1, 1, 1, 2.5, 40), y: yArb}), {maxLength: 6}),
		drop: fc.constantFrom(0, 0, 0, 1, 2, 9),
		width: fc.oneof({weight: 6, arbitrary: fc.constant(base.width)}, {weight: 1, arbitrary: fc.integer({min: 8, max: 90})}),
		height: fc.oneof({weight: 6, arbitrary: fc.constant(base.height)}, {weight: 1, arbitrary: fc.integer({min: 2, max: 30})}),
		cells: fc.oneof({weight: 6, arbitrary: fc.constant(base.cells)}, {weight: 1, arbitrary: fc.constantFrom<CellMode>('braille', 'block', 'ascii')}),
		log: fc.oneof({weight: 6, arbitrary: fc.constant(base.log)}, {weight: 1, arbitrary: fc.boolean()}),
		ignoreOutliers: fc.oneof({weight: 6, arbitrary: fc.constant(base.ignoreOutliers)}, {weight: 1, arbitrary: fc.boolean()}),
		smoothing: fc.oneof({weight: 6, arbitrary: fc.constant(base.smoothing)}, {weight: 1, arbitrary: fc.constantFrom(0, 0.6, 0.99)}),
		window: fc.oneof({weight: 6, arbitrary: fc.constant(base.window)}, {weight: 1, arbitrary: fc.option(fc.record({start: fc.double({min: -0.2, max: 1, noNaN: true}), span: fc.double({min: 0, max: 300, noNaN: true})}), {nil: undefined})}),
		unit: fc.oneof({weight: 6, arbitrary: fc.constant(base.unit)}, {weight: 1, arbitrary: fc.constantFrom<'plain' | 'percent'>('plain', 'percent')}),
	});

const stepsArb: fc.Arbitrary<Step[]> = fc
	.record({
		width: fc.integer({min: 8, max: 90}),
		height: fc.integer({min: 2, max: 30}),
		cells: fc.constantFrom<CellMode>('braille', 'block', 'ascii'),
		log: fc.boolean(),
		ignoreOutliers: fc.boolean(),
		smoothing: fc.constantFrom(0, 0.6, 0.99),
		window: fc.constant(undefined),
		unit: fc.constantFrom<'plain' | 'percent'>('plain', 'percent'),
	})
	.chain((base) => fc.array(stepArb(base), {minLength: 1, maxLength: 30}));

/** A history to start from, so a step's one new point lands on a chart that already has a shape. */
function seed(count: number): {xs: number[]; ys: number[]} {
	const xs = Array.from({length: count}, (_, i) => i);
	return {xs, ys: xs.map((i) => 3 * Math.exp(-i / 40) + 0.2 + ((i * 7919) % 13) * 0.01)};
}

describe('renderChart with a memo (unchanged plot rows reused)', () => {
	it('is byte-identical to a fresh render over appends, dropped points, windows, resizes and settings changes', () => {
		let reused = 0;
		fc.assert(
			fc.property(stepsArb, fc.nat({max: 200}), (steps, seeded) => {
				const {xs, ys} = seed(seeded);
				let first = 0;
				let x = xs.length;
				let caches: ReadonlyMap<string, LiveCache> = new Map();
				const memo = new ChartMemo();
				let previous: readonly object[] = [];
				for (const step of steps) {
					for (const p of step.add) {
						x += p.dx;
						xs.push(x);
						ys.push(p.y);
					}
					first += Math.min(step.drop, xs.length - first);
					const points = {xs: Float64Array.from(xs.slice(first)), ys: Float64Array.from(ys.slice(first)), first};
					const lo = points.xs.length > 0 ? points.xs[0]! : 0;
					const hi = points.xs.length > 0 ? points.xs[points.xs.length - 1]! : 0;
					const xDomain = step.window === undefined ? undefined : ([lo + (hi - lo) * step.window.start, lo + (hi - lo) * step.window.start + step.window.span] as const);
					const options: ChartOptions = {width: step.width, height: step.height, cells: step.cells, log: step.log, ignoreOutliers: step.ignoreOutliers, xMode: 'step', unit: step.unit, title: 'loss', xDomain};
					const frame = new LiveFrame(caches);
					const live = renderChart(frame.rawAndSmoothed('p|loss', 'loss', points, step.smoothing, 'accent', false), options, frame.data, memo);
					caches = frame.caches();
					const fresh = renderChart(rawAndSmoothed('loss', points, step.smoothing, 'accent', false), options);
					expect(live.map(lineText)).toEqual(fresh.map(lineText));
					expect(JSON.stringify(live)).toBe(JSON.stringify(fresh));
					reused += live.filter((line) => previous.includes(line)).length;
					previous = live;
				}
			}),
			{numRuns: 150},
		);
		// Rows were in fact reused (and so checked), not drawn afresh every time.
		expect(reused).toBeGreaterThan(100);
	});

	it('draws again only the rows a new point at the end changes', () => {
		const count = 2_000;
		const xs = Float64Array.from({length: count + 1}, (_, i) => i);
		const ys = Float64Array.from(xs, (i) => 3 * Math.exp(-i / 500) + 0.2 + ((i * 7919) % 13) * 0.01);
		const options: ChartOptions = {width: 119, height: 36, cells: 'braille', log: false, ignoreOutliers: true, xMode: 'step', unit: 'plain', title: 'loss', xDomain: [0, 2_100]};
		const memo = new ChartMemo();
		const before = renderChart(rawAndSmoothed('loss', {xs: xs.subarray(0, count), ys: ys.subarray(0, count)}, 0.6, 'accent', false), options, undefined, memo);
		const after = renderChart(rawAndSmoothed('loss', {xs, ys}, 0.6, 'accent', false), options, undefined, memo);
		const same = after.filter((line, i) => line === before[i]).length;
		// Title and legend lines are drawn every time; of the 32 plot rows, the new point's one or two differ.
		expect(same).toBeGreaterThanOrEqual(28);
		expect(after).toEqual(renderChart(rawAndSmoothed('loss', {xs, ys}, 0.6, 'accent', false), options));
		// A memo of another size is not used: every row is drawn.
		const smaller = renderChart(rawAndSmoothed('loss', {xs, ys}, 0.6, 'accent', false), {...options, width: 100}, undefined, memo);
		expect(smaller.filter((line) => after.includes(line))).toEqual([]);
	});
});

describe('the numeric placement', () => {
	it('equals scale.place and its dot row for every value', () => {
		fc.assert(
			fc.property(
				fc.double({noNaN: false}),
				fc.double({noNaN: true, min: -1e6, max: 1e6}),
				fc.double({noNaN: true, min: 0, max: 1e6}),
				fc.boolean(),
				fc.integer({min: 1, max: 200}),
				(value, min, span, log, dotsY) => {
					const scale = yScale({min, max: min + span}, log);
					const p = scale.place(value);
					const expected = p.kind === 'in' ? Math.round((1 - p.fraction) * (dotsY - 1)) : p.kind === 'above' ? 0 : p.kind === 'non-finite' ? -1 : dotsY - 1;
					expect(placementOf(scale, dotsY, value)).toEqual({kind: p.kind, row: expected});
				},
			),
			{numRuns: 2_000},
		);
	});
});

describe('DotCanvas.vertical', () => {
	it('sets the same dots and owners as set() for each dot of the run', () => {
		fc.assert(
			fc.property(
				fc.constantFrom<CellMode>('braille', 'block', 'ascii'),
				fc.integer({min: 1, max: 12}),
				fc.integer({min: 1, max: 8}),
				fc.array(fc.tuple(fc.integer({min: -3, max: 30}), fc.integer({min: -5, max: 40}), fc.integer({min: -5, max: 40}), fc.integer({min: 0, max: 3})), {maxLength: 30}),
				(mode, columns, rows, runs) => {
					const fast = new DotCanvas(columns, rows, mode);
					const slow = new DotCanvas(columns, rows, mode);
					for (const [px, a, b, owner] of runs) {
						fast.vertical(px, a, b, owner);
						for (let py = Math.min(a, b); py <= Math.max(a, b); py++) slow.set(px, py, owner);
					}
					for (let row = 0; row < rows; row++) {
						expect(fast.sameRow(slow, row)).toBe(true);
						for (let col = 0; col < columns; col++) expect([fast.glyph(col, row), fast.ownerOf(col, row)]).toEqual([slow.glyph(col, row), slow.ownerOf(col, row)]);
					}
				},
			),
			{numRuns: 500},
		);
	});
});
