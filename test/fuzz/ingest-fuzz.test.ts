/**
Fuzz: 10,000 generated hostile messages per subscribed channel (plus 1 MB payloads) through a real Redis into the
runtime. No crash, every message counted exactly as stored or rejected, and nothing unsafe for a terminal left in
the snapshot or in the key names written.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';
import {SUBSCRIBED_CHANNELS} from '../../src/contract/names.js';
import {FuzzGenerator, hasNoControls, type FuzzMessage} from './generator.js';
import {faultRow} from '../faults/fault-table.js';

export const PER_CHANNEL = 10_000;

/** Every string in a JSON-able value (keys included). */
function strings(value: unknown, out: string[] = []): string[] {
	if (typeof value === 'string') out.push(value);
	else if (Array.isArray(value)) for (const item of value) strings(item, out);
	else if (value !== null && typeof value === 'object')
		for (const [key, item] of Object.entries(value)) {
			out.push(key);
			strings(item, out);
		}
	return out;
}

describe.runIf(redisAvailable())('fuzz: hostile messages on every channel', () => {
	let redis: TestRedis;
	let runtime: Runtime;

	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await runtime?.stop(500);
		await redis?.stop();
	});

	it(`stores or rejects each of ${PER_CHANNEL} messages per channel exactly as the contract says, and leaks no control sequence`, {timeout: 120_000}, async ({task}) => {
		const row = faultRow(
			task,
			`R11 fuzz: ${PER_CHANNEL} hostile messages per channel x ${SUBSCRIBED_CHANNELS.length} channels + 1 MB payloads, through Redis`,
			'no crash; every message stored or rejected exactly as built (rejects counted with reasons); no control character in the snapshot or in key names',
		);
		runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, instanceId: 'fuzz'});
		await runtime.start(3000);
		await waitFor(() => runtime.bus.role === 'writer', 8000, 'writer lease');
		const generator = new FuzzGenerator(0x5eed);
		const corpus: FuzzMessage[] = [];
		for (const channel of SUBSCRIBED_CHANNELS) {
			corpus.push(...generator.corpus(channel, PER_CHANNEL));
			corpus.push(generator.megabyte(channel), generator.megabyte(channel));
		}
		const client = redis.client();
		let delivered = 0;
		for (let i = 0; i < corpus.length; i += 500) {
			const pipeline = client.pipeline();
			for (const message of corpus.slice(i, i + 500)) pipeline.publish(message.channel, message.raw);
			for (const [error, receivers] of (await pipeline.exec()) ?? []) if (error === null && receivers === 1) delivered += 1;
			// Let the subscriber keep up (pub/sub has no flow control).
			await waitFor(() => runtime.store.counters.received >= delivered - 2000, 10_000, 'ingest keeping up');
		}
		expect(delivered).toBe(corpus.length);
		await waitFor(() => runtime.store.counters.received === corpus.length, 20_000, 'every message counted');

		const expectedRejects = corpus.filter((m) => m.verdict === 'rejected').length;
		const counters = runtime.store.counters;
		expect(counters.refused).toBe(0);
		expect(counters.rejected).toBe(expectedRejects);
		expect(counters.stored).toBe(corpus.length - expectedRejects);
		expect([...counters.rejectReasons.values()].reduce((a, b) => a + b, 0)).toBe(expectedRejects);
		expect(counters.rejectReasons.get('payload too large')).toBe(corpus.filter((m) => m.kind === 'too-large' || m.kind === '1mb').length);

		const snapshot = runtime.snapshot();
		const unsafe = strings(JSON.parse(JSON.stringify(snapshot))).filter((s) => !hasNoControls(s));
		expect(unsafe).toEqual([]);
		// Whole sequences are removed, bodies included: no OSC title, clipboard or DCS text survives as text either.
		expect(strings(JSON.parse(JSON.stringify(snapshot))).filter((s) => s.includes('PWNED'))).toEqual([]);
		await runtime.writer.drain(5000);
		const keys = await client.keys('*');
		expect(keys.length).toBeGreaterThan(10);
		expect(keys.filter((k) => !hasNoControls(k))).toEqual([]);
		row.observe(
			`${corpus.length} delivered and received; ${counters.stored} stored, ${counters.rejected} rejected (= expected) for ${counters.rejectReasons.size} reasons; ` +
				`${unsafe.length} unsafe strings in the snapshot; ${keys.length} keys, all clean`,
		);
	});
});
