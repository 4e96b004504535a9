/**
The tokenized lines the patched Output keeps across frames (scripts/ink-patches.mjs: styledChars, a cell object per
character) have a bound of their own, far below the shared caches': frames of ever new lines that need tokenizing
(wide characters) keep at most that many, and the rows are still the strings stock Ink gives.
*/
import {describe, expect, it} from 'vitest';
import {stockAndPatchedOutput, type OutputClass} from '../helpers/ink-output.js';

type WithCaches = {caches: {styledChars: Map<string, unknown>}};

describe('the patched Output tokenized-lines cache', () => {
	it('stays bounded over frames of new lines, each frame equal to stock Ink', async () => {
		const {stock, patched} = await stockAndPatchedOutput('styled-lines');
		const frame = (Output: OutputClass, n: number) => {
			const out = new Output({width: 60, height: 20});
			for (let y = 0; y < 20; y++) {
				// A wide character makes the line one that is tokenized (not the narrow-glyph path); two writes overlap.
				out.write(0, y, `\u001B[3${y % 8}m\u4e2d ${n}-${y} event\u001B[39m`, {transformers: []});
				if (y % 5 === 0) out.write(4, y, `\u001B[1m\u{1f600}${n}\u001B[22m`, {transformers: []});
			}
			return {out, text: out.get().output};
		};
		let most = 0;
		for (let n = 0; n < 150; n++) {
			const want = frame(stock, n).text;
			const {out, text} = frame(patched, n);
			expect(text).toBe(want);
			most = Math.max(most, (out as unknown as WithCaches).caches.styledChars.size);
		}
		// 150 frames of 24 new lines each: 3,600 tokenized lines drawn, at most the bound and one frame's kept.
		expect(most).toBeGreaterThan(0);
		expect(most).toBeLessThanOrEqual(256 + 24);
	});
});
