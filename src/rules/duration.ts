/** Durations as Prometheus writes them: `500ms`, `30s`, `5m`, `2h`, `7d`, `1w`, or a combination like `1h30m`. */

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000};

/**
The longest duration mycotop accepts anywhere (silence --for, backtest --since, rule windows and `for:`, the
config's alerting section): 365 days. Past it a number stops meaning anything to an operator, and `now + d`
must stay a valid Date (`99999999d` once made a silence whose end time could not be printed).
*/
export const MAX_DURATION_MS = 365 * 86_400_000;
export const MAX_DURATION_TEXT = '365d';

/** Milliseconds, or undefined when the text is not a duration or is longer than MAX_DURATION_MS. A bare `0` is allowed. */
export function parseDuration(text: string): number | undefined {
	const ms = parseDurationUnbounded(text);
	return ms !== undefined && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** Why `text` is not an accepted duration (for messages), or undefined when it is one. */
export function durationProblem(text: string): string | undefined {
	const ms = parseDurationUnbounded(text);
	if (ms === undefined) return `expected a duration like 30s, 5m, 2h or 7d, got "${text}"`;
	if (ms > MAX_DURATION_MS) return `"${text}" is longer than the ${MAX_DURATION_TEXT} maximum`;
	return undefined;
}

function parseDurationUnbounded(text: string): number | undefined {
	const trimmed = text.trim();
	if (trimmed === '0') return 0;
	const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
	let total = 0;
	let matched = 0;
	let m: RegExpExecArray | null;
	while ((m = re.exec(trimmed)) !== null) {
		total += Number(m[1]) * UNITS[m[2]!]!;
		matched = re.lastIndex;
	}
	// A 400-digit number is Infinity here: a duration, far past the maximum (parseDuration refuses it).
	return matched === trimmed.length && matched > 0 ? Math.round(total) : undefined;
}

/** A duration for people: `90s` -> `1m30s`, `0` -> `0s`. */
export function formatDuration(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)}ms`;
	let rest = Math.round(ms / 1000);
	const parts: string[] = [];
	for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
		if (rest >= size) {
			parts.push(`${Math.floor(rest / size)}${unit}`);
			rest %= size;
		}
	}
	return parts.join('') || '0s';
}

/** A duration given in config as a string (`5m`) or a number of milliseconds, within MAX_DURATION_MS. */
export function durationValue(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value <= MAX_DURATION_MS ? value : undefined;
	if (typeof value === 'string') return parseDuration(value);
	return undefined;
}
