/**
Two more bundle-time patches of Ink (scripts/ink-patches.mjs) must not change what Ink draws:
- sanitize-ansi.js returns text holding nothing but characters and SGR sequences at once: that must be exactly what
  the stock function returns for such text, and any other text (cursor moves, OSC, C1 controls, a lone ESC, broken
  sequences) must still go through the stock path;
- render-node-to-output.js takes a text's width from measureText's cache instead of widestLine: the same number.
The patched modules are written into Ink's own build folder under a temporary name, so they import the very same
tokenizer, measureText and widestLine.
*/
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import fc from 'fast-check';
import {afterAll, describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {patchSource} from '../../scripts/ink-patches.mjs';

const build = fileURLToPath(new URL('../../node_modules/ink/build/', import.meta.url));
const written: string[] = [];

async function patched<T>(file: string): Promise<{stock: T; patched: T; source: string}> {
	const stockPath = join(build, file);
	const source = patchSource(stockPath, readFileSync(stockPath, 'utf8'))!;
	const path = join(build, `.mycotop-test-${process.pid}-${file}`);
	writeFileSync(path, source);
	written.push(path);
	const load = async (p: string) => ((await import(pathToFileURL(p).href)) as {default: T}).default;
	return {stock: await load(stockPath), patched: await load(path), source};
}

afterAll(() => {
	for (const path of written) rmSync(path, {force: true});
});

type Sanitize = (text: string) => string;

const piece = fc.constantFrom(
	'a', 'gpu0 73%', ' ', '⣿⡀', '▁█', '中', '🔥', 'é', '\u00A0', '\u009B', '\u0085', '\u0090x\u009C', '\u009D0;t\u0007', '\u009C', '\u0007',
	'\u001B[31m', '\u001B[39m', '\u001B[1;2m', '\u001B[38;5;208m', '\u001B[38:2:1:2:3m', '\u001B[m', '\u001B[0m',
	'\u001B[2J', '\u001B[H', '\u001B[?25l', '\u001B[1 q', '\u001B[>m', '\u001B[31', '\u001B', '\u001B]8;;http://x\u0007', '\u001B]0;t\u001B\\', '\u001BP1$r\u001B\\', '\u001B(B', '\u001B7', '\u001B ',
);
const text = fc.array(piece, {maxLength: 12}).map((p) => p.join(''));

describe('Ink sanitizeAnsi with the characters-and-SGR fast path', () => {
	it('returns what stock Ink returns, for any mix of text and escape sequences', async () => {
		const {stock, patched: fast} = await patched<Sanitize>('sanitize-ansi.js');
		fc.assert(
			fc.property(text, (t) => {
				expect(fast(t)).toBe(stock(t));
			}),
			{numRuns: 3000},
		);
	});

	it('still strips what is not SGR', async () => {
		const {patched: fast} = await patched<Sanitize>('sanitize-ansi.js');
		expect(fast('a\u001B[2Jb\u001B[31mc')).toBe('ab\u001B[31mc');
		expect(fast('x\u009By')).toBe('x');
	});
});

describe('Ink renderNodeToOutput with the cached text width', () => {
	it('measures with measureText, which gives the cells of the widest line', async () => {
		const {source} = await patched<unknown>('render-node-to-output.js');
		expect(source).toContain('const currentWidth = measureText(text).width;');
		const widestLine = (t: string) => Math.max(0, ...t.split('\n').map((l) => stringWidth(l)));
		const measureText = ((await import(pathToFileURL(join(build, 'measure-text.js')).href)) as {default: (t: string) => {width: number}}).default;
		fc.assert(
			fc.property(fc.array(text, {maxLength: 4}), (lines) => {
				const t = lines.join('\n');
				expect(measureText(t).width).toBe(widestLine(t));
				expect(measureText(t).width).toBe(widestLine(t));
			}),
			{numRuns: 500},
		);
	});
});
