// The esbuild options every bundle shares: the folder bundle and the benchmarks' (bundle.mjs) and the single files
// (dist.mjs).
import {readFileSync} from 'node:fs';
import {inkPatchesPlugin} from './ink-patches.mjs';

/** What every bundle shares: ESM for Node 20, React's production build, Ink's patches (recorded in `applied`). */
export function bundleOptions(applied) {
	return {
		bundle: true,
		splitting: true,
		format: 'esm',
		platform: 'node',
		target: 'node20',
		// Ink loads react-devtools-core only when DEV=true; it is not a dependency.
		external: ['react-devtools-core'],
		define: {'process.env.NODE_ENV': '"production"'},
		// CommonJS dependencies (ioredis, react) call require(); give the ESM bundle one.
		banner: {js: "import {createRequire as __mycotopRequire} from 'node:module'; const require = __mycotopRequire(import.meta.url);"},
		plugins: [inkPatchesPlugin(applied)],
		logLevel: 'warning',
	};
}

/** Throws unless every patched file went through the plugin (`applied`, from bundleOptions). */
export function assertPatchesApplied(applied, what) {
	const expected = ['ink/build/measure-text.js', 'ink/build/wrap-text.js', 'ink/build/output.js', 'ink/build/sanitize-ansi.js', 'ink/build/render-node-to-output.js', 'ink/build/log-update.js', 'ink/build/ink.js', 'ink/build/render.js', 'string-width/index.js', '@alcalzone/ansi-tokenize/build/styledChars.js', 'yoga-layout/dist/binaries/yoga-wasm-base64-esm.js'];
	const missing = expected.filter((file) => ![...applied].some((a) => a.replaceAll('\\', '/') === file));
	if (missing.length > 0) throw new Error(`${what}: patches not applied to ${missing.join(', ')}`);
}

/**
Throws unless every file is plain ASCII. V8 keeps each module's source text on the JavaScript heap for as long as the
process runs, one byte a character while the text is Latin-1 and two bytes a character from its first character
beyond that: one `µ` in a kept comment or `€` in a regular expression made the 1.4 MB main chunk take 2.9 MB of the
dashboard's heap. esbuild escapes strings but leaves regular expressions and kept comments as written, so write such
characters as `\u` escapes in the source.
*/
export function assertAscii(files, what) {
	for (const file of files) {
		const text = readFileSync(file, 'latin1');
		const at = text.search(/[^\x00-\x7F]/);
		if (at >= 0) throw new Error(`${what}: ${file} is not ASCII at offset ${at} (${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}): V8 would hold its source at two bytes a character; write the character as a \\u escape`);
	}
}
