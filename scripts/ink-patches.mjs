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
	// Output.get() builds a grid of width x height cell objects every frame, copies every write into it and turns every
	// row back into a string, although most rows are what they were last frame. Compose each row from the writes that
	// touch it and reuse the row's string when those writes are the same as before (rowCachedGet, below); the cells
	// of a row that changed are built exactly as Ink builds them, so the output is the same string.
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		find: '    get() {\n        // Initialize output array with a specific set of rows',
		replace: '    get() {\n        return rowCachedGet(this);\n    }\n    stockGet() {\n        // Initialize output array with a specific set of rows',
	},
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		find: 'let sharedCaches;',
		replace: `const BLANK_CELL = {type: 'char', value: ' ', fullWidth: false, styles: []};
const rowStrings = new Map();
/** The row's string from its writes ([x, line, x, line, ...] in drawing order), as Ink's get() would build it. */
function composeRow(caches, width, segments) {
    const cells = new Array(width).fill(BLANK_CELL);
    for (let i = 0; i < segments.length; i += 2) {
        let offsetX = segments[i];
        for (const character of caches.getStyledChars(segments[i + 1])) {
            cells[offsetX] = character;
            const characterWidth = Math.max(1, caches.getStringWidth(character.value));
            for (let k = 1; k < characterWidth; k++) cells[offsetX + k] = {type: 'char', value: '', fullWidth: false, styles: character.styles};
            offsetX += characterWidth;
        }
    }
    return styledCharsToString(cells.filter(item => item !== undefined)).trimEnd();
}
function rowCachedGet(output) {
    const {width, height, caches} = output;
    const rows = new Array(height);
    const clips = [];
    for (const operation of output.operations) {
        if (operation.type === 'clip') {
            clips.push(operation.clip);
            continue;
        }
        if (operation.type === 'unclip') {
            clips.pop();
            continue;
        }
        if (operation.type !== 'write') continue;
        const {text, transformers} = operation;
        let {x, y} = operation;
        let lines = text.split('\\n');
        const clip = clips.at(-1);
        if (clip) {
            const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
            const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
            if (clipHorizontally) {
                const textWidth = caches.getWidestLine(text);
                if (x + textWidth < clip.x1 || x > clip.x2) continue;
            }
            if (clipVertically && (y + lines.length < clip.y1 || y > clip.y2)) continue;
            if (clipHorizontally) {
                lines = lines.map(line => {
                    const from = x < clip.x1 ? clip.x1 - x : 0;
                    const lineWidth = caches.getStringWidth(line);
                    const to = x + lineWidth > clip.x2 ? clip.x2 - x : lineWidth;
                    return from === 0 && to === lineWidth ? line : sliceAnsi(line, from, to);
                });
                if (x < clip.x1) x = clip.x1;
            }
            if (clipVertically) {
                const from = y < clip.y1 ? clip.y1 - y : 0;
                const to = y + lines.length > clip.y2 ? clip.y2 - y : lines.length;
                lines = lines.slice(from, to);
                if (y < clip.y1) y = clip.y1;
            }
        }
        let offsetY = 0;
        for (let index = 0; index < lines.length; index++) {
            const row = y + offsetY;
            // As Ink: a line outside the grid is skipped without moving down.
            if (!(row >= 0 && row < height && Number.isInteger(row))) continue;
            let line = lines[index];
            for (const transformer of transformers) line = transformer(line, index);
            (rows[row] ??= []).push(x, line);
            offsetY++;
        }
    }
    const out = new Array(height);
    for (let y = 0; y < height; y++) {
        const segments = rows[y];
        if (segments === undefined) {
            out[y] = '';
            continue;
        }
        const key = width + '\\u0000' + segments.join('\\u0000');
        let row = rowStrings.get(key);
        if (row === undefined) {
            row = composeRow(caches, width, segments);
            if (rowStrings.size >= ${BOUND / 4}) rowStrings.clear();
            rowStrings.set(key, row);
        }
        out[y] = row;
    }
    return {output: out.join('\\n'), height};
}
let sharedCaches;`,
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
