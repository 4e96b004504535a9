/**
Timestamps from outside, bounded by the limits table (limits.ts): ISO strings, and numbers (or plain decimal
strings) in seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude. Nothing here throws, and
nothing it returns is outside the window, so `new Date(ms).toISOString()` on a result can never throw either; and
every timestamp `readTime` returns for storing parses back with `new Date(timestamp)` to its `timeMs` (to the ms).
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

/** Days in a month of the proleptic Gregorian calendar (`month` 1-12). */
function daysInMonth(year: number, month: number): number {
	if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
The day of the last timestamp the fast path read: its first ten characters (`YYYY-MM-DD`) and that day's start in
epoch ms. A burst's messages are almost all stamped on the same day, so the date is read once a day, not once a message.
*/
let lastDay = '';
let lastDayMs = 0;

/**
Fast path for the UTC form producers almost always send (`new Date().toISOString()`, `YYYY-MM-DDTHH:MM:SS[.mmm]Z`):
a few digit reads instead of Date.parse, once per message. Only a real calendar date and time (month 1-12, its day,
hour 0-23, minute and second 0-59) is read here; anything else returns undefined and goes to Date.parse, which
refuses a minute of 60 or a month of 13 (Date.UTC would roll them over into another time).
*/
function parseIsoUtc(text: string): number | undefined {
	const n = text.length;
	if ((n !== 20 && n !== 24) || text.charCodeAt(n - 1) !== 90 /* Z */ || text.charCodeAt(10) !== 84 /* T */ || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
		return undefined;
	let dayMs = lastDayMs;
	if (lastDay === '' || !text.startsWith(lastDay)) {
		if (text.charCodeAt(4) !== 45 /* - */ || text.charCodeAt(7) !== 45) return undefined;
		const year = digits(text, 0, 4);
		const month = digits(text, 5, 2);
		const day = digits(text, 8, 2);
		// NaN (a non-digit) fails every comparison. Years before 1000 are left to Date.parse (Date.UTC reads 0-99 as 19xx).
		if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) return undefined;
		dayMs = Date.UTC(year, month - 1, day);
		lastDay = text.slice(0, 10);
		lastDayMs = dayMs;
	}
	const hours = digits(text, 11, 2);
	const minutes = digits(text, 14, 2);
	const seconds = digits(text, 17, 2);
	if (!(hours <= 23 && minutes <= 59 && seconds <= 59)) return undefined;
	let ms = 0;
	if (n === 24) {
		if (text.charCodeAt(19) !== 46 /* . */) return undefined;
		ms = digits(text, 20, 3);
		if (Number.isNaN(ms)) return undefined;
	}
	return dayMs + hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + ms;
}

const inWindow = (ms: number) => ms >= MIN_TIMESTAMP_MS && ms < MAX_TIMESTAMP_MS;

/** The only numeric string read as a number: decimal digits, optionally a fraction (no sign, exponent, hex or spaces). */
const PLAIN_DECIMAL = /^\d+(?:\.\d+)?$/;

/**
An ISO 8601 date-time that every JavaScript engine parses (ECMAScript's date-time string format) and that names its
zone, so every reader gets the same instant: `YYYY-MM-DDTHH:mm[:ss[.sss]]` then `Z` or `±HH:mm`. Only these are
stored as sent, and only when they name a real date and time (V8 reads `2026-02-30` as March 2 and `T24:00` as the
next day; other engines and languages refuse them); any other readable string is stored as `isoTime` of its reading.
Digits and `-:.TZ+` only, so it needs no sanitizing for a terminal.
*/
const PORTABLE_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `text` is a PORTABLE_ISO date-time naming a real date and time (and offset). */
function portableIso(text: string): boolean {
	const m = PORTABLE_ISO.exec(text);
	if (m === null) return false;
	const [year, month, day, hours, minutes, seconds = 0, offsetHours = 0, offsetMinutes = 0] = m.slice(1).map((f) => (f === undefined ? undefined : Number(f)));
	return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth(year!, month!) && hours! <= 23 && minutes! <= 59 && seconds <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}

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

/** A timestamp read: epoch ms in the window; `converted` for µs/ns. */
interface TimestampRead {
	readonly ms: number;
	readonly converted: boolean;
}

/**
Read a timestamp (any unit) into epoch ms within the window, or say why not. A string is read as a number only
when it is plain decimal (`"1700000000"`, `"1700000000.5"`); any other string JavaScript's `Number` would read
(`"0x65A0B000"`, `"+1700000000"`, `" 1700000000 "`, `"1700000000e3"`, `"Infinity"`, `".5"`) is an invalid
timestamp, and so is it for Date.parse (which reads `"12"` as the year 2001). Surrounding spaces are not trimmed.
*/
function readTimestampMs(value: unknown): TimestampRead | TimeProblem {
	if (typeof value === 'number') return Number.isFinite(value) ? numericMs(value) : 'invalid timestamp';
	if (typeof value !== 'string' || value.length > MAX_TIMESTAMP_TEXT) return 'invalid timestamp';
	const fast = parseIsoUtc(value);
	if (fast !== undefined) return inWindow(fast) ? {ms: fast, converted: false} : 'timestamp out of range';
	if (PLAIN_DECIMAL.test(value)) return numericMs(Number(value));
	if (value.trim() !== value || !Number.isNaN(Number(value))) return 'invalid timestamp';
	const parsed = Date.parse(value);
	if (Number.isNaN(parsed)) return 'invalid timestamp';
	return inWindow(parsed) ? {ms: parsed, converted: false} : 'timestamp out of range';
}

/** Epoch ms from an ISO string or a number in s, ms, µs or ns; undefined when unreadable or outside the window. */
export function timestampMs(value: unknown): number | undefined {
	const read = readTimestampMs(value);
	return typeof read === 'string' ? undefined : read.ms;
}

/** A timestamp as the store and the writer carry it: `new Date(timestamp)` is `timeMs` (to the ms), always in the window. */
export interface ReadTime {
	/**
	As sent when that is a zoned ISO date-time (PORTABLE_ISO) or a number in epoch milliseconds; otherwise (seconds,
	µs, ns, numeric strings, other date forms, clamped) the ISO form of `timeMs`. Seconds are not kept as sent:
	the seed's readers do `new Date(timestamp)`, which reads 1700000000 as 1970-01-20.
	*/
	readonly timestamp: string | number;
	readonly timeMs: number;
	readonly note?: TimeNote;
}

/**
A message's time, received at `now`: missing is `now`; beyond `now + FUTURE_SKEW_MS` it is clamped to `now`
(note 'future-clamped'); µs and ns become ms (note 'unit-converted').
*/
export function readTime(value: unknown, now: number): ReadTime | TimeProblem {
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
	// Epoch ms numbers are kept byte for byte (what the seed writes); seconds become ISO (see ReadTime).
	if (typeof value === 'number') return value >= TIMESTAMP_UNIT_BOUNDS.seconds ? {timestamp: value, timeMs: read.ms} : {timestamp: isoTime(read.ms), timeMs: read.ms};
	return {timestamp: portableIso(value as string) ? (value as string) : isoTime(read.ms), timeMs: read.ms};
}

/**
`new Date(ms).toISOString()` that cannot throw: a value outside the timestamp window (NaN included) is clamped to
the window's nearest edge. Everything validated is inside already; this is the defence for what was not.
*/
export function isoTime(ms: number): string {
	const bounded = Number.isNaN(ms) ? MIN_TIMESTAMP_MS : Math.min(MAX_TIMESTAMP_MS, Math.max(MIN_TIMESTAMP_MS, ms));
	return new Date(bounded).toISOString();
}
