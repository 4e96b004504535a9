/**
The row-composition path of the patched Output.get() (scripts/ink-patches.mjs, composeRowFromPieces): a row whose
writes do not overlap is joined from each write's cached piece instead of cell by cell. It must give the very
string stock Ink gives. The writes here are laid out as a dashboard lays them out (side by side, gaps between them,
in any drawing order) with the styles chalk and Ink emit: foreground and background colours (16, 256 and truecolor),
bold and dim together, inverse, resets, compound codes, colours that carry over from one write to the next; plus
wide, emoji and combining text that takes the slow path.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {stockAndPatchedOutput, type OutputClass} from '../helpers/ink-output.js';

const outputs = () => stockAndPatchedOutput('pieces');

const ESC = '\u001B[';
const style = fc.constantFrom(
	'31', '32', '39', '90', '1', '2', '22', '7', '27', '4', '24', '0', '', '41', '49', '38;5;208', '48;5;17', '38;2;10;200;30', '1;31', '2;33;44', '39;49', '38;5', '22;1',
).map((code) => `${ESC}${code}m`);
const narrow = fc.constantFrom('a', 'Zq', ' ', '  ', '─', '│', '⣿⡀', '▁▂▃█', '▌', '°', '…', '→', '·', '%', '73', '\u00A0');
const slow = fc.constantFrom('中', '🔥', 'é', 'e\u0301', '\u200B', '⚠️');
const fragment = fc.oneof({weight: 4, arbitrary: narrow}, {weight: 3, arbitrary: style}, {weight: 1, arbitrary: slow});
const writeText = fc.array(fragment, {minLength: 0, maxLength: 10}).map((p) => p.join(''));

/** Writes placed left to right with gaps (a gap of 0 makes neighbours touch), then drawn in a shuffled order. */
const row = fc
	.record({
		texts: fc.array(writeText, {minLength: 1, maxLength: 6}),
		gaps: fc.array(fc.integer({min: 0, max: 3}), {minLength: 7, maxLength: 7}),
		order: fc.array(fc.nat(), {minLength: 6, maxLength: 6}),
		slack: fc.integer({min: -2, max: 4}),
	})
	.map(({texts, gaps, order, slack}) => ({texts, gaps, order, slack}));

function visibleWidth(Output: OutputClass, text: string): number {
	// The stock Output tells the width of what it drew: draw the text alone at 0 on a wide row, strip the styles.
	const out = new Output({width: 400, height: 1});
	out.write(0, 0, text, {transformers: []});
	return [...out.get().output.replaceAll(/\u001B\[[0-9;]*m/g, '')].length;
}

describe('Ink Output.get(): rows joined from cached write pieces', () => {
	it('equal stock Ink for side-by-side writes with any styles, first time and from the cache', async () => {
		const {stock, patched} = await outputs();
		fc.assert(
			fc.property(fc.array(row, {minLength: 1, maxLength: 4}), (rows) => {
				const layouts = rows.map(({texts, gaps, order, slack}) => {
					let x = gaps[0]!;
					const writes = texts.map((text, i) => {
						const at = x;
						// Wide and combining text: measure with stock Ink's own cell count (at most 2 cells per code point).
						x += Math.max(visibleWidth(stock, text), 0) + gaps[i + 1]!;
						return {x: at, text};
					});
					const drawOrder = writes.map((w, i) => ({w, k: order[i] ?? i})).sort((a, b) => a.k - b.k).map((e) => e.w);
					return {width: Math.max(1, x + slack), writes: drawOrder};
				});
				const width = Math.max(...layouts.map((l) => l.width));
				const draw = (Output: OutputClass) => {
					const out = new Output({width, height: layouts.length});
					layouts.forEach((l, y) => l.writes.forEach((w) => out.write(w.x, y, w.text, {transformers: []})));
					return out.get().output;
				};
				const expected = draw(stock);
				expect(draw(patched)).toBe(expected);
				expect(draw(patched)).toBe(expected);
			}),
			{numRuns: 800},
		);
	});

	it('keeps a colour that runs from one write into the next as one run, as stock Ink does', async () => {
		const {stock, patched} = await outputs();
		const draw = (Output: OutputClass) => {
			const out = new Output({width: 12, height: 1});
			out.write(3, 0, `${ESC}31mdef${ESC}39m`, {transformers: []});
			out.write(0, 0, `${ESC}1m${ESC}31mab${ESC}22mc${ESC}39m`, {transformers: []});
			out.write(8, 0, 'gh', {transformers: []});
			return out.get().output;
		};
		expect(draw(patched)).toBe(draw(stock));
		expect(draw(stock)).toContain('\u001B[22mcdef\u001B[39m  gh');
	});
});
