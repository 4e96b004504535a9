/**
When a project or an agent counts as live, and which one makes room under a full cardinality cap. Pure functions of
a last-seen time and the receive clock, shared by the store (eviction, the busy agents behind the load variance)
and the Prometheus families (which readings still have a sample), so that they agree by construction.

"Last seen" is when mycotop received the id's newest message (the receive clock: a producer whose stamps run behind,
a wrong zone offset or a flushed backlog, is live while it sends); for history read back from Redis at start, its
newest entry's stamp capped at the read time. It only moves forward (`seenAfter`). 0 means never (an agent known
only from the Redis keys read at start), which is idle.
*/

/**
An id not heard from for longer than this is idle: its last values are no longer current readings (Prometheus
gets no sample for them), an idle agent is not counted busy, and an idle id may be evicted to make room for a new
one when its cap is full. One hour: longer than the SLA (30 minutes) and than the eval interval of most training
runs, short enough that a crashed trainer or agent stops looking alive within the hour.
*/
export const IDLE_AFTER_MS = 60 * 60_000;

/** The last-seen time after hearing from an id at `atMs`: never earlier than it was (a clock stepped back included). */
export function seenAfter(lastSeenMs: number, atMs: number): number {
	return Number.isFinite(atMs) && atMs > lastSeenMs ? atMs : lastSeenMs;
}

/** The last-seen time an entry stamped `timeMs` gives when read back from Redis at `readMs`: its stamp, never past the read. */
export function readBackSeen(timeMs: number, readMs: number): number {
	return Math.min(timeMs, readMs);
}

/**
When an agent was last heard from, for eviction: only messages received since start count, so an agent known only
from the keys read back at start (0) is evictable at once and before any other (leftover keys never fill the cap).
*/
export function agentEvictionSeenMs(agent: {readonly lastSeenMs: number}): number {
	return agent.lastSeenMs;
}

/**
When an agent was last heard from, for the busy figures: its newest message's receive time, or, for an agent known only from the Redis
keys read back at start (which carry no time), when they were read (`readBackMs`), so that a restart does not make
every busy agent idle at once.
*/
export function agentSeenMs(agent: {readonly lastSeenMs: number; readonly readBackMs?: number | undefined}): number {
	return Math.max(agent.lastSeenMs, agent.readBackMs ?? 0);
}

/** True when an id last seen at `lastSeenMs` is live at `nowMs`: seen, and within `idleAfterMs` of now. */
export function isLive(lastSeenMs: number, nowMs: number, idleAfterMs: number = IDLE_AFTER_MS): boolean {
	return lastSeenMs > 0 && nowMs - lastSeenMs <= idleAfterMs;
}

/** What a full cap does with a new id: evict `evict` to make room, or refuse it (every id is live until `refuseUntilMs`). */
export type EvictionChoice<K> = {readonly evict: K} | {readonly refuseUntilMs: number};

/**
What to do for a new id under a full cap: evict the least recently seen of the idle ids (the first in `entries`'
order among equals), never a live one; when every id is live, refuse, and say until when the answer cannot change
(the oldest last-seen time plus `idleAfterMs`: last-seen times only move forward, so the store can refuse without a
scan until then, or until an id comes or goes).
*/
export function chooseEviction<K>(entries: Iterable<readonly [K, number]>, nowMs: number, idleAfterMs: number = IDLE_AFTER_MS): EvictionChoice<K> {
	let found = false;
	let candidate: K | undefined;
	let candidateSeen = Number.POSITIVE_INFINITY;
	let oldestLive = Number.POSITIVE_INFINITY;
	for (const [id, lastSeenMs] of entries) {
		if (isLive(lastSeenMs, nowMs, idleAfterMs)) oldestLive = Math.min(oldestLive, lastSeenMs);
		else if (!found || lastSeenMs < candidateSeen) {
			found = true;
			candidate = id;
			candidateSeen = lastSeenMs;
		}
	}
	return found ? {evict: candidate as K} : {refuseUntilMs: oldestLive + idleAfterMs};
}
