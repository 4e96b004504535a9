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

/** Data is stale when nothing (message or heartbeat reply) came from Redis for this long after the last data. */
export function staleAfterMs(heartbeatMs: number): number {
	return Math.round(heartbeatMs * 1.5 + 500);
}

/** Milliseconds since the last data from Redis when that is longer than `staleMs`, else undefined (fresh). */
export function staleForMs(lastDataMs: number | undefined, now: number, staleMs: number): number | undefined {
	if (lastDataMs === undefined) return undefined;
	const age = now - lastDataMs;
	return age > staleMs ? age : undefined;
}

export interface LinkHealth {
	/** Set when the data shown is stale: ms since the last data from Redis. */
	readonly staleMs: number | undefined;
	/** Subscriber connections lost after being up: each one a gap in which pub/sub messages were lost. */
	readonly gaps: number;
	/** Duration of the last gap (lost until subscribed again), when known. */
	readonly lastGapMs: number | undefined;
	/** The writer lease was refused by an ACL (a viewer account). */
	readonly leaseRefused?: boolean;
}

/** The tail of the header's bus line: " · stale 8s · 2 gaps (last 3.1s)". Empty when all is well. */
export function describeHealth(health: LinkHealth): string {
	let out = '';
	if (health.staleMs !== undefined) out += ` · data stale ${Math.round(health.staleMs / 1000)}s`;
	if (health.gaps > 0) {
		out += ` · ${health.gaps} gap${health.gaps === 1 ? '' : 's'}`;
		if (health.lastGapMs !== undefined) out += ` (last ${(health.lastGapMs / 1000).toFixed(1)}s)`;
	}
	if (health.leaseRefused) out += ' · lease refused by ACL';
	return out;
}

/** The writer's part of the bus line: entries waiting for Redis (while it is away) and entries dropped. */
export function describeWrites(pendingEntries: number, dropped: number, connected: boolean): string {
	let out = '';
	if (!connected && pendingEntries > 0) out += ` · ${pendingEntries} writes queued`;
	if (dropped > 0) out += ` · ${dropped} writes dropped`;
	return out;
}
