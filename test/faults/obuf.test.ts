/** R6: Redis drops the subscriber for its pub/sub output-buffer limit (a slow consumer). */
import {spawnSync} from 'node:child_process';
import {describe, expect} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisTest} from '../helpers/redis-fixture.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {numsub, plainClient} from './harness.js';

const it = redisTest.extend({redisArgs: [async ({}, use) => use(['--client-output-buffer-limit', 'pubsub 64kb 0 0']), {scope: 'file'}]});

/** A RESP-encoded PUBLISH, for redis-cli --pipe. */
function respPublish(channel: string, message: string): string {
	const parts = ['PUBLISH', channel, message];
	return `*3\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

describe.runIf(redisAvailable())('subscriber dropped for its output buffer', () => {
	it('notices the drop, reconnects, resubscribes and counts it', async ({task, redis, startRuntime}) => {
		const row = faultRow(
			task,
			'R6 subscriber over its output-buffer limit (pubsub 64kb, event loop blocked during a 32 MB burst)',
			'Redis closes the subscriber; noticed, reconnected, resubscribed, the gap counted and shown; no crash',
		);
		const runtime = await startRuntime({startTimeoutMs: 3000, stopTimeoutMs: 500});
		await waitFor(() => runtime.bus.role === 'writer', 8000, 'writer lease');
		const admin = plainClient(redis.url);
		const pad = 'x'.repeat(4000);
		let burst = '';
		for (let i = 0; i < 8000; i++) burst += respPublish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'burst', step: i, loss: 1, pad}));
		// spawnSync blocks this process, which is mycotop's: nobody reads the subscriber socket during the burst.
		const result = spawnSync('redis-cli', ['-p', String(redis.port), '--pipe'], {input: burst, encoding: 'utf8'});
		expect(result.status).toBe(0);
		await waitFor(() => runtime.bus.status().reconnects >= 1, 5000, 'drop noticed');
		await waitFor(async () => runtime.bus.status().connection?.kind === 'connected' && (await numsub(admin, INPUT_CHANNELS.trainingProgress)) === 1, 5000, 'resubscribed');
		const received = runtime.store.counters.received;
		await admin.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'after', step: 1, loss: 1}));
		await waitFor(() => runtime.store.projects.has('after'), 3000, 'message after the drop');
		const status = runtime.snapshot().bus;
		row.observe(`dropped once by Redis; received ${received} of 8000 before the drop; resubscribed (NUMSUB 1); gaps ${status.reconnects}; header "${status.summary.replace(/^Redis \S+ /, '')}"`);
		expect(received).toBeLessThan(8000);
		expect(status.reconnects).toBe(1);
		expect(status.summary).toContain('1 gap');
		expect(status.summary).toContain('subscriber cut off by Redis ×1');
		expect(status.cutOffByRedis).toBe(1);
		admin.disconnect();
	});

	it('one message bigger than the limit: the subscriber is cut off, the cut-off named and counted, later messages arrive', async ({task, redis, startRuntime}) => {
		const row = faultRow(
			task,
			'R6b one 200 kB message over a pubsub 64kb hard limit',
			'subscriber cut off by Redis: counted and named in the header (not a silent gap); the next message arrives',
		);
		// The first test's runtime was stopped after it: a fresh one.
		const runtime = await startRuntime({startTimeoutMs: 3000, stopTimeoutMs: 500});
		await waitFor(() => runtime.bus.role === 'writer', 8000, 'writer lease');
		const admin = plainClient(redis.url);
		await admin.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'huge', step: 1, loss: 1, pad: 'y'.repeat(200_000)}));
		await waitFor(() => runtime.bus.status().cutOffByRedis === 1, 5000, 'cut-off counted');
		await waitFor(async () => runtime.bus.status().connection?.kind === 'connected' && (await numsub(admin, INPUT_CHANNELS.trainingProgress)) === 1, 5000, 'resubscribed');
		await admin.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'after-huge', step: 1, loss: 1}));
		await waitFor(() => runtime.store.projects.has('after-huge'), 3000, 'message after the cut-off');
		const summary = runtime.snapshot().bus.summary;
		row.observe(`header "${summary.replace(/^Redis \S+ /, '')}"`);
		expect(summary).toContain('subscriber cut off by Redis ×1');
		admin.disconnect();
	});
});
