/** Number and time formatting for narrow columns. Pure. */

/** A loss-like value in at most ~7 characters; NaN and Infinity spelled out. */
export function formatValue(value: number | undefined): string {
	if (value === undefined) return '-';
	if (Number.isNaN(value)) return 'NaN';
	if (!Number.isFinite(value)) return value > 0 ? 'Inf' : '-Inf';
	const abs = Math.abs(value);
	if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(1);
	if (abs >= 100) return value.toFixed(1);
	return value.toFixed(abs >= 10 ? 2 : 3);
}

/** Seconds as 12s, 4m05s, 1h02m. */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return '-';
	const s = Math.round(seconds);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A local wall-clock time HH:MM:SS. */
export function formatClock(ms: number): string {
	const d = new Date(ms);
	return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Count with k/M suffix. */
export function formatCount(n: number): string {
	if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
	if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
	return String(n);
}

/** Pad or cut to exactly `width` columns (ellipsis when cut). */
export function fit(text: string, width: number): string {
	if (width <= 0) return '';
	if (text.length <= width) return text.padEnd(width);
	return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
}
