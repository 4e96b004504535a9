/**
The row-cached Output.get() patch (scripts/ink-patches.mjs) must give the very string stock Ink gives, for any
writes, clips, styles and wide characters, on the first frame and when rows come back from the cache. The patched
module is written next to the installed packages so it imports the same slice-ansi, string-width and tokenizer.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {stockAndPatchedOutput, type OutputClass} from '../helpers/ink-output.js';

const outputs = () => stockAndPatchedOutput('cache');

type Op = {kind: 'write'; x: number; y: number; text: string; upper: boolean} | {kind: 'clip'; x1?: number; x2?: number; y1?: number; y2?: number} | {kind: 'unclip'};

const piece = fc.constantFrom('a', 'bc', ' ', '─', '│', '⣿', '中', '文字', '🔥', 'é', '\u001B[31mred\u001B[39m', '\u001B[1mbold\u001B[22m', '\u001B[32m中\u001B[39m', '\u001B[7m \u001B[27m');
const line = fc.array(piece, {maxLength: 8}).map((p) => p.join(''));
const text = fc.array(line, {minLength: 1, maxLength: 3}).map((l) => l.join('\n'));
const maybe = fc.option(fc.integer({min: -3, max: 40}), {nil: undefined});
const op: fc.Arbitrary<Op> = fc.oneof(
	{weight: 6, arbitrary: fc.record({kind: fc.constant('write' as const), x: fc.integer({min: -3, max: 45}), y: fc.integer({min: -2, max: 12}), text, upper: fc.boolean()})},
	{weight: 1, arbitrary: fc.record({kind: fc.constant('clip' as const), x1: maybe, x2: maybe, y1: maybe, y2: maybe})},
	{weight: 1, arbitrary: fc.record({kind: fc.constant('unclip' as const)})},
);

function draw(Output: OutputClass, width: number, height: number, ops: readonly Op[]): string {
	const out = new Output({width, height});
	let clips = 0;
	for (const o of ops) {
		if (o.kind === 'write') out.write(o.x, o.y, o.text, {transformers: o.upper ? [(l, i) => `${i}${l.toUpperCase()}`] : []});
		else if (o.kind === 'clip') {
			clips += 1;
			out.clip(o);
		} else if (clips > 0) {
			clips -= 1;
			out.unclip();
		}
	}
	return out.get().output;
}

describe('Ink Output.get() with cached rows', () => {
	it('equals stock Ink for any writes and clips, first time and from the cache', async () => {
		const {stock, patched} = await outputs();
		fc.assert(
			fc.property(fc.integer({min: 1, max: 40}), fc.integer({min: 1, max: 10}), fc.array(op, {maxLength: 12}), (width, height, ops) => {
				const expected = draw(stock, width, height, ops);
				expect(draw(patched, width, height, ops)).toBe(expected);
				expect(draw(patched, width, height, ops)).toBe(expected);
			}),
			{numRuns: 400},
		);
	});

	it('reuses a row only for the same writes at the same width', async () => {
		const {stock, patched} = await outputs();
		const frame = (Output: OutputClass, width: number, label: string) => draw(Output, width, 2, [{kind: 'write', x: 0, y: 0, text: `a${label}\nsame`, upper: false}]);
		for (const [width, label] of [[10, '1'], [10, '2'], [3, '2'], [10, '1']] as const) expect(frame(patched, width, label)).toBe(frame(stock, width, label));
	});
});
