/**
The patched Ink (scripts/ink-patches.mjs: the clip skip, the row pieces, the sanitize and measure shortcuts, the
caches) must never change a frame: whole frames of the patched Ink against stock Ink, for the same trees driven through
the same text changes and terminal resizes: texts that keep their cells with other characters (wide, emoji, ZWJ
sequences, combining marks), texts that change cells, nested texts, SGR text, boxes with padding, gaps, margins and
fixed heights that cut them, boxes one cell wide, and the dashboard's own shapes (a header row with a clock column,
panes of rows), with tabs, zero-width and joining characters, Hangul fillers and a bare ESC[m (most of which
src/contract/sanitize.ts replaces at ingest, but a line holding them must still be cut as stock Ink cuts it). test/unit/ink-frames-driver.tsx
is bundled twice.
*/
import {join, resolve} from 'node:path';
import fc from 'fast-check';
import {beforeAll, describe, expect, it} from 'vitest';
import {bundleStockAndPatched} from '../helpers/ink-bundles.js';
import type {Session, Spec} from './ink-frames-driver.js';

type Driver = {session(spec: Spec, columns: number, texts: readonly string[]): Session};

const root = resolve(import.meta.dirname, '../..');
let stock: Driver;
let patched: Driver;

beforeAll(async () => {
	process.env['FORCE_COLOR'] = '1';
	const urls = await bundleStockAndPatched(join(root, 'test/unit/ink-frames-driver.tsx'), 'the frames driver');
	patched = (await import(urls.patched)) as Driver;
	stock = (await import(urls.stock)) as Driver;
}, 60_000);

const LEAVES = 10;
const sample = fc.constantFrom(
	'', 'ab', 'xy', '中', '🔥', '👩\u200D👩\u200D👧', 'a\tb', '\tx', 'x\u200By', 'a\u3164b', 'x\u1160yz', '\u001B[mxy', 'e\u0301e', 'é', '⚠️', '⚠', 'ｱｲ', '12:00:01', '12:00:02', 'abc', '中a', 'a🔥',
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

/** 200 cases; FRAMES_RUNS=5000 for a longer search, FRAMES_SEED and FRAMES_PATH (printed with a failure) to replay one. */
function runs(): fc.Parameters<unknown> {
	const seed = process.env['FRAMES_SEED'];
	if (seed !== undefined) return {seed: Number(seed), path: process.env['FRAMES_PATH'], endOnFailure: true};
	return {numRuns: Number(process.env['FRAMES_RUNS'] ?? 200)};
}

describe('patched Ink frames equal stock Ink frames', () => {
	it("for the dashboard's shapes, text changes and resizes", () => {
		fc.assert(
			fc.property(dashboard, fc.integer({min: 3, max: 60}), fc.array(sample, {minLength: LEAVES, maxLength: LEAVES}), fc.array(op, {minLength: 1, maxLength: 10}), (shape, columns, first, ops) => {
				drive(shape, columns, first, ops);
			}),
			runs(),
		);
	}, 120_000);

	it('for any tree, text changes and resizes', () => {
		fc.assert(
			fc.property(spec, fc.integer({min: 3, max: 40}), fc.array(sample, {minLength: LEAVES, maxLength: LEAVES}), fc.array(op, {minLength: 1, maxLength: 8}), (shape, columns, first, ops) => {
				drive(shape, columns, first, ops);
			}),
			runs(),
		);
	}, 120_000);
});
