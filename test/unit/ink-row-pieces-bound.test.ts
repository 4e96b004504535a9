/**
The interned styles of the patched Output.get() (scripts/ink-patches.mjs: styleStates, each state's `after` and `to`
memos, the pieces) are cleared when they reach their bound. Rows drawn with more distinct styles than the bound, and
rows drawn again with styles interned before a clear (whose states survive in other states' memos and in cached
pieces), must still be the very string stock Ink gives.
*/
import {describe, expect, it} from 'vitest';
import {stockAndPatchedOutput, type OutputClass} from '../helpers/ink-output.js';

const outputs = () => stockAndPatchedOutput('bound');

const ESC = '\u001B[';
/** Style number k: a 256-colour foreground, a background and an attribute (more combinations than the bound). */
function style(k: number): string {
	const attr = ['1', '2', '4', '7', '1;2', '3'][k % 6]!;
	return `${ESC}38;5;${k % 256}m${ESC}48;5;${Math.floor(k / 256) % 256}m${ESC}${attr}m`;
}

describe('Ink Output.get() row pieces past the bound of their caches', () => {
	it('equal stock Ink with more distinct styles than the bound, and again after the caches were cleared', async () => {
		const {stock, patched} = await outputs();
		const draw = (Output: OutputClass, from: number, count: number, wide: boolean) => {
			const out = new Output({width: 40, height: count});
			for (let y = 0; y < count; y++) {
				const k = from + y;
				// Two styled writes side by side, the second's style carried into a plain run, then a reset.
				out.write(0, y, `${style(k)}ab${ESC}22m${wide ? '中' : 'c'}${ESC}39m`, {transformers: []});
				out.write(8, y, `${style(k * 7 + 3)}x${ESC}0my${style(k)}z${ESC}49m`, {transformers: []});
			}
			return out.get().output;
		};
		for (const [from, count] of [[0, 3000], [3000, 3000], [0, 3000], [6000, 6000], [100, 500], [9000, 3000], [0, 200]] as const) {
			for (const wide of [false, true]) {
				const want = draw(stock, from, count, wide);
				expect(draw(patched, from, count, wide)).toBe(want);
			}
		}
	});
});
