// Bundle-time patches for Ink 6.8.0 and string-width 8.3.0, applied by scripts/bundle.mjs (never to node_modules).
// Each replaces one exact snippet; if the snippet is missing (a dependency was upgraded) the build fails, so a patch
// can never silently stop applying. Why each exists is measured in BENCHMARKS.md ("TUI cost").

/** Ink's measureText and wrapText caches are module-level Maps that grow with every distinct text ever drawn:
a dashboard whose sparklines change every frame grows them forever. Bound them (cleared at 4,096 entries). */
const BOUND = 4096;

export const PATCHES = [
	{
		file: /[\\/]ink[\\/]build[\\/]measure-text\.js$/,
		find: '    cache.set(text, dimensions);',
		replace: `    if (cache.size >= ${BOUND}) cache.clear();\n    cache.set(text, dimensions);`,
	},
	{
		file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
		find: 'const cache = {};',
		replace: 'const cache = new Map();',
	},
	{
		file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
		find: '    const cachedText = cache[cacheKey];',
		replace: '    const cachedText = cache.get(cacheKey);',
	},
	{
		file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
		find: '    cache[cacheKey] = wrappedText;',
		replace: `    if (cache.size >= ${BOUND}) cache.clear();\n    cache.set(cacheKey, wrappedText);`,
	},
	// Ink builds a new Output (with empty width and tokenizer caches) for every frame, so every line of every frame
	// is re-tokenized and re-measured although most lines did not change. Share one bounded cache across frames.
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		find: '    caches = new OutputCaches();',
		replace: '    caches = sharedOutputCaches();',
	},
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		find: 'export default class Output {',
		replace: `let sharedCaches;
function sharedOutputCaches() {
    if (sharedCaches === undefined || sharedCaches.widths.size + sharedCaches.styledChars.size + sharedCaches.blockWidths.size > ${BOUND * 4}) {
        sharedCaches = new OutputCaches();
    }
    return sharedCaches;
}
export default class Output {`,
	},
	// Every line drawn inside an overflow="hidden" box is cut with sliceAnsi (grapheme segmentation per character)
	// even when it lies wholly inside the clip. Skip the cut when there is nothing to cut.
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		find: '                            return sliceAnsi(line, from, to);',
		replace: '                            return from === 0 && to === width ? line : sliceAnsi(line, from, to);',
	},
	// string-width's fast path covers printable ASCII only; a dashboard is mostly block, box-drawing and braille
	// glyphs, which then go through Intl.Segmenter and several Unicode-property regexes per character. Extend the fast
	// path to narrow, non-combining, non-emoji ranges (width = length; test/unit/ink-patches.test.ts checks every
	// code point of these ranges against the unpatched function).
	{
		file: /[\\/]string-width[\\/]index\.js$/,
		// Only the 8.x copy Ink uses directly; wrap-ansi's nested string-width 7 is left alone.
		version: '8.3.0',
		find: '	if (/^[\\u0020-\\u007E]*$/.test(string)) {',
		replace: '	if (/^[\\u0020-\\u007E\\u00A0-\\u00AC\\u00AE-\\u00FF\\u2010-\\u2027\\u2030-\\u203B\\u203D-\\u2048\\u204A-\\u205E\\u2190-\\u2193\\u2196-\\u21A8\\u21AB-\\u21FF\\u2500-\\u25A9\\u25AC-\\u25B5\\u25B7-\\u25BF\\u25C1-\\u25FA\\u2800-\\u28FF]*$/.test(string)) {',
	},
];

/** The patched source of `path`, or undefined when no patch targets it. Throws when a snippet is missing. */
export function patchSource(path, source, version) {
	const patches = PATCHES.filter((p) => p.file.test(path) && (p.version === undefined || p.version === version));
	if (patches.length === 0) return undefined;
	let out = source;
	for (const patch of patches) {
		if (!out.includes(patch.find)) throw new Error(`ink-patches: "${patch.find.trim()}" not found in ${path}: the dependency changed, review the patch`);
		out = out.replace(patch.find, patch.replace);
	}
	return out;
}

/** The esbuild plugin. `applied` collects which files were patched, so the build can check all of them were. */
export function inkPatchesPlugin(applied = new Set()) {
	return {
		name: 'ink-patches',
		setup(build) {
			build.onLoad({filter: /[\\/](ink[\\/]build[\\/](measure-text|wrap-text|output)|string-width[\\/]index)\.js$/}, async ({path}) => {
				const {readFile} = await import('node:fs/promises');
				const {dirname, join} = await import('node:path');
				const version = path.includes('string-width') ? JSON.parse(await readFile(join(dirname(path), 'package.json'), 'utf8')).version : undefined;
				const contents = patchSource(path, await readFile(path, 'utf8'), version);
				if (contents === undefined) return undefined;
				applied.add(path.replace(/^.*node_modules[\\/]/, ''));
				return {contents, loader: 'js'};
			});
		},
	};
}
