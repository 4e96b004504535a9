/** R8: mycotop started before Redis exists. */
import {afterAll, describe, expect} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {type Runtime} from '../../src/runtime.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {plainClient, requireBuild, spawnCli, type CliProcess} from './harness.js';

describe.runIf(redisAvailable())('started before Redis exists', () => {
	let runtime: Runtime | undefined;
	let cli: CliProcess | undefined;

	it.beforeAll(async ({redis}) => {
		requireBuild();
		await redis.kill();
	});
	afterAll(() => {
		cli?.kill('SIGKILL');
	});

	it('runs on the embedded bus, retries without a storm, logs once per state change and switches to Redis when it appears', async ({task, redis, startRuntime}) => {
		const row = faultRow(
			task,
			'R8 mycotop started before Redis exists; Redis appears 4 s later',
			'UI up at once on the embedded bus ("unreachable"); jittered retries capped at ~1/s per connection; one log line per state change; on Redis within 2 s of its start',
		);
		cli = spawnCli(['--headless', '--no-gpu', '--redis-url', redis.url]);
		runtime = await startRuntime({startTimeoutMs: 3000, stopTimeoutMs: 500});
		let attempts = 0;
		runtime.bus.link!.subscriber.on('reconnecting', () => (attempts += 1));
		const startedAt = Date.now();
		expect(runtime.bus.kind).toBe('embedded');
		expect(runtime.snapshot().bus.summary).toMatch(/embedded bus; Redis redis:\/\/127\.0\.0\.1:\d+: unreachable \d+s \(connection refused\)/);
		await new Promise((resolve) => setTimeout(resolve, 4000 - (Date.now() - startedAt)));
		const attemptsIn4s = attempts;
		const stateLinesBefore = cli.lines().filter((l) => l['type'] === 'state');
		await redis.start();
		const upAt = Date.now();
		await waitFor(() => runtime!.bus.kind === 'redis' && runtime!.bus.status().connection?.kind === 'connected', 5000, 'switched to Redis');
		const switchMs = Date.now() - upAt;
		await waitFor(() => cli!.lines().some((l) => l['type'] === 'state' && l['connection'] === 'connected'), 5000, 'headless on Redis');
		const client = plainClient(redis.url);
		await waitFor(async () => (await client.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: 'late', step: 1, loss: 1}))) === 2, 5000, 'both subscribed');
		await waitFor(() => runtime!.store.projects.has('late'), 3000, 'event through Redis');
		row.observe(
			`in-process: ${attemptsIn4s} subscriber attempts in 4 s, "${runtime.snapshot().bus.summary}" -> on Redis ${switchMs} ms after it started; ` +
				`headless: ${stateLinesBefore.length} state line(s) while unreachable: ${stateLinesBefore.map((l) => JSON.stringify(l['summary'])).join(', ')}`,
		);
		expect(attemptsIn4s).toBeGreaterThanOrEqual(3);
		expect(attemptsIn4s).toBeLessThanOrEqual(10);
		expect(switchMs).toBeLessThanOrEqual(2000);
		expect(stateLinesBefore.length).toBeLessThanOrEqual(2);
		expect(String(stateLinesBefore[0]?.['summary'])).toMatch(/unreachable|connecting/);
		client.disconnect();
	});
});
