/**
Timestamps from outside, bounded by the limits table (limits.ts): ISO strings, and numbers (or numeric strings) in
seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude. Nothing here throws, and nothing it
returns is outside the window, so `new Date(ms).toISOString()` on a result can never throw either.
*/
import {FUTURE_SKEW_MS, MAX_TIMESTAMP_MS, MAX_TIMESTAMP_TEXT, MIN_TIMESTAMP_MS, TIMESTAMP_UNIT_BOUNDS} from './limits.js';

/** How a message's time was adjusted on the way in (each is counted by the store). */
export type TimeNote = 'future-clamped' | 'unit-converted';

/** Why a timestamp was refused: unreadable, or readable but outside the window (see limits.ts). */
export type TimeProblem = 'invalid timestamp' | 'timestamp out of range';

const digit = (text: string, i: number) => text.charCodeAt(i) - 48;
const digits = (text: string, from: number, count: number): number => {
	let n = 0;
	for (let i = from; i < from + count; i++) {
		const d = digit(text, i);
		if (d < 0 || d > 9) return Number.NaN;
		n = n * 10 + d;
	}
	return n;
};

/**
Fast path for the UTC form producers almost always send (`new Date().toISOString()`, `YYYY-MM-DDTHH:MM:SS[.mmm]Z`):
a few digit reads instead of Date.parse, once per message. Anything else returns undefined and goes to Date.parse.
*/
function parseIsoUtc(text: string): number | undefined {
	const n = text.length;
	if ((n !== 20 && n !== 24) || text.charCodeAt(n - 1) !== 90 /* Z */ || text[10] !== 'T' || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':')
		return undefined;
	const ms = n === 24 ? (text[19] === '.' ? digits(text, 20, 3) : Number.NaN) : 0;
	const t = Date.UTC(digits(text, 0, 4), digits(text, 5, 2) - 1, digits(text, 8, 2), digits(text, 11, 2), digits(text, 14, 2), digits(text, 17, 2), ms);
	return Number.isNaN(t) ? undefined : t;
}

const inWindow = (ms: number) => ms >= MIN_TIMESTAMP_MS && ms < MAX_TIMESTAMP_MS;

/** A numeric epoch reading, unit by magnitude; `converted` for microseconds and nanoseconds. */
function numericMs(n: number): {readonly ms: number; readonly converted: boolean} | TimeProblem {
	if (!Number.isFinite(n) || n < 0 || n >= TIMESTAMP_UNIT_BOUNDS.nanoseconds) return 'timestamp out of range';
	let ms: number;
	let converted = false;
	if (n < TIMESTAMP_UNIT_BOUNDS.seconds) ms = n * 1000;
	else if (n < TIMESTAMP_UNIT_BOUNDS.milliseconds) ms = n;
	else {
		ms = n < TIMESTAMP_UNIT_BOUNDS.microseconds ? n / 1e3 : n / 1e6;
		converted = true;
	}
	return inWindow(ms) ? {ms, converted} : 'timestamp out of range';
}

/** A timestamp read: epoch ms in the window; `converted` for µs/ns; `utcForm` for the terminal-safe ISO UTC form. */
interface TimestampRead {
	readonly ms: number;
	readonly converted: boolean;
	readonly utcForm?: boolean;
}

/** Read a timestamp (any unit) into epoch ms within the window, or say why not. */
function readTimestampMs(value: unknown): TimestampRead | TimeProblem {
	if (typeof value === 'number') return Number.isFinite(value) ? numericMs(value) : 'invalid timestamp';
	if (typeof value !== 'string' || value.length > MAX_TIMESTAMP_TEXT) return 'invalid timestamp';
	const fast = parseIsoUtc(value);
	if (fast !== undefined) return inWindow(fast) ? {ms: fast, converted: false, utcForm: true} : 'timestamp out of range';
	const trimmed = value.trim();
	if (trimmed === '') return 'invalid timestamp';
	const asNumber = Number(trimmed);
	if (Number.isFinite(asNumber)) return numericMs(asNumber);
	const parsed = Date.parse(trimmed);
	if (Number.isNaN(parsed)) return 'invalid timestamp';
	return inWindow(parsed) ? {ms: parsed, converted: false} : 'timestamp out of range';
}

/** Epoch ms from an ISO string or a number in s, ms, µs or ns; undefined when unreadable or outside the window. */
export function timestampMs(value: unknown): number | undefined {
	const read = readTimestampMs(value);
	return typeof read === 'string' ? undefined : read.ms;
}

/** A timestamp as the store and the writer carry it: as sent where possible, `timeMs` always in the window. */
export interface ReadTime {
	/** As sent (ISO string or epoch s/ms number), or the ISO form of `timeMs` when converted or clamped. */
	readonly timestamp: string | number;
	readonly timeMs: number;
	readonly note?: TimeNote;
}

/**
A message's time, received at `now`: missing is `now`; beyond `now + FUTURE_SKEW_MS` it is clamped to `now`
(note 'future-clamped'); µs and ns become ms (note 'unit-converted'). `sanitize` renders a non-ISO string as sent.
*/
export function readTime(value: unknown, now: number, sanitize: (text: string) => string): ReadTime | TimeProblem {
	if (value === undefined || value === null) return {timestamp: isoTime(now), timeMs: now};
	if (typeof value === 'string') {
		// Fast path, once per message: the UTC form producers almost always send, in the window and not ahead.
		const fast = parseIsoUtc(value);
		if (fast !== undefined && fast >= MIN_TIMESTAMP_MS && fast <= now + FUTURE_SKEW_MS) return {timestamp: value, timeMs: fast};
	}
	const read = readTimestampMs(value);
	if (typeof read === 'string') return read;
	if (read.ms > now + FUTURE_SKEW_MS) return {timestamp: isoTime(now), timeMs: now, note: 'future-clamped'};
	if (read.converted) return {timestamp: isoTime(read.ms), timeMs: read.ms, note: 'unit-converted'};
	if (typeof value === 'number') return {timestamp: value, timeMs: read.ms};
	// The common UTC form is digits and -:.TZ only: already terminal-safe, no need to sanitize it.
	return {timestamp: read.utcForm === true ? (value as string) : sanitize(value as string), timeMs: read.ms};
}

/**
`new Date(ms).toISOString()` that cannot throw: a value outside the timestamp window (NaN included) is clamped to
the window's nearest edge. Everything validated is inside already; this is the defence for what was not.
*/
export function isoTime(ms: number): string {
	const bounded = Number.isNaN(ms) ? MIN_TIMESTAMP_MS : Math.min(MAX_TIMESTAMP_MS, Math.max(MIN_TIMESTAMP_MS, ms));
	return new Date(bounded).toISOString();
}
