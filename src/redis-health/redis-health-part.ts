/**
The Redis health part: every 5 s (with Redis), a PING on mycotop's own connection (timed), then `INFO` and
`SLOWLOG LEN` together once it answers, on the shared schedule of periodic.ts (the whole seconds the other periodic
work wakes for, not a moment of its own): two wake-ups for the answers where one after another took three, and the
PING's time is its own (sent with INFO, its answer would wait for INFO's to be made: 0.04 against 0.10 ms on loopback).
The newest figures go to `--once` and the host line's neighbour; memory percent and latency are kept as series for the
rules (`redis_memory_percent`, `redis_latency_ms`). An account without INFO or SLOWLOG (ACL) gives the figures it can
and says why the rest are missing; no Redis (embedded) means no figures. Nothing here throws.
*/
import {isServerProbe, type Kv} from '../bus/kv.js';
import {type RuntimePart} from '../parts.js';
import {every, type Periodic} from '../periodic.js';
import {TimeRing} from '../store/ring-buffer.js';
import {type PointSeries} from '../store/ring-buffer.js';
import {parseInfo, redisHealth, type RedisHealth} from './info-parse.js';

export interface RedisHealthHost {
	readonly bus: {readonly kind: 'redis' | 'embedded'; kv(): Kv};
	readonly store: {touch(): void};
}

/** The series the rules read. */
export interface RedisSeries {
	readonly memoryPercent: PointSeries;
	readonly latencyMs: PointSeries;
}

export interface RedisHealthOptions {
	/** Default 5000 ms. */
	readonly intervalMs?: number;
	/** A PING slower than this counts as this (and the reason says so). Default 2000 ms. */
	readonly timeoutMs?: number;
	readonly now?: () => number;
}

/** A promise, or `undefined` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
	} finally {
		clearTimeout(timer);
	}
}

function why(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return /NOPERM/.test(message) ? 'not permitted by the ACL' : message.slice(0, 120);
}

export class RedisHealthPart implements RuntimePart {
	private current: RedisHealth | undefined;
	private timer: Periodic | undefined;
	private busy = false;
	readonly series: RedisSeries;
	private readonly memoryRing = new TimeRing(720);
	private readonly latencyRing = new TimeRing(720);
	private readonly now: () => number;

	constructor(
		private readonly host: RedisHealthHost,
		private readonly options: RedisHealthOptions = {},
	) {
		this.now = options.now ?? Date.now;
		this.series = {memoryPercent: this.memoryRing, latencyMs: this.latencyRing};
	}

	start(): void {
		void this.sample();
		this.timer = every(Math.max(1000, this.options.intervalMs ?? 5000), () => void this.sample());
	}

	stop(): void {
		this.timer?.stop();
		this.timer = undefined;
	}

	health(): RedisHealth | undefined {
		return this.current;
	}

	/** One reading now. */
	async sample(): Promise<void> {
		if (this.busy) return;
		const kv = this.host.bus.kind === 'redis' ? this.host.bus.kv() : undefined;
		if (!isServerProbe(kv)) {
			this.current = undefined;
			return;
		}
		this.busy = true;
		const timeout = this.options.timeoutMs ?? 2000;
		const reasons: string[] = [];
		try {
			const t0 = performance.now();
			let latencyMs: number | undefined;
			try {
				const ping = await within(kv.ping(), timeout);
				latencyMs = ping === 'timeout' ? timeout : performance.now() - t0;
				if (ping === 'timeout') reasons.push(`PING took over ${timeout} ms`);
			} catch (error) {
				reasons.push(`PING: ${why(error)}`);
			}
			// INFO and SLOWLOG LEN together: one round trip, one window of `timeout` for both.
			const [info, slowlog] = await Promise.allSettled([within(kv.info(), timeout), within(kv.slowlogLen(), timeout)]);
			if (info.status === 'rejected') reasons.push(`INFO: ${why(info.reason)}`);
			else if (info.value === 'timeout') reasons.push(`INFO took over ${timeout} ms`);
			const parsedInfo = info.status === 'fulfilled' && info.value !== 'timeout' ? parseInfo(info.value) : undefined;
			if (slowlog.status === 'rejected') reasons.push(`SLOWLOG: ${why(slowlog.reason)}`);
			else if (slowlog.value === 'timeout') reasons.push(`SLOWLOG LEN took over ${timeout} ms`);
			const slowlogLength = slowlog.status === 'fulfilled' && slowlog.value !== 'timeout' && Number.isFinite(slowlog.value) ? slowlog.value : undefined;
			const now = this.now();
			this.current = redisHealth(parsedInfo, slowlogLength, latencyMs, now, reasons.length > 0 ? reasons.join('; ') : undefined);
			if (this.current.memoryPercent !== undefined) this.memoryRing.push(now, this.current.memoryPercent);
			if (latencyMs !== undefined) this.latencyRing.push(now, latencyMs);
			this.host.store.touch();
		} finally {
			this.busy = false;
		}
	}
}
