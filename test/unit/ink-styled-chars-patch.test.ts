/**
The tokenizer's styledCharsFromTokens, patched (scripts/ink-patches.mjs) to write its cells out as object literals
instead of `{...token, styles}`: for any line (SGR codes, wide, emoji and combining characters, controls) it gives the
same cells as the installed tokenizer, with the same properties in the same order, and every cell its own styles array.
*/
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import fc from 'fast-check';
import {beforeAll, describe, expect, it} from 'vitest';
import {patchSource} from '../../scripts/ink-patches.mjs';

const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const buildDir = join(modules, '@alcalzone', 'ansi-tokenize', 'build');
const stockPath = join(buildDir, 'styledChars.js');

type Cell = {type: string; value: string; fullWidth: boolean; styles: unknown[]};
type StyledChars = (tokens: unknown[]) => Cell[];
let stock: StyledChars;
let patched: StyledChars;
let tokenize: (line: string) => unknown[];

beforeAll(async () => {
	const source = patchSource(stockPath, readFileSync(stockPath, 'utf8'));
	expect(source).toBeDefined();
	// The copy lives apart from the package: its relative imports point back at the installed modules.
	const dir = join(modules, '.cache', 'mycotop');
	mkdirSync(dir, {recursive: true});
	const file = join(dir, 'styledChars.patched.js');
	writeFileSync(file, source!.replaceAll('from "./', `from "${pathToFileURL(buildDir).href}/`));
	stock = ((await import(pathToFileURL(stockPath).href)) as {styledCharsFromTokens: StyledChars}).styledCharsFromTokens;
	patched = ((await import(pathToFileURL(file).href)) as {styledCharsFromTokens: StyledChars}).styledCharsFromTokens;
	tokenize = ((await import(pathToFileURL(join(buildDir, 'tokenize.js')).href)) as {tokenize: (line: string) => unknown[]}).tokenize;
});

const piece = fc.constantFrom('a', 'Z', ' ', '\u2588', '\u28ff', '\u4e2d', '\u{1f600}', '\u{1f468}\u200d\u{1f469}', 'e\u0301', '\t', '\u001b[31m', '\u001b[1;4m', '\u001b[39m', '\u001b[0m', '\u001b[38;5;208m', '\u001b[48;2;1;2;3m', '\u001b[22m', '\u001b]8;;x\u0007');

describe('the patched styledCharsFromTokens', () => {
	it('gives the installed tokenizer cells for any line, property order included', () => {
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 40}).map((parts) => parts.join('')), (line) => {
				const want = stock(tokenize(line));
				const got = patched(tokenize(line));
				expect(got).toEqual(want);
				expect(got.map((cell) => Object.keys(cell))).toEqual(want.map((cell) => Object.keys(cell)));
			}),
			{numRuns: 300},
		);
	});

	it('gives every cell its own styles array, as before', () => {
		const cells = patched(tokenize('\u001b[31mab\u001b[1mc'));
		expect(cells).toHaveLength(3);
		expect(cells[0]!.styles).not.toBe(cells[1]!.styles);
		expect(cells[0]!.styles).toEqual(cells[1]!.styles);
	});
});
