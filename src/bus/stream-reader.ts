/**
Lossless mode: read the input streams (`events:stream:*`, see contract/names.ts) with XREAD BLOCK on a dedicated
connection, from the last id this deployment committed, kept in Redis (`mycotop:streams:last_id`).

- The writer instance notes each stream's position in the same pending batch as the entries' writes, so the
  position and the writes commit in one MULTI/EXEC: a kill -9 between reading and committing re-reads those
  entries after the restart and applies them exactly once.
- A viewer reads the same streams, from the same committed position, to show the events; it keeps its position in
  memory only. When it becomes the writer it rewinds to the committed position and writes the entries it had
  already shown without showing them twice.
- Back-pressure: no XREAD while the writer's bounded batch is more than half full, so a stream entry is never
  read and then dropped for want of room.
*/
import {type Redis} from 'ioredis';
import {createRedisClient} from './redis-client.js';
import {readFileSync} from 'node:fs';
import {ourKeys, STREAM_DATA_FIELD} from '../contract/names.js';
import {parseRedisUrl} from './redis-url.js';
import {redisOptions} from './redis-link.js';
import {isAuthError} from './connection-state.js';

/** Stream ids are "<ms>-<seq>". Compare two ids; malformed ids compare as 0-0. Pure. */
export function compareStreamIds(a: string, b: string): number {
	const [am, as] = splitId(a);
	const [bm, bs] = splitId(b);
	return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

function splitId(id: string): [number, number] {
	const dash = id.indexOf('-');
	const ms = Number(dash < 0 ? id : id.slice(0, dash));
	const seq = dash < 0 ? 0 : Number(id.slice(dash + 1));
	return [Number.isFinite(ms) ? ms : 0, Number.isFinite(seq) ? seq : 0];
}

export interface StreamEntry {
	readonly id: string;
	/** The `data` field, or undefined when the entry has none. */
	readonly data: string | undefined;
}

/**
XREAD's reply as a map. RESP2 (and ioredis's mapped form) gives [[stream, [[id, [field, value, ...]], ...]], ...];
RESP3 through `call` gives the map flattened: [stream, entries, stream, entries, ...]; null when nothing came.
Pure; ignores junk.
*/
export function parseXreadReply(reply: unknown): Map<string, StreamEntry[]> {
	const out = new Map<string, StreamEntry[]>();
	if (!Array.isArray(reply)) return out;
	let items: unknown[] = reply;
	if (typeof reply[0] === 'string') {
		items = [];
		for (let i = 0; i + 1 < reply.length; i += 2) items.push([reply[i], reply[i + 1]]);
	}
	for (const item of items) {
		if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) continue;
		const entries: StreamEntry[] = [];
		for (const entry of item[1] as unknown[]) {
			if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
			const fields = Array.isArray(entry[1]) ? (entry[1] as unknown[]) : [];
			let data: string | undefined;
			for (let i = 0; i + 1 < fields.length; i += 2) {
				if (fields[i] === STREAM_DATA_FIELD && typeof fields[i + 1] === 'string') {
					data = fields[i + 1] as string;
					break;
				}
			}
			entries.push({id: entry[0], data});
		}
		out.set(item[0], entries);
	}
	return out;
}

export interface StreamReaderOptions {
	readonly url: string;
	readonly caFile?: string;
	readonly socketTimeoutMs?: number;
	/** Stream key -> the channel whose messages it carries. */
	readonly streams: ReadonlyMap<string, string>;
	/** True while this instance holds the writer lease. */
	readonly isWriter: () => boolean;
	/**
	False until the rest of the instance works against this Redis (its role there is known or being decided): no
	entry is read before, so none is handled as the embedded bus's. Default: always true.
	*/
	readonly active?: () => boolean;
	/** Handle one entry: validate, store (unless `applyToStore` is false) and queue its writes. */
	readonly deliver: (channel: string, data: string | undefined, applyToStore: boolean) => void;
	/** Writer only: the entries up to `id` are handled (joins the batch holding their writes). */
	readonly notePosition: (stream: string, id: string) => void;
	/** True while the writer's batch has no room for another read. */
	readonly backpressure: () => boolean;
	/** XREAD BLOCK (ms). Default 1000: well below the socket timeout, so it doubles as a heartbeat. */
	readonly blockMs?: number;
	/** Entries per stream per read. Default 500. */
	readonly count?: number;
}

