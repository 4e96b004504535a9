/**
The Redis health part: every 5 s (with Redis), a PING on mycotop's own connection (timed), `INFO` and `SLOWLOG LEN`,
sent together (one round trip, so one wake-up for the answers, not three) on the shared schedule of periodic.ts (the
whole seconds the other periodic work wakes for, not a moment of its own).
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
			// All three at once; the PING goes first, so its answer comes first and its time is the round trip's.
			const t0 = performance.now();
			let pingMs = 0;
			const [ping, info, slowlog] = await Promise.allSettled([
				within(
					kv.ping().then(() => (pingMs = performance.now() - t0)),
					timeout,
				),
				within(kv.info(), timeout),
				within(kv.slowlogLen(), timeout),
			]);
			let latencyMs: number | undefined;
			if (ping.status === 'rejected') reasons.push(`PING: ${why(ping.reason)}`);
			else if (ping.value === 'timeout') {
				latencyMs = timeout;
				reasons.push(`PING took over ${timeout} ms`);
			} else latencyMs = pingMs;
			if (info.status === 'rejected') reasons.push(`INFO: ${why(info.reason)}`);
			const parsedInfo = info.status === 'fulfilled' && info.value !== 'timeout' ? parseInfo(info.value) : undefined;
			if (slowlog.status === 'rejected') reasons.push(`SLOWLOG: ${why(slowlog.reason)}`);
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
