import {describe, expect, it} from 'vitest';
import {describeConnection, isAuthError, nextConnectionState, type ConnectionState} from '../../src/bus/connection-state.js';
import {parseRedisUrl, redactSecrets, redactUrl} from '../../src/bus/redis-url.js';
import {reconnectDelay, redisOptions} from '../../src/bus/redis-link.js';
import {leaseValid} from '../../src/bus/writer-lease.js';
import {MemoryKv} from '../../src/bus/kv.js';

describe('connection state', () => {
	const start: ConnectionState = {kind: 'connecting', sinceMs: 0};

	it('goes connecting -> unreachable -> connected -> reconnecting -> connected', () => {
		let s = nextConnectionState(start, {type: 'error', message: 'connect ECONNREFUSED 127.0.0.1:1'}, 100);
		expect(s).toEqual({kind: 'unreachable', sinceMs: 0, lastError: 'connection refused'});
		s = nextConnectionState(s, {type: 'ready'}, 200);
		expect(s).toEqual({kind: 'connected', sinceMs: 200});
		s = nextConnectionState(s, {type: 'close'}, 300);
		expect(s.kind).toBe('reconnecting');
		expect(describeConnection(s, 3300)).toBe('reconnecting 3s (connection closed)');
		s = nextConnectionState(s, {type: 'ready'}, 4000);
		expect(s.kind).toBe('connected');
	});

	it('recognises authentication and ACL failures', () => {
		const s = nextConnectionState(start, {type: 'error', message: 'WRONGPASS invalid username-password pair or user is disabled.'}, 1);
		expect(s.kind).toBe('auth-failed');
		expect(describeConnection(s, 2)).toBe('auth failed: authentication failed (wrong user or password)');
		expect(isAuthError('NOPERM this user has no permissions to run the subscribe command')).toBe(true);
		expect(isAuthError('ECONNREFUSED')).toBe(false);
	});
});

describe('redaction', () => {
	it('never shows a password', () => {
		expect(redactUrl('redis://monitor:s3cret@h:6379/2')).toBe('redis://monitor:***@h:6379/2');
		expect(redactUrl('rediss://:pw@h')).toBe('rediss://:***@h');
		expect(redactUrl('redis://h:6379')).toBe('redis://h:6379');
		expect(redactSecrets('AUTH monitor s3cret failed', ['s3cret'])).toBe('AUTH monitor *** failed');
	});

	it('parses targets and refuses other schemes', () => {
		expect(parseRedisUrl('rediss://u:p%40ss@example:6380/1')).toMatchObject({tls: true, host: 'example', port: 6380, password: 'p@ss'});
		expect(() => parseRedisUrl('http://x')).toThrow(/unsupported Redis URL scheme/);
		expect(() => parseRedisUrl('redis://h/abc')).toThrow(/invalid Redis database/);
	});
});

describe('resilience options', () => {
	it('backs off exponentially with jitter, capped near 5 s', () => {
		expect(reconnectDelay(1, () => 0)).toBe(100);
		expect(reconnectDelay(3, () => 0)).toBe(400);
		expect(reconnectDelay(20, () => 0)).toBe(5000);
		expect(reconnectDelay(20, () => 1)).toBe(6500);
	});

	it('sets explicit options per connection', () => {
		const target = parseRedisUrl('redis://h:1');
		const sub = redisOptions('subscriber', target, {socketTimeoutMs: 6000, lastErrorWasAuth: () => false});
		const writer = redisOptions('writer', target, {socketTimeoutMs: 6000, lastErrorWasAuth: () => true});
		expect(sub).toMatchObject({enableOfflineQueue: true, autoResubscribe: true, socketTimeout: 6000, enableReadyCheck: false});
		expect(writer).toMatchObject({enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0});
		expect((writer.retryStrategy as (n: number) => number)(1)).toBe(30_000);
	});

	it('trusts a lease only until ttl - safety after its renewal began', () => {
		expect(leaseValid(undefined, 0, 5000, 1000)).toBe(false);
		expect(leaseValid(1000, 4999, 5000, 1000)).toBe(true);
		expect(leaseValid(1000, 5000, 5000, 1000)).toBe(false);
	});
});

describe('MemoryKv (the embedded bus key space)', () => {
	it('follows the Redis semantics the writer relies on', async () => {
		const kv = new MemoryKv();
		await kv.exec([
			['LPUSH', 'l', 'a', 'b', 'c'],
			['LTRIM', 'l', 0, 1],
			['HSET', 'h', 'f', '1'],
			['HINCRBY', 'h', 'n', 2],
			['SADD', 's', 'x', 'y'],
			['SREM', 's', 'x'],
			['SET', 'k', 'v'],
		]);
		expect(await kv.lrange('l', 0, -1)).toEqual(['c', 'b']);
		expect(await kv.hgetall('h')).toEqual({f: '1', n: '2'});
		expect(await kv.smembers('s')).toEqual(['y']);
		expect(await kv.get('k')).toBe('v');
		expect(await kv.scan('h*')).toEqual(['h']);
	});
});
