/**
The key-value side of a bus: what the writer and hydration need. Implemented by Redis (redis-kv.ts) and by an
in-memory map for the embedded bus, so the writer's code is the same on both.
*/
import {EncodedEntries} from './resp-encode.js';

/** A write command, e.g. ['LPUSH', key, v1, v2] or ['HSET', key, field, value]; list entries may come encoded. */
export type KvCommand = readonly [name: KvCommandName, key: string, ...args: Array<string | number | EncodedEntries | Buffer>];
type KvCommandName = 'LPUSH' | 'LTRIM' | 'EXPIRE' | 'HSET' | 'HINCRBY' | 'SADD' | 'SREM' | 'SET' | 'DEL' | 'XADD' | 'HDEL' | 'EVAL' | 'SETRANGE' | 'ZADD' | 'ZREMRANGEBYSCORE';

export interface KvReader {
	scan(pattern: string, limit?: number): Promise<string[]>;
	lrange(key: string, start: number, stop: number): Promise<string[]>;
	hgetall(key: string): Promise<Record<string, string>>;
	smembers(key: string): Promise<string[]>;
	get(key: string): Promise<string | null>;
}

/** What a Redis connection can say about the server (the embedded bus has none). */
export interface ServerProbe {
	info(): Promise<string>;
	slowlogLen(): Promise<number>;
	ping(): Promise<void>;
}

export function isServerProbe(kv: unknown): kv is ServerProbe {
	const k = kv as Partial<ServerProbe> | undefined;
	return typeof k?.info === 'function' && typeof k.slowlogLen === 'function' && typeof k.ping === 'function';
}

/** How a writer batch is committed (see ClusterKv for what they change on a Redis Cluster). */
export interface ExecOptions {
	/** The batch's commit marker (`SET key id EX s`): sent after the commands, in the same transaction on one server. */
	readonly marker?: KvCommand;
	/** The batch is sent again after an unknown outcome: on a Cluster, the slots whose part was applied are skipped. */
	readonly resend?: boolean;
	/**
	Sent after the marker: on one server in the same transaction; on a Cluster only once the marker's part was applied.
	The writer's input watermark goes here: it must never name a position whose writes are not all in Redis.
	*/
	readonly after?: readonly KvCommand[];
}

export interface Kv extends KvReader {
	/** A string's bytes (binary), or null when there is none: the history's step rollups. */
	getBuffer(key: string): Promise<Buffer | null>;
	/**
	Run the commands (then the marker) in order; atomically (MULTI/EXEC) where the backend supports it. A Redis Cluster
	runs one transaction per hash slot (cluster-kv.ts): atomic per slot, not across slots.
	*/
	exec(commands: readonly KvCommand[], options?: ExecOptions): Promise<void>;
	/**
	The `count` members of a sorted set with the highest scores up to `maxScore`, highest first, and how many score
	above it (the fleet registry; absent: no fleet).
	*/
	newestMembers?(key: string, count: number, maxScore?: number): Promise<NewestMembers>;
}

/** A sorted set's newest members (Kv.newestMembers). */
export interface NewestMembers {
	readonly entries: Array<{member: string; score: number}>;
	/** Members scored above the `maxScore` asked for (not read). */
	readonly above: number;
}

/** The commands followed by the marker and the `after` commands, if any: what one server runs as one transaction. */
export function withMarker(commands: readonly KvCommand[], options: ExecOptions | undefined): readonly KvCommand[] {
	if (options?.marker === undefined && (options?.after ?? []).length === 0) return commands;
	return [...commands, ...(options?.marker === undefined ? [] : [options.marker]), ...(options?.after ?? [])];
}

/** Glob match for SCAN patterns (* and ? only; that is all mycotop uses). */
function globToRegExp(pattern: string): RegExp {
	const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp(`^${escaped}$`);
}

type Entry =
	| {type: 'list'; value: string[]}
	| {type: 'hash'; value: Map<string, string>}
	| {type: 'set'; value: Set<string>}
	| {type: 'zset'; value: Map<string, number>}
	| {type: 'string'; value: string};

/** The embedded bus's key space: a Map with the few Redis semantics mycotop uses (TTLs are kept, not enforced). */
export class MemoryKv implements Kv {
	private readonly data = new Map<string, Entry>();
	readonly ttls = new Map<string, number>();

	private list(key: string): string[] {
		const entry = this.data.get(key);
		if (entry?.type === 'list') return entry.value;
		const value: string[] = [];
		this.data.set(key, {type: 'list', value});
		return value;
	}

