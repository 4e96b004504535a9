import {isDeepStrictEqual} from 'node:util';
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {sameValue, samePaneProps} from '../../src/format/same-value.js';

/** Plain data as snapshots hold it: numbers (NaN, ±Infinity, -0 included), strings, booleans, undefined, arrays, objects. */
const leaf = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 0), fc.string({maxLength: 4}), fc.boolean(), fc.constant(undefined), fc.constant(null));
const {data} = fc.letrec((tie) => ({
	data: fc.oneof({depthSize: 'small', withCrossShrink: true}, leaf, fc.array(tie('data'), {maxLength: 4}), fc.dictionary(fc.string({maxLength: 3}), tie('data'), {maxKeys: 4})),
}));

/** A deep copy that keeps each object's prototype (structuredClone gives a null-prototype object Object's). */
function copyOf(v: unknown): unknown {
	if (typeof v !== 'object' || v === null) return v;
	if (Array.isArray(v)) return v.map(copyOf);
	const out = Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>;
	for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, {value: copyOf(x), enumerable: true, writable: true, configurable: true});
	return out;
}

/** The depth of nesting of plain arrays and objects (a leaf is 0). */
function depthOf(v: unknown): number {
	if (typeof v !== 'object' || v === null) return 0;
	const children = Array.isArray(v) ? v : Object.values(v);
	return 1 + Math.max(0, ...children.map(depthOf));
}

describe('sameValue', () => {
	it('says "same" only for values that are deeply equal (never a false "same")', () => {
		fc.assert(
			fc.property(data, data, fc.integer({min: 0, max: 6}), (a, b, depth) => {
				if (sameValue(a, b, depth)) expect(isDeepStrictEqual(a, b) || (Number.isNaN(a) && Number.isNaN(b))).toBe(true);
			}),
			{numRuns: 2000},
		);
	});

	it('finds a copy the same when the depth reaches its leaves, and a changed leaf different', () => {
		fc.assert(
			fc.property(data, (a) => {
				const copy = copyOf(a);
				expect(sameValue(a, copy, depthOf(a))).toBe(true);
				// Wrapped once more, the change of one leaf deep inside is seen at the full depth.
				const changed = {v: copy, extra: 1};
				expect(sameValue({v: a, extra: 1}, changed, depthOf(a) + 1)).toBe(true);
				expect(sameValue({v: a, extra: 1}, {v: copy, extra: 2}, depthOf(a) + 1)).toBe(false);
			}),
			{numRuns: 1000},
		);
	});

	it('compares past its depth by identity only, and class instances, Maps and functions by identity', () => {
		expect(sameValue([[1]], [[1]], 1)).toBe(false);
		expect(sameValue([[1]], [[1]], 2)).toBe(true);
		const f = () => 1;
		expect(sameValue({f}, {f}, 3)).toBe(true);
		expect(sameValue({f}, {f: () => 1}, 3)).toBe(false);
		expect(sameValue(new Map([[1, 2]]), new Map([[1, 2]]), 3)).toBe(false);
		expect(sameValue(new Date(0), new Date(0), 3)).toBe(false);
		expect(sameValue([1, 2], {0: 1, 1: 2}, 3)).toBe(false);
		expect(sameValue({a: undefined}, {b: undefined}, 3)).toBe(false);
		expect(sameValue(-0, 0, 3)).toBe(false);
		expect(sameValue(Number.NaN, Number.NaN, 0)).toBe(true);
	});

	it('never throws, whatever it is given', () => {
		fc.assert(
			fc.property(fc.anything(), fc.anything(), fc.integer({min: -1, max: 5}), (a, b, depth) => {
				expect(typeof sameValue(a, b, depth)).toBe('boolean');
			}),
			{numRuns: 500},
		);
		const cyclic: Record<string, unknown> = {};
		cyclic['self'] = cyclic;
		const other: Record<string, unknown> = {};
		other['self'] = other;
		// A cycle ends at the depth: past it only identity counts, so the answer is the safe one (redraw).
		expect(sameValue(cyclic, other, 50)).toBe(false);
		expect(sameValue(cyclic, cyclic, 50)).toBe(true);
	});

	it('samePaneProps: props with new but equal rows are the same; a changed row field is not', () => {
		const row = (n: number) => ({id: `r${n}`, tail: [n, n + 1], labels: {gpu: String(n)}});
		expect(samePaneProps({rows: [row(1), row(2)], width: 80}, {rows: [row(1), row(2)], width: 80})).toBe(true);
		expect(samePaneProps({rows: [row(1), row(2)], width: 80}, {rows: [row(1), row(3)], width: 80})).toBe(false);
		expect(samePaneProps({rows: [row(1)], width: 80}, {rows: [{...row(1), labels: {gpu: '9'}}], width: 80})).toBe(false);
		expect(samePaneProps({rows: [row(1)], width: 80}, {rows: [row(1)], width: 81})).toBe(false);
	});
});
