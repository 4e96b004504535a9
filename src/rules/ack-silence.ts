/**
Operator state, kept beside the condition state (ISA-18.2 / alerta semantics), as pure data and functions.

An acknowledgement covers one episode of one alert at the severity it was given at: it lapses when the alert
escalates, and when the alert resolves and fires again (a new episode). Every instance evaluates the rules on
its own clock, so an episode is matched with a small tolerance rather than by exact timestamps.

A silence is Alertmanager's: matchers on the rule (`alertname`) and labels, start, end, author, comment.
*/
import {randomBytes} from 'node:crypto';
import {sanitizeText} from '../contract/sanitize.js';
import {type Labels, type Matcher, matchersMatch, matcherText, regexProblem} from './labels.js';
import {SEVERITY_RANK, type Severity} from './alert-state.js';
import {MAX_DURATION_MS, MAX_DURATION_TEXT} from './duration.js';

export interface Ack {
	readonly alertId: string;
	/** user@host */
	readonly by: string;
	readonly atMs: number;
	readonly severity: Severity;
	/** When the acknowledged episode began, i.e. first went pending (as the acknowledging instance saw it). */
	readonly episodeMs?: number;
	readonly comment?: string;
	/** Given a duration (`a 2h`, `mycotop ack ID --for 2h`): after this the alert is unacknowledged again if still firing. */
	readonly untilMs?: number;
}

/** The ack, unless it has expired by `now` (then undefined: the alert asks for attention again). */
export function liveAck(ack: Ack | undefined, now: number): Ack | undefined {
	return ack !== undefined && ack.untilMs !== undefined && now >= ack.untilMs ? undefined : ack;
}

export interface Silence {
	readonly id: string;
	readonly matchers: readonly Matcher[];
	readonly startsMs: number;
	readonly endsMs: number;
	readonly createdBy: string;
	readonly comment: string;
}

/**
Instances evaluate on their own ticks, at most one evaluation interval apart: episode starts this close are the
same episode. The engine passes its evaluation interval plus 250 ms; this default suits the 1 s default.
*/
const EPISODE_TOLERANCE_MS = 1250;

/**
Whether `ack` covers the alert's current episode. `episodeStartMs` is when the episode began (it first went
pending: activeAt), `firedAtMs` when it fired, if it has. An ack records the episode start it was given in, so an
ack given while the alert was pending still covers it once it fires; acks written before episodes were keyed by
their start recorded the firing time, which still matches.
*/
export function ackCovers(ack: Ack | undefined, episodeStartMs: number, severity: Severity, toleranceMs = EPISODE_TOLERANCE_MS, firedAtMs?: number): boolean {
	if (ack === undefined) return false;
	if (ack.episodeMs !== undefined) {
		const near = (t: number | undefined) => t !== undefined && Math.abs(ack.episodeMs! - t) <= toleranceMs;
		if (!near(episodeStartMs) && !near(firedAtMs)) return false; // resolved and fired again since
	} else if (ack.atMs + toleranceMs < episodeStartMs) return false;
	return SEVERITY_RANK[severity] <= SEVERITY_RANK[ack.severity]; // escalated since
}

export type SilenceStatus = 'pending' | 'active' | 'expired';

/**
A new silence from now for `durationMs`: the one way a silence is made, by the CLI (`mycotop silence`) and by the
dashboard's `s`/`S` keys alike. `matchers` usually start with `alertname`.
*/
export function newSilence(matchers: readonly Matcher[], now: number, durationMs: number, createdBy: string, comment: string): Silence {
	return {id: randomBytes(4).toString('hex'), matchers: [...matchers], startsMs: now, endsMs: now + durationMs, createdBy, comment};
}

/** The silence ended now (it stays listed as expired), or as it is when it has ended already. */
export function expiredSilence(s: Silence, now: number): Silence {
	return {...s, endsMs: Math.min(s.endsMs, now)};
}

