/**
Writer handover for pub/sub: every instance keeps the last raw input messages it received from Redis, in the order
Redis delivered them (Redis delivers a channel's messages to every subscriber in the same order). The writer stores,
in each transaction, a watermark: the fingerprints of the newest messages it had received when it took the batch
(`mycotop:writer:watermark`). An instance that becomes the writer (the old one was killed, frozen or partitioned)
finds that watermark in its own ring and writes what came after it: nothing between the old writer's last commit and
the takeover is lost or written twice. The old writer, if it comes back, counts what it was holding as handed over.

What goes in the ring is decided by the message alone (`replayable`), so every instance's ring holds the same
sequence: the channels whose messages become list entries and counters (training, tasks, workflow steps), up to the
message size limit. Agent status is left out: its writes are last-write-wins and agents re-send it, and identical
idle statuses repeat so often that they would make a position ambiguous.

Bounded by count and by the characters held (strings the subscriber already allocated), so a push costs a few array
stores and a hostile producer cannot grow it past the byte bound; and by age: a takeover comes within the lease's TTL
and a renewal of the old writer's last commit (seconds), so messages older than `maxAgeMs` (60 s) are let go. Without
that a dashboard at 200 messages/s filled all 100,000 slots over eight minutes, about 11.5 MB of strings it would
never replay. The age is read once per `MARK_EVERY` pushes (a clock read per message would cost a burst), so the ring
holds at most the last `maxAgeMs` of messages and `2 * MARK_EVERY` more. Its arrays start at 1,024 slots and double as
messages come (a copy, in order, each time), so an instance that gets few messages does not hold 100,000 empty slots
(2.4 MB of heap) for them.
*/
import {createHash} from 'node:crypto';
import {INPUT_CHANNELS} from '../contract/names.js';
import {MAX_MESSAGE_BYTES} from '../contract/limits.js';

/** Messages a watermark covers: enough that a repeated message does not match the wrong place. */
const WINDOW = 4;

/** Messages kept at most: at 5,000 messages/s, 20 s of takeover (a takeover takes at most the lease TTL + a renew). */
const REPLAY_RING_CAPACITY = 100_000;
/** Characters held at most (about 2 bytes each in V8's worst case): 16 M characters. */
const REPLAY_RING_MAX_CHARS = 16 * 1024 * 1024;
/** Slots allocated at first; the arrays double until they hold `capacity`. */
const FIRST_SLOTS = 1024;
/** Age of the oldest message kept: many times the longest takeover (the lease TTL, 5 s, and a renewal). */
const REPLAY_RING_MAX_AGE_MS = 60_000;
/** Pushes between two readings of the clock (each reading is a mark: the history position it was taken at). */
const MARK_EVERY = 1024;

const REPLAYED_CHANNELS: ReadonlySet<string> = new Set([INPUT_CHANNELS.trainingProgress, INPUT_CHANNELS.taskUpdates, INPUT_CHANNELS.workflowSteps]);

/** Whether a message belongs in the ring: decided by the message alone, the same on every instance. */
export function replayable(channel: string, raw: string): boolean {
	return REPLAYED_CHANNELS.has(channel) && raw.length <= MAX_MESSAGE_BYTES;
}

export interface ReplayEntry {
	readonly channel: string;
	readonly raw: string;
}

export interface ReplayPlan {
	/** Messages after the watermark, oldest first, up to the position given. */
	readonly entries: ReplayEntry[];
	/**
	'found': the watermark is in the ring (exactly once). 'ambiguous': it is there more than once (a run of byte-identical
	messages repeated): the oldest place is taken, so a message may be written twice but none is lost. 'not-found': it
	is not (older than the ring, or from before this instance subscribed): the plan is the whole ring, less the window's
	newest messages where the ring, having let older ones go, begins with them. 'none': no
	writer ever left a watermark.
	*/
	readonly watermark: 'found' | 'ambiguous' | 'not-found' | 'none';
	/** The ring had dropped older messages: with 'not-found', some unwritten messages may be lost. */
	readonly evicted: boolean;
}

function entryHash(channel: string, raw: string): string {
	return createHash('sha1').update(channel).update('\u0000').update(raw).digest('base64');
}

export class ReplayRing {
	private channels: string[];
	private raws: string[];
	/** Each slot's fingerprint, computed once when first needed (a watermark per batch reads the same newest ones). */
	private hashes: Array<string | undefined>;
	/** Slots allocated (<= capacity): the arrays' length. */
	private slots: number;
	private head = 0;
	private size = 0;
	private chars = 0;
	/** The ring has dropped a message (by count or by characters) since it began. */
	private evictedAny = false;
	/** Messages ever pushed: a position in the ring's history. */
	seq = 0;
	/** Clock readings, oldest first: at `markTimes[i]` the history position was `markSeqs[i]`. */
	private markTimes: number[] = [];
	private markSeqs: number[] = [];

	constructor(
		readonly capacity = REPLAY_RING_CAPACITY,
		readonly maxChars = REPLAY_RING_MAX_CHARS,
		readonly maxAgeMs = REPLAY_RING_MAX_AGE_MS,
		private readonly clock: () => number = () => performance.now(),
	) {
		this.slots = Math.min(capacity, FIRST_SLOTS);
		this.channels = new Array<string>(this.slots);
		this.raws = new Array<string>(this.slots);
		this.hashes = new Array<string | undefined>(this.slots);
	}

	/** Slots allocated now (for tests). */
	get allocated(): number {
		return this.slots;
	}

