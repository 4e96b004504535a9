/**
Redis's own health from what it says about itself: `INFO` (memory, stats, clients sections), `SLOWLOG LEN`, and the
round-trip of a PING on mycotop's own connection (which queues behind mycotop's writes, so it is the latency mycotop
sees). Pure: the part (redis-health-part.ts) asks, this reads.
*/

/** `INFO` text as field -> value (every section together; `# Section` and blank lines skipped). */
export function parseInfo(text: string): Map<string, string> {
	const out = new Map<string, string>();
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) continue;
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		out.set(line.slice(0, colon), line.slice(colon + 1));
	}
	return out;
}

export interface RedisHealth {
	readonly timeMs: number;
	readonly usedMemoryBytes?: number;
	/** `maxmemory`; undefined when 0 (no limit). */
	readonly maxMemoryBytes?: number;
	/** used / maxmemory; with no maxmemory, used / the machine's memory (`total_system_memory`), and `memoryOf` says so. */
	readonly memoryPercent?: number;
	readonly memoryOf?: 'maxmemory' | 'system memory';
	readonly maxmemoryPolicy?: string;
	readonly opsPerSec?: number;
	readonly connectedClients?: number;
	readonly blockedClients?: number;
	readonly pubsubChannels?: number;
	readonly pubsubPatterns?: number;
	/** The largest output buffer of any client lately (`client_recent_max_output_buffer`): a slow subscriber's backlog. */
	readonly maxOutputBufferBytes?: number;
	readonly evictedKeys?: number;
	readonly rejectedConnections?: number;
	readonly slowlogLength?: number;
	/** PING round trip on mycotop's connection (ms). */
	readonly latencyMs?: number;
	/** Why some figure is missing (an ACL without INFO, an old Redis). */
	readonly reason?: string;
}

function int(info: ReadonlyMap<string, string>, field: string): number | undefined {
	const text = info.get(field);
	if (text === undefined || !/^\d{1,20}(?:\.\d+)?$/.test(text)) return undefined;
	const n = Number(text);
	return Number.isFinite(n) ? n : undefined;
}

/** The figures from one INFO, SLOWLOG LEN and PING; any of them may be missing. Pure. */
export function redisHealth(info: ReadonlyMap<string, string> | undefined, slowlogLength: number | undefined, latencyMs: number | undefined, timeMs: number, reason?: string): RedisHealth {
	const i = info ?? new Map<string, string>();
	const used = int(i, 'used_memory');
	const max = int(i, 'maxmemory');
	const system = int(i, 'total_system_memory');
	const limit = max !== undefined && max > 0 ? max : undefined;
	const of = limit ?? (system !== undefined && system > 0 ? system : undefined);
	const fields: Record<string, number | string | undefined> = {
		usedMemoryBytes: used,
		maxMemoryBytes: limit,
		memoryPercent: used !== undefined && of !== undefined ? (used / of) * 100 : undefined,
		memoryOf: used !== undefined && of !== undefined ? (limit !== undefined ? 'maxmemory' : 'system memory') : undefined,
		maxmemoryPolicy: i.get('maxmemory_policy'),
		opsPerSec: int(i, 'instantaneous_ops_per_sec'),
		connectedClients: int(i, 'connected_clients'),
		blockedClients: int(i, 'blocked_clients'),
		pubsubChannels: int(i, 'pubsub_channels'),
		pubsubPatterns: int(i, 'pubsub_patterns'),
		maxOutputBufferBytes: int(i, 'client_recent_max_output_buffer'),
		evictedKeys: int(i, 'evicted_keys'),
		rejectedConnections: int(i, 'rejected_connections'),
		slowlogLength,
		latencyMs,
		reason,
	};
	const out: Record<string, unknown> = {timeMs};
	for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
	return out as unknown as RedisHealth;
}

function bytes(n: number): string {
	const units = ['B', 'K', 'M', 'G', 'T'];
	let v = n;
	let u = 0;
	while (v >= 1024 && u < units.length - 1) {
		v /= 1024;
		u += 1;
	}
	return `${u === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)}${units[u]}`;
}

/** One line: `redis mem 1.2G/4.0G (30%) 1520 ops/s 14 clients 3 ch 1 pat obuf 0B slowlog 2 rtt 0.4 ms`. Pure. */
export function redisHealthText(h: RedisHealth | undefined): string {
	if (h === undefined) return 'redis: no reading yet';
	const parts: string[] = [];
	if (h.usedMemoryBytes !== undefined)
		parts.push(
			`mem ${bytes(h.usedMemoryBytes)}${h.maxMemoryBytes !== undefined ? `/${bytes(h.maxMemoryBytes)}` : ''}${h.memoryPercent !== undefined ? ` (${h.memoryPercent.toFixed(0)}%${h.memoryOf === 'system memory' ? ' of RAM, no maxmemory' : ''})` : ''}`,
		);
	if (h.opsPerSec !== undefined) parts.push(`${h.opsPerSec} ops/s`);
	if (h.connectedClients !== undefined) parts.push(`${h.connectedClients} clients`);
	if (h.pubsubChannels !== undefined) parts.push(`pubsub ${h.pubsubChannels} ch ${h.pubsubPatterns ?? '?'} pat`);
	if (h.maxOutputBufferBytes !== undefined) parts.push(`obuf ${bytes(h.maxOutputBufferBytes)}`);
	if (h.slowlogLength !== undefined) parts.push(`slowlog ${h.slowlogLength}`);
	if (h.latencyMs !== undefined) parts.push(`rtt ${h.latencyMs.toFixed(1)} ms`);
	if (h.reason !== undefined) parts.push(`(${h.reason})`);
	return `redis: ${parts.length > 0 ? parts.join(', ') : 'no figures'}`;
}