/** Exact matchers for a rule and labels: `alertname=rule, label=value, ...`. */
export function ruleMatchers(rule: string, labels: Readonly<Record<string, string>> = {}): Matcher[] {
	return [{name: 'alertname', value: rule, isRegex: false, isEqual: true}, ...Object.entries(labels).map(([name, value]) => ({name, value, isRegex: false, isEqual: true}))];
}

export function silenceStatus(s: Silence, now: number): SilenceStatus {
	if (now >= s.endsMs) return 'expired';
	return now < s.startsMs ? 'pending' : 'active';
}

/** Labels a silence's matchers see: the alert's labels plus `alertname` (and `rule`) = the rule name. */
function silenceLabels(rule: string, labels: Labels): Labels {
	return {...labels, alertname: rule, rule};
}

/** The first active silence that matches, or undefined. */
export function silencedBy(silences: Iterable<Silence>, rule: string, labels: Labels, now: number): Silence | undefined {
	let all: Labels | undefined;
	for (const s of silences) {
		if (silenceStatus(s, now) !== 'active') continue;
		all ??= silenceLabels(rule, labels);
		if (matchersMatch(s.matchers, all)) return s;
	}
	return undefined;
}

export function silenceMatcherText(s: Silence): string {
	return s.matchers.map(matcherText).join(',');
}

/** Expired silences are kept this long (Alertmanager's --data.retention), then dropped. */
export const SILENCE_RETENTION_MS = 120 * 3_600_000;

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SEVERITIES: ReadonlySet<string> = new Set(['info', 'warning', 'critical']);

/**
The times a stored ack or silence may carry: from 1970 to the end of year 9999, what `new Date(t).toISOString()`
prints with four year digits. Anything else (NaN, 1e300, a nanosecond clock, `now + 99999999d`) is a record
that cannot be shown: it is skipped with this reason, never passed to Date.
*/
export const MAX_STORED_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function timeProblem(field: string, v: unknown): string | undefined {
	if (typeof v !== 'number') return `${field} is ${v === undefined ? 'missing' : `not a number (${typeof v})`}`;
	if (!Number.isFinite(v) || v < 0 || v > MAX_STORED_TIME_MS) return `${field} ${String(v)} is not a time mycotop can show`;
	return undefined;
}