	/** Double the arrays (up to capacity), the entries held copied oldest first from slot 0. */
	private grow(): void {
		const slots = Math.min(this.capacity, this.slots * 2);
		const channels = new Array<string>(slots);
		const raws = new Array<string>(slots);
		const hashes = new Array<string | undefined>(slots);
		const oldest = this.seq - this.size;
		for (let i = 0; i < this.size; i++) {
			const from = this.slot(oldest + i);
			channels[i] = this.channels[from]!;
			raws[i] = this.raws[from]!;
			hashes[i] = this.hashes[from];
		}
		this.channels = channels;
		this.raws = raws;
		this.hashes = hashes;
		this.slots = slots;
		this.head = this.size % slots;
	}

	/** Keep a message received from Redis, if it is replayable (the caller need not check). */
	push(channel: string, raw: string): void {
		if (!replayable(channel, raw)) return;
		if (this.size === this.slots && this.slots < this.capacity) this.grow();
		if (this.size === this.capacity) this.evictOldest();
		while (this.size > 0 && this.chars + raw.length > this.maxChars) this.evictOldest();
		this.channels[this.head] = channel;
		this.raws[this.head] = raw;
		this.hashes[this.head] = undefined;
		this.head = (this.head + 1) % this.slots;
		this.size += 1;
		this.chars += raw.length;
		this.seq += 1;
		if (this.seq % MARK_EVERY === 0) this.mark();
	}

	/** Read the clock, and let go of what was pushed before the newest mark that is older than `maxAgeMs`. */
	private mark(): void {
		const now = this.clock();
		this.markTimes.push(now);
		this.markSeqs.push(this.seq);
		let expired = -1;
		while (expired + 1 < this.markTimes.length && now - this.markTimes[expired + 1]! > this.maxAgeMs) expired += 1;
		if (expired < 0) return;
		const before = this.markSeqs[expired]!;
		this.markTimes.splice(0, expired + 1);
		this.markSeqs.splice(0, expired + 1);
		while (this.size > 0 && this.seq - this.size < before) this.evictOldest();
	}

	private evictOldest(): void {
		const index = (this.head - this.size + this.slots) % this.slots;
		this.chars -= this.raws[index]!.length;
		this.raws[index] = '';
		this.hashes[index] = undefined;
		this.size -= 1;
		this.evictedAny = true;
	}


	/** The entry at history position `position` (seq - size <= position < seq). */
	private at(position: number): ReplayEntry {
		const index = this.slot(position);
		return {channel: this.channels[index]!, raw: this.raws[index]!};
	}

	private slot(position: number): number {
		return (this.head - (this.seq - position) + this.slots * 2) % this.slots;
	}

	private hashAt(position: number): string {
		const index = this.slot(position);
		let hash = this.hashes[index];
		if (hash === undefined) {
			hash = entryHash(this.channels[index]!, this.raws[index]!);
			this.hashes[index] = hash;
		}
		return hash;
	}

	/** The fingerprint of the newest messages (`count:h1:h2:...`, oldest first), or undefined while the ring is empty. */
	watermark(): string | undefined {
		if (this.size === 0) return undefined;
		const count = Math.min(WINDOW, this.size);
		const parts: string[] = [String(count)];
		for (let p = this.seq - count; p < this.seq; p++) parts.push(this.hashAt(p));
		return parts.join(':');
	}

	/** What to write after a takeover: the messages after `watermark`, up to history position `until` (exclusive). */
	plan(watermark: string | null | undefined, until = this.seq): ReplayPlan {
		const evicted = this.evictedAny;
		const oldest = this.seq - this.size;
		const end = Math.min(until, this.seq);
		if (watermark === null || watermark === undefined) return {entries: [], watermark: 'none', evicted};
		const [countText, ...wanted] = watermark.split(':');
		const count = Number(countText);
		if (!Number.isInteger(count) || count < 1 || count !== wanted.length) return {entries: this.slice(oldest, end), watermark: 'not-found', evicted};
		const matchesEndingAt = (position: number, length: number): boolean => {
			for (let i = 0; i < length; i++) if (this.hashAt(position - i) !== wanted[wanted.length - 1 - i]) return false;
			return true;
		};
		// Every place the window matches. While the ring still holds its first message, the window may also straddle
		// the ring's start (this instance subscribed just before the writer's last commit): its newest messages are then
		// this ring's oldest. The oldest place wins: with runs of byte-identical messages that is a double, never a loss.
		const found: number[] = [];
		for (let position = end - 1; position >= oldest + count - 1; position--) if (matchesEndingAt(position, count)) found.push(position);
		if (!evicted) {
			for (let length = Math.min(count - 1, end - oldest); length >= 1; length--) if (matchesEndingAt(oldest + length - 1, length)) found.push(oldest + length - 1);
		}
		if (found.length > 0) return {entries: this.slice(found.at(-1)! + 1, end), watermark: found.length === 1 ? 'found' : 'ambiguous', evicted};
		// Not found after the ring let messages go: the cut may have gone through the window itself (the age bound cuts
		// at a mark, wherever the window lies), leaving its newest messages at the ring's start. Those the old writer
		// stored: they are not written again (the shortest such start, so a double rather than a loss). Still a gap: the
		// watermark itself is not in the ring, so what came between cannot be known.
		if (evicted) {
			for (let length = 1; length <= Math.min(count - 1, end - oldest); length++)
				if (matchesEndingAt(oldest + length - 1, length)) return {entries: this.slice(oldest + length, end), watermark: 'not-found', evicted};
		}
		return {entries: this.slice(oldest, end), watermark: 'not-found', evicted};
	}

	private slice(from: number, to: number): ReplayEntry[] {
		const out: ReplayEntry[] = [];
		for (let p = from; p < to; p++) out.push(this.at(p));
		return out;
	}
}
