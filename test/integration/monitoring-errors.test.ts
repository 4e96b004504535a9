/** The seed's events:errors:monitoring: a failing GPU collector is reported there, by this host's writer. */
import {describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {composeRuntime} from '../../src/compose.js';
import {parseFlags} from '../../src/config/flags.js';
import {EMPTY_CONFIG} from '../../src/config/config.js';

const enabled = redisAvailable();

describe.runIf(enabled)('events:errors:monitoring', () => {
	it('carries {component: gpu_metrics_collector, error, timestamp} when nvidia-smi is missing', async () => {
		const redis = await startRedis();
		const listener = redis.client();
		const messages: Array<Record<string, unknown>> = [];
		listener.on('message', (_c: string, m: string) => messages.push(JSON.parse(m) as Record<string, unknown>));
		await listener.subscribe('events:errors:monitoring');
		const parsed = parseFlags(['--nvidia-smi', '/nonexistent/nvidia-smi']);
		if (!parsed.ok) throw new Error(parsed.error);
		const runtime = await composeRuntime(parsed.flags, EMPTY_CONFIG, {redisUrl: redis.url, readOnly: false, demo: false});
		try {
			await runtime.start();
			await waitFor(() => messages.length > 0, 10_000, 'a monitoring error');
			expect(messages[0]).toMatchObject({component: 'gpu_metrics_collector', error: expect.stringContaining('not found'), timestamp: expect.any(String)});
		} finally {
			await runtime.stop();
			await redis.stop();
		}
	});
});
