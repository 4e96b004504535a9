/**
What a payload builder hands delivery: an HTTP request (or, for the command receiver, a program to run with its
stdin), fully formed, and no I/O. A request carries its receiver's secrets (the URL, an Authorization header,
PagerDuty's routing key in the body), so it is sealed: printing it, `String()`, `JSON.stringify` and
`util.inspect` show only `POST to <type> receiver <name> (<key>)`. Its fields are read as usual by whoever sends it.
*/
import {isoTime} from '../contract/time.js';
import {type ReceiverType} from './notify-types.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export interface HttpRequest {
	readonly method: 'POST';
	readonly url: string;
	readonly headers: Readonly<Record<string, string>>;
	readonly body: string;
	/** Tells the requests of one notification apart (PagerDuty sends one event per alert): `trigger:<dedup_key>`. */
	readonly key: string;
}

interface CommandRequest {
	/** The program and its arguments: run without a shell. */
	readonly argv: readonly string[];
	/** The webhook payload (JSON), written to the program's stdin. */
	readonly stdin: string;
	readonly timeoutMs: number;
	readonly key: string;
}

export type Delivery = {readonly type: 'http'; readonly requests: readonly HttpRequest[]} | {readonly type: 'command'; readonly command: CommandRequest};

/** What the builders need besides the notification: all of it from the caller, so they stay pure. */
export interface PayloadContext {
	/** Now (ms), for "since 5m" in messages. */
	readonly nowMs: number;
	/** notify.external_url ('' when unset). */
	readonly externalUrl: string;
	/** Where the alerts come from (PagerDuty's `source`): the host name. */
	readonly source: string;
}

/** `request` with toString, toJSON and inspect that name it without its URL, headers or body. */
export function sealed<T extends object>(request: T, type: ReceiverType, receiver: string, key: string): T {
	const text = `${type === 'command' ? 'command' : 'POST'} to ${type} receiver ${receiver} (${key})`;
	for (const name of ['toString', 'toJSON'] as const) Object.defineProperty(request, name, {value: () => text, enumerable: false});
	Object.defineProperty(request, INSPECT, {value: () => text, enumerable: false});
	return request;
}

/** RFC 3339, as Alertmanager writes times. */
export function rfc3339(ms: number): string {
	return isoTime(ms);
}

/** Alertmanager's endsAt for an alert still firing: Go's zero time. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** At most `max` UTF-16 units, never splitting a surrogate pair, ending in `…` when cut. */
export function truncateText(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = max - 1;
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end -= 1;
	return `${text.slice(0, end)}…`;
}

/** At most `max` UTF-8 bytes, cut at a character boundary, ending in `…` when cut. */
export function truncateBytes(text: string, max: number): string {
	if (Buffer.byteLength(text, 'utf8') <= max) return text;
	let out = '';
	let bytes = 0;
	for (const ch of text) {
		const size = Buffer.byteLength(ch, 'utf8');
		if (bytes + size > max - 3) break;
		out += ch;
		bytes += size;
	}
	return `${out}…`;
}

/** A duration for a message: `45s`, `5m`, `2h10m`, `3d`. */
export function ago(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	if (s < 60) return `${s}s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m}m`;
	const h = Math.floor(m / 60);
	if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
	return `${Math.floor(h / 24)}d`;
}
