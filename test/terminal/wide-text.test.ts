/**
Wide characters in a real terminal (tmux): the built TUI against a private redis-server and the fake nvidia-smi,
with CJK and emoji in project ids, agent names, task ids, alert labels, the GPU name and a process name. At 80x24
and at 120x40 every captured line fits the terminal (measured in display cells), the frame is whole (each pane
title once, the footer on the second-to-last row, the last row blank: a line one cell too wide would have wrapped
and pushed everything down), table columns sit in the same cell column on every row, and at 120 columns the
agents pane starts at the same column as its title on every line it shares with the tasks pane.

Emoji written with a variation selector (U+FE0F, as in "❤️") are left out: string-width, and so Ink, counts them
as 2 cells and tmux 3.3 draws them in 1. So are ZWJ sequences: ids with zero-width characters are rejected by
validation (src/contract/ids.ts); test/components/wide-text.test.tsx draws them.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';
import {cellWidth} from '../../src/format/text-width.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const fakeSmi = resolve(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const inCi = (process.env['CI_ORIGINAL'] ?? process.env['CI']) === 'true';
const canRun = redisAvailable() && (tmuxAvailable() || (inCi ? (() => { throw new Error('CI=true and tmux is missing: apt-get install -y tmux'); })() : false));

const PROJECTS = ['训练-语音识别-大模型', '🚀rocket-asr', '🇯🇵日本-ft', 'plain-project'];
const AGENTS = ['数据加载器', '🤖编排-agent', 'plain-agent'];
const TASKS = ['任务-清洗-01', '🔥hot-task', 'task-ascii-03'];
const GPU_NAME = 'NVIDIA 显卡 RTX 4090 🔥';
const PROCESS = '训练脚本🚀.py';
const TITLES = ['1 Training', '2 GPUs', '3 Tasks', '4 Agents', '5 Alerts'];

/** The one-gpu recording with a wide GPU name and process name. */
function wideScenario(dir: string): string {
	const scenario = join(dir, 'wide-gpu');
	cpSync(resolve(root, 'test/fixtures/nvidia-smi/scenarios/one-gpu'), scenario, {recursive: true});
	const gpu = join(scenario, 'query-gpu.csv');
	writeFileSync(gpu, readFileSync(gpu, 'utf8').replaceAll(/NVIDIA GeForce RTX 4090$/gm, GPU_NAME));
	const apps = join(scenario, 'compute-apps.csv');
	writeFileSync(apps, readFileSync(apps, 'utf8').replace('python3 -m torch.distributed.run finetune.py', `/opt/${PROCESS}`));
	return scenario;
}

/** Cell columns at which `token` starts in each line that contains it (and, when given, one of `ids`). */
function columnsOf(screen: readonly string[], token: string, ids?: readonly string[]): number[] {
	return screen.filter((l) => l.includes(token) && (ids === undefined || ids.some((id) => l.includes(id)))).map((l) => cellWidth(l.slice(0, l.indexOf(token))));
}

/** The frame is whole and every line fits `columns` cells. */
function frameProblems(screen: readonly string[], columns: number, rows: number): string[] {
	const problems: string[] = [];
	if (screen.length !== rows) problems.push(`${screen.length} rows, not ${rows}`);
	for (const [i, l] of screen.entries()) if (cellWidth(l) > columns) problems.push(`row ${i} is ${cellWidth(l)} cells wide`);
	if (!screen[0]?.startsWith('mycotop')) problems.push('no header on row 0');
	if (!screen[rows - 2]?.includes('? help')) problems.push('no footer on the second-to-last row');
	if (screen[rows - 1] !== '') problems.push('the last row is not blank');
	const text = screen.join('\n');
	for (const t of TITLES) if (text.split(t).length !== 2) problems.push(`${t} is not shown exactly once`);
	return problems;
}

