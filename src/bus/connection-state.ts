/** The visible state of the Redis link, as a pure reducer over connection events. */

export type ConnectionState =
	| {readonly kind: 'connecting'; readonly sinceMs: number}
	| {readonly kind: 'connected'; readonly sinceMs: number}
	| {readonly kind: 'reconnecting'; readonly sinceMs: number; readonly lastError: string}
	| {readonly kind: 'unreachable'; readonly sinceMs: number; readonly lastError: string}
	| {readonly kind: 'auth-failed'; readonly sinceMs: number; readonly lastError: string}
	| {readonly kind: 'stopped'; readonly sinceMs: number};

export type ConnectionEvent =
	| {readonly type: 'ready'}
	| {readonly type: 'error'; readonly message: string}
	| {readonly type: 'close'}
	| {readonly type: 'end'};

/** Error texts Redis returns for a wrong password or an ACL refusal: retrying quickly will not help. */
export function isAuthError(message: string): boolean {
	return /WRONGPASS|NOAUTH|NOPERM|invalid (username-)?password|AUTH failed|ERR AUTH/i.test(message);
}

/** Short human form of a connection error (ECONNREFUSED and friends). */
export function describeError(message: string): string {
	if (/ECONNREFUSED/.test(message)) return 'connection refused';
	if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'host not found';
	if (/ETIMEDOUT|timed out|Socket timeout/i.test(message)) return 'timed out';
	if (/ECONNRESET/.test(message)) return 'connection reset';
	if (/certificate|SSL|TLS/i.test(message)) return `TLS: ${message.slice(0, 120)}`;
	if (/WRONGPASS|invalid username-password/i.test(message)) return 'authentication failed (wrong user or password)';
	if (/NOAUTH/.test(message)) return 'authentication required (no password given)';
	if (/NOPERM/.test(message)) return `ACL refused: ${message.replace(/^.*NOPERM\s*/, '').slice(0, 120)}`;
	return message.slice(0, 160);
}

export function nextConnectionState(state: ConnectionState, event: ConnectionEvent, now: number): ConnectionState {
	switch (event.type) {
		case 'ready':
			return state.kind === 'connected' ? state : {kind: 'connected', sinceMs: now};
		case 'error': {
			const lastError = describeError(event.message);
			if (isAuthError(event.message)) return {kind: 'auth-failed', sinceMs: state.kind === 'auth-failed' ? state.sinceMs : now, lastError};
			if (state.kind === 'connected') return {kind: 'reconnecting', sinceMs: now, lastError};
			if (state.kind === 'connecting' || state.kind === 'unreachable') return {kind: 'unreachable', sinceMs: state.sinceMs, lastError};
			if (state.kind === 'reconnecting') return {...state, lastError};
			return state;
		}
		case 'close':
			if (state.kind === 'connected') return {kind: 'reconnecting', sinceMs: now, lastError: 'connection closed'};
			return state;
		case 'end':
			return {kind: 'stopped', sinceMs: now};
	}
}

/** One-line description for the header and the headless log, e.g. "reconnecting 3s (connection refused)". */
export function describeConnection(state: ConnectionState, now: number): string {
	const seconds = Math.max(0, Math.round((now - state.sinceMs) / 1000));
	switch (state.kind) {
		case 'connecting':
			return 'connecting';
		case 'connected':
			return 'connected';
		case 'reconnecting':
			return `reconnecting ${seconds}s (${state.lastError})`;
		case 'unreachable':
			return `unreachable ${seconds}s (${state.lastError})`;
		case 'auth-failed':
			return `auth failed: ${state.lastError}`;
		case 'stopped':
			return 'stopped';
	}
}
