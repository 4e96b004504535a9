/** R10: rediss:// against a test CA: verified by default, clear errors otherwise. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {freePort, redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {makeTestPki, redisTlsArgs, type TestPki} from '../helpers/tls.js';
import {type Runtime} from '../../src/runtime.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {plainClient, startRuntime} from './harness.js';

describe.runIf(redisAvailable())('TLS (rediss://)', () => {
	let redis: TestRedis;
	let pki: TestPki;
	let tlsPort: number;
	const runtimes: Runtime[] = [];

	beforeAll(async () => {
		pki = makeTestPki();
		tlsPort = await freePort();
		redis = await startRedis(redisTlsArgs(pki, tlsPort));
	});
	afterAll(async () => {
		for (const runtime of runtimes) await runtime.stop(300);
		await redis?.stop();
		pki?.remove();
	});

	it('connects with the test CA and refuses an unknown or missing CA with a clear message', async ({task}) => {
		const row = faultRow(
			task,
			'R10 TLS: rediss:// with the right CA, another CA, no CA',
			'right CA: connected, events flow; other CA / no CA: not connected, the header says why (TLS: ...)',
		);
		const url = `rediss://127.0.0.1:${tlsPort}`;
		const good = await startRuntime(url, {redisCa: pki.caCert});
		runtimes.push(good);
		const wrong = await startRuntime(url, {redisCa: pki.otherCaCert});
		runtimes.push(wrong);
		const none = await startRuntime(url);
		runtimes.push(none);
		await waitFor(() => good.bus.status().connection?.kind === 'connected', 5000, 'TLS connection');
		const client = plainClient(redis.url);
		await waitFor(async () => (await client.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'tls', step: 1, loss: 0.5}))) >= 1, 5000, 'subscribed over TLS');
		await waitFor(() => good.store.projects.has('tls'), 3000, 'event over TLS');
		await waitFor(() => /TLS/.test(wrong.bus.status().summary) && /TLS/.test(none.bus.status().summary), 5000, 'TLS errors shown');
		const wrongSummary = wrong.bus.status().summary;
		const noneSummary = none.bus.status().summary;
		row.observe(`right CA: "${good.bus.status().summary}", event received; other CA: "${wrongSummary}"; no CA: "${noneSummary}"`);
		expect(good.bus.kind).toBe('redis');
		expect(wrong.bus.kind).toBe('embedded');
		expect(none.bus.kind).toBe('embedded');
		expect(wrongSummary).toMatch(/unreachable .*TLS: .*certificate/);
		expect(noneSummary).toMatch(/unreachable .*TLS: .*certificate/);
		client.disconnect();
	});
});