export interface StreamReaderStats {
	entries: number;
	reads: number;
	errors: number;
	rewinds: number;
	lastError: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StreamReader {
	readonly connection: Redis;
	readonly stats: StreamReaderStats = {entries: 0, reads: 0, errors: 0, rewinds: 0, lastError: undefined};
	/** Next XREAD position per stream (the id of the last entry handled). Undefined until loaded from Redis. */
	private positions: Map<string, string> | undefined;
	/** Highest id shown in the store, per stream: entries up to it are only written after a rewind. */
	private readonly applied = new Map<string, string>();
	private wasWriter = false;
	private lastErrorWasAuth = false;
	private stopped = false;
	private loop: Promise<void> | undefined;

	constructor(private readonly options: StreamReaderOptions) {
		const target = parseRedisUrl(options.url);
		const caPem = options.caFile === undefined ? undefined : readFileSync(options.caFile, 'utf8');
		this.connection = createRedisClient(target, {
			...redisOptions('writer', target, {caPem, socketTimeoutMs: options.socketTimeoutMs ?? 6000, lastErrorWasAuth: () => this.lastErrorWasAuth}),
			connectionName: 'mycotop-streams',
		});
		// The link's connections report the state; this one stays quiet (and slow after an auth error, like them).
		this.connection.on('error', (error: Error) => {
			if (isAuthError(error.message)) this.lastErrorWasAuth = true;
		});
		this.connection.on('ready', () => {
			this.lastErrorWasAuth = false;
		});
	}

	start(): void {
		this.connection.connect().catch(() => {});
		this.loop = this.run();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		// Interrupt a pending XREAD BLOCK.
		this.connection.disconnect();
		await this.loop;
	}

	private async committedPositions(): Promise<Map<string, string>> {
		const stored = await this.connection.hgetall(ourKeys.streamsLastId);
		const positions = new Map<string, string>();
		for (const stream of this.options.streams.keys()) positions.set(stream, stored[stream] ?? '0-0');
		return positions;
	}

	private async run(): Promise<void> {
		while (!this.stopped) {
			try {
				if (this.connection.status !== 'ready' || this.options.active?.() === false) {
					await sleep(100);
					continue;
				}
				const writer = this.options.isWriter();
				if (this.positions === undefined || (writer && !this.wasWriter)) {
					// Start, or just became the writer: continue from what was committed.
					if (this.positions !== undefined) this.stats.rewinds += 1;
					this.positions = await this.committedPositions();
				}
				this.wasWriter = writer;
				if (writer && this.options.backpressure()) {
					await sleep(50);
					continue;
				}
				await this.readOnce(writer);
			} catch (error) {
				if (this.stopped) break;
				this.stats.errors += 1;
				this.stats.lastError = error instanceof Error ? error.message : String(error);
				await sleep(250);
			}
		}
	}

	private async readOnce(writer: boolean): Promise<void> {
		const positions = this.positions!;
		const keys = [...positions.keys()];
		const reply = await this.connection.call(
			'XREAD',
			'COUNT',
			String(this.options.count ?? 500),
			'BLOCK',
			String(this.options.blockMs ?? 1000),
			'STREAMS',
			...keys,
			...keys.map((k) => positions.get(k)!),
		);
		this.stats.reads += 1;
		if (this.stopped) return;
		// The role may have changed while XREAD was blocked: a writer that lost its lease must not note positions.
		if (writer !== this.options.isWriter()) return;
		for (const [stream, entries] of parseXreadReply(reply)) {
			const channel = this.options.streams.get(stream);
			if (channel === undefined || entries.length === 0) continue;
			const applied = this.applied.get(stream);
			for (const entry of entries) {
				const fresh = applied === undefined || compareStreamIds(entry.id, applied) > 0;
				this.options.deliver(channel, entry.data, fresh);
				if (fresh) this.applied.set(stream, entry.id);
			}
			const last = entries[entries.length - 1]!.id;
			positions.set(stream, last);
			if (writer) this.options.notePosition(stream, last);
			this.stats.entries += entries.length;
		}
	}
}
