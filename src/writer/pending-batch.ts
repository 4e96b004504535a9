/**
Writes waiting for the next pipeline, coalesced: list entries appended per key (one LPUSH with many values, one
LTRIM, one EXPIRE), hash fields last-write-wins, set membership last-op-wins. Bounded by `maxEntries` list entries.
*/
import {type KvCommand} from '../bus/kv.js';
import {LIST_MAX_ENTRIES} from '../contract/names.js';
import {EncodedEntries} from '../bus/resp-encode.js';

export class PendingBatch {
	/** List entries are encoded as they come: held as bytes, not strings, while the batch waits (resp-encode.ts). */
	readonly lists = new Map<string, {entries: EncodedEntries; ttlSeconds: number}>();
	readonly hashes = new Map<string, Map<string, string>>();
	readonly sets = new Map<string, Map<string, boolean>>();
	entryCount = 0;

	constructor(readonly maxEntries: number) {}

	get isEmpty(): boolean {
		return this.lists.size === 0 && this.hashes.size === 0 && this.sets.size === 0;
	}

	/** Append a list entry; false when the batch is full (the caller counts the drop). */
	push(key: string, entry: string, ttlSeconds: number): boolean {
		if (this.entryCount >= this.maxEntries) return false;
		let list = this.lists.get(key);
		if (list === undefined) {
			list = {entries: new EncodedEntries(), ttlSeconds};
			this.lists.set(key, list);
		}
		list.entries.push(entry);
		this.entryCount += 1;
		return true;
	}

	hset(key: string, fields: Record<string, string>): void {
		let hash = this.hashes.get(key);
		if (hash === undefined) {
			hash = new Map();
			this.hashes.set(key, hash);
		}
		for (const field in fields) hash.set(field, fields[field]!);
	}

	setMember(key: string, member: string, present: boolean): void {
		let set = this.sets.get(key);
		if (set === undefined) {
			set = new Map();
			this.sets.set(key, set);
		}
		set.set(member, present);
	}

	/** The commands, in order: lists (LPUSH oldest..newest so the newest ends first, LTRIM, EXPIRE), hashes, sets. */
	toCommands(listMax = LIST_MAX_ENTRIES): KvCommand[] {
		const commands: KvCommand[] = [];
		for (const [key, {entries, ttlSeconds}] of this.lists) {
			commands.push(['LPUSH', key, entries], ['LTRIM', key, 0, listMax - 1], ['EXPIRE', key, ttlSeconds]);
		}
		for (const [key, fields] of this.hashes) {
			const args: string[] = [];
			for (const [field, value] of fields) args.push(field, value);
			commands.push(['HSET', key, ...args]);
		}
		for (const [key, members] of this.sets) {
			const add: string[] = [];
			const remove: string[] = [];
			for (const [member, present] of members) (present ? add : remove).push(member);
			if (add.length > 0) commands.push(['SADD', key, ...add]);
			if (remove.length > 0) commands.push(['SREM', key, ...remove]);
		}
		return commands;
	}
}
