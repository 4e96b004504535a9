/**
The `mycotop` command end to end (built CLI, real redis-server): --once --json with hydrated history, --headless
with a clean SIGTERM, two instances writing no duplicates, a viewer taking over from a killed writer, usage errors.
*/
import {describe, expect, it} from 'vitest';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Redis} from 'ioredis';
import {freePort, redisAvailable, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {redisTest} from '../helpers/redis-fixture.js';
import {runCli, startCli} from '../helpers/cli.js';
import {findOnPath} from '../../src/compose.js';
import {FAKE_SMI} from '../faults/smi-scenarios.js';

const enabled = redisAvailable();

describe('usage errors', () => {
	it('an unknown flag exits 2 with a message', async () => {
		const r = await runCli(['--frobnicate']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain("unknown flag '--frobnicate'");
	});

	it('an invalid config names file, line and field and exits 2', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-cfg-'));
		const file = join(dir, 'config.yaml');
		writeFileSync(file, 'redis:\n  url: redis://127.0.0.1:1\nstore:\n  maxAgents: -4\n');
		const r = await runCli(['--config', file, '--once']);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`${file}:4: store.maxAgents: expected a positive integer, got -4`);
	});

	it('a file that is not YAML at all: each problem once, at most ten and a count of the rest, exit 2', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-cfg-'));
		const file = join(dir, 'config.yaml');
		// The yaml package reports "Flow map in block collection ..." three times for line 3 of this text.
		writeFileSync(file, 'redis: [unclosed\n  url: {{{ \n: : :\n\t- bad\n' + Array.from({length: 12}, (_, i) => `k${i}: [\n`).join(''));
		const r = await runCli(['--config', file, '--once']);
		expect(r.code).toBe(2);
		const lines = r.stderr.split('\n').filter((l) => l.startsWith('mycotop: config error:'));
		expect(new Set(lines).size).toBe(lines.length);
		expect(lines.length).toBe(11);
		// In line order; the count sits on the line where the problems it stands for begin.
		const at = lines.map((l) => Number(/:(\d+): \(yaml\)/.exec(l)?.[1]));
		expect(at).toEqual([...at].sort((a, b) => a - b));
		expect(lines.at(-1)).toMatch(/\(yaml\): and \d+ more YAML problems from this line on$/);
	});

	it('a command after a dashboard flag is named as a command, an unknown word as unknown; both exit 2', async () => {
		const late = await runCli(['--once', 'ack', 'gpu_hot:0']);
		expect(late.code).toBe(2);
		expect(late.stderr).toContain('"ack" is a command: only --config, --redis-url and --redis-ca may come before it');
		const unknown = await runCli(['acknowledge']);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('unknown command "acknowledge"');
	});

	it('--version and --help exit 0', async () => {
		expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
		const help = await runCli(['--help']);
		expect(help.code).toBe(0);
		expect(help.stdout).toContain('--redis-url URL');
	});
});

