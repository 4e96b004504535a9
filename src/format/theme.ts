/**
The look of the dashboard as data: the glyphs (in a Unicode and an ASCII set) and the colours by role. Chosen
once at the top (`--ascii` or `ui.ascii` in the config) and served to the panes by components/theme.tsx; the
pure formatters in this folder take a glyph set as an argument. No React here.

Colours are Ink colour names. NO_COLOR is honoured where it always was: the bin turns it into FORCE_COLOR=0
before Ink (chalk) is loaded, so every colour below is dropped, and focus stays visible through inverse text and
the focus marker.
*/
import {toAscii} from './units.js';

export interface Glyphs {
	/** 'unicode' or 'ascii'. */
	readonly name: 'unicode' | 'ascii';
	/**
	How a line too long for its pane is cut: Ink's `truncate-end` (which ends it with '…'), or `clip`: hard-wrapped
	inside a box one line tall, so the overflow is hidden without any non-ASCII marker.
	*/
	readonly lineCut: 'truncate-end' | 'clip';
	/** Text from outside (ids, messages, names) as this set can draw it: unchanged, or spelled out in ASCII. */
	readonly text: (text: string) => string;
	/** The end of a cut column. */
	readonly ellipsis: string;
	/** Marks the focused pane's title. */
	readonly focus: string;
	/** Marks the selected row of the focused pane. */
	readonly selected: string;
	/** A figure over nothing ("no data"). */
	readonly noData: string;
	/** After a temperature. */
	readonly degrees: string;
	/** "at most", as in "≤30m". */
	readonly atMost: string;
	/** Trend arrows for a loss: improving (down), degrading (up), stable. */
	readonly arrows: {readonly improving: string; readonly degrading: string; readonly stable: string};
	/** Sparkline and histogram levels, lowest first. */
	readonly levels: readonly string[];
	/** A sample that is NaN or infinite (drawn, never dropped). */
	readonly nonFinite: string;
	/** An empty histogram bucket (keeps the axis visible). */
	readonly emptyBucket: string;
	/**
	Gauge cells: `full`, `empty`, `unknown` (a gauge of an unknown value) and `partial`, the cell for each fraction
	of a cell in steps of 1/partial.length ('' first: no partial cell). ASCII has one step: whole cells only.
	*/
	readonly gauge: {readonly full: string; readonly empty: string; readonly unknown: string; readonly partial: readonly string[]};
}

export const UNICODE_GLYPHS: Glyphs = {
	name: 'unicode',
	lineCut: 'truncate-end',
	text: (text) => text,
	ellipsis: '…',
	focus: '▶',
	selected: '›',
	noData: '–',
	degrees: '°C',
	atMost: '≤',
	arrows: {improving: '↘', degrading: '↗', stable: '→'},
	levels: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
	nonFinite: '!',
	emptyBucket: '·',
	gauge: {full: '█', empty: ' ', unknown: '░', partial: ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']},
};

export const ASCII_GLYPHS: Glyphs = {
	name: 'ascii',
	lineCut: 'clip',
	text: toAscii,
	ellipsis: '~',
	focus: '>',
	selected: '>',
	noData: '-',
	degrees: 'C',
	atMost: '<=',
	arrows: {improving: 'v', degrading: '^', stable: '-'},
	levels: ['_', '.', '-', '~', '=', '+', '*', '#'],
	nonFinite: '!',
	emptyBucket: '.',
	gauge: {full: '#', empty: '.', unknown: '?', partial: ['']},
};

/**
A glyph set, or a boolean for callers without a theme (the CLI's plain-text output, tests of the formatters):
true is ASCII, false or nothing Unicode. The panes always pass their theme's set.
*/
export type GlyphChoice = Glyphs | boolean | undefined;

export function glyphsOf(choice: GlyphChoice): Glyphs {
	if (typeof choice === 'object') return choice;
	return choice ? ASCII_GLYPHS : UNICODE_GLYPHS;
}

/** What a colour means on screen. */
export type Tone = 'ok' | 'warn' | 'critical' | 'info' | 'accent' | 'secondary' | 'muted' | 'selection';

/** An Ink colour name per role. */
export type Palette = Readonly<Record<Tone, string>>;

export const PALETTE: Palette = {
	/** Healthy: an SLA met, a busy agent, a connected bus, a resolved alert. */
	ok: 'green',
	/** Needs a look: pending alerts, warm GPUs, a reconnecting bus, rejected messages. */
	warn: 'yellow',
	/** Act now: firing alerts, critical counts, NaN losses, lost GPUs, SLA breaches, errors. */
	critical: 'red',
	/** Informational severity and the smoothed loss. */
	info: 'blue',
	/** Keys, the prompt, the filter, the role, sparklines and bars. */
	accent: 'cyan',
	/** A second series beside the accent one: memory, WER, silences. */
	secondary: 'magenta',
	/** Unknown or idle: no data, an idle GPU, an agent in an unknown state. */
	muted: 'gray',
	/** The focused pane's title (also shown inverse, so focus survives NO_COLOR). */
	selection: 'cyan',
};

/** The colour of a tone, or none (the terminal's own) for no tone. */
export function colorOf(colors: Palette, tone: Tone | undefined): string | undefined {
	return tone === undefined ? undefined : colors[tone];
}

export interface Theme {
	readonly glyphs: Glyphs;
	readonly colors: Palette;
}

export const UNICODE_THEME: Theme = {glyphs: UNICODE_GLYPHS, colors: PALETTE};
export const ASCII_THEME: Theme = {glyphs: ASCII_GLYPHS, colors: PALETTE};

/** The theme for the flags and config: `--ascii` (or `ui.ascii: true`) draws with ASCII only. */
export function themeFor(options: {readonly ascii?: boolean}): Theme {
	return options.ascii ? ASCII_THEME : UNICODE_THEME;
}
