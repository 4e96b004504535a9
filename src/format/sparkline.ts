/** Sparklines and gauges as plain strings: pure, one <Text> each, cheap to render. */
import {glyphsOf, type GlyphChoice, type Glyphs} from './theme.js';

export interface SparkOptions {
	/** Fixed scale; default: the finite min and max of the shown values. */
	readonly min?: number;
	readonly max?: number;
	/** The glyph set to draw with (the panes pass their theme's); default Unicode blocks. */
	readonly glyphs?: Glyphs;
	/** For callers without a theme: true draws with the ASCII set. Ignored when `glyphs` is given. */
	readonly ascii?: boolean;
}

/**
One cell per sample, right-aligned in `width` (the newest sample at the right edge), padded with spaces on the
left. Non-finite samples are drawn as '!' so a NaN is visible, never dropped.
*/
export function sparkline(values: readonly number[], width: number, options: SparkOptions = {}): string {
	if (width <= 0) return '';
	const shown = values.slice(-width);
	const glyphs = glyphsOf(options.glyphs ?? options.ascii);
	const levels = glyphs.levels;
	let min = options.min ?? Number.POSITIVE_INFINITY;
	let max = options.max ?? Number.NEGATIVE_INFINITY;
	if (options.min === undefined || options.max === undefined) {
		for (const v of shown) {
			if (!Number.isFinite(v)) continue;
			if (options.min === undefined && v < min) min = v;
			if (options.max === undefined && v > max) max = v;
		}
	}
	const span = max - min;
	let out = ' '.repeat(width - shown.length);
	for (const v of shown) {
		if (!Number.isFinite(v)) {
			out += glyphs.nonFinite;
			continue;
		}
		const ratio = span > 0 ? (Math.min(Math.max(v, min), max) - min) / span : 0.5;
		out += levels[Math.min(levels.length - 1, Math.floor(ratio * levels.length))];
	}
	return out;
}

/**
A horizontal gauge of `width` cells for a percentage: Unicode with eighth-block precision, ASCII in whole cells
('#' and '.'); an unknown value fills the gauge with the `unknown` cell.
*/
export function gauge(percent: number, width: number, glyphs?: GlyphChoice): string {
	if (width <= 0) return '';
	const cells = glyphsOf(glyphs).gauge;
	if (!Number.isFinite(percent)) return cells.unknown.repeat(width);
	const clamped = Math.min(Math.max(percent, 0), 100);
	const steps = cells.partial.length;
	const units = Math.round((clamped / 100) * width * steps);
	const full = Math.floor(units / steps);
	const part = cells.partial[units % steps]!;
	return cells.full.repeat(full) + part + cells.empty.repeat(Math.max(0, width - full - (part === '' ? 0 : 1)));
}

/**
The distribution of `counts` as one line of `width` cells: each bucket gets an equal share of the cells (at
least one), drawn as a block whose height is the bucket's count relative to the largest. Empty buckets are '·'
('.' in ASCII) so the axis stays visible.
*/
export function histogramLine(counts: readonly number[], width: number, glyphs?: GlyphChoice): string {
	if (width <= 0 || counts.length === 0) return '';
	const set = glyphsOf(glyphs);
	const levels = set.levels;
	const max = Math.max(...counts);
	let out = '';
	for (let i = 0; i < counts.length; i++) {
		const cells = Math.floor(((i + 1) * width) / counts.length) - Math.floor((i * width) / counts.length);
		const c = counts[i]!;
		const glyph = c <= 0 || max <= 0 ? set.emptyBucket : levels[Math.min(levels.length - 1, Math.max(0, Math.ceil((c / max) * levels.length) - 1))]!;
		out += glyph.repeat(cells);
	}
	return out;
}
