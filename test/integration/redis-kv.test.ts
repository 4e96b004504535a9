/** RedisKv.exec: one MULTI/EXEC per batch against a real redis-server, with Redis's own errors surfaced. */
import {describe, expect} from 'vitest';
import {redisAvailable} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {RedisKv} from '../../src/bus/redis-kv.js';
import {EncodedEntries} from '../../src/bus/resp-encode.js';
import {type Redis} from 'ioredis';

describe.runIf(redisAvailable())('RedisKv.exec', () => {
	let client: Redis;
	let kv: RedisKv;

	it.beforeAll(async ({redis}) => {
		client = redis.client();
		kv = new RedisKv(client);
	});

	it('applies encoded list entries, numbers and hashes as one transaction', async () => {
		const entries = new EncodedEntries(8);
		for (const text of ['{"a":1}', '', 'naïve 🚀', 'x'.repeat(5000)]) entries.push(text);
		await kv.exec([
			['LPUSH', 'l', 'first', entries],
			['LTRIM', 'l', 0, 3],
			['EXPIRE', 'l', 600],
			['HSET', 'h', 'f', 'v', 'g', 'w'],
		]);
		expect(await client.lrange('l', 0, -1)).toEqual(['x'.repeat(5000), 'naïve 🚀', '', '{"a":1}']);
		expect(await client.ttl('l')).toBeGreaterThan(590);
		expect(await client.hgetall('h')).toEqual({f: 'v', g: 'w'});
	});

	it("rejects with Redis's error when a command fails inside the transaction, and the others still ran (Redis semantics)", async () => {
		await client.set('s', 'a string');
		await expect(kv.exec([['LPUSH', 's', 'x'], ['HSET', 'after', 'f', '1']])).rejects.toThrow(/WRONGTYPE/);
		expect(await client.hget('after', 'f')).toBe('1');
	});

	it('rejects with the refused command\'s error when Redis will not queue it, and nothing runs', async () => {
		await expect(kv.exec([['HSET', 'aborted', 'f', '1'], ['EXPIRE', 'aborted']])).rejects.toThrow(/wrong number of arguments/);
		expect(await client.exists('aborted')).toBe(0);
		// The connection is still usable afterwards.
		await kv.exec([['HSET', 'later', 'f', '1']]);
		expect(await client.hget('later', 'f')).toBe('1');
	});
});
