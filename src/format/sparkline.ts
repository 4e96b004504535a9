/** Sparklines and gauges as plain strings: pure, one <Text> each, cheap to render. */

export const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
export const ASCII_LEVELS = ['_', '.', '-', '~', '=', '+', '*', '#'] as const;

export interface SparkOptions {
	/** Fixed scale; default: the finite min and max of the shown values. */
	readonly min?: number;
	readonly max?: number;
	readonly ascii?: boolean;
}

/**
One cell per sample, right-aligned in `width` (the newest sample at the right edge), padded with spaces on the
left. Non-finite samples are drawn as '!' so a NaN is visible, never dropped.
*/
export function sparkline(values: readonly number[], width: number, options: SparkOptions = {}): string {
	if (width <= 0) return '';
	const shown = values.slice(-width);
	const levels = options.ascii ? ASCII_LEVELS : BLOCKS;
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
			out += '!';
			continue;
		}
		const ratio = span > 0 ? (Math.min(Math.max(v, min), max) - min) / span : 0.5;
		out += levels[Math.min(levels.length - 1, Math.floor(ratio * levels.length))];
	}
	return out;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

/** A horizontal gauge of `width` cells for a percentage, with eighth-block precision ('#' and '.' in ASCII). */
export function gauge(percent: number, width: number, ascii = false): string {
	if (width <= 0) return '';
	if (!Number.isFinite(percent)) return (ascii ? '?' : '░').repeat(width);
	const clamped = Math.min(Math.max(percent, 0), 100);
	if (ascii) {
		const filled = Math.round((clamped / 100) * width);
		return '#'.repeat(filled) + '.'.repeat(width - filled);
	}
	const eighths = Math.round((clamped / 100) * width * 8);
	const full = Math.floor(eighths / 8);
	const part = EIGHTHS[eighths % 8]!;
	const body = '█'.repeat(full) + part;
	return body + ' '.repeat(Math.max(0, width - full - (part === '' ? 0 : 1)));
}

/**
The distribution of `counts` as one line of `width` cells: each bucket gets an equal share of the cells (at
least one), drawn as a block whose height is the bucket's count relative to the largest. Empty buckets are '·'
('.' in ASCII) so the axis stays visible.
*/
export function histogramLine(counts: readonly number[], width: number, ascii = false): string {
	if (width <= 0 || counts.length === 0) return '';
	const levels = ascii ? ASCII_LEVELS : BLOCKS;
	const max = Math.max(...counts);
	const empty = ascii ? '.' : '·';
	let out = '';
	for (let i = 0; i < counts.length; i++) {
		const cells = Math.floor(((i + 1) * width) / counts.length) - Math.floor((i * width) / counts.length);
		const c = counts[i]!;
		const glyph = c <= 0 || max <= 0 ? empty : levels[Math.min(levels.length - 1, Math.max(0, Math.ceil((c / max) * levels.length) - 1))]!;
		out += glyph.repeat(cells);
	}
	return out;
}
