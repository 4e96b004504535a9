/**
Where acknowledgements, silences and the transition log live: Redis keys of our own (ALERT_KEYS in
contract/names.ts; any non-read-only instance may write acks and silences: they are user actions), or memory on the
embedded bus. The Redis storage reads with a client and writes through the RecordWrites it is given: always the
writer's lease-free record path (writer/record-writes.ts via alert-writes.ts recordWrites), the runtime's writer in
the runtime, a RecordWriter over the command's connection in the one-shot CLI commands (compose.ts).
*/
import {sanitizeText} from '../contract/sanitize.js';
import {ALERT_KEYS} from '../contract/names.js';
import type {Redis} from 'ioredis';
import {ackWriteProblem, decodeAck, decodeSilence, MAX_STORED_TIME_MS, SILENCE_RETENTION_MS, silenceWriteProblem, type Ack, type Silence} from './ack-silence.js';
import {type AlertTransition} from './engine.js';
import {encodeTransition, type RecordWrites} from './alert-writes.js';

export {ALERT_KEYS, encodeTransition};
/** Acks older than this are dropped when loaded (the episode they covered is long over). */
const ACK_RETENTION_MS = 7 * 86_400_000;

/** A stored record that could not be read (junk, a time Date cannot show): skipped and reported, never fatal. */
export interface SkippedRecord {
	/** The hash field (alert id or silence id), sanitized and cut to 80 characters. */
	readonly field: string;
	readonly reason: string;
}

/** "1 stored silence skipped: 5f3a (endsMs 8.64e+15 is not a time mycotop can show)"; undefined for none. */
export function skippedText(kind: 'ack' | 'silence', skipped: readonly SkippedRecord[]): string | undefined {
	if (skipped.length === 0) return undefined;
	const shown = skipped.slice(0, 5).map((s) => `${s.field} (${s.reason})`);
	const more = skipped.length > 5 ? `, and ${skipped.length - 5} more` : '';
	return `${skipped.length} stored ${kind}${skipped.length === 1 ? '' : 's'} skipped: ${shown.join(', ')}${more}`;
}

function skippedField(field: string): string {
	return sanitizeText(field, {maxLength: 80});
}

/** Refuse to store what a reader could not show (see ack-silence.ts): an Error with the reason. */
function refuseInvalidSilence(silence: Silence): void {
	const problem = silenceWriteProblem(silence, Date.now());
	if (problem !== undefined) throw new Error(`silence not stored: ${problem}`);
}

function refuseInvalidAck(ack: Ack): void {
	const problem = ackWriteProblem(ack);
	if (problem !== undefined) throw new Error(`acknowledgement not stored: ${problem}`);
}

function isShowableTime(v: unknown): boolean {
	return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_STORED_TIME_MS;
}

export interface AlertStorage {
	readonly persistent: boolean;
	loadAcks(now: number): Promise<Map<string, Ack>>;
	loadSilences(now: number): Promise<Map<string, Silence>>;
	putAck(ack: Ack): Promise<void>;
	deleteAck(alertId: string): Promise<void>;
	putSilence(silence: Silence): Promise<void>;
	deleteSilence(id: string): Promise<void>;
	/** The newest `count` transitions, oldest first. */
	readLog(count: number): Promise<AlertTransition[]>;
}

export function decodeTransition(text: string): AlertTransition | undefined {
	try {
		const v = JSON.parse(text) as Record<string, unknown>;
		if (typeof v['id'] !== 'string' || typeof v['rule'] !== 'string' || typeof v['kind'] !== 'string' || typeof v['timeMs'] !== 'number') return undefined;
		if (typeof v['labels'] !== 'object' || v['labels'] === null || typeof v['key'] !== 'string') return undefined;
		// Its times reach Date in the alert log, --once and `mycotop ack`: one that cannot be shown skips the entry.
		if (!isShowableTime(v['timeMs']) || !isShowableTime(v['activeAtMs'] ?? v['timeMs']) || (v['firedAtMs'] !== undefined && !isShowableTime(v['firedAtMs']))) return undefined;
		const value = typeof v['value'] === 'string' ? Number(v['value']) : v['value'];
		// The log is read back from Redis: its text is untrusted like any message.
		const clean = (x: unknown) => (typeof x === 'string' ? sanitizeText(x) : x);
		const labels = Object.fromEntries(Object.entries(v['labels'] as Record<string, unknown>).map(([k, l]) => [sanitizeText(k), sanitizeText(String(l))]));
		return {
			...(v as unknown as AlertTransition),
			id: sanitizeText(v['id']),
			rule: sanitizeText(v['rule']),
			key: sanitizeText(v['key']),
			message: clean(v['message']) as string,
			labels,
			value: typeof value === 'number' ? value : Number.NaN,
		};
	} catch {
		return undefined;
	}
}

export class RedisAlertStorage implements AlertStorage {
	readonly persistent = true;

