/**
The GPU frames' history samples are held between history ticks (10 s, gpu-part.ts) and handed to the writer when the
part stops: a --headless writer stopped by SIGTERM a few seconds after it started (no history tick since its first
frame) has every frame's sample in the 10 s buckets in Redis. Built CLI, real redis-server, the fake nvidia-smi.
*/
import {describe, expect, it} from 'vitest';
import {resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {startCli} from '../helpers/cli.js';
import {decodeRecord, RECORD_BYTES} from '../../src/history/rollup-layout.js';

const fakeSmi = resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'bin', 'nvidia-smi');

describe.runIf(redisAvailable())('GPU history at SIGTERM', () => {
	it('the samples held since the last history tick are written by the drain', async () => {
		const redis = await startRedis();
		const client = redis.client();
		const writer = startCli(['--headless', '--redis-url', redis.url, '--nvidia-smi', fakeSmi, '--gpu-interval', '250', '--host', 'box-stop'], {FAKE_NVIDIA_SMI_SCENARIO: 'one-gpu'});
		try {
			const counted = async (): Promise<number> => {
				let total = 0;
				for (const key of await client.keys('mycotop:history:10s:gpu:box-stop:0:util:*')) {
					const bytes = await client.getBuffer(key);
					if (bytes === null) continue;
					for (let at = 0; at + RECORD_BYTES <= bytes.length; at += RECORD_BYTES) total += decodeRecord(bytes, at)?.count ?? 0;
				}
				return total;
			};
			// The first frame is a history tick: its sample is written at once.
			await waitFor(async () => (await counted()) > 0, 20_000, 'the first frame in the history');
			const started = Date.now();
			await new Promise((r) => setTimeout(r, 3000));
			writer.kill('SIGTERM');
			expect(await writer.exited()).toBe(0);
			const seconds = (Date.now() - started) / 1000;
			// About 4 frames a second were sampled; allow for a slow, loaded machine, but far more than the first one.
			expect(await counted()).toBeGreaterThanOrEqual(Math.floor(seconds * 4 * 0.5));
		} finally {
			writer.kill('SIGKILL');
			await writer.exited();
			client.disconnect();
			await redis.stop();
		}
	}, 40_000);
});
