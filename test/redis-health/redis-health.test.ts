/** Redis's own health: INFO parsing (recorded text), the part against a private redis-server, and the two rules. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseInfo, redisHealth, redisHealthText} from '../../src/redis-health/info-parse.js';
import {RedisHealthPart} from '../../src/redis-health/redis-health-part.js';
import {RedisKv} from '../../src/bus/redis-kv.js';
import {MemoryKv} from '../../src/bus/kv.js';
import {builtinRule} from '../../src/rules/builtin-rules.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {redisAvailable, startRedis, type TestRedis} from '../helpers/redis-server.js';
import {drive, fill, firstOf, kinds} from '../rules/helpers.js';

// An excerpt of `INFO` from Redis 7.0 (the sections mycotop reads), with a 4 GiB maxmemory.
const INFO = [
	'# Clients',
	'connected_clients:14',
	'cluster_connections:0',
	'maxclients:10000',
	'client_recent_max_input_buffer:20480',
	'client_recent_max_output_buffer:1048576',
	'blocked_clients:2',
	'',
	'# Memory',
	'used_memory:3865470566',
	'used_memory_human:3.60G',
	'total_system_memory:33554432000',
	'maxmemory:4294967296',
	'maxmemory_human:4.00G',
	'maxmemory_policy:noeviction',
	'mem_fragmentation_ratio:1.12',
	'',
	'# Stats',
	'total_connections_received:1234',
	'instantaneous_ops_per_sec:1520',
	'rejected_connections:0',
	'evicted_keys:0',
	'pubsub_channels:3',
	'pubsub_patterns:1',
	'',
].join('\r\n');

describe('INFO', () => {
	it('parses fields across sections (CRLF, comments, blank lines) and reads the figures', () => {
		const info = parseInfo(INFO);
		expect(info.get('maxmemory_policy')).toBe('noeviction');
		const h = redisHealth(info, 2, 0.42, 1000);
		expect(h).toEqual({
			timeMs: 1000,
			usedMemoryBytes: 3865470566,
			maxMemoryBytes: 4294967296,
			memoryPercent: (3865470566 / 4294967296) * 100,
			memoryOf: 'maxmemory',
			maxmemoryPolicy: 'noeviction',
			opsPerSec: 1520,
			connectedClients: 14,
			blockedClients: 2,
			pubsubChannels: 3,
			pubsubPatterns: 1,
			maxOutputBufferBytes: 1048576,
			evictedKeys: 0,
			rejectedConnections: 0,
			slowlogLength: 2,
			latencyMs: 0.42,
		});
		expect(redisHealthText(h)).toBe('redis: mem 3.6G/4.0G (90%), 1520 ops/s, 14 clients, pubsub 3 ch 1 pat, obuf 1.0M, slowlog 2, rtt 0.4 ms');
	});

	it('no maxmemory: the share of the machine\'s memory, said so; nothing known: no figures, never 0', () => {
		const info = parseInfo(INFO.replace('maxmemory:4294967296', 'maxmemory:0'));
		const h = redisHealth(info, undefined, undefined, 0);
		expect(h.maxMemoryBytes).toBeUndefined();
		expect(h.memoryOf).toBe('system memory');
		expect(h.memoryPercent).toBeCloseTo((3865470566 / 33554432000) * 100, 6);
		expect(redisHealthText(h)).toContain('of RAM, no maxmemory');
		const none = redisHealth(undefined, undefined, undefined, 0, 'INFO: not permitted by the ACL');
		expect(none).toEqual({timeMs: 0, reason: 'INFO: not permitted by the ACL'});
		expect(redisHealthText(none)).toBe('redis: (INFO: not permitted by the ACL)');
		expect(redisHealth(parseInfo('used_memory:lots\nconnected_clients:-1\n'), undefined, undefined, 0)).toEqual({timeMs: 0});
	});
});

/** A health part whose Redis is `probe` (ping, info, slowlogLen as the test answers them). */
function probedPart(probe: {ping: () => Promise<unknown>; info: () => Promise<unknown>; slowlogLen: () => Promise<unknown>}, timeoutMs: number): RedisHealthPart {
	return new RedisHealthPart({bus: {kind: 'redis', kv: () => probe as unknown as MemoryKv}, store: {touch: () => undefined}}, {timeoutMs});
}

