/**
The layout skip of the patched Ink (scripts/ink-patches.mjs, dom.js: a Text whose new text keeps its cells is not
marked dirty) must never change a frame: whole frames of the patched Ink against the same Ink with every patch but
dom.js's, for the same trees driven through the same text changes and terminal resizes: texts that keep their cells
with other characters (wide, emoji, ZWJ sequences, combining marks, tabs, zero-width), texts that change cells, nested
texts, boxes with padding, gaps, margins and fixed heights that cut them, and the dashboard's own shapes (a header row
with a clock column, panes of rows). FRAMES_AGAINST=stock compares with stock Ink instead: then texts with zero-width
characters, and SGR text wrapped in a box one or two cells wide, differ by the older patches of Output (likely the clip
patch: a line with nothing to cut is not re-sliced, so a zero-width character stock drops is kept and a lone ESC of a
code that wrap cut apart is written), which no dashboard text reaches (the sanitizer replaces zero-width characters; no pane is that narrow).
test/unit/ink-frames-driver.tsx is bundled twice.
*/
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {readFile} from 'node:fs/promises';
import {dirname, join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import {build, type PluginBuild} from 'esbuild';
import fc from 'fast-check';
import {beforeAll, describe, expect, it} from 'vitest';
import {assertPatchesApplied, bundleOptions} from '../../scripts/bundle-options.mjs';
import type {Session, Spec} from './ink-frames-driver.js';

type Driver = {session(spec: Spec, columns: number, texts: readonly string[]): Session};

const root = resolve(import.meta.dirname, '../..');
let stock: Driver;
let patched: Driver;

beforeAll(async () => {
	process.env['FORCE_COLOR'] = '1';
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-frames-'));
	const applied = new Set<string>();
	const entry = join(root, 'test/unit/ink-frames-driver.tsx');
	await build({...bundleOptions(applied), entryPoints: {patched: entry}, outdir: dir, logLevel: 'error'});
	assertPatchesApplied(applied, 'the frames driver');
	if (process.env['FRAMES_AGAINST'] === 'stock') {
		await build({...bundleOptions(new Set()), plugins: [], entryPoints: {stock: entry}, outdir: join(dir, 'stock'), logLevel: 'error'});
	} else {
		// Every other patch applied, dom.js left stock: the reference isolates the layout skip.
		const stockDom = {
			name: 'stock-dom',
			setup(b: PluginBuild) {
				b.onLoad({filter: /[\\/]ink[\\/]build[\\/]dom\.js$/}, async ({path}) => ({contents: await readFile(path, 'utf8'), loader: 'js' as const, resolveDir: dirname(path)}));
			},
		};
		const options = bundleOptions(new Set());
		await build({...options, plugins: [stockDom, ...(options.plugins ?? [])], entryPoints: {stock: entry}, outdir: join(dir, 'stock'), logLevel: 'error'});
	}
	patched = (await import(pathToFileURL(join(dir, 'patched.js')).href)) as Driver;
	stock = (await import(pathToFileURL(join(dir, 'stock', 'stock.js')).href)) as Driver;
}, 60_000);

const LEAVES = 10;
const sample = fc.constantFrom(
	'', 'ab', 'xy', '中', '🔥', '👩\u200D👩\u200D👧', 'a\tb', '\tx', 'x\u200By', 'e\u0301e', 'é', '⚠️', '⚠', 'ｱｲ', '12:00:01', '12:00:02', 'abc', '中a', 'a🔥',
	'a\nb', 'c\nd', '中\n🔥', 'a much longer line of text', 'another long line here!!', '\u001B[31mab\u001B[39m', '\u001B[1m中\u001B[22m', '⣿⣀', '  ', ' x ',
);
const text: fc.Arbitrary<Spec> = fc.record({
	kind: fc.constant('text' as const),
	leaf: fc.nat(LEAVES - 1),
	wrap: fc.constantFrom('wrap' as const, 'truncate-end' as const),
	nested: fc.boolean(),
});
const {spec} = fc.letrec<{spec: Spec}>((tie) => ({
	spec: fc.oneof(
		{depthSize: 'small', withCrossShrink: true},
		text,
		fc.record({
			kind: fc.constant('box' as const),
			column: fc.boolean(),
			width: fc.option(fc.oneof(fc.integer({min: 1, max: 30}), fc.constantFrom('50%', '100%')), {nil: undefined}),
			height: fc.option(fc.integer({min: 1, max: 6}), {nil: undefined}),
			paddingRight: fc.option(fc.integer({min: 0, max: 2}), {nil: undefined}),
			paddingTop: fc.option(fc.integer({min: 0, max: 1}), {nil: undefined}),
			gap: fc.option(fc.integer({min: 0, max: 1}), {nil: undefined}),
			marginTop: fc.option(fc.integer({min: 0, max: 1}), {nil: undefined}),
			overflow: fc.boolean(),
			grow: fc.option(fc.integer({min: 0, max: 1}), {nil: undefined}),
			shrink: fc.option(fc.integer({min: 0, max: 1}), {nil: undefined}),
			align: fc.option(fc.constantFrom('stretch' as const, 'flex-start' as const, 'center' as const), {nil: undefined}),
			children: fc.array(tie('spec'), {minLength: 1, maxLength: 4}),
		}) as fc.Arbitrary<Spec>,
	),
}));

const op = fc.oneof(
	{weight: 4, arbitrary: fc.array(fc.tuple(fc.nat(LEAVES - 1), sample), {minLength: 1, maxLength: 4}).map((changes) => ({changes}))},
	{weight: 1, arbitrary: fc.integer({min: 3, max: 40}).map((columns) => ({columns}))},
);

function drive(shape: Spec, columns: number, first: string[], ops: ReadonlyArray<{changes?: Array<[number, string]>; columns?: number}>): void {
	const a = stock.session(shape, columns, first);
	const b = patched.session(shape, columns, first);
	try {
		const texts = [...first];
		for (const o of ops) {
			if (o.columns !== undefined) {
				const want = a.resize(o.columns);
				expect(b.resize(o.columns)).toBe(want);
			} else {
				for (const [i, t] of o.changes!) texts[i] = t;
				const want = a.show(texts);
				expect(b.show(texts)).toBe(want);
			}
		}
	} finally {
		a.stop();
		b.stop();
	}
}

/** The dashboard's shapes: a header row (a cut left side, the clock in a column), then panes side by side, each a
column of a fixed size with a title line and a column of lines under it (the GPU pane's host line, StyledRows). */
const dashboard: fc.Arbitrary<Spec> = fc
	.record({
		panes: fc.array(fc.record({width: fc.integer({min: 4, max: 24}), height: fc.integer({min: 1, max: 6}), lines: fc.array(text, {minLength: 1, maxLength: 6})}), {minLength: 1, maxLength: 3}),
		headerLeft: fc.nat(LEAVES - 1),
		headerRight: fc.nat(LEAVES - 1),
	})
	.map(({panes, headerLeft, headerRight}): Spec => ({
		kind: 'box',
		column: true,
		overflow: true,
		children: [
			{
				kind: 'box',
				column: false,
				height: 1,
				overflow: true,
				children: [
					{kind: 'box', column: false, grow: 1, shrink: 1, overflow: true, children: [{kind: 'text', leaf: headerLeft, wrap: 'truncate-end', nested: false}]},
					{kind: 'box', column: true, shrink: 0, children: [{kind: 'text', leaf: headerRight, wrap: 'wrap', nested: false}]},
				],
			},
			{
				kind: 'box',
				column: false,
				overflow: true,
				children: panes.map(
					(p): Spec => ({
						kind: 'box',
						column: true,
						width: p.width,
						height: p.height,
						overflow: true,
						paddingRight: 1,
						children: [
							{kind: 'box', column: false, shrink: 0, height: 1, children: [{kind: 'text', leaf: 0, wrap: 'truncate-end', nested: false}]},
							{kind: 'box', column: true, shrink: 1, overflow: true, children: p.lines},
						],
					}),
				),
			},
		],
	}));

describe('patched Ink frames equal stock Ink frames', () => {
	it("for the dashboard's shapes, text changes and resizes", () => {
		fc.assert(
			fc.property(dashboard, fc.integer({min: 3, max: 60}), fc.array(sample, {minLength: LEAVES, maxLength: LEAVES}), fc.array(op, {minLength: 1, maxLength: 10}), (shape, columns, first, ops) => {
				drive(shape, columns, first, ops);
			}),
			{numRuns: 200},
		);
	}, 120_000);

	it('for any tree, text changes and resizes', () => {
		fc.assert(
			fc.property(spec, fc.integer({min: 3, max: 40}), fc.array(sample, {minLength: LEAVES, maxLength: LEAVES}), fc.array(op, {minLength: 1, maxLength: 8}), (shape, columns, first, ops) => {
				drive(shape, columns, first, ops);
			}),
			{numRuns: 200},
		);
	}, 120_000);
});
