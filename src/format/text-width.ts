/**
Terminal text measured in display cells, not in string length: a CJK ideograph or an emoji takes 2 cells, a
combining mark, a zero-width joiner or a variation selector 0. Ids, labels and names come from other agents
through Redis, so any of them can be wide; every cut, pad and column in the panes goes through these helpers.

Widths are string-width's (the measure Ink itself lays frames out with), so a pane and Ink agree on where a
line ends. Cuts are made between grapheme clusters (Intl.Segmenter), so an emoji ZWJ sequence, a flag or a
letter with its accents is kept or dropped whole, never split into something the terminal draws differently.
*/
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

/**
True when every code unit is printable ASCII (0x20-0x7e): then one character is one cell. Panes are drawn at up to
10 Hz and almost every string in them is ASCII, so this loop spares the segmenter and the regexes.
*/
export function isPrintableAscii(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x20 || c > 0x7e) return false;
	}
	return true;
}

/**
True when every code unit is printable ASCII or one of the narrow, non-combining, non-emoji symbols a dashboard is
drawn with (Latin-1 letters and signs, general punctuation such as '…', arrows, box drawing, block elements, braille):
then too one code unit is one cell. The same ranges as the bundle's string-width fast path (scripts/ink-patches.mjs);
test/unit/text-width.test.ts checks every code point in them against string-width. Sparklines and gauges change
every frame, so without this each one would miss the width cache and be measured again.
*/
export function isNarrowText(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c >= 0x20 && c <= 0x7e) continue;
		if (!narrowSymbol(c)) return false;
	}
	return true;
}

function narrowSymbol(c: number): boolean {
	if (c < 0x2010) return c >= 0xa0 && c <= 0xff && c !== 0xad;
	if (c <= 0x205e) return c <= 0x2027 || (c >= 0x2030 && c !== 0x203c && c !== 0x2049);
	if (c >= 0x2190 && c <= 0x21ff) return c <= 0x2193 || (c >= 0x2196 && c !== 0x21a9 && c !== 0x21aa);
	if (c >= 0x2500 && c <= 0x25fa) return c !== 0x25aa && c !== 0x25ab && c !== 0x25b6 && c !== 0x25c0;
	return c >= 0x2800 && c <= 0x28ff;
}

/**
Widths of non-ASCII strings and graphemes already measured. string-width segments the text and runs Unicode
property regexes (tens of microseconds for a short CJK id); the same ids, labels and glyphs are drawn every frame,
so a bounded map makes the second frame cheap. Cleared when full rather than evicted one by one: simpler, and a
working set bigger than this is not a dashboard's.
*/
const widths = new Map<string, number>();
const MAX_CACHED_WIDTHS = 8192;

function measured(text: string): number {
	let width = widths.get(text);
	if (width === undefined) {
		width = stringWidth(text);
		if (widths.size >= MAX_CACHED_WIDTHS) widths.clear();
		widths.set(text, width);
	}
	return width;
}

/** Display width of `text` in terminal cells. */
export function cellWidth(text: string): number {
	if (isNarrowText(text)) return text.length;
	return measured(text);
}

/** The grapheme clusters of `text`, in order (what a user sees as one character). */
export function graphemes(text: string): string[] {
	if (isNarrowText(text)) return text.split('');
	return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** Cumulative cell offsets of a non-ASCII text's graphemes: `ends[i]` is where grapheme i ends. Cached like widths. */
interface Cells {
	readonly segments: readonly string[];
	readonly ends: readonly number[];
}
const cells = new Map<string, Cells>();

function cellsOf(text: string): Cells {
	let hit = cells.get(text);
	if (hit === undefined) {
		const segments: string[] = [];
		const ends: number[] = [];
		let used = 0;
		for (const {segment} of segmenter.segment(text)) {
			used += isPrintableAscii(segment) ? segment.length : measured(segment);
			segments.push(segment);
			ends.push(used);
		}
		hit = {segments, ends};
		if (cells.size >= MAX_CACHED_WIDTHS) cells.clear();
		cells.set(text, hit);
	}
	return hit;
}

/** The longest prefix of `text`, whole graphemes only, that fits in `width` cells. */
function prefixCells(text: string, width: number): string {
	if (width <= 0) return '';
	if (isNarrowText(text)) return text.slice(0, width);
	const {segments, ends} = cellsOf(text);
	let n = 0;
	while (n < segments.length && ends[n]! <= width) n++;
	return segments.slice(0, n).join('');
}

/**
`text` cut to at most `width` cells, ending with `ellipsis` when cut ('…' by default, '~' under --ascii). A wide
character that would straddle the edge is dropped whole (the line is then one cell short; padCells fills it).
When even the ellipsis does not fit, it is cut itself.
*/
export function truncateCells(text: string, width: number, ellipsis = '…'): string {
	if (width <= 0) return '';
	if (cellWidth(text) <= width) return text;
	const marker = cellWidth(ellipsis);
	if (marker >= width) return prefixCells(ellipsis, width);
	return `${prefixCells(text, width - marker)}${ellipsis}`;
}

export type Align = 'left' | 'right';

/** `text` padded with spaces to `width` cells: on the right ('left' aligned) or on the left ('right' aligned). Never cut. */
export function padCells(text: string, width: number, align: Align = 'left'): string {
	const gap = width - cellWidth(text);
	if (gap <= 0) return text;
	const padded = align === 'left' ? text + ' '.repeat(gap) : ' '.repeat(gap) + text;
	if (isNarrowText(text)) return padded;
	// A space of the pad can join the text's last grapheme (a Prepend character such as U+11A84 joins whatever follows
	// it, and that cluster measures as one cell): measured again, the pad makes up what it lost.
	const short = width - cellWidth(padded);
	if (short <= 0) return padded;
	return align === 'left' ? padded + ' '.repeat(short) : ' '.repeat(short) + padded;
}

/** Exactly `width` cells: cut (with `ellipsis`) when longer, padded when shorter. The column primitive of every table. */
export function fitCells(text: string, width: number, ellipsis = '…', align: Align = 'left'): string {
	if (width <= 0) return '';
	return padCells(truncateCells(text, width, ellipsis), width, align);
}

/** `text` without its last grapheme (a prompt's backspace: an emoji or an accented letter goes in one press). */
export function dropLastGrapheme(text: string): string {
	if (text === '') return text;
	if (isNarrowText(text)) return text.slice(0, -1);
	const all = graphemes(text);
	return all.slice(0, -1).join('');
}
