/**
Records kept by id (acknowledgements, silences): an HSET or HDEL of one hash field per record. The one way they
are written, for the runtime's writer (SeedWriter.writeRecords) and for the one-shot CLI commands (`mycotop ack`,
`unack`, `silence`, `silence expire`), which have no runtime: a RecordWriter over their connection's RedisKv.

Written now, in a transaction of their own, whatever the lease: they are user actions that any instance that is not
read-only makes, and writing a record by its id twice leaves what writing it once does, so neither a lease nor a
batch id is needed. The caller checks read-only and shows Redis's error to whoever acted.
*/
import {type Kv} from '../bus/kv.js';

/** One record's write: HSET key id value, or HDEL key id... */
export type RecordCommand = readonly ['HSET' | 'HDEL', string, ...string[]];

/** What writes records: the runtime's writer, or recordWriter(kv) in a one-shot command. */
export interface RecordWriter {
	/** Resolves once applied; rejects with Redis's error. */
	writeRecords(commands: readonly RecordCommand[]): Promise<void>;
}

export async function writeRecords(kv: Pick<Kv, 'exec'>, commands: readonly RecordCommand[]): Promise<void> {
	if (commands.length === 0) return;
	await kv.exec(commands);
}

/** A writer of records alone, over `kv`: no batches and no lease (records need neither), for a one-shot command. */
export function recordWriter(kv: Pick<Kv, 'exec'>): RecordWriter {
	return {writeRecords: (commands) => writeRecords(kv, commands)};
}
