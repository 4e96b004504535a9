/**
Operator state, kept beside the condition state (ISA-18.2 / alerta semantics), as pure data and functions.

An acknowledgement covers one episode of one alert at the severity it was given at: it lapses when the alert
escalates, and when the alert resolves and fires again (a new episode). Every instance evaluates the rules on
its own clock, so an episode is matched with a small tolerance rather than by exact timestamps.

A silence is Alertmanager's: matchers on the rule (`alertname`) and labels, start, end, author, comment.
*/
import {sanitizeText} from '../contract/sanitize.js';
import {type Labels, type Matcher, matchersMatch, matcherText} from './labels.js';
import {SEVERITY_RANK, type Severity} from './alert-state.js';

export interface Ack {
	readonly alertId: string;
	/** user@host */
	readonly by: string;
	readonly atMs: number;
	readonly severity: Severity;
	/** When the acknowledged episode began, i.e. first went pending (as the acknowledging instance saw it). */
	readonly episodeMs?: number;
	readonly comment?: string;
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
export const EPISODE_TOLERANCE_MS = 1250;

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

export function silenceStatus(s: Silence, now: number): SilenceStatus {
	if (now >= s.endsMs) return 'expired';
	return now < s.startsMs ? 'pending' : 'active';
}

/** Labels a silence's matchers see: the alert's labels plus `alertname` (and `rule`) = the rule name. */
export function silenceLabels(rule: string, labels: Labels): Labels {
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

/** Parse an ack stored in Redis (JSON); undefined when it is not one. */
export function parseAck(text: string): Ack | undefined {
	try {
		const v: unknown = JSON.parse(text);
		if (!isRecord(v)) return undefined;
		const {alertId, by, atMs, severity, comment, episodeMs} = v;
		if (typeof alertId !== 'string' || typeof by !== 'string' || typeof atMs !== 'number' || typeof severity !== 'string' || !SEVERITIES.has(severity))
			return undefined;
		// Stored text is untrusted like any message: it reaches the screen and the CLI's output.
		return {
			alertId: sanitizeText(alertId),
			by: sanitizeText(by, {maxLength: 128}),
			atMs,
			severity: severity as Severity,
			...(typeof episodeMs === 'number' ? {episodeMs} : {}),
			...(typeof comment === 'string' ? {comment: sanitizeText(comment)} : {}),
		};
	} catch {
		return undefined;
	}
}

/** Parse a silence stored in Redis (JSON); undefined when it is not one. */
export function parseSilence(text: string): Silence | undefined {
	try {
		const v: unknown = JSON.parse(text);
		if (!isRecord(v)) return undefined;
		const {id, matchers, startsMs, endsMs, createdBy, comment} = v;
		if (typeof id !== 'string' || !Array.isArray(matchers) || typeof startsMs !== 'number' || typeof endsMs !== 'number') return undefined;
		if (typeof createdBy !== 'string' || typeof comment !== 'string') return undefined;
		const ms: Matcher[] = [];
		for (const m of matchers) {
			if (!isRecord(m) || typeof m['name'] !== 'string' || typeof m['value'] !== 'string') return undefined;
			ms.push({name: sanitizeText(m['name']), value: sanitizeText(m['value']), isRegex: m['isRegex'] === true, isEqual: m['isEqual'] !== false});
		}
		if (ms.length === 0) return undefined;
		return {id: sanitizeText(id), matchers: ms, startsMs, endsMs, createdBy: sanitizeText(createdBy, {maxLength: 128}), comment: sanitizeText(comment)};
	} catch {
		return undefined;
	}
}
