import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {compareIds} from '../../src/format/id-order.js';

const sign = (n: number): number => Math.sign(n);
/** Ids as producers send them: ASCII with separators, wide characters, astral characters, empty. */
const id = fc.oneof(fc.string(), fc.string({unit: 'grapheme'}), fc.constantFrom('', 'a', 'A', 'a-1', 'A-1', 'a_1', 'gpu10', 'gpu2', '模型', '模型-2', '🚀', 'é', 'E'));

describe('compareIds: one order for ids, the same on every box', () => {
	it('orders letters without regard to ASCII case, then by code units', () => {
		expect(['beta', 'Alpha', 'alpha', 'Gamma', '_x', 'b'].sort(compareIds)).toEqual(['_x', 'Alpha', 'alpha', 'b', 'beta', 'Gamma']);
		expect(['run-10', 'run-2', 'run-1'].sort(compareIds)).toEqual(['run-1', 'run-10', 'run-2']);
	});

	it('is a total order: 0 only for the same id, antisymmetric, transitive', () => {
		fc.assert(
			fc.property(id, id, id, (a, b, c) => {
				expect(compareIds(a, b) === 0).toBe(a === b);
				expect(sign(compareIds(a, b)) + sign(compareIds(b, a))).toBe(0);
				if (compareIds(a, b) < 0 && compareIds(b, c) < 0) expect(compareIds(a, c)).toBeLessThan(0);
			}),
			{numRuns: 2000},
		);
	});

	it('puts ids that differ only in ASCII case next to each other', () => {
		fc.assert(
			fc.property(fc.array(id, {maxLength: 20}), fc.stringMatching(/^[a-z]{1,6}$/), (others, word) => {
				const upper = word.toUpperCase();
				const sorted = [...others, word, upper].sort(compareIds);
				const at = [sorted.indexOf(upper), sorted.indexOf(word)].sort((x, y) => x - y);
				// Whatever lies between the two differs from them only in ASCII case too.
				for (const between of sorted.slice(at[0]! + 1, at[1])) expect(between.toLowerCase()).toBe(word);
			}),
		);
	});

	it('does not depend on the locale: the order is the code units after ASCII folding', () => {
		fc.assert(
			fc.property(id, id, (a, b) => {
				const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
				const [fa, fb] = [fold(a), fold(b)];
				if (fa !== fb) expect(sign(compareIds(a, b))).toBe(fa < fb ? -1 : 1);
			}),
		);
	});
});