function stringProblem(field: string, v: unknown): string | undefined {
	return typeof v === 'string' ? undefined : `${field} is ${v === undefined ? 'missing' : `not a string (${typeof v})`}`;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** An ack stored in Redis (JSON), or why it is not one (a reason for "1 stored ack skipped: ..."). */
export function decodeAck(text: string): Ack | string {
	const v = parseJson(text);
	if (!isRecord(v)) return 'not a JSON object';
	const {alertId, by, atMs, severity, comment, episodeMs, untilMs} = v;
	const problem =
		stringProblem('alertId', alertId) ??
		stringProblem('by', by) ??
		timeProblem('atMs', atMs) ??
		(episodeMs === undefined ? undefined : timeProblem('episodeMs', episodeMs)) ??
		(untilMs === undefined ? undefined : timeProblem('untilMs', untilMs)) ??
		(typeof severity === 'string' && SEVERITIES.has(severity) ? undefined : 'severity is not info, warning or critical');
	if (problem !== undefined) return problem;
	// Stored text is untrusted like any message: it reaches the screen and the CLI's output.
	return {
		alertId: sanitizeText(alertId as string),
		by: sanitizeText(by as string, {maxLength: 128}),
		atMs: atMs as number,
		severity: severity as Severity,
		...(typeof episodeMs === 'number' ? {episodeMs} : {}),
		...(typeof comment === 'string' ? {comment: sanitizeText(comment)} : {}),
		...(typeof untilMs === 'number' ? {untilMs} : {}),
	};
}

/** Parse an ack stored in Redis (JSON); undefined when it is not one. */
export function parseAck(text: string): Ack | undefined {
	const ack = decodeAck(text);
	return typeof ack === 'string' ? undefined : ack;
}

/** A silence stored in Redis (JSON), or why it is not one (a reason for "1 stored silence skipped: ..."). */
export function decodeSilence(text: string): Silence | string {
	const v = parseJson(text);
	if (!isRecord(v)) return 'not a JSON object';
	const {id, matchers, startsMs, endsMs, createdBy, comment} = v;
	const problem =
		stringProblem('id', id) ??
		(Array.isArray(matchers) ? undefined : 'matchers is not a list') ??
		timeProblem('startsMs', startsMs) ??
		timeProblem('endsMs', endsMs) ??
		stringProblem('createdBy', createdBy) ??
		stringProblem('comment', comment);
	if (problem !== undefined) return problem;
	const ms: Matcher[] = [];
	for (const m of matchers as unknown[]) {
		if (!isRecord(m) || typeof m['name'] !== 'string' || typeof m['value'] !== 'string') return 'a matcher is not {name, value}';
		const matcher: Matcher = {name: sanitizeText(m['name']), value: sanitizeText(m['value']), isRegex: m['isRegex'] === true, isEqual: m['isEqual'] !== false};
		// Written by anyone with access to Redis: a pattern RE2 refuses (or too large) skips the silence, never throws later.
		const problem = matcherProblem(matcher);
		if (problem !== undefined) return problem;
		ms.push(matcher);
	}
	if (ms.length === 0) return 'no matchers';
	return {
		id: sanitizeText(id as string),
		matchers: ms,
		startsMs: startsMs as number,
		endsMs: endsMs as number,
		createdBy: sanitizeText(createdBy as string, {maxLength: 128}),
		comment: sanitizeText(comment as string),
	};
}

/** Why a matcher cannot be used (a regular expression RE2 refuses, or too large), or undefined. */
function matcherProblem(m: Matcher): string | undefined {
	const problem = m.isRegex ? regexProblem(m.value) : undefined;
	return problem === undefined ? undefined : `matcher ${matcherText(m)}: bad regular expression: ${problem}`;
}

/** Parse a silence stored in Redis (JSON); undefined when it is not one. */
export function parseSilence(text: string): Silence | undefined {
	const silence = decodeSilence(text);
	return typeof silence === 'string' ? undefined : silence;
}

/**
Why a silence must not be stored, or undefined: times a reader could not show, or an end further than
MAX_DURATION_MS from now (the CLI's `--for` and the dashboard's `S` both end here, so neither can store what
`mycotop silences` would then fail on). Expiring one (moving its end to now) is always allowed. A minute of slack
covers the time between the duration being read and the silence being stored.
*/
export function silenceWriteProblem(s: Silence, now: number): string | undefined {
	const problem = timeProblem('start', s.startsMs) ?? timeProblem('end', s.endsMs);
	if (problem !== undefined) return problem;
	if (s.endsMs > now + MAX_DURATION_MS + 60_000) return `a silence ends at most ${MAX_DURATION_TEXT} from now`;
	if (s.matchers.length === 0) return 'a silence needs at least one matcher';
	for (const m of s.matchers) {
		const bad = matcherProblem(m);
		if (bad !== undefined) return bad;
	}
	return undefined;
}

/** Why an ack must not be stored, or undefined. */
export function ackWriteProblem(a: Ack): string | undefined {
	return (
		timeProblem('time', a.atMs) ??
		(a.episodeMs === undefined ? undefined : timeProblem('episode start', a.episodeMs)) ??
		(a.untilMs === undefined ? undefined : timeProblem('expiry', a.untilMs)) ??
		(a.untilMs !== undefined && a.untilMs > a.atMs + MAX_DURATION_MS + 60_000 ? `an acknowledgement expires at most ${MAX_DURATION_TEXT} after it is given` : undefined)
	);
}