describe('one sample', () => {
	it('times the PING alone, then sends INFO and SLOWLOG LEN together (one round trip)', async () => {
		// A probe whose answers come when the test says. The PING goes first and alone (sent with INFO, its answer would
		// wait for INFO's); INFO and SLOWLOG LEN go together once it answers, both asked before either answers.
		const asked: string[] = [];
		const answers = new Map<string, (value: unknown) => void>();
		const ask = (name: string) =>
			new Promise((resolve) => {
				asked.push(name);
				answers.set(name, resolve);
			});
		const probe = {ping: () => ask('ping'), info: () => ask('info'), slowlogLen: () => ask('slowlog')};
		const part = probedPart(probe, 5000);
		const done = part.sample();
		expect(asked).toEqual(['ping']);
		await new Promise((r) => setTimeout(r, 30));
		answers.get('ping')!('PONG');
		await new Promise((r) => setTimeout(r, 0));
		expect(asked).toEqual(['ping', 'info', 'slowlog']);
		await new Promise((r) => setTimeout(r, 400));
		answers.get('info')!(INFO);
		answers.get('slowlog')!(3);
		await done;
		const h = part.health()!;
		expect(h.latencyMs).toBeGreaterThanOrEqual(25);
		expect(h.latencyMs).toBeLessThan(300);
		expect(h.slowlogLength).toBe(3);
		expect(h.connectedClients).toBe(14);
		expect(h.reason).toBeUndefined();
	});

	it('a PING that does not answer counts as the timeout and says so; the other figures still come', async () => {
		const probe = {ping: () => new Promise(() => undefined), info: async () => INFO, slowlogLen: async () => 0};
		const part = probedPart(probe, 100);
		const t0 = performance.now();
		await part.sample();
		expect(performance.now() - t0).toBeLessThan(1000);
		const h = part.health()!;
		expect(h.latencyMs).toBe(100);
		expect(h.reason).toBe('PING took over 100 ms');
		expect(h.connectedClients).toBe(14);
		expect(h.slowlogLength).toBe(0);
	});

	it('INFO and SLOWLOG LEN that do not answer within the window leave their figures out and say so', async () => {
		const probe = {ping: async () => 'PONG', info: () => new Promise(() => undefined), slowlogLen: () => new Promise(() => undefined)};
		const part = probedPart(probe, 300);
		const t0 = performance.now();
		await part.sample();
		// One window for the two: not 300 ms each, one after the other.
		expect(performance.now() - t0).toBeLessThan(550);
		const h = part.health()!;
		expect(h.latencyMs).toBeLessThan(300);
		expect(h.connectedClients).toBeUndefined();
		expect(h.slowlogLength).toBeUndefined();
		expect(h.reason).toBe('INFO took over 300 ms; SLOWLOG LEN took over 300 ms');
	});
});

