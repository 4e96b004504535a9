/** Number and time formatting for narrow columns. Pure. */
import {cellWidth, fitCells, graphemes, isPrintableAscii, truncateCells} from './text-width.js';

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

/** Longest span spelled out in days; beyond it `>999d` (a duration of 1e300 s is a producer's bug, not a figure). */
const MAX_SPAN_DAYS = 999;

/** Seconds as 12s, 4m05s, 1h02m, 99h59m, then 4d04h; `>999d` beyond 999 days. At most 6 characters. */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return '-';
	const s = Math.round(seconds);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	if (s < 100 * 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
	const days = Math.floor(s / 86_400);
	if (days > MAX_SPAN_DAYS) return `>${MAX_SPAN_DAYS}d`;
	return `${days}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** A local wall-clock time HH:MM:SS. */
export function formatClock(ms: number): string {
	const d = new Date(ms);
	if (Number.isNaN(d.getTime())) return '--:--:--';
	return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Count with k/M suffix; a fraction with at most two decimals; never an exponent (`>999M` beyond a billion). */
export function formatCount(n: number): string {
	if (Number.isNaN(n)) return '?';
	if (n < 0) return n <= -1e9 ? '<-999M' : `-${formatCount(-n)}`;
	if (n >= 1e9) return '>999M';
	if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
	if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
	return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** Pad or cut to exactly `width` display cells (`ellipsis` when cut; '~' suits --ascii). See text-width.ts. */
export function fit(text: string, width: number, ellipsis = '…'): string {
	return fitCells(text, width, ellipsis);
}

/** Megabytes as "812M" or "40.1G" (GiB, one decimal below 100). */
export function formatMb(mb: number | undefined): string {
	if (mb === undefined || !Number.isFinite(mb)) return '?';
	if (mb < 1024) return `${Math.round(mb)}M`;
	const g = mb / 1024;
	return g < 100 ? `${g.toFixed(1)}G` : `${Math.round(g)}G`;
}

/** A GPU product name without the vendor prefixes: "NVIDIA GeForce RTX 4090" -> "RTX 4090". */
export function shortGpuName(name: string): string {
	return name.replace(/^(NVIDIA\s+)?(GeForce\s+|Tesla\s+|Quadro\s+)?/i, '').trim() || name;
}

/**
A duration typed by a user: "90m", "2h", "1h30m", "45s", "1d", or a bare number of minutes. Returns
milliseconds, or undefined for anything else (zero and negative included).
*/
export function parseDuration(text: string): number | undefined {
	const t = text.trim().toLowerCase();
	if (/^\d+(\.\d+)?$/.test(t)) {
		const minutes = Number(t);
		return minutes > 0 ? Math.round(minutes * 60_000) : undefined;
	}
	const unit: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000};
	if (!/^(\d+(\.\d+)?[smhd])+$/.test(t)) return undefined;
	let total = 0;
	for (const match of t.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) total += Number(match[1]) * unit[match[2]!]!;
	return total > 0 ? Math.round(total) : undefined;
}

/** Milliseconds as a short human duration: 45s, 30m, 1h30m, 2d; `>999d` beyond 999 days, `-` for NaN. */
export function formatSpan(ms: number): string {
	if (Number.isNaN(ms)) return '-';
	if (ms >= (MAX_SPAN_DAYS + 0.5) * 86_400_000) return `>${MAX_SPAN_DAYS}d`;
	if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
	if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
	if (ms < 86_400_000) {
		const h = Math.floor(ms / 3_600_000);
		const m = Math.round((ms % 3_600_000) / 60_000);
		return m === 0 ? `${h}h` : `${h}h${m}m`;
	}
	return `${Math.round(ms / 86_400_000)}d`;
}

const ASCII_ONLY = /^[\u0000-\u007e]+$/;

const ASCII_SUBSTITUTES: Record<string, string> = {'…': '...', '·': '|', '°': '', '›': '>', '▶': '>', '▏': '_', '≤': '<=', '≥': '>=', '—': '-', '–': '-', '→': '->', '←': '<-', '×': 'x', '↓': 'v', '↑': '^'};

/**
Text for --ascii: common symbols spelled out, any other character above 0x7e as one '?' per grapheme (an emoji
ZWJ sequence is one '?', a letter with combining accents its base letter, a zero-width mark on its own nothing).
*/
export function toAscii(text: string): string {
	if (isPrintableAscii(text)) return text;
	let out = '';
	for (const g of graphemes(text)) {
		const code = g.codePointAt(0)!;
		if (ASCII_ONLY.test(g)) out += g;
		else if (code >= 0x20 && code <= 0x7e) out += g[0]; // "e" + combining acute: the base letter
		else if (ASCII_SUBSTITUTES[g] !== undefined) out += ASCII_SUBSTITUTES[g];
		else out += cellWidth(g) === 0 ? '' : '?';
	}
	return out;
}

/** Cut to at most `width` display cells, ending with `marker` when cut (no padding). */
export function clip(text: string, width: number, marker = '…'): string {
	return truncateCells(text, width, marker);
}

/** Labels as "k=v k=v" (for alert rows). */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
	return Object.entries(labels)
		.map(([k, v]) => `${k}=${v}`)
		.join(' ');
}
