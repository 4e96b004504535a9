/** The sent-record against a real redis-server: fenced by the writer lease, idempotent, taken over after a lapsed claim. */
import {describe, expect} from 'vitest';
import {redisAvailable} from '../helpers/redis-server.js';
import {redisPerTest as it} from '../helpers/redis-fixture.js';
import {claimAnswer, redisSentRecords, sentRecordKey, settledKeepMs} from '../../src/writer/sent-records.js';
import {ourKeys} from '../../src/contract/names.js';

const id = {receiver: 'pager', groupKey: '{}/{alertname="gpu_hot"}:{gpu="0"}', contentHash: 'abc'};

describe('claimAnswer', () => {
	it('reads what a record says', () => {
		expect(claimAnswer(undefined, 'a')).toBe('claimed');
		expect(claimAnswer('claimed a 1', 'a')).toBe('claimed');
		expect(claimAnswer('claimed b 1', 'a')).toBe('busy');
		expect(claimAnswer('sent b 1', 'a')).toBe('sent');
		expect(claimAnswer('abandoned b 1', 'a')).toBe('sent');
		expect(claimAnswer('junk', 'a')).toBe('claimed');
	});

	it('keeps a settled record for the repeat interval (a repeat has a hash of its own)', () => {
		expect(settledKeepMs(4 * 3_600_000)).toBe(4 * 3_600_000);
		expect(settledKeepMs(60_000)).toBe(60_000);
		expect(settledKeepMs(Number.NaN)).toBe(4 * 3_600_000);
		expect(settledKeepMs(10)).toBe(1000);
	});
});

describe.runIf(redisAvailable())('redisSentRecords', () => {
	it('lets only the lease holder claim, once, until the claim lapses or is settled', async ({redis}) => {
		const client = redis.client();
		const a = redisSentRecords(client, 'host:1:aa');
		const b = redisSentRecords(client, 'host:2:bb');
		expect(await a.claim(id, 500)).toBe('not-writer');
		await client.set(ourKeys.writerLease, 'host:1:aa');
		expect(await a.claim(id, 500)).toBe('claimed');
		expect(await a.claim(id, 500)).toBe('claimed');
		await client.set(ourKeys.writerLease, 'host:2:bb');
		expect(await b.claim(id, 500)).toBe('busy');
		expect(await a.claim(id, 500)).toBe('not-writer');
		expect(await b.done([id])).toEqual([false]);
		// The first writer died mid-send: its claim lapses and the new writer takes it.
		await new Promise((r) => setTimeout(r, 600));
		expect(await b.claim(id, 500)).toBe('claimed');
		await b.settle(id, 'sent', settledKeepMs(7 * 86_400_000));
		expect(await b.claim(id, 500)).toBe('sent');
		expect(await a.done([id, {...id, contentHash: 'other'}])).toEqual([true, false]);
		const key = sentRecordKey(id);
		expect(key).toMatch(/^mycotop:notify:sent:[0-9a-f]{40}$/);
		expect(await client.pttl(key)).toBeGreaterThan(6 * 86_400_000);
		expect(await client.get(key)).toMatch(/^sent host:2:bb \d+$/);
	});
});
