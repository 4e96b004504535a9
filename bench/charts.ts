/**
bench:charts: what a zoomed chart costs. The real App (Ink, React production build) over a real MetricsStore, on
an in-memory terminal of 120x40:

  1. first frame of the zoomed training chart, from the key press (Enter/z) to the frame written, for a run of
     10,000 points (target 200 ms) and of 1,000,000 points held in memory (target 500 ms): every point goes
     through the min/max downsampling, nothing is pre-bucketed;
  2. CPU per redraw once the chart is up: the snapshot republished as fast as frames come with the clock moved on
     (nothing new: the cached lines are reused) and with one new point each (the chart takes new data at most once
     a second), and with one new point a second (every redraw recomputes the chart), against the same redraws of
     the unzoomed dashboard;
  3. the renderer alone (series to lines) for 10,000 and 1,000,000 points.

npm run bench:charts runs it bundled as the CLI is (scripts/bundle.mjs: React's production build and the Ink and
string-width patches), so it measures the code that ships.
*/
import {EventEmitter} from 'node:events';
import {performance} from 'node:perf_hooks';
import {createElement} from 'react';
import {render} from 'ink';
import {App} from '../components/App.js';
import {MetricsStore} from '../src/store/metrics-store.js';
import {buildSnapshot, type Snapshot} from '../src/store/snapshot.js';
import {storeChartSource} from '../src/store/chart-source.js';
import {type BusStatus} from '../src/bus/bus-manager.js';
import {renderChart} from '../src/charts/render-chart.js';

const COLUMNS = 120;
const ROWS = 40;
const START = Date.UTC(2026, 0, 1);

const bus: BusStatus = {kind: 'embedded', url: undefined, connection: undefined, role: 'standalone', hostWriter: true, reconnects: 0, takeovers: 0, summary: 'embedded'};

/** A store holding one project of `points` steps (a falling loss, noise, one spike, one NaN). */
function storeWith(points: number): MetricsStore {
	const store = new MetricsStore({seriesCapacity: Math.max(10_000, points)}, () => START + points * 1000);
	for (let i = 0; i < points; i++) {
		const loss = i === Math.floor(points * 0.6) ? 50 : i === Math.floor(points * 0.3) ? Number.NaN : 3 * Math.exp(-i / (points / 4)) + 0.2 + ((i * 7919) % 13) * 0.01;
		store.apply({kind: 'training', projectId: 'bench-run', step: i + 1, loss, timestamp: START + i * 1000, timeMs: START + i * 1000});
	}
	return store;
}

class Stdout extends EventEmitter {
	readonly columns = COLUMNS;
	readonly rows = ROWS;
	frames: Array<{at: number; text: string}> = [];
	write = (frame: string) => {
		this.frames.push({at: performance.now(), text: frame});
		return true;
	};
}

/** Ink's stdin as ink-testing-library drives it: a key is a 'readable' event and one read(). */
class Stdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	press(key: string): void {
		this.data = key;
		this.emit('readable');
		this.emit('data', key);
	}
	read = () => {
		const d = this.data;
		this.data = null;
		return d;
	};
	setRawMode() {}
	setEncoding() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

class Terminal extends EventEmitter {
	columns = COLUMNS;
	rows = ROWS;
}

class Source {
	private listeners = new Set<() => void>();
	constructor(public current: Snapshot) {}
	getSnapshot = () => this.current;
	subscribe = (l: () => void) => {
		this.listeners.add(l);
		return () => this.listeners.delete(l);
	};
	publish(next: Snapshot) {
		this.current = next;
		for (const l of this.listeners) l();
	}
}

/** `--rounds N`: redraws measured in the one-new-point-a-second case (default 6; each takes a second). */
const EVERY_SECOND_ROUNDS = process.argv.includes('--rounds') ? Math.max(1, Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 6) : 6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFrame(stdout: Stdout, from: number, test: (text: string) => boolean, timeoutMs = 10_000): Promise<number> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		const hit = stdout.frames.find((f) => f.at >= from && test(f.text));
		if (hit !== undefined) return hit.at;
		if (performance.now() > deadline) throw new Error(`no such frame among ${stdout.frames.length}: ${stdout.frames.at(-1)?.text.slice(0, 300) ?? ""}`);
		await sleep(1);
	}
}

interface Run {
	/** The 3 s after the fast redraws, with no snapshot: the held data's one trailing redraw. */
	readonly quiet: string;
	readonly firstFrameMs: number;
	readonly idleRedrawMs: number;
	readonly newPointRedrawMs: number;
	readonly dashboardRedrawMs: number;
	readonly dashboardNewPointMs: number;
	readonly everySecondMs: number;
	readonly dashboardEverySecond: number;
	/** Lines that differ from the frame before, per frame written, in the one-new-point-a-second case (zoomed). */
	readonly everySecondLines: {frames: number; changedPerFrame: number};
}

/** How many of a frame's lines differ from the frame before it, on average (debug mode writes whole frames). */
function changedLines(frames: ReadonlyArray<{text: string}>): {frames: number; changedPerFrame: number} {
	let changed = 0;
	for (let i = 1; i < frames.length; i++) {
		const a = frames[i - 1]!.text.split('\n');
		const b = frames[i]!.text.split('\n');
		for (let k = 0; k < Math.max(a.length, b.length); k++) if (a[k] !== b[k]) changed += 1;
	}
	return {frames: frames.length - 1, changedPerFrame: frames.length > 1 ? changed / (frames.length - 1) : 0};
}

