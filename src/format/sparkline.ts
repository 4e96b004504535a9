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
