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
	| {readonly type: 'end'}
	/** An ended connection connected again by the link (redis-link.ts, revive): no longer stopped. */
	| {readonly type: 'revive'};

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
		case 'revive':
			return state.kind === 'stopped' ? {kind: 'reconnecting', sinceMs: now, lastError: 'connection ended, connecting again'} : state;
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
	/**
	Gaps where Redis closed the subscriber while the writer's connection to the same Redis stayed up: Redis cut
	this one client off, which for a subscriber is almost always its pub/sub output-buffer limit (a message or a burst
	bigger than `client-output-buffer-limit pubsub`); the messages of that moment are lost.
	*/
	readonly cutOff?: number;
}

/** The tail of the header's bus line: " · stale 8s · 2 gaps (last 3.1s)". Empty when all is well. */
export function describeHealth(health: LinkHealth): string {
	let out = '';
	if (health.staleMs !== undefined) out += ` · data stale ${Math.round(health.staleMs / 1000)}s`;
	if (health.gaps > 0) {
		out += ` · ${health.gaps} gap${health.gaps === 1 ? '' : 's'}`;
		if (health.lastGapMs !== undefined) out += ` (last ${(health.lastGapMs / 1000).toFixed(1)}s)`;
		if ((health.cutOff ?? 0) > 0) out += ` · subscriber cut off by Redis ×${health.cutOff} (pub/sub output-buffer limit: messages lost)`;
	}
	if (health.leaseRefused) out += ' · lease refused by ACL';
	return out;
}

/** The writer's figures the bus line reports. */
export interface WriteHealth {
	readonly pendingEntries: number;
	readonly dropped: number;
	/** `tasks 300, training 12`: the dropped entries by key family. */
	readonly droppedFamilies?: string;
	/** Commands Redis refused inside applied transactions, and the last one named. */
	readonly commandErrors?: {readonly count: number; readonly last: string};
	/** Takeovers that could not find the previous writer's position (messages may be missing) or found it twice (doubled). */
	readonly replayGaps?: number;
	readonly replayAmbiguous?: number;
	/** Redis refuses writes now: `OOM (maxmemory reached)`, with how many transactions it refused so far. */
	readonly refusing?: {readonly what: string; readonly count: number};
	/** Training samples left out of the history by step (series not held, outlying steps); the time tiers keep them. */
	readonly stepDropped?: number;
	readonly stepOutliers?: number;
	/** Stored step rollups found malformed and restarted. */
	readonly stepMalformed?: number;
	/** Events' samples left out of the time tiers (the writer held as many buckets as it may). */
	readonly historyDropped?: number;
}

/**
The writer's part of the bus line: entries waiting for Redis (while it is away or refusing), what Redis refuses now
and why, and entries finally dropped, by key family: " · 40 writes queued · Redis refuses writes: OOM (maxmemory
reached) ×12 · 312 writes dropped (tasks 300, training 12)".
*/
export function describeWrites(writes: WriteHealth, connected: boolean): string {
	let out = '';
	if ((!connected || writes.refusing !== undefined) && writes.pendingEntries > 0) out += ` · ${writes.pendingEntries} writes queued`;
	if (writes.refusing !== undefined) out += ` · Redis refuses writes: ${writes.refusing.what} ×${writes.refusing.count}`;
	if (writes.dropped > 0) out += ` · ${writes.dropped} writes dropped${writes.droppedFamilies ? ` (${writes.droppedFamilies})` : ''}`;
	if (writes.commandErrors !== undefined && writes.commandErrors.count > 0)
		out += ` · Redis refused ${writes.commandErrors.count} command${writes.commandErrors.count === 1 ? '' : 's'}: ${writes.commandErrors.last}`;
	const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
	if ((writes.stepDropped ?? 0) > 0) out += ` · ${plural(writes.stepDropped!, 'sample')} not in history by step`;
	if ((writes.stepOutliers ?? 0) > 0) out += ` · ${plural(writes.stepOutliers!, 'outlying step')} left out of history by step`;
	if ((writes.stepMalformed ?? 0) > 0) out += ` · ${plural(writes.stepMalformed!, 'malformed step rollup')} restarted`;
	if ((writes.historyDropped ?? 0) > 0) out += ` · ${plural(writes.historyDropped!, 'sample')} not in history by time`;
	if ((writes.replayGaps ?? 0) > 0) out += ` · takeover gap ×${writes.replayGaps} (messages may be missing)`;
	if ((writes.replayAmbiguous ?? 0) > 0) out += ` · takeover position ambiguous ×${writes.replayAmbiguous} (messages may be doubled)`;
	return out;
}
