/**
Which project runs on which GPU, and the energy per project, in a real terminal (tmux) at 120x40 and 80x24: the
fake nvidia-smi lists two real processes of this machine (test/helpers/project-tree.ts), training messages name their
pids, and the GPU lines name the projects while the training pane shows today's kWh. Every line fits the width.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {startProjectTree, type ProjectTree} from '../helpers/project-tree.js';
import {cellWidth} from '../../src/format/text-width.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const fakeSmi = resolve(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const canRun = redisAvailable() && tmuxAvailable();

describe.runIf(canRun)('GPU projects and energy per project in tmux', () => {
	let redis: TestRedis;
	let tree: ProjectTree;
	let pane: TmuxPane;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
		redis = await startRedis();
		tree = await startProjectTree();
		pane = new TmuxPane(120, 40, {FAKE_NVIDIA_SMI_SCENARIO: tree.scenario, TERM: 'tmux-256color'});
		pane.run(`node ${cli} --redis-url ${redis.url} --nvidia-smi ${fakeSmi} --gpu-interval 250; echo MYCOTOP-EXIT=$?`);
		await waitFor(() => pane.screen().some((l) => l.includes('2 GPUs')), 15_000, 'the first frame');
		tree.publish(redis.client());
	});

	afterAll(async () => {
		pane?.close();
		tree?.stop();
		await redis?.stop();
	});

	const gpuLine = (index: number) => pane.screen().find((l) => new RegExp(`^ {1,2}${index} H100`).test(l.slice(1)));
	const trainingLine = (project: string) => pane.screen().find((l) => l.includes(project) && l.includes('@'));

	it('120x40: GPU 0 runs asr-large, GPU 1 runs tts; the training pane shows their kWh today', async () => {
		await waitFor(() => /asr-large\s*│?\s*$/.test(gpuLine(0) ?? '') && /tts\s*│?\s*$/.test(gpuLine(1) ?? ''), 20_000, 'the projects on the GPU lines');
		await waitFor(() => /@\d+\s+[\d.]+ kWh/.test(trainingLine('asr-large') ?? ''), 10_000, 'kWh in the training pane');
		expect(trainingLine('tts')).toMatch(/@\d+\s+[\d.]+ kWh/);
		// The other box's project has no energy here: its column stays empty.
		expect(trainingLine('remote')).not.toContain('kWh');
		for (const l of pane.screen()) expect(cellWidth(l)).toBeLessThanOrEqual(120);
	});

	it('80x24: still named on each GPU line (a column of their own), within the width', async () => {
		pane.resize(80, 24);
		await waitFor(() => pane.screen().length === 24 && /asr-large\s*│?\s*$/.test(gpuLine(0) ?? ''), 5000, 'an 80x24 frame with the projects');
		expect(gpuLine(1)).toMatch(/tts\s*│?\s*$/);
		for (const l of pane.screen()) expect(cellWidth(l)).toBeLessThanOrEqual(80);
	});

	it('q quits cleanly', async () => {
		pane.keys('q');
		await waitFor(() => pane.screen().some((l) => l.includes('MYCOTOP-EXIT=0')), 10_000, 'the exit code');
	});
});
