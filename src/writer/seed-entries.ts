/**
The seed's persistence shapes (Patterns 1, 2 and 4), as pure functions: the exact JSON list entries and hash
fields the seed writes, so other agents keep reading what they expect.
*/
import {type TaskUpdate} from '../contract/events.js';
import {isoTime} from '../contract/time.js';

/** A JSON string literal; quoting directly when nothing needs escaping (timestamps almost never do). */
function plainJsonString(text: string): string {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(text);
	}
	return `"${text}"`;
}

/** An entry's timestamp as JSON: a number as is, a string quoted (escaped only when it has to be). */
export function timestampJson(timestamp: string | number): string {
	return typeof timestamp === 'number' ? String(timestamp) : plainJsonString(timestamp);
}

/**
`{"step":..,"value":..,"timestamp":..}` built as a string: this runs once per message, and for finite numbers
JSON's number form is String(n), so it is byte-identical to JSON.stringify of the object and about 3x cheaper.
`timestamp` is already JSON (timestampJson). The writer's hot path encodes the same bytes without this string
(resp-encode.ts EncodedEntries.pushStepEntry); this is the reference it is tested against, and its fallback.
*/
export function stepEntry(step: number, value: number, timestamp: string): string {
	const v = Number.isFinite(value) ? String(value) : `"${String(value)}"`;
	return `{"step":${step},"value":${v},"timestamp":${timestamp}}`;
}

/** `metrics:training:{id}:current` fields from a project's latest values. */
export function trainingCurrentFields(event: {readonly loss: number; readonly wer?: number | undefined; readonly timestamp: string | number}): Record<string, string> {
	const fields: Record<string, string> = {loss: String(event.loss), last_updated: String(event.timestamp)};
	if (event.wer !== undefined) fields['wer'] = String(event.wer);
	return fields;
}

/** `metrics:tasks:completion_times` entry: {taskId, agent, duration, timestamp}. */
export function completionEntry(event: TaskUpdate): string {
	// Byte-identical to the seed's JSON.stringify({taskId, agent, duration, timestamp}): a task without
	// duration_seconds has no `duration` field (JSON.stringify drops undefined); a duration is a finite number.
	const duration = event.durationSeconds === undefined ? '' : `,"duration":${String(event.durationSeconds)}`;
	return `{"taskId":${plainJsonString(event.taskId)},"agent":${plainJsonString(event.agent)}${duration},"timestamp":${timestampJson(event.timestamp)}}`;
}

/** `metrics:workflow:{wf}:step:{step}:durations` entry: {duration, timestamp}. */
export function workflowEntry(durationSeconds: number, timeMs: number): string {
	return JSON.stringify({duration: durationSeconds, timestamp: isoTime(timeMs)});
}

/** A figure as a hash field value: fixed precision, never "NaN" for an empty aggregate. */
export function figure(value: number, digits = 2): string {
	if (!Number.isFinite(value)) return '0';
	return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}
