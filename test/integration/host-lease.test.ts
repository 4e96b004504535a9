/**
Several boxes share one Redis: the shared keys have one writer, but every box writes its own host's keys (its
GPUs), and two instances on the same box still write those only once.
*/
import {describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';

const enabled = redisAvailable();

describe.runIf(enabled)('per-host writer lease', () => {
	it('one shared writer, one host writer per box, no duplicate host entries', async () => {
		const redis = await startRedis();
		const make = (host: string) => new Runtime({redisUrl: redis.url, readOnly: false, demo: false, host});
		const a1 = make('box-a');
		const a2 = make('box-a');
		const b = make('box-b');
		const all = [a1, a2, b];
		try {
			for (const r of all) await r.start();
			await waitFor(() => all.filter((r) => r.bus.role === 'writer').length === 1, 5000, 'one shared writer');
			await waitFor(() => b.bus.canWriteHost() && [a1, a2].filter((r) => r.bus.canWriteHost()).length === 1, 5000, 'one host writer per box');
			expect(all.filter((r) => r.bus.canWrite()).length).toBe(1);

			for (const r of all) r.writer.enqueueList(`metrics:gpu:${r.host}:GPU-0:temperature`, JSON.stringify({value: 70, timestamp: 't'}), 60, 'host');
			const client = redis.client();
			await waitFor(async () => (await client.llen('metrics:gpu:box-b:GPU-0:temperature')) === 1 && (await client.llen('metrics:gpu:box-a:GPU-0:temperature')) >= 1, 5000, 'host entries');
			await new Promise((resolve) => setTimeout(resolve, 200));
			expect(await client.llen('metrics:gpu:box-a:GPU-0:temperature')).toBe(1);
			expect(await client.llen('metrics:gpu:box-b:GPU-0:temperature')).toBe(1);
		} finally {
			for (const r of all) await r.stop();
			await redis.stop();
		}
	});
});
