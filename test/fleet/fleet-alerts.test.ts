/**
The composed runtime end to end on a real redis-server: with `--host`, a rule firing on this box's GPU (a user rule
over gpu_temperature_celsius, the fake nvidia-smi's one GPU) carries `host` in the alert log stream and on the
seed's channel, and the box's fleet summary counts it as firing.
*/
import {describe, expect, it} from 'vitest';
import {resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {composeRuntime} from '../../src/compose.js';
import {parseFlags} from '../../src/config/flags.js';
import {parseConfig} from '../../src/config/config.js';
import {ALERT_KEYS, ourKeys} from '../../src/contract/names.js';

const fakeSmi = resolve(import.meta.dirname, '../fixtures/nvidia-smi/bin/nvidia-smi');

describe.runIf(redisAvailable())('alerts of a named box', () => {
	it('carry host in the log and on the channel, and count in its fleet summary', async () => {
		const redis = await startRedis();
		const client = redis.client();
		const listener = redis.client();
		const messages: Array<Record<string, unknown>> = [];
		listener.on('message', (_c: string, m: string) => messages.push(JSON.parse(m) as Record<string, unknown>));
		await listener.subscribe('events:alerts:gpu');
		const parsed = parseFlags(['--host', 'box-7', '--nvidia-smi', fakeSmi, '--gpu-interval', '250']);
		if (!parsed.ok) throw new Error(parsed.error);
		const config = parseConfig("rules:\n  - alert: warm_gpu\n    series: gpu_temperature_celsius\n    condition: 'value > 0'\n    severity: warning\n    for: 0s\nhost:\n  enabled: false\n", 'test.yaml');
		if (!config.ok) throw new Error(JSON.stringify(config.issues));
		process.env['FAKE_NVIDIA_SMI_SCENARIO'] = 'one-gpu';
		const runtime = await composeRuntime(parsed.flags, config.config, {redisUrl: redis.url, readOnly: false, demo: false, host: 'box-7'});
		try {
			await runtime.start();
			await waitFor(async () => (await client.hget(ourKeys.hostSummary('box-7'), 'alerts_firing')) === '1', 20_000, 'one firing alert in the summary');
			const log = await client.xrange(ALERT_KEYS.log, '-', '+');
			const firing = log.map(([, fields]) => JSON.parse(fields[1]!) as {rule: string; to: string; labels: Record<string, string>}).find((t) => t.rule === 'warm_gpu' && t.to === 'firing');
			expect(firing?.labels).toMatchObject({host: 'box-7', gpu: '0'});
			await waitFor(() => messages.some((m) => m['rule'] === 'warm_gpu'), 5000, 'the channel message');
			expect(messages.find((m) => m['rule'] === 'warm_gpu')!['labels']).toMatchObject({host: 'box-7'});
			expect(runtime.snapshot().alerts?.rows.find((r) => r.rule === 'warm_gpu')?.labels['host']).toBe('box-7');
		} finally {
			delete process.env['FAKE_NVIDIA_SMI_SCENARIO'];
			await runtime.stop();
			client.disconnect();
			listener.disconnect();
			await redis.stop();
		}
	}, 40_000);
});
