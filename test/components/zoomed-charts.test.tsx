/** The zoomed chart panes and every chart key, through the App with ink-testing-library over real stores. */
import {afterEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {stripVTControlCharacters as strip} from 'node:util';
import {App} from '../../components/App.js';
import {ThemeProvider} from '../../components/theme.js';
import {ASCII_THEME} from '../../src/format/theme.js';
import {buildSnapshot} from '../../src/store/snapshot.js';
import {storeChartSource} from '../../src/store/chart-source.js';
import {type HistorySource} from '../../src/history/history-source.js';
import {type CellMode} from '../../src/charts/cells.js';
import {cellWidth} from '../../src/format/text-width.js';
import {FakeTerminal, KEYS, makeSnapshot, NOW, TestSource, tick} from './fixtures.js';
import {chartGpuStore, chartStore, FailingHistory, PointsHistory} from './chart-fixtures.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
	cleanup?.();
	cleanup = undefined;
});

interface Setup {
	readonly columns?: number;
	readonly rows?: number;
	readonly history?: HistorySource;
	readonly gpus?: number;
	readonly cells?: CellMode;
	readonly ascii?: boolean;
}

async function setup(options: Setup = {}) {
	const store = chartStore();
	const gpu = chartGpuStore(options.gpus ?? 8);
	const bus = makeSnapshot().bus;
	const snapshot = buildSnapshot({store, host: 'gpu-box-1', instanceId: 'gpu-box-1:1', bus: () => bus, gpu: () => gpu.snapshot()}, NOW);
	const source = new TestSource(snapshot);
	const terminal = new FakeTerminal(options.columns ?? 120, options.rows ?? 40);
	const app = <App source={source} terminal={terminal} charts={storeChartSource(store)} history={options.history} cells={options.cells} />;
	const instance = render(options.ascii ? <ThemeProvider theme={ASCII_THEME}>{app}</ThemeProvider> : app);
	cleanup = () => instance.unmount();
	await tick();
	const frame = () => strip(instance.lastFrame() ?? '');
	// After each key, wait until the frame has settled (Ink throttles frames; a zoom over 10,000 points takes a while).
	const press = async (...keys: string[]) => {
		for (const k of keys) {
			instance.stdin.write(k);
			await tick();
			let last = '';
			for (let i = 0; i < 60 && frame() !== last; i++) {
				last = frame();
				await tick(40);
			}
		}
	};
	const lines = () => frame().split('\n');
	/** Wait (up to 3 s) until the frame satisfies `check`: a zoom over 10,000 points can take longer than a tick. */
	const until = async (check: (frame: string) => boolean) => {
		for (let i = 0; i < 150 && !check(frame()); i++) await tick();
		return frame();
	};
	return {frame, press, lines, until, store, source, terminal};
}

/** The pane's title line (the focused one is marked ▶, or > under ASCII). */
const titleLine = (frame: string) => frame.split('\n').find((l) => /[▶>]\d /.test(l)) ?? '';
const braille = /[\u2801-\u28ff]/;

function expectFits(lines: readonly string[], columns: number, rows: number) {
	expect(lines.length).toBeLessThanOrEqual(rows - 1);
	for (const l of lines) expect(cellWidth(l)).toBeLessThanOrEqual(columns);
}

