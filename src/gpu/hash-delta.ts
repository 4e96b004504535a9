/**
Which fields of a hash to write again. The per-GPU `current` hashes are written every second, and on a steady box
nearly all of their 50 fields are what the last write put there: HSET only adds and replaces fields, so writing
just the changed ones leaves the hash in Redis exactly as writing all of them would. Every so often (the caller
says when: with the history lists, every 10 s) all fields are written, so that a hash that lost fields in Redis
(deleted, evicted, or a write dropped with a lost lease) is whole again within that period.
*/

/** The fields of `next` whose values differ from `last` (all of them when there is no `last`). Pure. */
export function changedFields(last: ReadonlyMap<string, string> | undefined, next: Readonly<Record<string, string>>): Record<string, string> {
	if (last === undefined) return {...next};
	const out: Record<string, string> = {};
	for (const field in next) {
		const value = next[field]!;
		if (last.get(field) !== value) out[field] = value;
	}
	return out;
}

/** Per key, what this process last wrote to each field: the hash as Redis holds it if every write was applied. */
export class HashDeltas {
	private readonly written = new Map<string, Map<string, string>>();

	/**
	The fields to write for `key` now: all of `fields` when `full`, else the changed ones. The memo takes them as
	written (callers write what this returns, in the same tick).
	*/
	fieldsToWrite(key: string, fields: Readonly<Record<string, string>>, full: boolean): Record<string, string> {
		let memo = this.written.get(key);
		const out = full || memo === undefined ? {...fields} : changedFields(memo, fields);
		if (memo === undefined) {
			memo = new Map();
			this.written.set(key, memo);
		}
		for (const field in out) memo.set(field, out[field]!);
		return out;
	}

	/** Forget keys not in `keep` (a GPU that went away). */
	retain(keep: ReadonlySet<string>): void {
		for (const key of this.written.keys()) if (!keep.has(key)) this.written.delete(key);
	}
}