describe('without Redis', () => {
	it('--once --json --demo runs on the embedded bus and says why', async () => {
		const port = await freePort();
		const r = await runCli(['--once', '--json', '--demo', '--redis-url', `redis://user:hunter2@127.0.0.1:${port}`]);
		expect(r.code).toBe(0);
		const snap = JSON.parse(r.stdout);
		expect(snap.bus.kind).toBe('embedded');
		expect(snap.bus.summary).toMatch(/embedded bus; Redis redis:\/\/user:\*\*\*@127\.0\.0\.1:\d+: unreachable \d+s \(connection refused\)/);
		expect(r.stdout + r.stderr).not.toContain('hunter2');
		expect(snap.training.length).toBe(4);
		expect(snap.agents.length).toBeGreaterThan(0);
		// No NVIDIA driver here: the demo's simulated GPUs run through the real sampler.
		if (findOnPath('nvidia-smi') === undefined) {
			expect(snap.gpu.state).toBe('ok');
			expect(snap.gpu.gpus.map((g: {name: string}) => g.name)).toEqual(Array(4).fill('NVIDIA H100 80GB HBM3'));
		}
	});

	it('--once waits for GPU telemetry to be decided: the GPUs, or why there are none (a hanging nvidia-smi)', async () => {
		const eight = await runCli(['--once', '--json', '--embedded', '--nvidia-smi', FAKE_SMI], {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu'});
		expect(eight.code).toBe(0);
		expect(JSON.parse(eight.stdout).gpu).toMatchObject({state: 'ok'});
		expect(JSON.parse(eight.stdout).gpu.gpus).toHaveLength(8);
		const started = Date.now();
		const hung = await runCli(['--once', '--json', '--embedded', '--nvidia-smi', FAKE_SMI], {FAKE_NVIDIA_SMI_SCENARIO: 'hang-always'});
		expect(hung.code).toBe(0);
		const gpu = JSON.parse(hung.stdout).gpu;
		expect(gpu.state).toBe('unavailable');
		expect(gpu.reason).toMatch(/did not answer within/);
		expect(Date.now() - started).toBeLessThan(12_000);
	});

	it('--gpus names the requested GPUs the box does not have instead of quietly showing fewer', async () => {
		const env = {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu'};
		const json = await runCli(['--once', '--json', '--embedded', '--nvidia-smi', FAKE_SMI, '--gpus', '0,9'], env);
		expect(json.code).toBe(0);
		const gpu = JSON.parse(json.stdout).gpu;
		expect(gpu.gpus.map((g: {index: number}) => g.index)).toEqual([0]);
		expect(gpu.notFound).toEqual([9]);
		const text = await runCli(['--once', '--embedded', '--nvidia-smi', FAKE_SMI, '--gpus', '0,9'], env);
		expect(text.stdout).toContain('1 GPUs; not found: GPU 9');
		const all = await runCli(['--once', '--json', '--embedded', '--nvidia-smi', FAKE_SMI, '--gpus', '0,3'], env);
		expect(JSON.parse(all.stdout).gpu.notFound).toBeUndefined();
	});
});

describe.runIf(enabled)('against redis-server', () => {
	let redis: TestRedis;
	let client: Redis;

	redisTest.beforeAll(async ({redis: fileRedis}) => {
		redis = fileRedis;
		client = redis.client();
	});

	it('--once --json prints hydrated history and exits without writing', async () => {
		const entries = Array.from({length: 500}, (_, i) => JSON.stringify({step: i, value: 5 - i * 0.01, timestamp: new Date(Date.now() - (500 - i) * 1000).toISOString()}));
		await client.lpush('metrics:training:hist:loss', ...entries);
		const r = await runCli(['--once', '--json', '--redis-url', redis.url]);
		expect(r.code).toBe(0);
		const snap = JSON.parse(r.stdout);
		const hist = snap.training.find((p: {projectId: string}) => p.projectId === 'hist');
		expect(hist.points).toBe(500);
		expect(hist.lastStep).toBe(499);
		expect(hist.lossTail.at(-1)).toBeCloseTo(0.01);
		expect(snap.bus).toMatchObject({kind: 'redis', role: 'read-only', subscriberFastPath: true});
		expect(await client.exists('mycotop:writer:lease')).toBe(0);
	});

	it.each(['SIGTERM', 'SIGINT'] as const)('--headless writes JSON lines and, on %s, flushes pending writes and exits 0', async (signal) => {
		const key = `metrics:training:headless-${signal}:loss`;
		const cli = startCli(['--headless', '--redis-url', redis.url]);
		await waitFor(() => cli.lines().some((l) => l['type'] === 'started'), 10_000, 'started line');
		await waitFor(() => cli.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 10_000, 'writer role');
		// 500 events, then a malformed one on the same channel: once its reject line is out, all 500 have been taken in,
		// and the signal comes before the writer's next batch would have gone out.
		const pipeline = client.pipeline();
		for (let step = 0; step < 500; step++) pipeline.publish('events:training:progress', JSON.stringify({projectId: `headless-${signal}`, step, loss: 1}));
		pipeline.publish('events:training:progress', 'garbage');
		await pipeline.exec();
		await waitFor(() => cli.lines().some((l) => l['type'] === 'reject' && l['reason'] === 'not JSON'), 5000, 'reject line');
		cli.child.kill(signal);
		expect(await cli.exited()).toBe(0);
		expect(cli.lines().at(-1)).toMatchObject({type: 'stopped', pending: 0});
		expect(await client.llen(key)).toBe(500);
		// The lease was handed over on the way out.
		expect(await client.exists('mycotop:writer:lease')).toBe(0);
	});

	it('two instances write every entry once; a viewer takes over when the writer is killed', async () => {
		await client.del('metrics:training:dup:loss');
		const a = startCli(['--headless', '--redis-url', redis.url]);
		await waitFor(() => a.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 10_000, 'first instance writes');
		const b = startCli(['--headless', '--redis-url', redis.url]);
		await waitFor(() => b.lines().some((l) => l['type'] === 'started'), 10_000, 'second instance started');
		expect(b.lines().filter((l) => l['type'] === 'state').at(-1)).toMatchObject({role: 'viewer'});

		for (let step = 0; step < 200; step++) await client.publish('events:training:progress', JSON.stringify({projectId: 'dup', step, loss: 1}));
		await waitFor(async () => (await client.llen('metrics:training:dup:loss')) >= 200, 5000, '200 entries');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(await client.llen('metrics:training:dup:loss')).toBe(200);

		a.child.kill('SIGKILL');
		await a.exited();
		const killedAt = Date.now();
		await waitFor(() => b.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 10_000, 'viewer takes over');
		expect(Date.now() - killedAt).toBeLessThan(8000);

		for (let step = 200; step < 300; step++) await client.publish('events:training:progress', JSON.stringify({projectId: 'dup', step, loss: 1}));
		await waitFor(async () => (await client.llen('metrics:training:dup:loss')) >= 300, 5000, '300 entries');
		await new Promise((resolve) => setTimeout(resolve, 300));
		const steps = (await client.lrange('metrics:training:dup:loss', 0, -1)).map((e) => JSON.parse(e).step as number);
		expect(steps.length).toBe(300);
		expect(new Set(steps).size).toBe(300);
		b.child.kill('SIGTERM');
		expect(await b.exited()).toBe(0);
	});
});