describe('zoomed training', () => {
	it('draws the whole in-memory run (10,000 points) with raw and smoothed lines, axes, legend and a NaN marker', async () => {
		const {frame, press, lines} = await setup();
		await press('1', 'z');
		const text = frame();
		expect(titleLine(text)).toContain('1 Training');
		expect(titleLine(text)).toContain('live (in memory) · 10.0k points · smoothing 0.6 · linear · outliers ignored · x step');
		expect(text).toContain('bert loss');
		expect(text).toMatch(/■ loss raw \S+ +min 0\.\d+ +max 40\.00 +!1 NaN\/Inf/);
		expect(text).toContain('loss smoothed 0.6');
		expect(text).toMatch(braille);
		// The step axis reaches the last step (100,000) and the spike is marked at the top edge.
		expect(text).toMatch(/100\.0k/);
		expect(text).toContain('▲');
		expect(text).toContain('!');
		expectFits(lines(), 120, 40);
	});

	it('a project with WER gets a second chart', async () => {
		const {frame, press} = await setup();
		await press('1', 'j', 'j', 'z');
		expect(frame()).toContain('whisper loss');
		expect(frame()).toMatch(/WER\s*\n/);
		expect(frame()).toMatch(/■ wer raw 0\.301/);
	});

	it('a filter that picks several projects overlays them with a legend', async () => {
		const {frame, press} = await setup();
		await press('/', 'bert', KEYS.enter, '1', 'z');
		const text = frame();
		expect(text).toMatch(/■ bert \S+ +min/);
		expect(text).toMatch(/■ bert-large \S+ +min/);
		expect(text).not.toContain('whisper');
	});

	it('+ and - change the smoothing weight (also for the unzoomed pane), l toggles log, o outliers, x the axis', async () => {
		const {frame, press} = await setup();
		await press('1', 'z', '+');
		expect(titleLine(frame())).toContain('smoothing 0.8');
		await press('-', '-');
		expect(titleLine(frame())).toContain('smoothing 0.4');
		expect(frame()).toContain('loss smoothed 0.4');
		await press('l');
		expect(titleLine(frame())).toContain(' log ');
		expect(frame()).toMatch(/ 1\.0┤/);
		await press('o');
		expect(titleLine(frame())).toContain('full range');
		// With outliers in the range, the spike sets the top tick: no edge marker is needed.
		await press('l');
		expect(frame()).toMatch(/40┤/);
		await press('x');
		expect(titleLine(frame())).toContain('x relative');
		expect(frame()).toMatch(/\b2h\b|\b1h\b/);
		await press('x');
		expect(titleLine(frame())).toContain('x wall');
		expect(frame()).toMatch(/\d\d:\d\d/);
		await press('x', 'z');
		expect(frame()).toContain('smoothing 0.4');
	});

	it('a window without a history source says so and draws what memory holds', async () => {
		const {frame, press} = await setup();
		await press('1', 'z', 'x', 'w');
		expect(titleLine(frame())).toContain('last 5m');
		expect(frame()).toContain('history off');
		expect(frame()).toMatch(braille);
		await press('[');
		expect(titleLine(frame())).toContain('5m ending 3m ago');
		await press(']');
		expect(titleLine(frame())).toContain('last 5m');
		await press('W', 'W');
		expect(titleLine(frame())).toContain('last 90d');
	});

	it('by step, a window reads the whole run from the history as step buckets (1,000,000 steps)', async () => {
		const history = new PointsHistory((_series, x) => 5 * Math.exp(-x / 200_000) + 0.1);
		const {frame, press} = await setup({history});
		await press('1', 'z', 'w');
		await tick(50);
		expect(titleLine(frame())).toContain('whole run by step');
		expect(titleLine(frame())).toMatch(/\d+ steps\/bucket/);
		expect(history.asked).toContain('training:bert:loss#steps');
		expect(frame()).toMatch(/1\.0M|1000k|800k|800\.0k/);
		expect(frame()).toContain('▲');
	});

	it('a failed history read is a visible state, and the chart still draws memory', async () => {
		const {frame, press} = await setup({history: new FailingHistory()});
		await press('1', 'z', 'x', 'w');
		await tick(50);
		expect(frame()).toContain('history unavailable: connect ECONNREFUSED');
		expect(frame()).toMatch(braille);
	});
});

describe('zoomed GPUs', () => {
	it('all 8 GPUs on one 120x40 screen, each with util, memory, temperature and power', async () => {
		const {frame, press, lines} = await setup();
		await press('2', 'z');
		const text = frame();
		expect(titleLine(text)).toContain('8 GPUs (d: selected in detail)');
		for (let g = 0; g < 8; g++) expect(text).toMatch(new RegExp(`${g} H100 80GB HBM3 ■util \\d+% ■mem \\d+\\.\\dG ■${50 + g * 4}°C ■${200 + g * 50}W`));
		expect(text).toMatch(/100┤/);
		expect(text).not.toContain('more: filter');
		expectFits(lines(), 120, 40);
	});

	it('d shows the selected GPU in detail: four charts in their units', async () => {
		const {frame, press} = await setup();
		await press('2', 'j', 'j', 'z', 'd');
		const text = frame();
		expect(titleLine(text)).toContain('GPU 2 in detail');
		for (const m of ['util', 'memory', 'temperature', 'power']) expect(text).toContain(`GPU 2 H100 80GB HBM3 ${m}`);
		expect(text).toMatch(/\d+\.\dG┤/);
		expect(text).toMatch(/\d+°C/);
		expect(text).toMatch(/\d+W┤/);
		// Its processes under the charts (the fixture GPUs run none).
		expect(text).toContain('processes on GPU 2');
		expect(text).toContain('no processes');
		await press('d');
		expect(titleLine(frame())).toContain('8 GPUs');
	});

	it('a window reads the GPU series from the history by host and index', async () => {
		const history = new PointsHistory(() => 42);
		const {frame, press} = await setup({history});
		await press('2', 'z', 'w', 'w');
		await tick(50);
		expect(titleLine(frame())).toMatch(/last 1h · \d+s buckets/);
		expect(history.asked).toContain('gpu:gpu-box-1:0:util');
		expect(history.asked).toContain('gpu:gpu-box-1:7:power');
		expect(frame()).toContain('■util 42%');
	});
});

