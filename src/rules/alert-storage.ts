/**
Where acknowledgements, silences and the transition log live: Redis keys of our own (any non-read-only
instance may write acks and silences: they are user actions), or memory on the embedded bus.

  mycotop:alerts:acks      hash   alert id -> {alertId, by, atMs, severity, comment}
  mycotop:alerts:silences  hash   silence id -> {id, matchers, startsMs, endsMs, createdBy, comment}
  mycotop:alerts:log       stream one entry per transition (field `t`: JSON), capped at about 10,000 entries
*/
import {sanitizeText} from '../contract/sanitize.js';
import type {Redis} from 'ioredis';
import {parseAck, parseSilence, SILENCE_RETENTION_MS, type Ack, type Silence} from './ack-silence.js';
import {type AlertTransition} from './engine.js';

export const ALERT_KEYS = {
	acks: 'mycotop:alerts:acks',
	silences: 'mycotop:alerts:silences',
	log: 'mycotop:alerts:log',
} as const;

export const LOG_MAX_ENTRIES = 10_000;
/** Acks older than this are dropped when loaded (the episode they covered is long over). */
export const ACK_RETENTION_MS = 7 * 86_400_000;

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

/** JSON with NaN/Infinity kept as strings. */
export function encodeTransition(t: AlertTransition, instance: string): string {
	return JSON.stringify({...t, instance}, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function decodeTransition(text: string): AlertTransition | undefined {
	try {
		const v = JSON.parse(text) as Record<string, unknown>;
		if (typeof v['id'] !== 'string' || typeof v['rule'] !== 'string' || typeof v['kind'] !== 'string' || typeof v['timeMs'] !== 'number') return undefined;
		if (typeof v['labels'] !== 'object' || v['labels'] === null || typeof v['key'] !== 'string') return undefined;
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
	constructor(private readonly redis: Redis) {}

	async loadAcks(now: number): Promise<Map<string, Ack>> {
		const raw = await this.redis.hgetall(ALERT_KEYS.acks);
		const out = new Map<string, Ack>();
		const stale: string[] = [];
		for (const [field, text] of Object.entries(raw)) {
			const ack = parseAck(text);
			if (ack === undefined || now - ack.atMs > ACK_RETENTION_MS) stale.push(field);
			else out.set(field, ack);
		}
		if (stale.length > 0) await this.redis.hdel(ALERT_KEYS.acks, ...stale);
		return out;
	}

	async loadSilences(now: number): Promise<Map<string, Silence>> {
		const raw = await this.redis.hgetall(ALERT_KEYS.silences);
		const out = new Map<string, Silence>();
		const stale: string[] = [];
		for (const [field, text] of Object.entries(raw)) {
			const s = parseSilence(text);
			if (s === undefined || now - s.endsMs > SILENCE_RETENTION_MS) stale.push(field);
			else out.set(field, s);
		}
		if (stale.length > 0) await this.redis.hdel(ALERT_KEYS.silences, ...stale);
		return out;
	}

	async putAck(ack: Ack): Promise<void> {
		await this.redis.hset(ALERT_KEYS.acks, ack.alertId, JSON.stringify(ack));
	}

	async deleteAck(alertId: string): Promise<void> {
		await this.redis.hdel(ALERT_KEYS.acks, alertId);
	}

	async putSilence(silence: Silence): Promise<void> {
		await this.redis.hset(ALERT_KEYS.silences, silence.id, JSON.stringify(silence));
	}

	async deleteSilence(id: string): Promise<void> {
		await this.redis.hdel(ALERT_KEYS.silences, id);
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
		this.acks.set(ack.alertId, ack);
	}

	async deleteAck(alertId: string): Promise<void> {
		this.acks.delete(alertId);
	}

	async putSilence(silence: Silence): Promise<void> {
		this.silences.set(silence.id, silence);
	}

	async deleteSilence(id: string): Promise<void> {
		this.silences.delete(id);
	}

	async readLog(count: number): Promise<AlertTransition[]> {
		return this.log.slice(-count);
	}
}
