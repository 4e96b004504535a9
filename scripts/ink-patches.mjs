// Bundle-time patches for Ink 6.8.0, string-width 8.3.0 and yoga-layout 3.2.1, applied by scripts/bundle.mjs (never to node_modules).
// Each replaces one exact snippet; if the snippet is missing (a dependency was upgraded) the build fails, so a patch
// can never silently stop applying. Why each exists is measured in BENCHMARKS.md ("TUI cost").

/** Ink's measureText and wrapText caches are module-level Maps that grow with every distinct text ever drawn:
a dashboard whose sparklines change every frame grows them forever. Bound them (cleared at 4,096 entries). */
const BOUND = 4096;

/** The tokenized lines (a cell object per character, about 136 bytes each) kept across frames: enough for a frame's
rows whose writes overlap; a line that reappears is served by the row pieces' cache without them. */
const STYLED_LINES_BOUND = 256;

/** Code points that are one cell wide, never combine with a neighbour and are no emoji (regex class text): printable
ASCII, Latin-1, punctuation, arrows, box drawing, blocks, geometric shapes, braille. */
const NARROW = '\\u0020-\\u007E\\u00A0-\\u00AC\\u00AE-\\u00FF\\u2010-\\u2027\\u2030-\\u203B\\u203D-\\u2048\\u204A-\\u205E\\u2190-\\u2193\\u2196-\\u21A8\\u21AB-\\u21FF\\u2500-\\u25A9\\u25AC-\\u25B5\\u25B7-\\u25BF\\u25C1-\\u25FA\\u2800-\\u28FF';

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
	// The row composition below needs three more of the tokenizer's exports.
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		find: "import { styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';",
		replace: "import { ansiCodesToString, diffAnsiCodes, reduceAnsiCodesIncremental, styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';",
	},
	// Ink builds a new Output (with empty width and tokenizer caches) for every frame, so every line of every frame
	// is re-tokenized and re-measured although most lines did not change. Share one bounded cache across frames.
	// Its tokenized lines (styledChars: a cell object per character) are read only when a row's pieces are made
	// (cached in pieces, below) or its writes overlap, so they get a bound of their own, a line cost 100 times a width:
	// under the shared bound they filled a busy dashboard's heap for minutes (a soak's growth).
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
    } else if (sharedCaches.styledChars.size > ${STYLED_LINES_BOUND}) {
        sharedCaches.styledChars.clear();
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
// A row whose writes do not overlap and lie inside it is the concatenation of its writes' own strings, joined by the
// same minimal style changes styledCharsToString would put between their neighbouring cells. Each distinct write is
// turned into its piece once (cached), so a row where one number changed costs that number, not the row.
const EMPTY_STYLES = [];
const pieces = new Map();
const escapeCodes = new Map();
// Only SGR sequences and narrow glyphs (each one grapheme, one cell): no grapheme segmentation needed.
const SIMPLE_LINE = /^(?:\\u001B\\[[0-9;]*m|[${NARROW}])*$/;
// Every line drawn inside an overflow="hidden" box is cut with sliceAnsi (grapheme segmentation per character) even
// when it lies wholly inside the clip. A line with nothing to cut is kept as it is when it is printable text and whole
// SGR codes with parameters: a code that wrapping cut apart (in a box a cell or two wide), a bare ESC[m, a control
// character (a tab), a format or default-ignorable character (zero-width, joiner, Hangul filler), an unassigned code
// point, a lone surrogate or a combining mark (a variation selector that wrapping left alone) goes through sliceAnsi,
// which drops or rewrites them as stock Ink does.
const ONLY_TEXT_AND_SGR = /^[^\\p{Cc}\\p{Cf}\\p{Cn}\\p{Cs}\\p{M}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}]*(?:\\u001B\\[[0-9][0-9:;]*m[^\\p{Cc}\\p{Cf}\\p{Cn}\\p{Cs}\\p{M}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}]*)*$/u;
// A style (reduced codes) is interned by its codes: the style after an SGR sequence and the codes between two styles
// are then worked out once each and looked up after that, instead of tokenizing, reducing and diffing (arrays and
// Sets for every style change of every changed row, a frame's largest allocation). The tokenizer's functions depend
// on nothing but each code's code and endCode, in order, which is the key.
const styleStates = new Map();
const EMPTY_STATE = {key: '', styles: EMPTY_STYLES, open: '', after: new Map(), to: new Map()};
function styleStateOf(styles) {
    if (styles.length === 0) return EMPTY_STATE;
    let key = '';
    for (const code of styles) key += code.code + '\\u0001' + code.endCode + '\\u0002';
    let state = styleStates.get(key);
    if (state === undefined) {
        if (styleStates.size >= ${BOUND}) styleStates.clear();
        state = {key, styles, open: ansiCodesToString(styles), after: new Map(), to: new Map()};
        styleStates.set(key, state);
    }
    return state;
}
/** The style after the SGR sequence 'sequence' in style 'state'. */
function styleAfter(state, sequence) {
    let next = state.after.get(sequence);
    if (next === undefined) {
        let tokens = escapeCodes.get(sequence);
        if (tokens === undefined) {
            tokens = tokenize(sequence);
            if (escapeCodes.size >= ${BOUND}) escapeCodes.clear();
            escapeCodes.set(sequence, tokens);
        }
        next = styleStateOf(reduceAnsiCodesIncremental(state.styles, tokens));
        if (state.after.size >= ${BOUND}) state.after.clear();
        state.after.set(sequence, next);
    }
    return next;
}
/** The codes that change style 'from' into style 'to', as styledCharsToString writes them between two cells. */
function styleChange(from, to) {
    let codes = from.to.get(to.key);
    if (codes === undefined) {
        codes = from.styles.length === 0 && to.styles.length === 0 ? '' : ansiCodesToString(diffAnsiCodes(from.styles, to.styles));
        if (from.to.size >= ${BOUND}) from.to.clear();
        from.to.set(to.key, codes);
    }
    return codes;
}
/** {width, first, last, body}: the cells a write covers, the styles of its first and last cell, and the string
styledCharsToString gives for its cells without the opening codes of the first cell and the closing codes after the last. */
function simplePiece(line) {
    let state = EMPTY_STATE;
    let first;
    let last;
    let body = '';
    let width = 0;
    // The runs of SIMPLE_LINE: an SGR sequence (ESC up to its 'm') or the text up to the next ESC.
    let i = 0;
    while (i < line.length) {
        if (line.charCodeAt(i) === 0x1B) {
            const end = line.indexOf('m', i) + 1;
            state = styleAfter(state, line.slice(i, end));
            i = end;
            continue;
        }
        let next = line.indexOf('\\u001B', i);
        if (next === -1) next = line.length;
        if (first === undefined) first = state;
        else body += styleChange(last, state);
        body += next - i === line.length ? line : line.slice(i, next);
        width += next - i;
        last = state;
        i = next;
    }
    return {width, first, last, body};
}
function charsPiece(caches, line) {
    const chars = caches.getStyledChars(line);
    let body = '';
    let width = 0;
    let previous;
    for (let i = 0; i < chars.length; i++) {
        const state = styleStateOf(chars[i].styles);
        if (i > 0) body += styleChange(previous, state);
        body += chars[i].value;
        width += Math.max(1, caches.getStringWidth(chars[i].value));
        previous = state;
    }
    return {width, first: chars.length > 0 ? styleStateOf(chars[0].styles) : undefined, last: previous, body};
}
function pieceOf(caches, line) {
    let piece = pieces.get(line);
    if (piece === undefined) {
        piece = SIMPLE_LINE.test(line) ? simplePiece(line) : charsPiece(caches, line);
        if (pieces.size >= ${BOUND}) pieces.clear();
        pieces.set(line, piece);
    }
    return piece;
}
/** The row as composeRow builds it, or undefined when its writes overlap or leave the row (composeRow then). */
function composeRowFromPieces(caches, width, segments) {
    const placed = [];
    for (let i = 0; i < segments.length; i += 2) {
        const x = segments[i];
        const piece = pieceOf(caches, segments[i + 1]);
        if (piece.width === 0) continue;
        if (!Number.isInteger(x) || x < 0 || x + piece.width > width) return undefined;
        placed.push({x, piece});
    }
    placed.sort((a, b) => a.x - b.x);
    let out = '';
    let styles;
    let cursor = 0;
    const blank = count => {
        out += styles === undefined ? '' : styleChange(styles, EMPTY_STATE);
        out += ' '.repeat(count);
        styles = EMPTY_STATE;
    };
    for (const {x, piece} of placed) {
        if (x < cursor) return undefined;
        if (x > cursor) blank(x - cursor);
        out += styles === undefined ? piece.first.open : styleChange(styles, piece.first);
        out += piece.body;
        styles = piece.last;
        cursor = x + piece.width;
    }
    if (cursor < width) blank(width - cursor);
    if (styles !== undefined) out += styleChange(styles, EMPTY_STATE);
    return out.trimEnd();
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
                    return from === 0 && to === lineWidth && ONLY_TEXT_AND_SGR.test(line) ? line : sliceAnsi(line, from, to);
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
            row = composeRowFromPieces(caches, width, segments) ?? composeRow(caches, width, segments);
            if (rowStrings.size >= ${BOUND / 4}) rowStrings.clear();
            rowStrings.set(key, row);
        }
        out[y] = row;
    }
    return {output: out.join('\\n'), height};
}
let sharedCaches;`,
	},
	// Every <Text> is squashed (twice a frame: layout, then output) and the result sanitized: a string without ESC is
	// scanned code point by code point for C1 controls, and one with colours is fully tokenized, although a
	// dashboard's text holds nothing but SGR sequences, which sanitizing keeps as they are. Return such text at once.
	{
		file: /[\\/]ink[\\/]build[\\/]sanitize-ansi\.js$/,
		find: 'const sanitizeAnsi = (text) => {\n',
		replace: 'const onlyTextAndSgr = /^[^\\u001B\\u0080-\\u009F]*(?:\\u001B\\[[0-9:;]*m[^\\u001B\\u0080-\\u009F]*)*$/;\nconst sanitizeAnsi = (text) => {\n    if (onlyTextAndSgr.test(text)) {\n        return text;\n    }\n',
	},
	// The width of each text node's squashed text decides whether it is wrapped: measured afresh every frame,
	// although layout measured the same string a moment before through measureText's cache. Use that cache.
	{
		file: /[\\/]ink[\\/]build[\\/]render-node-to-output\.js$/,
		find: "import wrapText from './wrap-text.js';",
		replace: "import wrapText from './wrap-text.js';\nimport measureText from './measure-text.js';",
	},
	{
		file: /[\\/]ink[\\/]build[\\/]render-node-to-output\.js$/,
		find: '                const currentWidth = widestLine(text);',
		replace: '                const currentWidth = measureText(text).width;',
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
		replace: `	if (/^[${NARROW}]*$/.test(string)) {`,
	},
	// Ink's incremental rendering (render option incrementalRendering: rewrite only the lines that changed) is what
	// keeps a dashboard whose clock and a few numbers change from redrawing all of its rows a second. These fixes make
	// it correct for a frame that ends in a newline (every frame shorter than the terminal, as ours):
	// 1. it moved the cursor up one line too few, so every frame landed one row lower (the first line was never
	//    redrawn); the cursor sits on the line after the frame, previousLines.length - 1 lines below its first line;
	{
		file: /[\\/]ink[\\/]build[\\/]log-update\.js$/,
		find: '            buffer.push(ansiEscapes.cursorUp(previousVisible - 1));',
		replace: '            if (previousLines.length > 1) buffer.push(ansiEscapes.cursorUp(previousLines.length - 1));',
	},
	// 2. a changed line was written and then erased to its end: on a line as wide as the terminal the cursor then
	//    waits on the last cell, which some terminals (xterm) erase. Erase the whole line first, then write it;
	{
		file: /[\\/]ink[\\/]build[\\/]log-update\.js$/,
		find: '            buffer.push(ansiEscapes.cursorTo(0) +\n                nextLines[i] +\n                ansiEscapes.eraseEndLine +',
		replace: '            buffer.push(ansiEscapes.cursorTo(0) +\n                ansiEscapes.eraseLine +\n                nextLines[i] +',
	},
	// 3. a frame of another height (the terminal was resized) and the first frame after a resize are drawn whole, as
	//    without incremental rendering: the terminal may have moved or rewrapped the old lines, so "unchanged" would
	//    no longer mean "on the screen".
	{
		file: /[\\/]ink[\\/]build[\\/]log-update\.js$/,
		find: "        if (str === '\\n' || previousOutput.length === 0) {",
		replace: "        if (str === '\\n' || previousOutput.length === 0 || nextLines.length !== previousLines.length) {",
	},
	{
		file: /[\\/]ink[\\/]build[\\/]log-update\.js$/,
		find: '    render.willRender = (str) => hasChanges(str, getActiveCursor());\n    return render;\n};\nconst create = ',
		replace: "    render.willRender = (str) => hasChanges(str, getActiveCursor());\n    render.redrawAll = () => {\n        previousOutput = '';\n    };\n    return render;\n};\nconst create = ",
	},
	{
		file: /[\\/]ink[\\/]build[\\/]ink\.js$/,
		find: '    resized = () => {\n        const currentWidth = this.getTerminalWidth();\n',
		replace: '    resized = () => {\n        const currentWidth = this.getTerminalWidth();\n        this.log.redrawAll?.();\n',
	},
	// 4. the frame drawn in resized() is the old layout at the new width (the App learns the new size a render
	//    later): the next frame, of the same height, must be drawn whole too, or a narrower terminal keeps the old
	//    frame's wrapped rows wherever the new frame did not change;
	{
		file: /[\\/]ink[\\/]build[\\/]ink\.js$/,
		find: '        this.calculateLayout();\n        this.onRender();\n        this.lastTerminalWidth = currentWidth;\n',
		replace: '        this.calculateLayout();\n        this.onRender();\n        this.log.redrawAll?.();\n        this.lastTerminalWidth = currentWidth;\n',
	},
	// 5. anything else written to the terminal (a background job's "Done", a wall message) stays on the screen when
	//    only changed rows are rewritten: redrawScreen() draws the last frame whole (Ctrl-L, and the dashboard's
	//    periodic full redraw), and render() hands it out as `redraw`.
	{
		file: /[\\/]ink[\\/]build[\\/]ink\.js$/,
		find: '    restoreLastOutput = () => {\n',
		replace: '    redrawScreen = () => {\n        if (this.isUnmounted || this.options.debug || isInCi) return;\n        this.log.redrawAll?.();\n        this.restoreLastOutput();\n    };\n    restoreLastOutput = () => {\n',
	},
	{
		file: /[\\/]ink[\\/]build[\\/]render\.js$/,
		find: '        clear: instance.clear,\n    };',
		replace: '        clear: instance.clear,\n        redraw: () => instance.redrawScreen(),\n    };',
	},
	/** The tokenizer turns each character of a line into a cell object with `{...token, styles}`. V8 gives every object
	built by that spread a hidden class (Map and DescriptorArray) of its own, about 200 bytes on top of the cell's 48: the
	cells the frame caches keep (Output's styled-chars cache) made up most of the dashboard's heap growth in a soak.
	The same four properties in the same order, written out: a char token is exactly {type, value, fullWidth}. */
	{
		file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/,
		find: '            ret.push({\n                ...token,\n                styles: [...codes],\n            });',
		replace: '            ret.push({\n                type: token.type,\n                value: token.value,\n                fullWidth: token.fullWidth,\n                styles: [...codes],\n            });',
	},
	/** Yoga's Emscripten loader reads its WebAssembly binary, embedded as a base64 data: URL, with fetch() wherever
	fetch exists: in Node that loads undici, http2 and worker_threads into every dashboard (about 2 MB of heap and
	node's own code) to decode a string. Decode it in place, as the loader already does where there is no fetch. */
	{
		file: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
		find: 'function ya(){return w||"function"!=typeof fetch?',
		replace: 'function ya(){return w||ua(H)||"function"!=typeof fetch?',
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
			build.onLoad({filter: /[\\/](ink[\\/]build[\\/](measure-text|wrap-text|output|sanitize-ansi|render-node-to-output|log-update|ink|render)|string-width[\\/]index|@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars|yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm)\.js$/}, async ({path}) => {
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
