/**
The bundle-time patches of Ink and string-width (scripts/ink-patches.mjs): they apply to the installed versions, and
the widened string-width fast path gives exactly what the unpatched function gives for every code point it covers.
*/
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import stringWidth from 'string-width';
import {PATCHES, patchSource} from '../../scripts/ink-patches.mjs';

const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const inkDir = join(modules, 'ink');
const stringWidthDir = join(modules, 'string-width');

describe('ink patches', () => {
	it.each(['measure-text.js', 'wrap-text.js', 'output.js', 'log-update.js', 'ink.js'])('apply to ink/build/%s', (file) => {
		const path = join(inkDir, 'build', file);
		const patched = patchSource(path, readFileSync(path, 'utf8'));
		expect(patched).toBeDefined();
		expect(patched).not.toBe(readFileSync(path, 'utf8'));
	});

	it('apply to the installed yoga-layout: its embedded binary is decoded in place, never fetched', () => {
		const path = join(modules, 'yoga-layout', 'dist', 'binaries', 'yoga-wasm-base64-esm.js');
		const patched = patchSource(path, readFileSync(path, 'utf8'));
		expect(patched).toContain('function ya(){return w||ua(H)||"function"!=typeof fetch?');
	});

	it('bounds the caches that grew with every distinct text', () => {
		const path = join(inkDir, 'build', 'measure-text.js');
		expect(patchSource(path, readFileSync(path, 'utf8'))).toMatch(/if \(cache\.size >= \d+\) cache\.clear\(\);/);
	});

	it('fail loudly when the upstream source changed', () => {
		expect(() => patchSource('/x/node_modules/ink/build/measure-text.js', 'something else')).toThrow(/not found/);
	});

	it('apply to the string-width version Ink uses and only that one', () => {
		const path = join(stringWidthDir, 'index.js');
		const version = JSON.parse(readFileSync(join(stringWidthDir, 'package.json'), 'utf8')).version as string;
		expect(patchSource(path, readFileSync(path, 'utf8'), version)).toBeDefined();
		expect(patchSource(path, 'anything', '7.2.0')).toBeUndefined();
	});
});

describe('the widened string-width fast path', () => {
	const patch = PATCHES.find((p) => p.file.test('/node_modules/string-width/index.js'))!;
	const fastPath = new RegExp(/\/(\^\[.*\]\*\$)\//.exec(patch.replace)![1]!);

	it('agrees with the unpatched stringWidth on every covered code point (width 1 each)', () => {
		const disagreements: string[] = [];
		for (let code = 0; code <= 0xffff; code++) {
			const ch = String.fromCharCode(code);
			if (!fastPath.test(ch)) continue;
			if (stringWidth(ch) !== 1) disagreements.push(code.toString(16));
		}
		expect(disagreements).toEqual([]);
	});

	it('covers the glyphs the dashboard draws', () => {
		expect(fastPath.test('▁▂▃▄▅▆▇█ ▏▎▍▌▋▊▉ ░ ╭─╮│╰╯ ⣿⡀ ↘↗→ … · › ° µ')).toBe(true);
	});

	it('gives width = length for mixed strings, as the unpatched function does', () => {
		const text = 'gpu0 ████▌    73% 81°C ⣀⣤⣶⣿ → …';
		expect(fastPath.test(text)).toBe(true);
		expect(stringWidth(text)).toBe(text.length);
	});
});
