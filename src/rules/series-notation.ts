/**
promtool's expanding notation for input series, plus `nan`, `inf` and `-inf` for training runs:
  `0+10x100`  -> 0, 10, ..., 1000 (101 samples)      `1-2x4` -> 1 -1 -3 -5 -7
  `5x3`       -> 5 5 5 5                             `_` a missing sample, `_x3` three of them
  `stale`     -> the series ends here (later samples are absent)
*/

/** One sample per interval: a number, or null for a missing one. `stale` ends the series (further values are dropped). */
export function expandSeries(text: string): Array<number | null> | string {
	const out: Array<number | null> = [];
	for (const token of text.trim().split(/\s+/)) {
		if (token === '') continue;
		if (token === 'stale') return out;
		const missing = /^_(?:x(\d+))?$/.exec(token);
		if (missing) {
			const n = missing[1] === undefined ? 1 : Number(missing[1]);
			for (let i = 0; i < n; i++) out.push(null);
			continue;
		}
		const m = /^([+-]?(?:[\d.]+(?:e[+-]?\d+)?|nan|inf))(?:([+-])([\d.]+(?:e[+-]?\d+)?))?x(\d+)$/i.exec(token);
		if (m) {
			const start = parseNumber(m[1]!);
			const stepValue = m[3] === undefined ? 0 : Number(m[3]) * (m[2] === '-' ? -1 : 1);
			const n = Number(m[4]);
			if (start === undefined || !Number.isFinite(stepValue)) return `bad value "${token}"`;
			for (let i = 0; i <= n; i++) out.push(start + i * stepValue);
			continue;
		}
		const v = parseNumber(token);
		if (v === undefined) return `bad value "${token}" (expected a number, a+bxn, a-bxn, axn, _, _xn, nan, inf or stale)`;
		out.push(v);
	}
	return out;
}

function parseNumber(text: string): number | undefined {
	const t = text.toLowerCase();
	if (t === 'nan' || t === '+nan' || t === '-nan') return Number.NaN;
	if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
	if (t === '-inf') return Number.NEGATIVE_INFINITY;
	const n = Number(text);
	return text.trim() !== '' && !Number.isNaN(n) ? n : undefined;
}
