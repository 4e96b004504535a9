/**
One validator per incoming message shape. `parseMessage(channel, raw)` never throws: it returns the typed event
or a reject with a short machine-readable reason, which the store counts and the UI shows.
*/
import {
	type AgentStatus,
	type BusEvent,
	type CriticalError,
	type ExternalAlert,
	type TaskUpdate,
	type TrainingProgress,
	type WorkflowStep,
} from './events.js';
import {ALERT_CHANNELS, INPUT_CHANNELS} from './names.js';
import {isTerminalSafe, sanitizeText} from './sanitize.js';

export type ParseResult = {readonly ok: true; readonly event: BusEvent} | {readonly ok: false; readonly reason: string};

/** Messages larger than this are refused before parsing. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Longest identifier (project, agent, task, ...) accepted. */
export const MAX_ID_LENGTH = 128;

type Json = Record<string, unknown>;

const reject = (reason: string): ParseResult => ({ok: false, reason});

/**
JSON.parse, tolerating the bare NaN / Infinity / -Infinity tokens that Python's json.dumps emits
(a diverging PyTorch run sends exactly these). They become the strings "NaN", "Infinity", "-Infinity".
*/
export function parseJsonTolerant(raw: string): unknown {
	try {
		return JSON.parse(raw);
	} catch (error) {
		if (!/NaN|Infinity/.test(raw)) throw error;
		return JSON.parse(raw.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (match, str: string | undefined) =>
			str === undefined ? `"${match}"` : match,
		));
	}
}

/** A finite number, or a numeric string. */
function finiteNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '') {
		const n = Number(value);
		return Number.isFinite(n) ? n : undefined;
	}
	return undefined;
}

/** Any number including NaN and ±Infinity (also as the strings "NaN", "Infinity", "inf", ...). */
function anyNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return value;
	if (typeof value !== 'string') return undefined;
	const text = value.trim().toLowerCase();
	if (text === 'nan') return Number.NaN;
	if (text === 'infinity' || text === 'inf' || text === '+infinity' || text === '+inf') return Number.POSITIVE_INFINITY;
	if (text === '-infinity' || text === '-inf') return Number.NEGATIVE_INFINITY;
	return finiteNumber(value);
}

/**
A non-empty identifier without whitespace, control characters or glob characters, at most MAX_ID_LENGTH long.
Live messages and everything read back from Redis at start (key names, stored entries) go through it.
*/
export function identifier(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
	if (typeof value !== 'string') return undefined;
	if (value.length === 0 || value.length > MAX_ID_LENGTH) return undefined;
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		// Printable ASCII except space and the glob characters * ? [ ] is the common case: one comparison each.
		if (code > 0x20 && code < 0x7f && code !== 0x2a && code !== 0x3f && code !== 0x5b && code !== 0x5d) continue;
		if (code < 0x7f) return undefined;
		if (!isTerminalSafe(value) || /\s/.test(value)) return undefined;
		break;
	}
	return value;
}

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
export function parseIsoUtc(text: string): number | undefined {
	const n = text.length;
	if ((n !== 20 && n !== 24) || text.charCodeAt(n - 1) !== 90 /* Z */ || text[10] !== 'T' || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':')
		return undefined;
	const ms = n === 24 ? (text[19] === '.' ? digits(text, 20, 3) : Number.NaN) : 0;
	const t = Date.UTC(digits(text, 0, 4), digits(text, 5, 2) - 1, digits(text, 8, 2), digits(text, 11, 2), digits(text, 14, 2), digits(text, 17, 2), ms);
	return Number.isNaN(t) ? undefined : t;
}

/** Epoch ms from an ISO string or a number (seconds or milliseconds); undefined when unreadable. */
export function timestampMs(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
	if (typeof value === 'string') {
		const fast = parseIsoUtc(value);
		if (fast !== undefined) return fast;
		const asNumber = Number(value);
		if (value.trim() !== '' && Number.isFinite(asNumber)) return asNumber < 1e11 ? asNumber * 1000 : asNumber;
		const parsed = Date.parse(value);
		return Number.isNaN(parsed) ? undefined : parsed;
	}
	return undefined;
}

function timestampField(json: Json, now: number): {timestamp: string | number; timeMs: number} | string {
	const value = json['timestamp'];
	if (value === undefined || value === null) return {timestamp: new Date(now).toISOString(), timeMs: now};
	if (typeof value === 'string') {
		// The common UTC form is digits and -:.TZ only: already terminal-safe, no need to sanitize it.
		const fast = parseIsoUtc(value);
		if (fast !== undefined) return {timestamp: value, timeMs: fast};
	}
	const ms = timestampMs(value);
	if (ms === undefined) return 'invalid timestamp';
	return {timestamp: typeof value === 'number' ? value : sanitizeText(String(value), {maxLength: 64}), timeMs: ms};
}

function training(json: Json, now: number): ParseResult {
	const projectId = identifier(json['projectId']);
	if (projectId === undefined) return reject('training: invalid projectId');
	const step = finiteNumber(json['step']);
	if (step === undefined || step < 0) return reject('training: invalid step');
	const loss = anyNumber(json['loss']);
	if (loss === undefined) return reject('training: invalid loss');
	let wer: number | undefined;
	if (json['wer'] !== undefined && json['wer'] !== null) {
		wer = anyNumber(json['wer']);
		if (wer === undefined) return reject('training: invalid wer');
	}
	const time = timestampField(json, now);
	if (typeof time === 'string') return reject(`training: ${time}`);
	const event: TrainingProgress =
		wer === undefined
			? {kind: 'training', projectId, step, loss, timestamp: time.timestamp, timeMs: time.timeMs}
			: {kind: 'training', projectId, step, loss, wer, timestamp: time.timestamp, timeMs: time.timeMs};
	return {ok: true, event};
}

