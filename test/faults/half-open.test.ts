/** R4: a half-open link (the route dies silently: no FIN, no RST) between mycotop and Redis. */
import {afterAll, describe, expect} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {startFaultProxy, type FaultProxy} from '../helpers/fault-proxy.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {plainClient, SequencePublisher} from './harness.js';

describe.runIf(redisAvailable())('half-open link', () => {
	let proxyToClose: FaultProxy | undefined;

	afterAll(async () => {
		await proxyToClose?.close();
	});

	it('notices a link that stops forwarding within 10 s, reconnects and resubscribes', async ({task, redis, startRuntime}) => {
		const row = faultRow(
			task,
			'R4 half-open link (proxy stops forwarding, sockets stay open)',
			'noticed within 10 s (heartbeat PING + socket timeout), reconnect through a healed route, resubscribed, gap counted',
		);
		const proxy = await startFaultProxy(redis.port);
		proxyToClose = proxy;
		const runtime = await startRuntime({redisUrl: proxy.url, startTimeoutMs: 3000, stopTimeoutMs: 500});
		await waitFor(() => runtime.bus.role === 'writer', 8000, 'writer lease');
		const client = plainClient(redis.url);
		const publisher = new SequencePublisher(client, 'half-open', 2, 20);
		publisher.start();
		await waitFor(() => runtime.store.counters.stored > 20, 5000, 'events flowing');
		const acceptedBefore = proxy.accepted;

		proxy.mode('blackhole');
		const cutAt = Date.now();
		await waitFor(() => runtime.bus.status().connection?.kind !== 'connected', 15_000, 'link noticed dead');
		const noticedMs = Date.now() - cutAt;
		const noticed = runtime.snapshot().bus.summary;
		// The route heals for new connections; the frozen ones stay dead.
		proxy.mode('pass');
		await waitFor(() => runtime.bus.status().connection?.kind === 'connected', 10_000, 'reconnected');
		const reconnectedMs = Date.now() - cutAt;
		const storedAt = runtime.store.counters.stored;
		await waitFor(() => runtime.store.counters.stored > storedAt + 20, 5000, 'events flowing again');
		publisher.stop();
		const numsub = (await client.call('PUBSUB', 'NUMSUB', INPUT_CHANNELS.trainingProgress)) as [string, number];
		const status = runtime.snapshot().bus;
		row.observe(
			`noticed after ${noticedMs} ms ("${noticed.replace(/^Redis \S+ /, '')}"); connected again at ${reconnectedMs} ms through ${proxy.accepted - acceptedBefore} new connections; ` +
				`live subscriptions ${Number(numsub[1])} (1 frozen); gaps ${status.reconnects}`,
		);
		expect(noticedMs).toBeLessThanOrEqual(10_000);
		expect(noticed).toMatch(/timed out/);
		expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
		expect(status.reconnects).toBe(1);
		expect(status.summary).toContain('1 gap');
		// The gap runs from the last data seen before the cut, not from when the dead link was noticed.
		expect(status.lastGapMs).toBeGreaterThanOrEqual(noticedMs);
		client.disconnect();
	});
});