/**
CPU ms per redraw over `count` republished snapshots (`snapshotAt` makes each one), `gapMs` apart (0: as fast as
frames come; the zoomed chart then takes new data at most once a second).
*/
async function redrawCost(source: Source, stdout: Stdout, snapshotAt: (i: number) => Snapshot, count: number, gapMs = 0): Promise<number> {
	const before = process.cpuUsage();
	for (let i = 0; i < count; i++) {
		if (gapMs > 0) await sleep(gapMs);
		const written = stdout.frames.length;
		source.publish(snapshotAt(i));
		// Each redraw is waited for (a frame written, or nothing to write when it is identical).
		for (let k = 0; k < 200 && stdout.frames.length === written; k++) await sleep(1);
	}
	const used = process.cpuUsage(before);
	return (used.user + used.system) / 1000 / count;
}

async function measure(points: number): Promise<Run> {
	const store = storeWith(points);
	let clock = START + points * 1000;
	const snap = () => buildSnapshot({store, host: 'bench', instanceId: 'bench:1', bus: () => bus}, clock);
	const source = new Source(snap());
	const stdout = new Stdout();
	const stdin = new Stdin();
	const app = createElement(App, {source, terminal: new Terminal(), charts: storeChartSource(store)});
	const instance = render(app, {stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false});
	await waitFrame(stdout, 0, (t) => t.includes('1 Training'));
	await sleep(100);
	// Warm up (JIT) before anything is measured, then the unzoomed dashboard's redraw, each a snapshot a second
	// later with nothing new.
	await redrawCost(source, stdout, () => ((clock += 1000), snap()), 30);
	const dashboardRedrawMs = await redrawCost(source, stdout, () => ((clock += 1000), snap()), 30);
	let step = points;
	const addPoint = () => {
		clock += 1000;
		step += 1;
		store.apply({kind: 'training', projectId: 'bench-run', step, loss: 0.2, timestamp: clock, timeMs: clock});
		return snap();
	};
	const dashboardNewPointMs = await redrawCost(source, stdout, addPoint, 30);
	const pressed = performance.now();
	stdin.press('z');
	const shown = await waitFrame(stdout, pressed, (t) => t.includes('live (in memory)') && t.includes('┤'));
	await sleep(100);
	const idleRedrawMs = await redrawCost(source, stdout, () => ((clock += 1000), snap()), 30);
	const newPointRedrawMs = await redrawCost(source, stdout, addPoint, 30);
	const idleBefore = process.cpuUsage();
	const framesBefore = stdout.frames.length;
	await sleep(3000);
	const idleUsed = process.cpuUsage(idleBefore);
	const quiet = `${((idleUsed.user + idleUsed.system) / 1000).toFixed(1)} ms CPU, ${stdout.frames.length - framesBefore} frame(s)`;
	// One new point a second: every redraw recomputes the chart (the case the target is about).
	const framesBeforeEverySecond = stdout.frames.length;
	const everySecondMs = await redrawCost(source, stdout, addPoint, EVERY_SECOND_ROUNDS, 1050);
	const everySecondLines = changedLines(stdout.frames.slice(Math.max(0, framesBeforeEverySecond - 1)));
	const dashboardEverySecond = await (async () => {
		stdin.press('z');
		await sleep(200);
		return redrawCost(source, stdout, addPoint, EVERY_SECOND_ROUNDS, 1050);
	})();
	instance.unmount();
	return {quiet, firstFrameMs: shown - pressed, idleRedrawMs, newPointRedrawMs, dashboardRedrawMs, dashboardNewPointMs, everySecondMs, everySecondLines, dashboardEverySecond};
}

function rendererMs(points: number): number {
	const xs = new Float64Array(points).map((_, i) => i + 1);
	const ys = xs.map((x) => 3 * Math.exp(-x / (points / 4)) + 0.2);
	const t0 = performance.now();
	renderChart(
		[
			{name: 'raw', tone: 'accent', faint: true, xs, ys},
			{name: 'smoothed', tone: 'accent', xs, ys},
		],
		{width: 119, height: 36, cells: 'braille', log: false, ignoreOutliers: true, xMode: 'step', unit: 'plain'},
	);
	return performance.now() - t0;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`bench:charts on ${process.version}, React ${process.env['NODE_ENV'] === 'production' ? 'production' : 'development (set NODE_ENV=production)'} build, ${COLUMNS}x${ROWS}`);
// `--only 10000` runs one size (for a profile).
const only = process.argv.includes('--only') ? Number(process.argv[process.argv.indexOf('--only') + 1]) : undefined;
for (const [points, target] of [
	[10_000, 200],
	[1_000_000, 500],
] as const) {
	if (only !== undefined && points !== only) continue;
	const run = await measure(points);
	const ok = run.firstFrameMs <= target ? 'ok' : 'OVER';
	console.log(`${points.toLocaleString('en')} points: first zoomed frame ${fmt(run.firstFrameMs)} from the key press (target <= ${target} ms: ${ok})`);
	console.log(
		`  CPU per redraw, snapshots as fast as frames come: nothing new: unzoomed ${fmt(run.dashboardRedrawMs)}, zoomed ${fmt(run.idleRedrawMs)}; one new point each: unzoomed ${fmt(run.dashboardNewPointMs)}, zoomed ${fmt(run.newPointRedrawMs)} (target: zoomed <= unzoomed)`,
	);
	console.log(`  one new point a second (each redraw recomputes the chart): unzoomed ${fmt(run.dashboardEverySecond)}, zoomed ${fmt(run.everySecondMs)} CPU per redraw`);
	console.log(`  zoomed, one new point a second: ${run.everySecondLines.frames} frames written, ${run.everySecondLines.changedPerFrame.toFixed(1)} of ${ROWS - 1} lines changed per frame`);
	console.log(`  zoomed, then 3 s without a snapshot (the held data's trailing redraw): ${run.quiet}`);
	console.log(`  renderer alone (raw + smoothed series to 119x36 lines): ${fmt(rendererMs(points))}`);
}
