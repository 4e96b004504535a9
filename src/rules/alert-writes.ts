/**
The rules part's writes, through the writer (src/writer): the interface the rules side is given, and its
implementation over the writer's batches. Nothing here talks to Redis.

  - transitions: one entry each in the alert log stream (XADD, joining the writer's batch: lease, batch id, retry),
    and for those announced on firing or escalating the seed's metrics:alerts:state (HSET) and
    metrics:alerts:counters (HINCRBY) in the same batch;
  - acks and silences: records by id (HSET/HDEL), written at once whatever the lease (user actions of any instance
    that is not read-only; idempotent, so they need no batch id);
  - what did not reach Redis's log: the writer's one dropped-write count for the 'alerts' family, plus the log
    entries it holds while a batch waits to be retried, Redis is away or the lease is being retaken.
*/
import {ALERT_KEYS, keys} from '../contract/names.js';
import {type KeyFamily} from '../writer/key-family.js';
import {type RecordWriter} from '../writer/record-writes.js';
import {type AlertTransition} from './engine.js';

const LOG_MAX_ENTRIES = 10_000;

/** JSON with NaN/Infinity kept as strings. */
export function encodeTransition(t: AlertTransition, instance: string): string {
	return JSON.stringify({...t, instance}, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** Record writes (acks, silences): applied when the promise resolves. */
export interface RecordWrites {
	putRecord(key: string, field: string, value: string): Promise<void>;
	deleteRecords(key: string, fields: readonly string[]): Promise<void>;
}

/** What the rules part writes, and how much of its log is not in Redis. */
export interface AlertWrites extends RecordWrites {
	/** Queue the transitions' log entries (and the seed's alert hashes for announced ones). */
	appendTransitions(transitions: readonly AlertTransition[]): void;
	/** Transitions not in Redis's alert log (given up, or held back): one count, the writer's. */
	unwrittenTransitions(): number;
}

/** The part of the writer (SeedWriter) the alert writes use. */
export interface AlertWriter extends RecordWriter {
	enqueueStreamEntry(key: string, fields: Record<string, string>, maxlen: number): void;
	enqueueHash(key: string, fields: Record<string, string>): void;
	enqueueIncrement(key: string, field: string, by?: number): void;
	unwrittenEntries(family: KeyFamily): number;
	/** Write what is pending now (a transition's log entry is not kept waiting for the batching delay). */
	flush(): Promise<void>;
}

/** Acks and silences as records by id, through `writer`'s record path: the runtime's writer, or a one-shot command's. */
export function recordWrites(writer: RecordWriter): RecordWrites {
	return {
		putRecord: (key, field, value) => writer.writeRecords([['HSET', key, field, value]]),
		deleteRecords: (key, fields) => (fields.length === 0 ? Promise.resolve() : writer.writeRecords([['HDEL', key, ...fields]])),
	};
}

export function writerAlertWrites(writer: AlertWriter, instanceId: string): AlertWrites {
	return {
		...recordWrites(writer),
		appendTransitions(transitions) {
			let queued = false;
			for (const t of transitions) {
				if (t.kind === 'cancelled') continue;
				writer.enqueueStreamEntry(ALERT_KEYS.log, {t: encodeTransition(t, instanceId)}, LOG_MAX_ENTRIES);
				queued = true;
				if (t.send && (t.kind === 'firing' || t.kind === 'escalated')) {
					writer.enqueueHash(keys.alertsState, {[t.rule]: String(t.timeMs)});
					writer.enqueueIncrement(keys.alertsCounters, t.rule, 1);
				}
			}
			// At once, as before the writer took these writes: the log entry is in Redis (or held, counted) by the time the
			// transition's message, published next, reaches anyone.
			if (queued) void writer.flush();
		},
		unwrittenTransitions: () => writer.unwrittenEntries('alerts'),
	};
}