describe.runIf(canRun)('wide characters in tmux', () => {
	let redis: TestRedis;
	let pane: TmuxPane;
	let dir: string;

	beforeAll(async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
		dir = mkdtempSync(join(tmpdir(), 'mycotop-wide-'));
		redis = await startRedis();
		pane = new TmuxPane(80, 24, {FAKE_NVIDIA_SMI_SCENARIO: wideScenario(dir), TERM: 'tmux-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8'});
		pane.run('clear');
		pane.run(`node ${cli} --redis-url ${redis.url} --nvidia-smi ${fakeSmi} --gpu-interval 250`);
		await waitFor(() => pane.screen().some((l) => l.includes('1 Training')), 15_000, 'the first frame');
		const client = redis.client();
		const now = () => new Date().toISOString();
		for (const projectId of PROJECTS) {
			for (let step = 1; step <= 12; step++) await client.publish('events:training:progress', JSON.stringify({projectId, step, loss: 2 - step * 0.1, timestamp: now()}));
		}
		// Two alerts whose labels (the project ids) differ in width: the state column must not move.
		for (const projectId of PROJECTS.slice(0, 2)) await client.publish('events:training:progress', JSON.stringify({projectId, step: 13, loss: 'NaN', timestamp: now()}));
		for (const [i, agentType] of AGENTS.entries()) await client.publish('events:agents:status', JSON.stringify({agentType, status: 'busy', taskCount: i + 1}));
		for (const [i, taskId] of TASKS.entries()) {
			await client.publish('events:tasks:updates', JSON.stringify({taskId, status: 'done', agent: AGENTS[i], duration_seconds: 2400, timestamp: now()}));
		}
		await waitFor(() => {
			const text = pane.screen().join('\n');
			// What an 80x24 frame has room for: the newest rows of each pane, and the first three projects in the id order
			// (src/format/id-order.ts: code units, so the astral 🚀rocket-asr comes last and is left out; its id still shows,
			// cut, as an alert's label).
			return ['🇯🇵日本', '训练-语音', 'plain-project', '🤖编排', '🔥hot', '显卡'].every((t) => text.includes(t)) && text.split('non_finite_loss').length === 3;
		}, 15_000, 'the wide ids on screen').catch((error: Error) => {
			throw new Error(`${error.message}; the screen:\n${pane.screen().join('\n')}`);
		});
	});

	afterAll(async () => {
		pane?.close();
		await redis?.stop();
		if (dir) rmSync(dir, {recursive: true, force: true});
	});

	it('80x24: every line fits, the frame is whole, columns line up', async () => {
		await waitFor(() => frameProblems(pane.screen(), 80, 24).length === 0, 5000, 'a whole 80x24 frame');
		const screen = pane.screen();
		expect(frameProblems(screen, 80, 24), screen.join('\n')).toEqual([]);
		const training = columnsOf(screen, '@1');
		expect(training.length, screen.join('\n')).toBeGreaterThanOrEqual(2);
		expect(new Set(training).size).toBe(1);
		const agents = columnsOf(screen, ' busy  ');
		expect(agents.length, screen.join('\n')).toBeGreaterThanOrEqual(2);
		expect(new Set(agents).size).toBe(1);
	});

	it('80x24 zoomed: the alert columns line up; the tasks and GPU charts fit, the GPU in detail lists its processes', async () => {
		for (const [key, token, ids, min] of [['5', 'firing', ['non_finite_loss'], 2]] as const) {
			pane.keys(key);
			pane.keys('z');
			await waitFor(() => !pane.screen().join('\n').includes('1 Training'), 5000, `zoom ${key}`);
			await waitFor(() => columnsOf(pane.screen(), token, ids).length >= min, 5000, `${token} rows zoomed`);
			const screen = pane.screen();
			for (const [i, l] of screen.entries()) expect(cellWidth(l), `row ${i}: ${l}`).toBeLessThanOrEqual(80);
			expect(new Set(columnsOf(screen, token, ids)).size, screen.join('\n')).toBe(1);
			pane.keys('z');
			await waitFor(() => pane.screen().join('\n').includes('1 Training'), 5000, 'unzoom');
		}
		// Zoomed, tasks and GPUs are charts (test/terminal/charts.test.ts); with wide names they still fit.
		for (const [keys, token] of [
			[['3', 'z'], 'throughput'],
			[['2', 'z', 'd'], PROCESS],
		] as const) {
			for (const k of keys) pane.keys(k);
			await waitFor(() => pane.screen().join('\n').includes(token), 5000, `${token} zoomed`);
			const screen = pane.screen();
			for (const [i, l] of screen.entries()) expect(cellWidth(l), `row ${i}: ${l}`).toBeLessThanOrEqual(80);
			if ((keys as readonly string[]).includes('d')) pane.keys('d');
			pane.keys('z');
			await waitFor(() => pane.screen().join('\n').includes('1 Training'), 5000, 'unzoom');
		}
	});

	it('120x40: every line fits, and the agents pane starts at the same column on every shared line', async () => {
		pane.resize(120, 40);
		await waitFor(() => frameProblems(pane.screen(), 120, 40).length === 0 && columnsOf(pane.screen(), ' busy  ').length >= 3, 5000, 'a whole 120x40 frame').catch(
			(error: Error) => {
				throw new Error(`${error.message}: ${frameProblems(pane.screen(), 120, 40).join(', ')}\n${pane.screen().join('\n')}`);
			},
		);
		const screen = pane.screen();
		expect(frameProblems(screen, 120, 40), screen.join('\n')).toEqual([]);
		// The tasks | agents row: each pane is 60 cells; the agents title (after the focus marker) at column 61.
		const title = screen.find((l) => l.includes('3 Tasks'))!;
		expect(cellWidth(title.slice(0, title.indexOf('4 Agents')))).toBe(61);
		const agents = columnsOf(screen, ' busy  ');
		expect(new Set(agents).size, screen.join('\n')).toBe(1);
		expect(agents[0]).toBeGreaterThan(60);
		const tasks = columnsOf(screen, '40m00s', TASKS);
		expect(tasks.length).toBe(3);
		expect(new Set(tasks).size).toBe(1);
		expect(new Set(columnsOf(screen, '@1')).size).toBe(1);
		expect(new Set(columnsOf(screen, 'firing', ['non_finite_loss'])).size).toBe(1);
	});

	it('q quits', async () => {
		pane.keys('q');
		await waitFor(() => pane.format('#{alternate_on}') === '0', 10_000, 'the main screen');
	});
});
