/**
bench:frame: what one frame of the full dashboard costs, in-process. The real App (every pane, the theme, the
keymap) is rendered by Ink to a stand-in terminal of 120x40 while a snapshot source publishes changing data (six
projects' losses and WER, 8 GPUs, 12 agents, task completions, a dozen alerts) one frame at a time. Per frame:
the CPU time (user + system, garbage collection included) from publishing the snapshot to the frame's write, and
the bytes written.

Run from the bundle (`dist/bench-bundle/frame.js`, Ink with mycotop's patches, React's production build: what the
TUI runs) it also runs itself unbundled (`dist/bench/frame.js`: stock Ink 6.8) as the reference, in the same run.
Options: --frames N (default 1000), --columns, --rows, --load all|gpu|gpu-only (which data changes, below), --json,
--reference-only (internal).
*/
import {EventEmitter} from 'node:events';
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {renderDashboard} from '../src/tui-view.js';
import {EMPTY_CONFIG} from '../src/config/config.js';
import {parseFlags, type Flags} from '../src/config/flags.js';
import {agent, alert, completion, gpuRow, gpuSnapshot, known, makeSnapshot, NOW, project, TestSource} from '../test/components/fixtures.js';
import {type Snapshot} from '../src/store/snapshot.js';

const {values: options} = parseArgs({
	options: {
		frames: {type: 'string', default: '1000'},
		columns: {type: 'string', default: '120'},
		rows: {type: 'string', default: '40'},
		load: {type: 'string', default: 'all'},
		json: {type: 'boolean'},
		'reference-only': {type: 'boolean'},
	},
});
const FRAMES = Number(options.frames);
const COLUMNS = Number(options.columns);
const ROWS = Number(options.rows);
/**
all: every pane's data changes every frame (events arriving); gpu: only the GPU readings do (a box with no events, the
other panes full of unchanging data); gpu-only: only the GPU readings do and the other panes are empty (bench:tui's
GPU-only window: a box whose agents send nothing).
*/
const LOAD = options.load === 'gpu' || options.load === 'gpu-only' ? options.load : 'all';

/** A terminal stand-in: a TTY of the given size that counts what is written and says when a frame arrived. */
class FakeTerminal extends EventEmitter {
	readonly isTTY = true;
	bytes = 0;
	onWrite: (() => void) | undefined;
	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		super();
	}
	write(chunk: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean {
		this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
		const done = this.onWrite;
		this.onWrite = undefined;
		done?.();
		if (typeof encoding === 'function') (encoding as () => void)();
		else callback?.();
		return true;
	}
}

/** A keyboard that never types: enough for Ink's raw-mode input handling. */
class QuietKeyboard extends EventEmitter {
	readonly isTTY = true;
	setRawMode(): this {
		return this;
	}
	setEncoding(): this {
		return this;
	}
	read(): null {
		return null;
	}
	ref(): this {
		return this;
	}
	unref(): this {
		return this;
	}
	resume(): this {
		return this;
	}
	pause(): this {
		return this;
	}
}

/** Frame i's data: every series moved on by one point, one more completion, GPU readings changed. */
function snapshotAt(frame: number): Snapshot {
	const at = NOW + frame * 500;
	const i = LOAD === 'all' ? frame : 0;
	const g0 = frame;
	const wave = (k: number, n: number) => Array.from({length: n}, (_, j) => 2 * Math.exp(-(i + j) / 400) + 0.1 * Math.sin((i + j + k * 7) / 3) + 0.3);
	const training = Array.from({length: 6}, (_, k) => project(`project-${k}`, wave(k, 50), k % 2 === 0 ? wave(k + 1, 50).map((v) => v / 3) : []));
	const gpus = Array.from({length: 8}, (_, g) =>
		gpuRow(g, {
			utilizationPercent: known((g0 * 13 + g * 29) % 100),
			temperatureC: known(55 + ((g0 + g * 3) % 30)),
			powerDrawW: known(250 + ((g0 * 7 + g) % 400)),
			memoryUsedMb: known(20_000 + ((g0 * 101 + g * 997) % 60_000)),
			utilizationHistory: Array.from({length: 60}, (_, j) => ((g0 + j) * 7 + g * 11) % 100),
		}),
	);
	const agents = Array.from({length: 12}, (_, a) => agent(`agent-${a}`, (i + a) % 3 === 0 ? 'idle' : 'busy', (i + a) % 5, 100 + i, 300 + a));
	const completions = Array.from({length: 40}, (_, c) => completion(`task-${i + c}`, `agent-${(i + c) % 12}`, 60 + ((c * 97 + i) % 2400), c * 45_000));
	const alerts = Array.from({length: 12}, (_, a) => alert(`rule_${a}:${a}`, {severity: a % 4 === 0 ? 'critical' : 'warning', message: `value ${((i + a) % 90) + 10} over the line`, labels: {gpu: String(a % 8)}}));
	if (LOAD === 'gpu-only') return makeSnapshot({gpu: gpuSnapshot(gpus, {lastFrameMs: at}), takenAtMs: at});
	return makeSnapshot({training, gpu: gpuSnapshot(gpus, {lastFrameMs: at}), agents, completions, alerts, takenAtMs: at});
}

