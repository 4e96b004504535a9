/**
Writer handover for pub/sub: every instance keeps the last raw input messages it received from Redis, in the order
Redis delivered them (Redis delivers a channel's messages to every subscriber in the same order). The writer stores,
in each transaction, a watermark: a fingerprint of the newest messages it had received when it took the batch
(`mycotop:writer:watermark`). An instance that becomes the writer (the old one was killed, frozen or partitioned)
finds that watermark in its own ring and writes what came after it: nothing between the old writer's last commit and
the takeover is lost or written twice. The old writer, if it comes back, counts what it was holding as handed over.

Bounded by count; holding references to strings the subscriber already allocated, so a push costs two array stores.
*/
import {createHash} from 'node:crypto';

/** Messages a watermark covers: enough that a repeated message does not match the wrong place. */
const WINDOW = 3;

/** Messages kept: at 5,000 messages/s, 20 s of takeover (a takeover takes at most the lease TTL + a renew period). */
export const REPLAY_RING_CAPACITY = 100_000;

export interface ReplayEntry {
	readonly channel: string;
	readonly raw: string;
}

export interface ReplayPlan {
	/** Messages after the watermark, oldest first, up to the position given. */
	readonly entries: ReplayEntry[];
	/**
	'found': the watermark is in the ring, the plan is exact. 'not-found': it is not (older than the ring, or from
	before this instance subscribed): the plan is the whole ring. 'none': no writer ever left a watermark.
	*/
	readonly watermark: 'found' | 'not-found' | 'none';
	/** The ring had dropped older messages: with 'not-found', some unwritten messages may be lost. */
	readonly evicted: boolean;
}

function entryHash(channel: string, raw: string): string {
	return createHash('sha1').update(channel).update('\u0000').update(raw).digest('base64');
}

export class ReplayRing {
	private readonly channels: string[];
	private readonly raws: string[];
	private head = 0;
	private size = 0;
	/** Messages ever pushed: a position in the ring's history. */
	seq = 0;

	constructor(readonly capacity = REPLAY_RING_CAPACITY) {
		this.channels = new Array<string>(capacity);
		this.raws = new Array<string>(capacity);
	}

	push(channel: string, raw: string): void {
		this.channels[this.head] = channel;
		this.raws[this.head] = raw;
		this.head = (this.head + 1) % this.capacity;
		if (this.size < this.capacity) this.size += 1;
		this.seq += 1;
	}

	/** The entry at history position `position` (0-based, seq - size <= position < seq). */
	private at(position: number): ReplayEntry {
		const index = (this.head - (this.seq - position) + this.capacity * 2) % this.capacity;
		return {channel: this.channels[index]!, raw: this.raws[index]!};
	}

	private fingerprintEndingAt(position: number, count: number, hashes?: Map<number, string>): string {
		const parts: string[] = [String(count)];
		for (let p = position - count + 1; p <= position; p++) {
			let hash = hashes?.get(p);
			if (hash === undefined) {
				const entry = this.at(p);
				hash = entryHash(entry.channel, entry.raw);
				hashes?.set(p, hash);
			}
			parts.push(hash);
		}
		return parts.join(':');
	}

	/** The fingerprint of the newest messages, or undefined while the ring is empty. */
	watermark(): string | undefined {
		if (this.size === 0) return undefined;
		return this.fingerprintEndingAt(this.seq - 1, Math.min(WINDOW, this.size));
	}

	/** What to write after a takeover: the messages after `watermark`, up to history position `until` (exclusive). */
	plan(watermark: string | null | undefined, until = this.seq): ReplayPlan {
		const evicted = this.seq > this.size;
		const oldest = this.seq - this.size;
		const end = Math.min(until, this.seq);
		if (watermark === null || watermark === undefined) return {entries: [], watermark: 'none', evicted};
		const count = Number(watermark.split(':', 1)[0]);
		if (Number.isInteger(count) && count >= 1 && count <= WINDOW) {
			const hashes = new Map<number, string>();
			for (let position = end - 1; position >= oldest + count - 1; position--) {
				if (this.fingerprintEndingAt(position, count, hashes) === watermark) return {entries: this.slice(position + 1, end), watermark: 'found', evicted};
			}
		}
		return {entries: this.slice(oldest, end), watermark: 'not-found', evicted};
	}

	private slice(from: number, to: number): ReplayEntry[] {
		const out: ReplayEntry[] = [];
		for (let p = from; p < to; p++) out.push(this.at(p));
		return out;
	}
}
