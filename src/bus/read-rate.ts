/**
The subscriber's input rate, as the read holding at a trickle judges it (src/bus/coalesced-reads.ts): bytes counted
over whole seconds, the last full second's rate kept. A value, never changed: each read gives the next one. Pure (the
time is passed in, on performance.now's clock).
*/

export interface ReadRate {
	/** When the second being counted began (ms). */
	readonly since: number;
	/** Bytes read since then. */
	readonly bytes: number;
	/** Bytes a second over the last full second (0 until one has passed: a start is a trickle). */
	readonly lastSecond: number;
}

/** Nothing read yet, counting from `now`. */
export function startedRate(now: number): ReadRate {
	return {since: now, bytes: 0, lastSecond: 0};
}

/** The rate after a read of `bytes` at `now`: once a second or more has passed, that stretch's rate is the last second's and counting starts again. */
export function afterRead(rate: ReadRate, bytes: number, now: number): ReadRate {
	const counted = rate.bytes + bytes;
	const elapsed = now - rate.since;
	if (elapsed >= 1000) return {since: now, bytes: 0, lastSecond: (counted * 1000) / elapsed};
	return {since: rate.since, bytes: counted, lastSecond: rate.lastSecond};
}

/**
The input rate a hold is judged by (bytes a second): the last full second's, or this second's so far when higher. A
stream that starts fast after a quiet second is so read on at once (holding its first reads put 50 ms on
bench:ingest's publish-to-store p99 at 5,000/s), and the first read of a second (nothing to judge by) is never held.
*/
export function judgedRate(lastSecondBytesPerSecond: number, bytesThisSecond: number, msThisSecond: number): number {
	const current = msThisSecond > 0 ? (bytesThisSecond * 1000) / msThisSecond : Number.POSITIVE_INFINITY;
	return Math.max(lastSecondBytesPerSecond, current);
}

/** judgedRate of `rate` at `now`. */
export function judgedRateAt(rate: ReadRate, now: number): number {
	return judgedRate(rate.lastSecond, rate.bytes, now - rate.since);
}
