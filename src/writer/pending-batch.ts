/**
Writes waiting for the next pipeline, coalesced: list entries appended per key (one LPUSH with many values, one
LTRIM, one EXPIRE), hash fields last-write-wins, set membership last-op-wins. Bounded by `maxEntries` list entries.
*/
import {type KvCommand} from '../bus/kv.js';
import {LIST_MAX_ENTRIES} from '../contract/names.js';
import {EncodedEntries} from '../bus/resp-encode.js';
import {type FamilyCounts, keyFamily} from './key-family.js';
import {RollupBatch, RollupMemo} from '../history/rollup-batch.js';
import {stepEntry, timestampJson} from './seed-entries.js';
import {StepEntries} from './step-entries.js';

export class PendingBatch {
	/** List entries are encoded as they come: held as bytes, not strings, while the batch waits (resp-encode.ts). */
	readonly lists = new Map<string, {entries: EncodedEntries; ttlSeconds: number}>();
	readonly hashes = new Map<string, Map<string, string>>();
	/** Hashes written with a TTL (EXPIRE after the HSET): the largest asked in the batch. */
	readonly hashTtls = new Map<string, number>();
	readonly sets = new Map<string, Map<string, boolean>>();
	/**
	Sorted-set members with their scores (last write wins), each set with the scores below which members are removed and
	its TTL: the fleet registry (src/fleet). Not counted as entries: a registry is bounded by its trim, not by the batch.
	*/
	readonly zsets = new Map<string, {members: Map<string, number>; dropBelow: number; ttlSeconds: number}>();
	/** EXPIRE for keys written as hashes in this batch (the fleet summaries). */
	readonly expiries = new Map<string, number>();
	/**
	Stream entries (XADD key MAXLEN ~ maxlen * field value ...), in order: counted as entries like list entries (the
	batch's bound, its family when dropped). A retried batch never doubles one: the batch id check in the writer's
	flush() sends a batch again only when its id is not stored.
	*/
	readonly streams: Array<{readonly key: string; readonly fields: ReadonlyArray<readonly [string, string]>; readonly maxlen: number}> = [];
	/**
	Counter increments (HINCRBY), summed per field. A counter that counts list entries (completed_today,
	tasks_completed) is incremented in the same batch as its entry, so the one MULTI/EXEC applies both or neither:
	counters and lists cannot disagree, whatever happens to the batch.
	*/
	readonly increments = new Map<string, Map<string, number>>();
	entryCount = 0;
	/**
	History samples (src/history/rollup-batch.ts), aggregated per bucket as they come and sent as EVALs (of bounded size) of the merge
	script in this batch's transaction: merged exactly when the batch's list entries are written, never twice.
	*/
	readonly rollups: RollupBatch;

	/** `rollupMemo`: what the writer's batches share (each training series' step width, chunk key names). */
	constructor(
		readonly maxEntries: number,
		rollupMemo?: RollupMemo,
	) {
		this.rollups = new RollupBatch(rollupMemo);
	}

	get isEmpty(): boolean {
		return (
			this.lists.size === 0 &&
			this.hashes.size === 0 &&
			this.sets.size === 0 &&
			this.zsets.size === 0 &&
			this.expiries.size === 0 &&
			this.increments.size === 0 &&
			this.streams.length === 0 &&
			this.rollups.isEmpty
		);
	}

	/** List entries per key family: what a dropped batch is counted as. */
	entriesByFamily(): FamilyCounts {
		const out: FamilyCounts = {};
		for (const [key, {entries}] of this.lists) {
			const family = keyFamily(key);
			out[family] = (out[family] ?? 0) + entries.count;
		}
		for (const {key} of this.streams) {
			const family = keyFamily(key);
			out[family] = (out[family] ?? 0) + 1;
		}
		return out;
	}

	/** Add `by` to a hash field (HINCRBY, after the batch's HSETs). */
	incr(key: string, field: string, by = 1): void {
		let counters = this.increments.get(key);
		if (counters === undefined) {
			counters = new Map();
			this.increments.set(key, counters);
		}
		counters.set(field, (counters.get(field) ?? 0) + by);
	}

	/** Start a counter again at `value`: earlier increments of this batch are dropped, later ones add to it. */
	resetCounter(key: string, field: string, value = 0): void {
		this.increments.get(key)?.delete(field);
		this.hset(key, {[field]: String(value)});
	}

	/**
	Append a list entry; false when the batch is full (the caller counts the drop). `ascii`: the caller knows the entry
	is ASCII (resp-encode.ts EncodedEntries.push).
	*/
	push(key: string, entry: string, ttlSeconds: number, ascii = false): boolean {
		if (this.entryCount >= this.maxEntries) return false;
		let list = this.lists.get(key);
		if (list === undefined) {
			list = {entries: new EncodedEntries(), ttlSeconds};
			this.lists.set(key, list);
		}
		list.entries.push(entry, ascii ? entry.length : undefined);
		this.entryCount += 1;
		return true;
	}