	private hash(key: string): Map<string, string> {
		const entry = this.data.get(key);
		if (entry?.type === 'hash') return entry.value;
		const value = new Map<string, string>();
		this.data.set(key, {type: 'hash', value});
		return value;
	}

	private set(key: string): Set<string> {
		const entry = this.data.get(key);
		if (entry?.type === 'set') return entry.value;
		const value = new Set<string>();
		this.data.set(key, {type: 'set', value});
		return value;
	}

	private zset(key: string): Map<string, number> {
		const entry = this.data.get(key);
		if (entry?.type === 'zset') return entry.value;
		const value = new Map<string, number>();
		this.data.set(key, {type: 'zset', value});
		return value;
	}

	async exec(batch: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		const commands = withMarker(batch, options);
		for (const [name, key, ...parts] of commands) {
			const args = parts.flatMap((part) => (part instanceof EncodedEntries ? part.texts() : [part]));
			switch (name) {
				case 'LPUSH': {
					const list = this.list(key);
					for (const v of args) list.unshift(String(v));
					break;
				}
				case 'LTRIM': {
					const list = this.list(key);
					const stop = Number(args[1]);
					list.splice(stop + 1);
					break;
				}
				case 'EXPIRE':
					this.ttls.set(key, Number(args[0]));
					break;
				case 'HSET': {
					const hash = this.hash(key);
					for (let i = 0; i + 1 < args.length; i += 2) hash.set(String(args[i]), String(args[i + 1]));
					break;
				}
				case 'HINCRBY': {
					const hash = this.hash(key);
					const field = String(args[0]);
					hash.set(field, String(Number(hash.get(field) ?? '0') + Number(args[1])));
					break;
				}
				case 'SADD':
					for (const v of args) this.set(key).add(String(v));
					break;
				case 'SREM':
					for (const v of args) this.set(key).delete(String(v));
					break;
				case 'HDEL': {
					const hash = this.hash(key);
					for (const field of args) hash.delete(String(field));
					break;
				}
				case 'SET':
					this.data.set(key, {type: 'string', value: String(args[0])});
					break;
				case 'DEL':
					this.data.delete(key);
					break;
				case 'ZADD': {
					const zset = this.zset(key);
					for (let i = 0; i + 1 < args.length; i += 2) zset.set(String(args[i + 1]), Number(args[i]));
					break;
				}
				case 'ZREMRANGEBYSCORE': {
					const zset = this.zset(key);
					const max = Number(String(args[1]).replace(/^\(/, ''));
					for (const [member, score] of zset) if (score < max) zset.delete(member);
					break;
				}
				case 'XADD':
				case 'EVAL':
				case 'SETRANGE':
					// Streams and history rollups are Redis-only features; the embedded bus keeps no history for them.
					break;
			}
		}
	}

	async scan(pattern: string, limit = 100_000): Promise<string[]> {
		const re = globToRegExp(pattern);
		return [...this.data.keys()].filter((k) => re.test(k)).slice(0, limit);
	}

	async lrange(key: string, start: number, stop: number): Promise<string[]> {
		const entry = this.data.get(key);
		if (entry?.type !== 'list') return [];
		return entry.value.slice(start, stop < 0 ? entry.value.length + stop + 1 : stop + 1);
	}

	async hgetall(key: string): Promise<Record<string, string>> {
		const entry = this.data.get(key);
		return entry?.type === 'hash' ? Object.fromEntries(entry.value) : {};
	}

	async smembers(key: string): Promise<string[]> {
		const entry = this.data.get(key);
		return entry?.type === 'set' ? [...entry.value] : [];
	}

	async newestMembers(key: string, count: number, maxScore = Number.POSITIVE_INFINITY): Promise<NewestMembers> {
		const entry = this.data.get(key);
		if (entry?.type !== 'zset') return {entries: [], above: 0};
		const all = [...entry.value].map(([member, score]) => ({member, score}));
		return {
			entries: all
				.filter((e) => e.score <= maxScore)
				.sort((a, b) => b.score - a.score || (a.member < b.member ? 1 : -1))
				.slice(0, count),
			above: all.filter((e) => e.score > maxScore).length,
		};
	}

	async get(key: string): Promise<string | null> {
		const entry = this.data.get(key);
		return entry?.type === 'string' ? entry.value : null;
	}

	/** The embedded bus keeps no history rollups. */
	async getBuffer(): Promise<Buffer | null> {
		return null;
	}
}
