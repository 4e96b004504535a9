/**
A receiver's state (ReceiverState) as pure updates: what the alert pane, `--once` and `mycotop notify test` show.
Errors arrive already redacted (the senders never report a URL, key or token); they are cut to one short line.
*/
import {sanitizeText} from '../contract/sanitize.js';
import {type ReceiverState, type ReceiverType} from './notify-types.js';

const MAX_ERROR_LENGTH = 160;

export function initialState(name: string, type: ReceiverType): ReceiverState {
	return {name, type, queued: 0};
}

export function withQueued(state: ReceiverState, queued: number): ReceiverState {
	return state.queued === queued ? state : {...state, queued};
}

/** One more notification dropped because the queue was full. */
export function withDropped(state: ReceiverState): ReceiverState {
	return {...state, dropped: (state.dropped ?? 0) + 1};
}

/** A delivery went through: the last error stays (with its time) for the record, but the receiver is healthy again. */
export function withSuccess(state: ReceiverState, atMs: number): ReceiverState {
	const {misconfigured: _gone, rateLimitedUntilMs: _limit, rateLimitedAtMs: _at, ...rest} = state;
	return {...rest, lastSuccessMs: atMs};
}

/** A 429 at `atMs`: the receiver is well, only busy, and is tried again at `untilMs`; not an error (nor is one before it). */
export function withRateLimit(state: ReceiverState, atMs: number, untilMs: number): ReceiverState {
	return {...state, rateLimitedAtMs: atMs, rateLimitedUntilMs: untilMs};
}

/** Whether a 429 still holds the receiver back at `now`. */
export function rateLimited(state: ReceiverState, now: number): boolean {
	return state.rateLimitedUntilMs !== undefined && state.rateLimitedUntilMs > now && !failing(state);
}

export function withError(state: ReceiverState, error: string, atMs: number, misconfigured: boolean): ReceiverState {
	const {misconfigured: _was, rateLimitedUntilMs: _limit, rateLimitedAtMs: _at, ...rest} = state;
	return {...rest, lastError: sanitizeText(error, {maxLength: MAX_ERROR_LENGTH}), lastErrorMs: atMs, ...(misconfigured ? {misconfigured: true} : {})};
}

/** Whether the receiver's last word is an error (no success, nor a 429's answer, since). */
export function failing(state: ReceiverState): boolean {
	if (state.lastErrorMs === undefined) return false;
	return (state.lastSuccessMs === undefined || state.lastSuccessMs < state.lastErrorMs) && (state.rateLimitedAtMs === undefined || state.rateLimitedAtMs < state.lastErrorMs);
}

/** One line per receiver, as `--once` prints it and the alert pane shows it: "slack ok 2m ago, 0 queued". */
export function receiverStateText(state: ReceiverState, now: number, age: (ms: number) => string): string {
	const parts: string[] = [`${state.name} (${state.type})`];
	if (state.misconfigured && failing(state)) parts.push('MISCONFIGURED');
	if (failing(state)) parts.push(`failing since ${age(now - state.lastErrorMs!)}: ${state.lastError ?? ''}`);
	else if (state.lastSuccessMs !== undefined) parts.push(`ok, last sent ${age(now - state.lastSuccessMs)} ago`);
	else parts.push('nothing sent yet');
	if (rateLimited(state, now)) parts[parts.length - 1] += `, rate limited: retrying in ${Math.ceil((state.rateLimitedUntilMs! - now) / 1000)} s`;
	if (state.queued > 0) parts.push(`${state.queued} queued`);
	if (state.dropped !== undefined && state.dropped > 0) parts.push(`${state.dropped} dropped (queue full)`);
	return parts.join('  ');
}

/** A receiver state read back from Redis (written by the writer instance), or undefined when it is not one. */
export function decodeReceiverState(text: string): ReceiverState | undefined {
	try {
		const v = JSON.parse(text) as Record<string, unknown>;
		const types = ['webhook', 'slack', 'pagerduty', 'ntfy', 'command'];
		if (typeof v['name'] !== 'string' || typeof v['type'] !== 'string' || !types.includes(v['type'])) return undefined;
		const time = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 4_102_444_800_000 ? x : undefined);
		const queued = typeof v['queued'] === 'number' && Number.isInteger(v['queued']) && v['queued'] >= 0 && v['queued'] <= 1e6 ? v['queued'] : 0;
		const dropped = typeof v['dropped'] === 'number' && Number.isInteger(v['dropped']) && v['dropped'] > 0 && v['dropped'] <= 1e12 ? v['dropped'] : undefined;
		const success = time(v['lastSuccessMs']);
		const errorMs = time(v['lastErrorMs']);
		const limitedUntil = time(v['rateLimitedUntilMs']);
		const limitedAt = time(v['rateLimitedAtMs']);
		return {
			name: sanitizeText(v['name'], {maxLength: 64}),
			type: v['type'] as ReceiverType,
			queued,
			...(dropped !== undefined ? {dropped} : {}),
			...(success !== undefined ? {lastSuccessMs: success} : {}),
			...(errorMs !== undefined && typeof v['lastError'] === 'string' ? {lastErrorMs: errorMs, lastError: sanitizeText(v['lastError'], {maxLength: MAX_ERROR_LENGTH})} : {}),
			...(v['misconfigured'] === true ? {misconfigured: true} : {}),
			...(limitedUntil !== undefined ? {rateLimitedUntilMs: limitedUntil} : {}),
			...(limitedAt !== undefined ? {rateLimitedAtMs: limitedAt} : {}),
		};
	} catch {
		return undefined;
	}
}