describe('zoomed tasks and agents', () => {
	it('tasks: throughput and SLA compliance over time, and the duration histogram with the 30-minute line', async () => {
		const {frame, press, lines} = await setup();
		await press('3', 'z');
		const text = frame();
		expect(text).toContain('throughput');
		expect(text).toContain('SLA compliance');
		expect(text).toMatch(/■ completions\/h \S+\/h/);
		expect(text).toMatch(/■ within 30m \d+\.\d%/);
		expect(text).toContain('durations (120 tasks) in 5-minute buckets, SLA line at 30m');
		expect(text).toContain('SLA 30m');
		expect(text).toMatch(/100%┤/);
		expectFits(lines(), 120, 40);
	});

	it('agents: each agent’s load over time', async () => {
		const {frame, press} = await setup();
		await press('4', 'z');
		const text = frame();
		expect(text).toContain('current tasks per agent');
		expect(text).toMatch(/■ ml-eng \d +min 1 +max 4/);
		expect(text).toMatch(/■ data-eng \d +min 0 +max 1/);
		expect(titleLine(text)).toContain('240 points');
	});
});

describe('modes and sizes', () => {
	for (const [columns, rows] of [
		[80, 24],
		[200, 60],
	] as const) {
		it(`every zoomed pane fits ${columns}x${rows}`, async () => {
			const {frame, press, lines} = await setup({columns, rows});
			for (const pane of ['1', '2', '3', '4']) {
				await press(pane, 'z');
				expect(titleLine(frame())).toContain(`${pane} `);
				expectFits(lines(), columns, rows);
				expect(frame()).toMatch(/┤/);
				await press('z');
			}
		});
	}

	it('unzoomed, the GPU sparkline widens to the room it has (past the 60 samples a row carries)', async () => {
		const {lines} = await setup({columns: 159, rows: 40});
		const gpuLine = lines().find((l) => / 0 H100 /.test(l))!;
		const spark = gpuLine.match(/[▁▂▃▄▅▆▇█]{10,}/)?.[0] ?? '';
		expect(spark.length).toBeGreaterThan(60);
	});

	it('--charts block draws block cells', async () => {
		const {frame, press} = await setup({cells: 'block'});
		await press('1', 'z');
		expect(frame()).not.toMatch(braille);
		expect(frame()).toMatch(/[▀▄█]/);
	});

	it('--ascii draws charts in ASCII only', async () => {
		const {frame, press} = await setup({ascii: true});
		for (const pane of ['1', '2', '3', '4']) {
			await press(pane, 'z');
			expect(frame()).toMatch(/^[\x20-\x7e\n]*$/);
			expect(frame()).toMatch(/\+-+/);
			await press('z');
		}
	});

	it('the footer lists the chart keys only while a chart is zoomed, and the help lists them all', async () => {
		const {frame, press} = await setup();
		expect(frame()).not.toContain('w/W window');
		await press('1', 'z');
		expect(frame()).toContain('w/W window');
		await press('5');
		expect(frame()).not.toContain('w/W window');
		await press('?');
		for (const help of ['chart window', 'scroll the chart window back', 'smoothing weight up', 'log scale', 'ignore outliers', 'x axis: step', 'in detail']) expect(frame()).toContain(help);
	});

	it('chart keys do nothing unzoomed (x still expires silences only in the alert log)', async () => {
		const {frame, press} = await setup();
		await press('1', 'l', 'w', '+');
		await press('z');
		expect(titleLine(frame())).toContain('live (in memory)');
		expect(titleLine(frame())).toContain('smoothing 0.6 · linear');
	});
});