describe.skipIf(!redisAvailable())('against a private redis-server', () => {
	let redis: TestRedis;
	beforeAll(async () => {
		redis = await startRedis(['--maxmemory', '64mb']);
	});
	afterAll(async () => {
		await redis?.stop();
	});

	it('PING, INFO and SLOWLOG LEN on the connection give the figures INFO shows when read independently', async () => {
		const client = redis.client();
		const own = redis.client();
		await client.config('SET', 'slowlog-log-slower-than', '0');
		await client.set('k', 'v');
		await client.subscribe('events:a', 'events:b');
		let touched = 0;
		const part = new RedisHealthPart({bus: {kind: 'redis', kv: () => new RedisKv(own)}, store: {touch: () => (touched += 1)}}, {intervalMs: 1000});
		await part.sample();
		const h = part.health()!;
		expect(touched).toBe(1);
		const check = redis.client();
		const info = parseInfo(await check.info());
		expect(h.maxMemoryBytes).toBe(64 * 1024 * 1024);
		expect(h.memoryOf).toBe('maxmemory');
		expect(Math.abs(h.usedMemoryBytes! - Number(info.get('used_memory')))).toBeLessThan(2 * 1024 * 1024);
		expect(h.pubsubChannels).toBe(2);
		expect(h.connectedClients).toBeGreaterThanOrEqual(2);
		expect(h.slowlogLength).toBeGreaterThan(0);
		expect(h.latencyMs).toBeGreaterThan(0);
		expect(h.latencyMs).toBeLessThan(1000);
		expect(part.series.memoryPercent.lastValue()).toBeCloseTo(h.memoryPercent!, 6);
		expect(part.series.latencyMs.length).toBe(1);
		await check.quit();
		await own.quit();
		await client.quit();
	});

	it('without Redis (embedded bus) there are no figures, and nothing is thrown', async () => {
		const part = new RedisHealthPart({bus: {kind: 'embedded', kv: () => new MemoryKv()}, store: {touch: () => undefined}});
		await part.sample();
		expect(part.health()).toBeUndefined();
	});
});

describe('rules', () => {
	const S = 1000;
	it('redis_memory_high: above 90% for 1 min, clears below 85%', () => {
		const w = new SeriesWorld();
		fill(w, 'redis_memory_percent', {}, 0, 300 * S, 5 * S, (t) => (t < 60 * S ? 70 : t < 200 * S ? 93 : t < 240 * S ? 87 : 60));
		expect(kinds(drive(w, [builtinRule('redis_memory_high')!], {stepMs: 5 * S}).until(300 * S).transitions)).toEqual(['pending@60', 'firing@120', 'resolved@240']);
	});

	it('redis_latency_high: a 2-min median over 50 ms for 1 min; one slow PING does not fire, even at start', () => {
		const w = new SeriesWorld();
		// One 900 ms PING at 20 s; a slow spell (80 ms) from 200 s to 350 s.
		fill(w, 'redis_latency_ms', {}, 0, 600 * S, 5 * S, (t) => (t < 200 * S ? (t === 20 * S ? 900 : 1) : t < 350 * S ? 80 : 2));
		const run = drive(w, [builtinRule('redis_latency_high')!], {stepMs: 5 * S}).until(600 * S);
		expect(run.transitions.filter((t) => t.timeMs < 200 * S)).toHaveLength(0);
		const fired = firstOf(run.transitions, 'redis_latency_high', 'firing')!;
		// The median passes 50 ms once half of the 2-min window is slow (60 s in), then 1 min of "for".
		expect(fired.timeMs).toBeGreaterThanOrEqual(310 * S);
		expect(fired.timeMs).toBeLessThanOrEqual(330 * S);
		expect(fired.message).toBe('Redis round trip 80 ms (2 min median)');
		expect(run.transitions.filter((t) => t.kind === 'firing')).toHaveLength(1);
		expect(firstOf(run.transitions, 'redis_latency_high', 'resolved')!.timeMs).toBeGreaterThan(350 * S);
	});
});

describe('--once', () => {
	it('prints the Redis health line when there is one', async () => {
		const {onceText} = await import('../../src/once.js');
		const {makeSnapshot} = await import('../components/fixtures.js');
		const h = redisHealth(parseInfo(INFO), 2, 0.42, 1000);
		expect(onceText({...makeSnapshot(), redisHealth: h})).toContain('\nredis: mem 3.6G/4.0G (90%), 1520 ops/s');
		expect(onceText(makeSnapshot())).not.toContain('redis: mem');
	});
});
