/**
REDIS CLUSTER (slow: about 20 s). mycotop's subscriber on a Cluster is one connection to one node, picked by ioredis,
which moves it to another node when that one dies, without a word to the Cluster client (which stays ready: the other
nodes answer). What was published in between reached no mycotop subscriber: that is a gap, and it must be counted and
shown as on one server (`· 1 gap`), not pass in silence.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Redis} from 'ioredis';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {startCluster, type TestCluster} from '../helpers/redis-cluster.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {startRuntime} from './harness.js';
import type {Runtime} from '../../src/runtime.js';

describe.runIf(redisAvailable())('Redis Cluster: the subscriber node dies', () => {
	let cluster: TestCluster | undefined;
	let runtime: Runtime | undefined;

	beforeAll(async () => {
		cluster = await startCluster();
	}, 60_000);
	afterAll(async () => {
		await runtime?.stop(500);
		await cluster?.stop();
	}, 30_000);

	it('the move to another node is a counted gap', async () => {
		const c = cluster!;
		runtime = await startRuntime(c.url);
		const rt = runtime;
		await waitFor(() => rt.bus.status().connection?.kind === 'connected', 15_000, 'connected to the cluster');
		// The node that holds mycotop's subscription.
		const numsubOn = async (port: number) => {
			const client = new Redis(port, '127.0.0.1', {lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0});
			client.on('error', () => {});
			try {
				await client.connect();
				const reply = (await client.call('PUBSUB', 'NUMSUB', INPUT_CHANNELS.trainingProgress)) as [string, number];
				return Number(reply[1]);
			} catch {
				return 0;
			} finally {
				client.disconnect();
			}
		};
		let subscribedOn: (typeof c.nodes)[number] | undefined;
		await waitFor(
			async () => {
				for (const node of c.nodes) if ((await numsubOn(node.port)) > 0) subscribedOn = node;
				return subscribedOn !== undefined;
			},
			10_000,
			'the subscription on one node',
		);
		expect(rt.bus.status().reconnects).toBe(0);
		await subscribedOn!.kill();
		// ioredis picks another node and subscribes again there.
		await waitFor(
			async () => {
				for (const node of c.nodes) if (node !== subscribedOn && (await numsubOn(node.port)) > 0) return true;
				return false;
			},
			15_000,
			'subscribed again on another node',
		);
		await waitFor(() => rt.bus.status().reconnects >= 1, 5000, `the gap counted (${rt.bus.status().summary})`);
		expect(rt.bus.status().summary).toMatch(/1 gap/);
		// The gap ends once the new connection is ready (seen at once, or at the latest on the next heartbeat).
		await waitFor(() => rt.bus.status().lastGapMs !== undefined, 5000, 'the gap closed');
		expect(rt.bus.status().lastGapMs).toBeGreaterThanOrEqual(0);
		// And messages flow again through the new subscription (published through any node).
		const publisher = c.client();
		const storedBefore = rt.store.counters.stored;
		await waitFor(
			async () => {
				await publisher.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'gap', step: 1, loss: 0.5}));
				return rt.store.counters.stored > storedBefore;
			},
			10_000,
			'a message through the new subscription',
		);
	}, 60_000);
});
