/**
Writes made while Redis is away for longer than the lease's trust window are kept (bounded) and delivered when
this instance retakes the lease on Redis's return: never silently refused.
*/
import {describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';

const enabled = redisAvailable();

describe.runIf(enabled)('a long outage', () => {
	it('keeps the writer\'s writes through a 7 s outage and delivers them on return', async () => {
		const redis = await startRedis();
		const runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false});
		try {
			await runtime.start();
			await waitFor(() => runtime.bus.role === 'writer', 5000, 'writer');
			await redis.kill();
			await waitFor(() => runtime.bus.status().connection?.kind !== 'connected', 5000, 'outage noticed');
			runtime.writer.enqueueList('metrics:outage:early', '"e"', 60);
			await new Promise((resolve) => setTimeout(resolve, 7000));
			// Past the 4 s trust window: the lease is no longer trusted, yet these must wait too.
			expect(runtime.bus.canWrite()).toBe(false);
			for (let i = 0; i < 50; i++) runtime.writer.enqueueList('metrics:outage:late', JSON.stringify(i), 60);
			expect(runtime.writer.pendingCount).toBe(51);
			await redis.start();
			const client = redis.client();
			await waitFor(async () => (await client.llen('metrics:outage:late')) === 50, 10_000, 'late writes delivered');
			expect(await client.llen('metrics:outage:early')).toBe(1);
			expect(runtime.writer.stats.dropped).toBe(0);
		} finally {
			await runtime.stop();
			await redis.stop();
		}
	}, 30_000);
});