interface FrameResult {
	readonly ink: string;
	readonly frames: number;
	readonly medianCpuMs: number;
	readonly p95CpuMs: number;
	readonly meanCpuMs: number;
	readonly bytesPerFrame: number;
	readonly missed: number;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function measure(label: string): Promise<FrameResult> {
	const snapshots = Array.from({length: FRAMES + 21}, (_, i) => snapshotAt(i));
	const terminal = new FakeTerminal(COLUMNS, ROWS);
	const source = new TestSource(snapshots[0]!);
	const flags = (parseFlags([]) as {flags: Flags}).flags;
	const instance = renderDashboard({snapshots: source, alertActions: undefined}, flags, EMPTY_CONFIG, {
		stdout: terminal as unknown as NodeJS.WriteStream,
		stdin: new QuietKeyboard() as unknown as NodeJS.ReadStream,
		maxFps: 1000,
	});
	await new Promise((r) => setTimeout(r, 200));
	const cpu: number[] = [];
	let bytes = 0;
	let missed = 0;
	for (let i = 1; i < snapshots.length; i++) {
		const wrote = new Promise<boolean>((done) => {
			const timer = setTimeout(() => done(false), 500);
			terminal.onWrite = () => {
				clearTimeout(timer);
				done(true);
			};
		});
		const before = terminal.bytes;
		const start = process.cpuUsage();
		source.publish(snapshots[i]!);
		const ok = await wrote;
		const used = process.cpuUsage(start);
		// Ink's throttle lets a frame through every 1 ms at maxFps 1000: keep frames apart so each is one render.
		await new Promise((r) => setTimeout(r, 3));
		if (i <= 20) continue; // warm-up
		if (!ok) missed += 1;
		else {
			cpu.push((used.user + used.system) / 1000);
			bytes += terminal.bytes - before;
		}
	}
	instance.unmount();
	const sorted = [...cpu].sort((a, b) => a - b);
	return {
		ink: label,
		frames: cpu.length,
		medianCpuMs: percentile(sorted, 0.5),
		p95CpuMs: percentile(sorted, 0.95),
		meanCpuMs: cpu.reduce((s, v) => s + v, 0) / Math.max(1, cpu.length),
		bytesPerFrame: Math.round(bytes / Math.max(1, cpu.length)),
		missed,
	};
}

const here = fileURLToPath(new URL('.', import.meta.url));
const bundled = here.includes('bench-bundle');

if (options['reference-only']) {
	process.stdout.write(`${JSON.stringify(await measure('stock Ink 6.8 (unbundled, unpatched)'))}\n`);
	process.exit(0);
}

const results: FrameResult[] = [await measure(bundled ? 'mycotop bundle (patched Ink, production React)' : 'unbundled')];
const reference = resolve(here, '../bench/frame.js');
if (bundled && existsSync(reference)) {
	const child = spawnSync(process.execPath, [reference, '--reference-only', '--load', LOAD, '--frames', String(FRAMES), '--columns', String(COLUMNS), '--rows', String(ROWS)], {
		encoding: 'utf8',
		env: {...process.env, NODE_ENV: 'production'},
	});
	const line = child.stdout.trim().split('\n').at(-1);
	if (child.status === 0 && line) results.push(JSON.parse(line) as FrameResult);
	else process.stderr.write(`reference run failed: ${child.stderr.slice(0, 500)}\n`);
}

if (options.json) process.stdout.write(`${JSON.stringify({columns: COLUMNS, rows: ROWS, node: process.version, results}, null, 2)}\n`);
else {
	const lines = [`bench:frame: full dashboard ${COLUMNS}x${ROWS}, ${FRAMES} frames, ${LOAD === 'all' ? 'every pane changing' : LOAD === 'gpu' ? 'only the GPU readings changing' : 'only the GPU readings changing, the other panes empty'}, Node ${process.version}; target <= 5 ms median`, ''];
	lines.push('| Ink | frames | CPU per frame, median | p95 | mean | bytes per frame | frames not drawn |', '|---|---|---|---|---|---|---|');
	for (const r of results) lines.push(`| ${r.ink} | ${r.frames} | ${r.medianCpuMs.toFixed(2)} ms | ${r.p95CpuMs.toFixed(2)} ms | ${r.meanCpuMs.toFixed(2)} ms | ${r.bytesPerFrame} | ${r.missed} |`);
	process.stdout.write(`${lines.join('\n')}\n`);
}

