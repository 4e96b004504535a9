/** No Redis at start: mycotop runs on the embedded bus, says so, and switches to Redis when it appears. */
import {describe, expect, it} from 'vitest';
import {freePort, redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';

const enabled = redisAvailable();

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
});
