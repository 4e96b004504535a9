/**
The Grafana dashboard on a fleet, through a real Prometheus: every box's mycotop on one Redis sees the same bus, so
the figures of tasks and agents are exported once per box. Two targets serve the same exposition (the task
counters growing at a known rate); the dashboard's task-throughput and busy-agent expressions must read the fleet's
figure, not the figure times the number of boxes.
*/
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {freePort, waitFor} from '../helpers/redis-server.js';
import {loadDashboard} from '../metrics/dashboard.js';

const PROMETHEUS = process.env['PROMETHEUS_BIN'] ?? 'prometheus';
const havePrometheus = spawnSync(PROMETHEUS, ['--version'], {stdio: 'ignore'}).status === 0;
if (!havePrometheus) {
	const message = `${PROMETHEUS} not found on PATH (Debian/Ubuntu: sudo apt-get install -y prometheus; .ci/run installs it)`;
	if ((process.env['CI_ORIGINAL'] ?? process.env['CI']) === 'true') throw new Error(`CI=true and ${message}`);
	process.stderr.write(`\n\n*** SKIPPING the Prometheus fleet dashboard test: ${message} ***\n\n`);
}

/** Completions and failures per second that every box sees on the bus. */
const COMPLETED_PER_S = 2;
const FAILED_PER_S = 0.5;

function exposition(elapsedS: number): string {
	return [
		'# TYPE mycotop_tasks_completed_total counter',
		`mycotop_tasks_completed_total ${COMPLETED_PER_S * elapsedS}`,
		'# TYPE mycotop_tasks_failed_total counter',
		`mycotop_tasks_failed_total ${FAILED_PER_S * elapsedS}`,
		'# TYPE mycotop_tasks_completed_last_hour gauge',
		'mycotop_tasks_completed_last_hour 42',
		'# TYPE mycotop_agent_busy gauge',
		'mycotop_agent_busy{agent="trainer"} 1',
		'mycotop_agent_busy{agent="evaluator"} 1',
		'mycotop_agent_busy{agent="idle"} 0',
		'# TYPE mycotop_agents_load_variance_ratio gauge',
		'mycotop_agents_load_variance_ratio 0.5',
		'',
	].join('\n');
}

function panelExpr(title: string, legend: string): string {
	const panel = loadDashboard().panels.find((p) => p.title === title);
	const target = (panel?.targets as ReadonlyArray<{expr: string; legendFormat?: string}> | undefined)?.find((t) => t.legendFormat === legend);
	if (target === undefined) throw new Error(`no target "${legend}" in panel "${title}"`);
	return target.expr.replaceAll('$__rate_interval', '10s');
}

describe.skipIf(!havePrometheus)('the dashboard on a fleet (two boxes, one bus), through a real Prometheus', () => {
	let dir: string;
	const boxes: Server[] = [];
	let prometheus: ChildProcess | undefined;
	let promBase: string;

	async function query(promql: string): Promise<Array<{metric: Record<string, string>; value: [number, string]}>> {
		const body = (await (await fetch(`${promBase}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as {status: string; data?: {result: []}; error?: string};
		if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
		return body.data!.result;
	}

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'mycotop-fleet-prom-'));
		const started = Date.now();
		const targets: string[] = [];
		for (let i = 0; i < 2; i++) {
			const server = createServer((_req, res) => {
				res.writeHead(200, {'Content-Type': 'text/plain; version=0.0.4'});
				res.end(exposition((Date.now() - started) / 1000));
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
			boxes.push(server);
			targets.push(`'127.0.0.1:${(server.address() as {port: number}).port}'`);
		}
		const promPort = await freePort();
		promBase = `http://127.0.0.1:${promPort}`;
		const config = join(dir, 'prometheus.yml');
		writeFileSync(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: mycotop\n    static_configs:\n      - targets: [${targets.join(', ')}]\n`);
		prometheus = spawn(PROMETHEUS, ['--config.file', config, '--storage.tsdb.path', join(dir, 'tsdb'), '--web.listen-address', `127.0.0.1:${promPort}`, '--log.level', 'warn'], {stdio: 'ignore'});
		await waitFor(async () => (await fetch(`${promBase}/-/ready`).catch(() => undefined))?.status === 200, 30_000, 'Prometheus to be ready');
		// Both boxes scraped, with samples over a whole 10 s window (a rate over a partly covered window reads low).
		await waitFor(async () => (await query('count(count_over_time(mycotop_tasks_completed_total[10s]) >= 9)').catch(() => []))[0]?.value[1] === '2', 40_000, 'both boxes scraped');
	}, 90_000);

	afterAll(async () => {
		prometheus?.kill('SIGTERM');
		for (const server of boxes) server.close();
		if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
	});

	test('task throughput per hour is the fleet rate, not the rate times the boxes', async () => {
		// A rate over a short window on a loaded machine is not exact (scrape jitter, extrapolation): within 40 % of
		// the fleet's rate, which twice that rate (the defect) is not.
		const [completed] = await query(panelExpr('Task throughput', 'per hour (rate)'));
		expect(Number(completed!.value[1]) / (COMPLETED_PER_S * 3600)).toBeGreaterThan(0.6);
		expect(Number(completed!.value[1]) / (COMPLETED_PER_S * 3600)).toBeLessThan(1.4);
		const [failed] = await query(panelExpr('Task throughput', 'failed per hour'));
		expect(Number(failed!.value[1]) / (FAILED_PER_S * 3600)).toBeGreaterThan(0.6);
		expect(Number(failed!.value[1]) / (FAILED_PER_S * 3600)).toBeLessThan(1.4);
	});

	test('busy agents counts each agent once, however many boxes export it', async () => {
		const [busy] = await query(panelExpr('Busy agents', 'busy'));
		expect(Number(busy!.value[1])).toBe(2);
	});
});
