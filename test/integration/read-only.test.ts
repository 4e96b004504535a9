/** --read-only never writes: no seed keys, no lease, nothing at all, while it still shows everything. */
import {describe, expect} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisPerTest as it} from '../helpers/redis-fixture.js';

const enabled = redisAvailable();

describe.runIf(enabled)('read-only', () => {
	it('ingests and shows events but leaves Redis untouched', async ({redis, startRuntime}) => {
		const runtime = await startRuntime({readOnly: true, writer: {aggregateEveryMs: 50, analysisEveryMs: 50, dashboardEveryMs: 50, rankingsEveryMs: 50}});
		const client = redis.client();
		for (let step = 0; step < 20; step++) await client.publish('events:training:progress', JSON.stringify({projectId: 'ro', step, loss: 1}));
		await client.publish('events:tasks:updates', JSON.stringify({taskId: 't', status: 'done', agent: 'a', duration_seconds: 5}));
		await client.publish('events:agents:status', JSON.stringify({agentType: 'a', status: 'busy', taskCount: 1}));
		await waitFor(() => runtime.store.counters.stored === 22, 5000, 'events stored');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(runtime.snapshot().training[0]).toMatchObject({projectId: 'ro', points: 20});
		expect(runtime.snapshot().bus.role).toBe('read-only');
		expect(await client.dbsize()).toBe(0);
	});

	it('--read-only --demo keeps the simulated events in the process: nothing is published', async ({redis, startRuntime}) => {
		const listener = redis.client();
		let heard = 0;
		listener.on('message', () => (heard += 1));
		await listener.subscribe('events:training:progress', 'events:tasks:updates', 'events:agents:status');
		const runtime = await startRuntime({readOnly: true, demo: true});
		await waitFor(() => runtime.store.projects.size === 4, 5000, 'demo data in the store');
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(heard).toBe(0);
		expect(await redis.client().dbsize()).toBe(0);
	});
});