	/** Reads with `redis`; writes through `writes` (the writer's record path). */
	constructor(
		private readonly redis: Redis,
		private readonly writes: RecordWrites,
	) {}

	/** What the last loadAcks skipped (records it could not read), for whoever shows them. */
	skippedAcks: readonly SkippedRecord[] = [];
	skippedSilences: readonly SkippedRecord[] = [];

	async loadAcks(now: number): Promise<Map<string, Ack>> {
		return (await this.readAcks(now)).acks;
	}

	/**
	The acks, and those that could not be read. Past-retention ones are deleted; unreadable ones are kept (another
	version may understand them; `mycotop unack ID` removes one) and listed as skipped.
	*/
	async readAcks(now: number): Promise<{acks: Map<string, Ack>; skipped: SkippedRecord[]}> {
		const raw = await this.redis.hgetall(ALERT_KEYS.acks);
		const acks = new Map<string, Ack>();
		const skipped: SkippedRecord[] = [];
		const stale: string[] = [];
		for (const [field, text] of Object.entries(raw)) {
			const ack = decodeAck(text);
			if (typeof ack === 'string') skipped.push({field: skippedField(field), reason: ack});
			else if (now - ack.atMs > ACK_RETENTION_MS) stale.push(field);
			else acks.set(field, ack);
		}
		if (stale.length > 0) await this.writes.deleteRecords(ALERT_KEYS.acks, stale);
		this.skippedAcks = skipped;
		return {acks, skipped};
	}

	async loadSilences(now: number): Promise<Map<string, Silence>> {
		return (await this.readSilences(now)).silences;
	}

	/** The silences, and those that could not be read (kept, listed as skipped; `mycotop silence expire ID` removes one). */
	async readSilences(now: number): Promise<{silences: Map<string, Silence>; skipped: SkippedRecord[]}> {
		const raw = await this.redis.hgetall(ALERT_KEYS.silences);
		const silences = new Map<string, Silence>();
		const skipped: SkippedRecord[] = [];
		const stale: string[] = [];
		for (const [field, text] of Object.entries(raw)) {
			const s = decodeSilence(text);
			if (typeof s === 'string') skipped.push({field: skippedField(field), reason: s});
			else if (now - s.endsMs > SILENCE_RETENTION_MS) stale.push(field);
			else silences.set(field, s);
		}
		if (stale.length > 0) await this.writes.deleteRecords(ALERT_KEYS.silences, stale);
		this.skippedSilences = skipped;
		return {silences, skipped};
	}

	/** Whether a silence id is stored at all (readable or not). */
	async hasSilence(id: string): Promise<boolean> {
		return (await this.redis.hexists(ALERT_KEYS.silences, id)) === 1;
	}

	async putAck(ack: Ack): Promise<void> {
		refuseInvalidAck(ack);
		await this.writes.putRecord(ALERT_KEYS.acks, ack.alertId, JSON.stringify(ack));
	}

	async deleteAck(alertId: string): Promise<void> {
		await this.writes.deleteRecords(ALERT_KEYS.acks, [alertId]);
	}

	async putSilence(silence: Silence): Promise<void> {
		refuseInvalidSilence(silence);
		await this.writes.putRecord(ALERT_KEYS.silences, silence.id, JSON.stringify(silence));
	}

	async deleteSilence(id: string): Promise<void> {
		await this.writes.deleteRecords(ALERT_KEYS.silences, [id]);
	}

	async readLog(count: number): Promise<AlertTransition[]> {
		const entries = await this.redis.xrevrange(ALERT_KEYS.log, '+', '-', 'COUNT', count);
		const out: AlertTransition[] = [];
		for (const [, fields] of entries.reverse()) {
			const i = fields.indexOf('t');
			const t = i >= 0 ? decodeTransition(fields[i + 1] ?? '') : undefined;
			if (t !== undefined) out.push(t);
		}
		return out;
	}
}

/** Embedded bus: one process, nothing to share; kept in memory. */
export class MemoryAlertStorage implements AlertStorage {
	readonly persistent = false;
	readonly acks = new Map<string, Ack>();
	readonly silences = new Map<string, Silence>();
	readonly log: AlertTransition[] = [];

	async loadAcks(): Promise<Map<string, Ack>> {
		return new Map(this.acks);
	}

	async loadSilences(): Promise<Map<string, Silence>> {
		return new Map(this.silences);
	}

	async putAck(ack: Ack): Promise<void> {
		refuseInvalidAck(ack);
		this.acks.set(ack.alertId, ack);
	}

	async deleteAck(alertId: string): Promise<void> {
		this.acks.delete(alertId);
	}

	async putSilence(silence: Silence): Promise<void> {
		refuseInvalidSilence(silence);
		this.silences.set(silence.id, silence);
	}

	async deleteSilence(id: string): Promise<void> {
		this.silences.delete(id);
	}

	async readLog(count: number): Promise<AlertTransition[]> {
		return this.log.slice(-count);
	}
}