	/**
	Append a training step entry `{"step","value","timestamp"}` (seed-entries.ts stepEntry) to `key`, recorded as a
	packed step record and encoded when the transaction is built (step-entries.ts: here, or in the encoding worker for
	a big batch); false when the batch is full (the caller counts the drop). The bytes are those of
	`push(key, stepEntry(...))`.
	*/
	pushStep(key: string, step: number, value: number, timestamp: string | number, ttlSeconds: number): boolean {
		if (this.entryCount >= this.maxEntries) return false;
		let list = this.lists.get(key);
		if (list === undefined) {
			list = {entries: new StepEntries(), ttlSeconds};
			this.lists.set(key, list);
		}
		if (list.entries instanceof StepEntries) list.entries.pushStep(step, value, timestamp);
		else if (!list.entries.pushStepEntry(step, value, timestamp)) list.entries.push(stepEntry(step, value, timestampJson(timestamp)));
		this.entryCount += 1;
		return true;
	}

	/** Append a stream entry; false when the batch is full (the caller counts the drop). */
	xadd(key: string, fields: Record<string, string>, maxlen: number): boolean {
		if (this.entryCount >= this.maxEntries) return false;
		this.streams.push({key, fields: Object.entries(fields), maxlen});
		this.entryCount += 1;
		return true;
	}

	hset(key: string, fields: Record<string, string>, ttlSeconds?: number): void {
		if (ttlSeconds !== undefined) this.hashTtls.set(key, Math.max(ttlSeconds, this.hashTtls.get(key) ?? 0));
		let hash = this.hashes.get(key);
		if (hash === undefined) {
			hash = new Map();
			this.hashes.set(key, hash);
		}
		for (const field in fields) hash.set(field, fields[field]!);
	}

	/** Score `member` in the sorted set `key`; members scored below `dropBelow` are removed, and the set expires after `ttlSeconds`. */
	zadd(key: string, member: string, score: number, dropBelow: number, ttlSeconds: number): void {
		let zset = this.zsets.get(key);
		if (zset === undefined) {
			zset = {members: new Map(), dropBelow, ttlSeconds};
			this.zsets.set(key, zset);
		}
		zset.members.set(member, score);
		zset.dropBelow = dropBelow;
		zset.ttlSeconds = ttlSeconds;
	}

	/** EXPIRE `key` after this batch's writes to it. */
	expire(key: string, ttlSeconds: number): void {
		this.expiries.set(key, ttlSeconds);
	}

	setMember(key: string, member: string, present: boolean): void {
		let set = this.sets.get(key);
		if (set === undefined) {
			set = new Map();
			this.sets.set(key, set);
		}
		set.set(member, present);
	}

	/**
	The commands, in order: lists (LPUSH oldest..newest so the newest ends first, LTRIM, EXPIRE), streams (XADD, oldest
	first), hashes (HSET, and EXPIRE for those written with a TTL), increments, sets, then the history merge (EVALs of bounded size; buckets older than their tier's retention at
	`nowMs` are left out).
	*/
	toCommands(listMax = LIST_MAX_ENTRIES, nowMs = Date.now()): KvCommand[] {
		const commands: KvCommand[] = [];
		for (const [key, {entries, ttlSeconds}] of this.lists) {
			commands.push(['LPUSH', key, entries], ['LTRIM', key, 0, listMax - 1], ['EXPIRE', key, ttlSeconds]);
		}
		for (const {key, fields, maxlen} of this.streams) commands.push(['XADD', key, 'MAXLEN', '~', maxlen, '*', ...fields.flat()]);
		// (forEach, not destructuring for-of and a spread: this runs once a second, too rarely to be optimised, and
		// unoptimised each field would cost an entry array and an iterator result.)
		this.hashes.forEach((fields, key) => {
			const command: ['HSET', string, ...string[]] = ['HSET', key];
			fields.forEach((value, field) => {
				command.push(field, value);
			});
			commands.push(command);
			const ttl = this.hashTtls.get(key);
			if (ttl !== undefined) commands.push(['EXPIRE', key, ttl]);
		});
		for (const [key, counters] of this.increments) {
			for (const [field, by] of counters) if (by !== 0) commands.push(['HINCRBY', key, field, by]);
		}
		for (const [key, members] of this.sets) {
			const add: string[] = [];
			const remove: string[] = [];
			for (const [member, present] of members) (present ? add : remove).push(member);
			if (add.length > 0) commands.push(['SADD', key, ...add]);
			if (remove.length > 0) commands.push(['SREM', key, ...remove]);
		}
		for (const [key, {members, dropBelow, ttlSeconds}] of this.zsets) {
			const args: Array<string | number> = [];
			for (const [member, score] of members) args.push(score, member);
			commands.push(['ZADD', key, ...args], ['ZREMRANGEBYSCORE', key, '-inf', `(${dropBelow}`], ['EXPIRE', key, ttlSeconds]);
		}
		for (const [key, ttlSeconds] of this.expiries) commands.push(['EXPIRE', key, ttlSeconds]);
		// The history merge, in EVALs of bounded size, inside the batch's transaction like the rest.
		commands.push(...this.rollups.toCommands(nowMs));
		return commands;
	}
}
