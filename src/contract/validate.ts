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
import {sanitizeText} from './sanitize.js';
import {keyId, textId} from './ids.js';
import {
	MAX_ABS_LOSS,
	MAX_DURATION_SECONDS,
	MAX_MESSAGE_BYTES,
	MAX_PID,
	MAX_STEP,
	MAX_TASK_COUNT,
	MAX_WER,
} from './limits.js';
import {readTime, type ReadTime, type TimeNote} from './time.js';

export {timestampMs} from './time.js';

/**
A parsed message, or why it was refused. `timeNote` says when its time was clamped or converted (limits.ts); the
store counts those.
*/
export type ParseResult =
	| {readonly ok: true; readonly event: BusEvent; readonly timeNote?: TimeNote}
	| {readonly ok: false; readonly reason: string};

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

/** A finite number (or numeric string) within [min, max], else undefined. */
export function boundedNumber(value: unknown, min: number, max: number): number | undefined {
	const n = finiteNumber(value);
	return n !== undefined && n >= min && n <= max ? n : undefined;
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
NaN, ±Infinity, or a finite number within [min, max]. Non-finite values are data (a diverged run), finite ones
beyond the bounds are not a value any trainer computed.
*/
function metricNumber(value: unknown, min: number, max: number): number | undefined {
	const n = anyNumber(value);
	if (n === undefined) return undefined;
	return !Number.isFinite(n) || (n >= min && n <= max) ? n : undefined;
}

/** A training loss: NaN / ±Infinity, or finite within ±MAX_ABS_LOSS. */
export const lossValue = (value: unknown) => metricNumber(value, -MAX_ABS_LOSS, MAX_ABS_LOSS);
/** A WER: NaN / ±Infinity, or finite within 0..MAX_WER. */
export const werValue = (value: unknown) => metricNumber(value, 0, MAX_WER);
/** A training step: 0..MAX_STEP. */
export const stepValue = (value: unknown) => boundedNumber(value, 0, MAX_STEP);
/**
A process id: an integer 1..MAX_PID, as a JSON number or a string of plain decimal digits (no sign, spaces, fraction,
exponent or hex: `"0x10"` and `"1e3"` are not pids).
*/
export function pidValue(value: unknown): number | undefined {
	const n = typeof value === 'number' ? value : typeof value === 'string' && /^[1-9][0-9]{0,6}$/.test(value) ? Number(value) : Number.NaN;
	return Number.isSafeInteger(n) && n >= 1 && n <= MAX_PID ? n : undefined;
}
/** A duration in seconds: 0..MAX_DURATION_SECONDS. */
export const durationValue = (value: unknown) => boundedNumber(value, 0, MAX_DURATION_SECONDS);

/**
A terminal-safe identifier that is not part of a key name (taskId, errorId, status): see ids.ts. Live messages
and everything read back from Redis at start go through it or through `keyId`.
*/
export const identifier = textId;
export {keyId} from './ids.js';

/** Message size in UTF-8 bytes without encoding it when the UTF-16 length already decides. */
function tooLarge(raw: string): boolean {
	if (raw.length > MAX_MESSAGE_BYTES) return true;
	return raw.length * 3 > MAX_MESSAGE_BYTES && Buffer.byteLength(raw, 'utf8') > MAX_MESSAGE_BYTES;
}

/**
The message's `timestamp` for the strict channels (training, task): a problem rejects the message. What is stored
is a zoned ISO string or epoch ms (time.ts `readTime`), so every reader's `new Date(timestamp)` gets the same time.
*/
function timestampField(json: Json, now: number): ReadTime | string {
	return readTime(json['timestamp'], now);
}

/**
The lenient channels' time (agent, error, workflow, external alert): a missing, unreadable or out-of-window
timestamp is the receive time, never a reject; a future one is clamped like everywhere.
*/
function lenientTime(json: Json, now: number): {readonly timeMs: number; readonly note?: TimeNote} {
	const time = readTime(json['timestamp'], now);
	return typeof time === 'string' ? {timeMs: now} : time;
}

const accept = (event: BusEvent, note: TimeNote | undefined): ParseResult => (note === undefined ? {ok: true, event} : {ok: true, event, timeNote: note});

/**
The optional `pid` and `host` of a training message (ours: they tie a project to its GPU processes). Absent or null
is fine; present and wrong rejects the message with the reason, like a bad `wer`. `host` is a key-safe id (ids.ts).
*/
function trainerProcess(json: Json): {pid?: number; host?: string} | string | undefined {
	const rawPid = json['pid'];
	const rawHost = json['host'];
	const hasPid = rawPid !== undefined && rawPid !== null;
	const hasHost = rawHost !== undefined && rawHost !== null;
	if (!hasPid && !hasHost) return undefined;
	const pid = hasPid ? pidValue(rawPid) : undefined;
	if (hasPid && pid === undefined) return 'training: invalid pid';
	const host = hasHost && typeof rawHost === 'string' ? keyId(rawHost) : undefined;
	if (hasHost && host === undefined) return 'training: invalid host';
	return {...(pid !== undefined ? {pid} : {}), ...(host !== undefined ? {host} : {})};
}

function training(json: Json, now: number): ParseResult {
	const projectId = keyId(json['projectId']);
	if (projectId === undefined) return reject('training: invalid projectId');
	const step = stepValue(json['step']);
	if (step === undefined) return reject('training: invalid step');
	const loss = lossValue(json['loss']);
	if (loss === undefined) return reject('training: invalid loss');
	let wer: number | undefined;
	if (json['wer'] !== undefined && json['wer'] !== null) {
		wer = werValue(json['wer']);
		if (wer === undefined) return reject('training: invalid wer');
	}
	const where = trainerProcess(json);
	if (typeof where === 'string') return reject(where);
	const time = timestampField(json, now);
	if (typeof time === 'string') return reject(`training: ${time}`);
	const base: TrainingProgress =
		wer === undefined
			? {kind: 'training', projectId, step, loss, timestamp: time.timestamp, timeMs: time.timeMs}
			: {kind: 'training', projectId, step, loss, wer, timestamp: time.timestamp, timeMs: time.timeMs};
	return accept(where === undefined ? base : {...base, ...where}, time.note);
}

function task(json: Json, now: number): ParseResult {
	const taskId = identifier(json['taskId']);
	if (taskId === undefined) return reject('task: invalid taskId');
	const status = identifier(json['status']);
	if (status === undefined) return reject('task: invalid status');
	const agent = keyId(json['agent']);
	if (agent === undefined) return reject('task: invalid agent');
	let durationSeconds: number | undefined;
	if (json['duration_seconds'] !== undefined && json['duration_seconds'] !== null) {
		durationSeconds = durationValue(json['duration_seconds']);
		if (durationSeconds === undefined) return reject('task: invalid duration_seconds');
	}
	const time = timestampField(json, now);
	if (typeof time === 'string') return reject(`task: ${time}`);
	const lower = status.toLowerCase();
	const event: TaskUpdate =
		durationSeconds === undefined
			? {kind: 'task', taskId, status: lower, agent, timestamp: time.timestamp, timeMs: time.timeMs}
			: {kind: 'task', taskId, status: lower, agent, durationSeconds, timestamp: time.timestamp, timeMs: time.timeMs};
	return accept(event, time.note);
}

function agent(json: Json, now: number): ParseResult {
	const agentType = keyId(json['agentType']);
	if (agentType === undefined) return reject('agent: invalid agentType');
	const status = json['status'];
	if (status !== 'busy' && status !== 'idle') return reject('agent: status must be busy or idle');
	let taskCount = 0;
	if (json['taskCount'] !== undefined && json['taskCount'] !== null) {
		const n = boundedNumber(json['taskCount'], 0, MAX_TASK_COUNT);
		if (n === undefined) return reject('agent: invalid taskCount');
		taskCount = Math.round(n);
	}
	const time = lenientTime(json, now);
	return accept({kind: 'agent', agentType, status, taskCount, timeMs: time.timeMs} satisfies AgentStatus, time.note);
}

function criticalError(json: Json, now: number): ParseResult {
	const errorId = identifier(json['errorId']);
	if (errorId === undefined) return reject('error: invalid errorId');
	const text = typeof json['message'] === 'string' ? sanitizeText(json['message']) : undefined;
	const time = lenientTime(json, now);
	const event: CriticalError = {kind: 'error', errorId, ...(text === undefined ? {} : {message: text}), timeMs: time.timeMs};
	return accept(event, time.note);
}

function workflow(json: Json, now: number): ParseResult {
	const workflowId = keyId(json['workflowId']);
	if (workflowId === undefined) return reject('workflow: invalid workflowId');
	const stepId = keyId(json['stepId']);
	if (stepId === undefined) return reject('workflow: invalid stepId');
	const durationSeconds = durationValue(json['duration'] ?? json['duration_seconds']);
	if (durationSeconds === undefined) return reject('workflow: invalid duration');
	const time = lenientTime(json, now);
	return accept({kind: 'workflow', workflowId, stepId, durationSeconds, timeMs: time.timeMs} satisfies WorkflowStep, time.note);
}

function externalAlert(channel: string, json: Json, now: number): ParseResult {
	const pick = (value: unknown, fallback: string) =>
		typeof value === 'string' && value.length > 0 ? sanitizeText(value, {maxLength: 200}) : fallback;
	const time = lenientTime(json, now);
	const event: ExternalAlert = {
		kind: 'external-alert',
		channel,
		severity: pick(json['severity'], 'info').toLowerCase(),
		type: pick(json['type'] ?? json['rule'], 'unknown'),
		message: pick(json['message'] ?? json['recommendation'], ''),
		source: pick(json['source'], ''),
		timeMs: time.timeMs,
	};
	return accept(event, time.note);
}

const ALERT_CHANNEL_SET: ReadonlySet<string> = new Set(Object.values(ALERT_CHANNELS));

/** Validate one raw message from `channel`. `now` is the receive time (epoch ms). */
export function parseMessage(channel: string, raw: string, now: number): ParseResult {
	if (tooLarge(raw)) return reject('payload too large');
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
