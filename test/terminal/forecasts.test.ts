/**
The forecasts and PCIe throughput in a real terminal (tmux), at 120x40 and 80x24: mycotop with a config that sets a
target loss and the SLA objective, against a private redis-server (a falling loss and an hour of tasks, a third of
them late, published to the seed's channels) and the fake nvidia-smi (`eight-gpu`, whose dmon plays PCIe throughput).
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const fakeSmi = resolve(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const canRun = redisAvailable() && tmuxAvailable();

describe.runIf(canRun)('forecasts and PCIe throughput in tmux', () => {
	let redis: TestRedis;
	let pane: TmuxPane;
	let dir: string;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
		redis = await startRedis();
		dir = mkdtempSync(join(tmpdir(), 'mycotop-forecast-'));
		const config = join(dir, 'config.yaml');
		writeFileSync(config, ['sla:', '  objective: 0.9', '  window: 24h', 'training:', '  targetLoss: 0.2', '  targets:', '    fast-run: 0.5', 'host:', '  enabled: false', ''].join('\n'));
		pane = new TmuxPane(120, 40, {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu', FAKE_NVIDIA_SMI_DMON_MS: '250', TERM: 'tmux-256color'});
		pane.run(`node ${cli} --config ${config} --redis-url ${redis.url} --nvidia-smi ${fakeSmi} --gpu-interval 250; echo MYCOTOP-EXIT=$?`);
		await waitFor(() => pane.screen().some((l) => l.includes('1 Training')), 15_000, 'the first frame');
		const client = redis.client();
		const now = Date.now();
		// 10 minutes of a loss falling as 3 exp(-t / 8 min), a point every 2 s: 0.2 is reached ~12 min from now.
		for (let i = 0; i < 300; i++) {
			const t = now - (299 - i) * 2000;
			await client.publish('events:training:progress', JSON.stringify({projectId: 'bert-large', step: i * 20, loss: 3 * Math.exp(-(i * 2000) / 480_000), timestamp: new Date(t).toISOString()}));
		}
		// An hour of tasks, one a minute, every third one late: the budget burns at 3.3x.
		for (let i = 0; i < 60; i++)
			await client.publish('events:tasks:updates', JSON.stringify({taskId: `task-${i}`, status: 'done', agent: 'ml-eng', duration_seconds: i % 3 === 0 ? 2400 : 600, timestamp: new Date(now - (59 - i) * 60_000).toISOString()}));
	});

	afterAll(async () => {
		pane?.close();
		await redis?.stop();
		if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
	});

	const text = () => pane.screen().join('\n');
	const gpuLines = () => pane.screen().filter((l) => /^ {1,2}\d H100/.test(l.slice(1)));

	it('120x40: the ETA to the target loss, the SLA budget line and each GPU\'s ↓rx↑tx', async () => {
		await waitFor(() => /ETA ~\d+m to loss 0\.200 \(~[\d.]+k? steps\)/.test(text()), 15_000, 'the ETA');
		await waitFor(() => /SLA budget spent \(-?\d+%\) · burn 3\.\dx|SLA budget \d+% left · burn 3\.\dx · spent in ~/.test(text()), 10_000, 'the budget line');
		await waitFor(() => gpuLines().length === 8 && gpuLines().every((l) => /↓[\d.]+[MG]↑[\d.]+[MG]/.test(l)), 10_000, 'PCIe on every GPU line');
		expect(gpuLines()[0]).toMatch(/↓1[.\d]*[G]↑3\d\dM|↓15G↑402M/);
		for (const l of pane.screen()) expect(l.length).toBeLessThanOrEqual(120);
	});

	it('80x24: every element still shows within the width', async () => {
		pane.resize(80, 24);
		await waitFor(() => pane.screen().length === 24 && pane.screen().every((l) => l.length <= 80), 5000, 'an 80x24 frame');
		// The tasks pane is short here: the budget ends the SLA line in its short form.
		await waitFor(() => /ETA ~\d+m/.test(text()) && /SLA [\d.]+%.* (budget spent|budget \d+% ~\d)/.test(text()) && gpuLines().some((l) => l.includes('↓')), 10_000, 'the ETA, the budget and PCIe at 80x24');
		for (const l of pane.screen()) expect(l.length).toBeLessThanOrEqual(80);
	});

	it('q quits cleanly', async () => {
		pane.keys('q');
		await waitFor(() => pane.screen().some((l) => l.includes('MYCOTOP-EXIT=0')), 10_000, 'the exit code');
	});
});
