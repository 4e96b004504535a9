/**
The zoomed charts in a real terminal (tmux): the demo (embedded bus, the fake nvidia-smi with eight GPUs), each chart
pane zoomed at 80x24 and at 200x60; the frame is rows - 1 lines of at most `columns` cells, with a y axis (a tick
label before ┤), an x axis (└ and ┬) and labels under it.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {waitFor} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';
import {cellWidth} from '../../src/format/text-width.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const fakeSmi = resolve(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const inCi = (process.env['CI_ORIGINAL'] ?? process.env['CI']) === 'true';
const canRun = tmuxAvailable() || (inCi ? (() => { throw new Error('CI=true and tmux is missing: apt-get install -y tmux'); })() : false);

const PANES = [
	{key: '1', title: '1 Training'},
	{key: '2', title: '2 GPUs'},
	{key: '3', title: '3 Tasks'},
	{key: '4', title: '4 Agents'},
] as const;

for (const [columns, rows] of [
	[80, 24],
	[200, 60],
] as const) {
	describe.runIf(canRun)(`zoomed charts in tmux at ${columns}x${rows}`, () => {
		let pane: TmuxPane;
		let home: string;

		beforeAll(async () => {
			if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm test builds first)`);
			// No user config: the demo's own defaults.
			home = mkdtempSync(join(tmpdir(), 'mycotop-charts-'));
			pane = new TmuxPane(columns, rows, {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu', TERM: 'tmux-256color', XDG_CONFIG_HOME: home, HOME: home});
			pane.run(`node ${cli} --demo --nvidia-smi ${fakeSmi} --gpu-interval 250`);
			await waitFor(() => pane.screen().some((l) => l.includes('1 Training')), 15_000, 'the first frame');
			// Let the demo and the GPU sampler put a few points in every series.
			await new Promise((r) => setTimeout(r, 3000));
		});

		afterAll(() => {
			pane?.keys('q');
			pane?.close();
			rmSync(home, {recursive: true, force: true});
		});

		for (const {key, title} of PANES) {
			it(`${title} zoomed: a chart with both axes and their labels, inside the frame`, async () => {
				pane.keys(key);
				pane.keys('z');
				const zoomed = () => {
					const screen = pane.screen();
					const text = screen.join('\n');
					return text.includes(title) && text.includes('live (in memory)') && /\S┤/.test(text) && screen.some((l) => /└[─┬]+/.test(l));
				};
				await waitFor(zoomed, 15_000, `${title} zoomed with axes`);
				const screen = pane.screen();
				expect(screen).toHaveLength(rows);
				expect(screen[rows - 1]).toBe('');
				for (const line of screen) expect(cellWidth(line)).toBeLessThanOrEqual(columns);
				expect(screen[0]).toMatch(/^mycotop /);
				// A y tick label (a number, maybe with its unit) before the axis.
				expect(screen.some((l) => /[\d.]+(%|°C|W|G|M|\/h|k)?┤/.test(l))).toBe(true);
				// Under an x axis line with a tick, a line of labels (steps or times).
				const axis = screen.findIndex((l) => /└[─]*┬/.test(l));
				expect(axis).toBeGreaterThan(0);
				expect(screen[axis + 1]).toMatch(/\d/);
				pane.keys('z');
				await waitFor(() => pane.screen().join('\n').includes('5 Alerts'), 5000, 'back to the dashboard');
			});
		}
	});
}