function task(json: Json, now: number): ParseResult {
	const taskId = identifier(json['taskId']);
	if (taskId === undefined) return reject('task: invalid taskId');
	const status = identifier(json['status']);
	if (status === undefined) return reject('task: invalid status');
	const agent = identifier(json['agent']);
	if (agent === undefined) return reject('task: invalid agent');
	let durationSeconds: number | undefined;
	if (json['duration_seconds'] !== undefined && json['duration_seconds'] !== null) {
		durationSeconds = finiteNumber(json['duration_seconds']);
		if (durationSeconds === undefined || durationSeconds < 0) return reject('task: invalid duration_seconds');
	}
	const time = timestampField(json, now);
	if (typeof time === 'string') return reject(`task: ${time}`);
	const lower = status.toLowerCase();
	const event: TaskUpdate =
		durationSeconds === undefined
			? {kind: 'task', taskId, status: lower, agent, timestamp: time.timestamp, timeMs: time.timeMs}
			: {kind: 'task', taskId, status: lower, agent, durationSeconds, timestamp: time.timestamp, timeMs: time.timeMs};
	return {ok: true, event};
}

function agent(json: Json, now: number): ParseResult {
	const agentType = identifier(json['agentType']);
	if (agentType === undefined) return reject('agent: invalid agentType');
	const status = json['status'];
	if (status !== 'busy' && status !== 'idle') return reject('agent: status must be busy or idle');
	let taskCount = 0;
	if (json['taskCount'] !== undefined && json['taskCount'] !== null) {
		const n = finiteNumber(json['taskCount']);
		if (n === undefined || n < 0) return reject('agent: invalid taskCount');
		taskCount = Math.round(n);
	}
	const time = timestampField(json, now);
	const event: AgentStatus = {kind: 'agent', agentType, status, taskCount, timeMs: typeof time === 'string' ? now : time.timeMs};
	return {ok: true, event};
}

function criticalError(json: Json, now: number): ParseResult {
	const errorId = identifier(json['errorId']);
	if (errorId === undefined) return reject('error: invalid errorId');
	const text = typeof json['message'] === 'string' ? sanitizeText(json['message']) : undefined;
	const time = timestampField(json, now);
	const event: CriticalError = {
		kind: 'error',
		errorId,
		...(text === undefined ? {} : {message: text}),
		timeMs: typeof time === 'string' ? now : time.timeMs,
	};
	return {ok: true, event};
}

function workflow(json: Json, now: number): ParseResult {
	const workflowId = identifier(json['workflowId']);
	if (workflowId === undefined) return reject('workflow: invalid workflowId');
	const stepId = identifier(json['stepId']);
	if (stepId === undefined) return reject('workflow: invalid stepId');
	const durationSeconds = finiteNumber(json['duration'] ?? json['duration_seconds']);
	if (durationSeconds === undefined || durationSeconds < 0) return reject('workflow: invalid duration');
	const time = timestampField(json, now);
	const event: WorkflowStep = {kind: 'workflow', workflowId, stepId, durationSeconds, timeMs: typeof time === 'string' ? now : time.timeMs};
	return {ok: true, event};
}

function externalAlert(channel: string, json: Json, now: number): ParseResult {
	const pick = (value: unknown, fallback: string) =>
		typeof value === 'string' && value.length > 0 ? sanitizeText(value, {maxLength: 200}) : fallback;
	const time = timestampField(json, now);
	const event: ExternalAlert = {
		kind: 'external-alert',
		channel,
		severity: pick(json['severity'], 'info').toLowerCase(),
		type: pick(json['type'] ?? json['rule'], 'unknown'),
		message: pick(json['message'] ?? json['recommendation'], ''),
		source: pick(json['source'], ''),
		timeMs: typeof time === 'string' ? now : time.timeMs,
	};
	return {ok: true, event};
}

const ALERT_CHANNEL_SET: ReadonlySet<string> = new Set(Object.values(ALERT_CHANNELS));

/** Validate one raw message from `channel`. `now` is the receive time (epoch ms). */
export function parseMessage(channel: string, raw: string, now: number): ParseResult {
	if (raw.length > MAX_MESSAGE_BYTES) return reject('payload too large');
	let value: unknown;
	try {
		value = parseJsonTolerant(raw);
	} catch {
		return reject('not JSON');
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return reject('not a JSON object');
	const json = value as Json;
	switch (channel) {
		case INPUT_CHANNELS.trainingProgress:
			return training(json, now);
		case INPUT_CHANNELS.taskUpdates:
			return task(json, now);
		case INPUT_CHANNELS.agentStatus:
			return agent(json, now);
		case INPUT_CHANNELS.errorsCritical:
			return criticalError(json, now);
		case INPUT_CHANNELS.workflowSteps:
			return workflow(json, now);
		default:
			if (ALERT_CHANNEL_SET.has(channel)) return externalAlert(channel, json, now);
			return reject('unknown channel');
	}
}
