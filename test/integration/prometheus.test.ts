/**
End to end with a real Prometheus: the built CLI (`--headless`, a real redis-server, the fake nvidia-smi playing a
one-frame recording) serves `--metrics-listen 127.0.0.1:0`; a real `prometheus` (Debian's package) scrapes it every
second from its own temp storage, and its query API answers with the fake GPU's utilization, a firing and a
pending alert of a fixture rule (as ALERTS), and a training loss under a hostile project id. A scrape answers while
Redis is stalled; `/readyz` turns 503 while Redis is down and 200 again after.
*/
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startCli, type RunningCli} from '../helpers/cli.js';
import {freePort, redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {FAKE_NVIDIA_SMI} from '../gpu/fixtures.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {dashboardExpressions, loadDashboard} from '../metrics/dashboard.js';

const PROMETHEUS = process.env['PROMETHEUS_BIN'] ?? 'prometheus';
const havePrometheus = spawnSync(PROMETHEUS, ['--version'], {stdio: 'ignore'}).status === 0;
if (!havePrometheus) {
	const message = `${PROMETHEUS} not found on PATH (Debian/Ubuntu: sudo apt-get install -y prometheus; .ci/run installs it)`;
	if ((process.env['CI_ORIGINAL'] ?? process.env['CI']) === 'true') throw new Error(`CI=true and ${message}`);
	process.stderr.write(`\n\n*** SKIPPING the Prometheus end-to-end test: ${message} ***\n\n`);
}
const enabled = havePrometheus && redisAvailable();

/** The fake GPU's utilization in the recording (percent): Prometheus must answer 0.73. */
const UTILIZATION = 73;
const HOSTILE_PROJECT = 'q"u{o}t,e=😀#x';

/** A scenario of one frame, from the `one-gpu` recording with utilization.gpu set: the fake repeats it every interval. */
function oneFrameScenario(dir: string): string {
	const source = readFileSync(new URL('../fixtures/nvidia-smi/scenarios/one-gpu/query-gpu.csv', import.meta.url), 'utf8').split('\n');
	const fieldsLine = source.find((l) => l.startsWith('# fields:'))!;
	const fields = fieldsLine.slice(9).split(',').map((s) => s.trim());
	const values = source.find((l) => l !== '' && !l.startsWith('#'))!.split(', ');
	values[fields.indexOf('utilization.gpu')] = String(UTILIZATION);
	const scenario = join(dir, 'scenario');
	mkdirSync(scenario);
	writeFileSync(join(scenario, 'query-gpu.csv'), `${fieldsLine}\n${values.join(', ')}\n`);
	writeFileSync(join(scenario, 'compute-apps.csv'), readFileSync(new URL('../fixtures/nvidia-smi/scenarios/one-gpu/compute-apps.csv', import.meta.url)));
	return scenario;
}

const CONFIG = `alerting:
  evaluationInterval: 1s
rules:
  - alert: fixture_busy_gpu
    series: gpu_utilization_percent
    condition: value > 50
    for: 0s
    severity: critical
    message: 'GPU {{gpu}} busy'
  - alert: fixture_slow_to_fire
    series: gpu_utilization_percent
    condition: value > 50
    for: 1h
    severity: info
    message: 'GPU {{gpu}} busy for an hour'
`;

interface PromResult {
	readonly metric: Record<string, string>;
	readonly value: [number, string];
}

describe.skipIf(!enabled)('a real Prometheus scrapes mycotop', () => {
	let dir: string;
	let redis: TestRedis;
	let cli: RunningCli;
	let prometheus: ChildProcess | undefined;
	let metricsBase: string;
	let promBase: string;

	async function query(promql: string): Promise<PromResult[]> {
		const response = await fetch(`${promBase}/api/v1/query?query=${encodeURIComponent(promql)}`);
		const body = (await response.json()) as {status: string; data?: {result: PromResult[]}; error?: string};
		if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
		return body.data!.result;
	}

	async function waitForQuery(promql: string, timeoutMs = 30_000): Promise<PromResult[]> {
		let result: PromResult[] = [];
		await waitFor(async () => (result = await query(promql)).length > 0, timeoutMs, `Prometheus to answer ${promql}`);
		return result;
	}

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'mycotop-prom-'));
		redis = await startRedis();
		const config = join(dir, 'config.yaml');
		writeFileSync(config, CONFIG);
		cli = startCli(['--headless', '--redis-url', redis.url, '--nvidia-smi', FAKE_NVIDIA_SMI, '--gpu-interval', '250', '--config', config, '--metrics-listen', '127.0.0.1:0'], {
			FAKE_NVIDIA_SMI_SCENARIO: oneFrameScenario(dir),
			REDIS_URL: '',
		});
		await waitFor(() => cli.lines().some((l) => l['type'] === 'metrics' && typeof l['listening'] === 'string'), 20_000, 'the metrics endpoint to listen');
		const listening = String(cli.lines().find((l) => l['type'] === 'metrics' && l['listening'])!['listening']);
		expect(listening).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
		metricsBase = listening.replace(/\/metrics$/, '');
		const target = metricsBase.replace('http://', '');

		const promPort = await freePort();
		promBase = `http://127.0.0.1:${promPort}`;
		const promConfig = join(dir, 'prometheus.yml');
		writeFileSync(promConfig, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: mycotop\n    static_configs:\n      - targets: ['${target}']\n`);
		prometheus = spawn(PROMETHEUS, ['--config.file', promConfig, '--storage.tsdb.path', join(dir, 'tsdb'), '--web.listen-address', `127.0.0.1:${promPort}`, '--log.level', 'warn'], {stdio: 'ignore'});
		await waitFor(
			async () => {
				try {
					return (await fetch(`${promBase}/-/ready`)).status === 200;
				} catch {
					return false;
				}
			},
			30_000,
			'Prometheus to be ready',
		);
	}, 90_000);

	afterAll(async () => {
		prometheus?.kill('SIGTERM');
		cli?.kill('SIGTERM');
		await cli?.exited();
		await redis?.stop();
		if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
	});

	test('Prometheus answers the fake GPU utilization, with host, gpu, uuid and name labels', async () => {
		const [sample] = await waitForQuery('mycotop_gpu_utilization_ratio{job="mycotop",gpu="0"}');
		expect(Number(sample!.value[1])).toBe(UTILIZATION / 100);
		expect(sample!.metric).toMatchObject({gpu: '0', uuid: 'GPU-d11acecc-227d-5b32-137b-c759953335c8', name: 'NVIDIA GeForce RTX 4090'});
		expect(sample!.metric['host']).toBeTruthy();
		// The scrape itself is healthy: no parse error on Prometheus's side.
		const targets = (await (await fetch(`${promBase}/api/v1/targets`)).json()) as {data: {activeTargets: Array<{health: string; lastError: string}>}};
		expect(targets.data.activeTargets[0]).toMatchObject({health: 'up', lastError: ''});
		expect(Number((await query('up{job="mycotop"}'))[0]!.value[1])).toBe(1);
	});

	test('ALERTS: the fixture rule firing, the slow one pending', async () => {
		const [firing] = await waitForQuery('ALERTS{alertname="fixture_busy_gpu",alertstate="firing"}');
		expect(firing!.metric).toMatchObject({alertname: 'fixture_busy_gpu', alertstate: 'firing', severity: 'critical', gpu: '0'});
		expect(Number(firing!.value[1])).toBe(1);
		const [pending] = await waitForQuery('ALERTS{alertname="fixture_slow_to_fire"}');
		expect(pending!.metric).toMatchObject({alertstate: 'pending', severity: 'info'});
	});

	test('a hostile project id reaches Prometheus unchanged, and task durations fill the histogram', async () => {
		const client = redis.client();
		await client.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: HOSTILE_PROJECT, step: 5, loss: 0.25, timestamp: Date.now()}));
		await client.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: 't1', status: 'completed', agent: 'trainer', duration_seconds: 1200, timestamp: Date.now()}));
		const [loss] = await waitForQuery(`mycotop_training_loss{project=${JSON.stringify(HOSTILE_PROJECT)}}`);
		expect(loss!.metric['project']).toBe(HOSTILE_PROJECT);
		expect(Number(loss!.value[1])).toBe(0.25);
		const [bucket] = await waitForQuery('mycotop_task_duration_seconds_bucket{le=~"1800|1800[.]0"} > 0');
		expect(Number(bucket!.value[1])).toBe(1);
	});

	test("every expression of the Grafana dashboard is PromQL Prometheus accepts; the GPU panels have data", async () => {
		await waitForQuery('mycotop_gpu_temperature_celsius');
		const exprs = dashboardExpressions(loadDashboard()).map((e) =>
			e.replaceAll('$__rate_interval', '1m').replaceAll('$host', '.*').replaceAll('$project', '.*').replace(/^label_values\((\w+), \w+\)$/, '$1'),
		);
		for (const expr of exprs) await query(expr);
		for (const expr of exprs.filter((e) => /^mycotop_gpu_(utilization_ratio|temperature_celsius|power_draw_watts|memory_used_bytes)\{/.test(e))) expect((await query(expr)).length, expr).toBeGreaterThan(0);
	});

	test('/healthz and /readyz: ready with Redis up; 503 while Redis is down; ready again after', async () => {
		await waitFor(async () => (await fetch(`${metricsBase}/readyz`)).status === 200, 10_000, 'readyz 200');
		// A stalled Redis (SIGSTOP) does not hold a scrape: a scrape reads memory only.
		redis.pause();
		try {
			const started = Date.now();
			const stalled = await fetch(`${metricsBase}/metrics`, {signal: AbortSignal.timeout(5000)});
			expect(stalled.status).toBe(200);
			expect(await stalled.text()).toContain('mycotop_gpu_utilization_ratio{');
			expect(Date.now() - started).toBeLessThan(3000);
		} finally {
			redis.resume();
		}
		await redis.kill();
		await waitFor(async () => (await fetch(`${metricsBase}/readyz`)).status === 503, 15_000, 'readyz 503 with Redis down');
		const down = await fetch(`${metricsBase}/readyz`);
		expect(await down.text()).toMatch(/^not ready: redis (reconnecting|unreachable|connecting)/);
		expect((await fetch(`${metricsBase}/healthz`)).status).toBe(200);
		const metrics = await (await fetch(`${metricsBase}/metrics`)).text();
		expect(metrics).toMatch(/^mycotop_redis_up 0$/m);
		await redis.start();
		await waitFor(async () => (await fetch(`${metricsBase}/readyz`)).status === 200, 20_000, 'readyz 200 after Redis is back');
		expect(cli.child.exitCode).toBeNull();
	}, 60_000);
});
