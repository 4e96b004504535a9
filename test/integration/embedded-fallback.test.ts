/** No Redis at start: mycotop runs on the embedded bus, says so, and switches to Redis when it appears. */
import {describe, expect, it} from 'vitest';
import {freePort, redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {redisPerTest} from '../helpers/redis-fixture.js';
import {Runtime} from '../../src/runtime.js';
import {INPUT_CHANNELS, streamForChannel} from '../../src/contract/names.js';

const enabled = redisAvailable();
// Redis refuses every write (-NOREPLICAS) until a replica count is met.
const itNoReplicas = redisPerTest.extend({redisArgs: async ({}, use) => use(['--min-replicas-to-write', '1'])});

describe.runIf(enabled)('embedded fallback', () => {
	it('runs the demo on the embedded bus, then moves to Redis once it is reachable', async () => {
		const port = await freePort();
		const runtime = new Runtime({redisUrl: `redis://127.0.0.1:${port}`, readOnly: false, demo: true});
		await runtime.start(500);
		try {
			let snap = runtime.snapshot();
			expect(snap.bus.kind).toBe('embedded');
			expect(snap.bus.role).toBe('standalone');
			expect(snap.bus.summary).toMatch(/^embedded bus; Redis redis:\/\/127\.0\.0\.1:\d+: unreachable/);
			await waitFor(() => runtime.snapshot().training.length === 4, 5000, 'demo data on the embedded bus');
			// The embedded bus has its own key space: the writer's code runs the same.
			await waitFor(async () => (await runtime.bus.memory.lrange('metrics:training:asr-conformer:loss', 0, 0)).length === 1, 5000, 'embedded writes');

			const redis = await startRedis([], port);
			try {
				await waitFor(() => runtime.bus.kind === 'redis', 15_000, 'switch to Redis');
				await waitFor(() => runtime.bus.role === 'writer', 5000, 'writer lease');
				snap = runtime.snapshot();
				expect(snap.bus.summary).toMatch(/^Redis redis:\/\/127\.0\.0\.1:\d+: connected$/);
				// The demo now publishes through Redis and the writer writes the seed's keys there.
				const client = redis.client();
				await waitFor(async () => (await client.llen('metrics:training:asr-conformer:loss')) > 0, 5000, 'demo data written to Redis');
			} finally {
				await runtime.stop();
				await redis.stop();
			}
		} finally {
			await runtime.stop();
		}
	});

	redisPerTest('holds the writes that arrive before the first lease answer, then writes them: none dropped', async ({redis, startRuntime}) => {
		const client = redis.client();
		// Redis holds every write command (the lease's SET NX among them) for 2 s; SUBSCRIBE goes through.
		await client.call('CLIENT', 'PAUSE', '2000', 'WRITE');
		// Not waiting for hydration, which queues behind the paused lease on the writer's connection.
		const runtime = await startRuntime({startTimeoutMs: 0});
		await waitFor(() => runtime.bus.kind === 'redis', 1500, 'on Redis');
		expect(runtime.bus.role).toBe('viewer');
		expect(runtime.bus.shouldQueue('shared')).toBe(true);
		expect(runtime.snapshot().bus.summary).toContain('lease being decided (writes wait)');
		// Events taken in while the role is undecided; the writer's flushes in this window must keep them.
		for (let step = 0; step < 20; step++) runtime.ingest.handle(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'undecided', step, loss: 1}));
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(runtime.bus.role).toBe('viewer');
		expect(runtime.snapshot().writer?.dropped).toBe(0);
		await waitFor(() => runtime.bus.role === 'writer', 5000, 'writer lease');
		await waitFor(async () => (await client.llen('metrics:training:undecided:loss')) === 20, 5000, 'the held entries written');
		expect(runtime.snapshot().writer?.dropped).toBe(0);
		expect(runtime.snapshot().bus.summary).toMatch(/: connected$/);
	});

	itNoReplicas('keeps holding those writes while the lease gets errors instead of answers, and writes them once it is taken', async ({redis, startRuntime}) => {
		// Redis refuses every write (-NOREPLICAS) until a replica count is met: the lease's SET NX gets an error, an
		// unknown outcome, like -LOADING while a restarted Redis reads its data.
		const client = redis.client();
		const runtime = await startRuntime({startTimeoutMs: 0});
		await waitFor(() => runtime.bus.kind === 'redis', 5000, 'on Redis');
		for (let step = 0; step < 20; step++) runtime.ingest.handle(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'no-answer', step, loss: 1}));
		// Several rounds without an answer, and several flushes.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(runtime.bus.role).toBe('viewer');
		expect(runtime.bus.shouldQueue('shared')).toBe(true);
		expect(runtime.snapshot().writer).toMatchObject({dropped: 0, pendingEntries: 20});
		await client.config('SET', 'min-replicas-to-write', '0');
		await waitFor(() => runtime.bus.role === 'writer', 5000, 'writer lease');
		await waitFor(async () => (await client.llen('metrics:training:no-answer:loss')) === 20, 5000, 'the held entries written');
		expect(runtime.snapshot().writer?.dropped).toBe(0);
	});

	itNoReplicas('gives up holding after retakeHoldMs without an answer: the held writes are dropped and counted, not kept forever', async ({startRuntime}) => {
		const runtime = await startRuntime({retakeHoldMs: 1000, startTimeoutMs: 0});
		await waitFor(() => runtime.bus.kind === 'redis', 5000, 'on Redis');
		for (let step = 0; step < 20; step++) runtime.ingest.handle(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'never', step, loss: 1}));
		expect(runtime.bus.shouldQueue('shared')).toBe(true);
		await waitFor(() => !runtime.bus.shouldQueue('shared'), 3000, 'the hold given up');
		await waitFor(() => runtime.snapshot().writer?.dropped === 20, 2000, 'the held entries counted as dropped');
		expect(runtime.bus.role).toBe('viewer');
		expect(runtime.snapshot().writer?.pendingEntries).toBe(0);
		expect(runtime.snapshot().bus.summary).toMatch(/20 writes dropped/);
	});

	redisPerTest('--streams: entries read while the first lease answer is pending are written once, not again after it', async ({redis, startRuntime}) => {
		const client = redis.client();
		const stream = streamForChannel(INPUT_CHANNELS.trainingProgress);
		for (let step = 0; step < 50; step++) await client.xadd(stream, '*', 'data', JSON.stringify({projectId: 'streamed', step, loss: 1}));
		await client.call('CLIENT', 'PAUSE', '1500', 'WRITE');
		const runtime = await startRuntime({streams: true, startTimeoutMs: 0});
		await waitFor(() => runtime.bus.role === 'writer', 5000, 'writer lease');
		await waitFor(async () => (await client.llen('metrics:training:streamed:loss')) >= 50, 5000, 'the entries written');
		// Longer than one XREAD BLOCK (1 s): a reader that had read as a viewer would have rewound by now.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const steps = (await client.lrange('metrics:training:streamed:loss', 0, -1)).map((e) => JSON.parse(e).step as number);
		expect(steps).toHaveLength(50);
		expect(new Set(steps).size).toBe(50);
		expect(await client.hget('mycotop:streams:last_id', stream)).toBeTruthy();
	});
});
