/**
bench:tui: what the dashboard costs in a real terminal. mycotop runs in a tmux pane (a private tmux server)
against a private redis-server with 8 fake GPUs sampled at 1 Hz; btop (Debian package, default refresh) runs in a
second pane of the same tmux server during the same minutes, as the reference. Measured:

  1. CPU of the mycotop process with GPU sampling only (target <= 2% of one core), btop alongside;
  2. CPU with 200 events/s published on top (target <= 10%), btop alongside;
  3. time from process start to the first complete frame with 10,000 points per series already in Redis (< 1 s).

CPU is utime + stime from /proc/<pid>/stat over the window; "main thread" is the JavaScript thread alone (/proc/<pid>/task/<pid>/schedstat), the rest being V8's background threads and libuv's pool. Frames per second and bytes per second come from
the pane's raw output (pipe-pane), btop's bytes per second from its own pane the same way (what crosses ssh). Options: --seconds N (default 60), --columns, --rows (default 120x40), --profile DIR (a CPU profile of mycotop),
--zoom: the training pane zoomed (keys 1 then z through tmux send-keys once the dashboard is up) on a project with
10,000 points of history that gains one point a second during both windows: the zoomed live chart's redraw cost.
--ticker: the --zoom run's project and its point a second, unzoomed (what the training series costs without the chart).
--gpu-only: the first window alone (no 200 events/s window, no first-frame case), for A/B runs of the GPU-only cost.
--events-only: the 200 events/s window alone (no GPU-only window, no first-frame case), for A/B runs of the events' cost.
--warmup S: seconds of 200 events/s before its window is measured (default 2; V8 is still compiling the event path then).
--gpu-warmup S: seconds after the first GPU lines (and btop's start) before the GPU-only window (default 2).
--refresh MS: passed to mycotop as --refresh (default: mycotop's own default), to measure another redraw period.
--node-args=ARGS: extra node options for the measured mycotop (e.g. --node-args="--log-deopt --logfile=/tmp/v8-%p.log" to see what V8
deoptimizes).
--cli FILE: the mycotop entry to measure (default this checkout's dist/bundle/cli.js), e.g. another worktree's build for A/B
runs in one script.
*/
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {startRedis, type TestRedis} from '../test/helpers/redis-server.js';
import {TmuxWindows} from './tmux-windows.js';
import {warnBusyNeighbours} from './busy-neighbours.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const fakeSmi = join(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim()) || 100;

const {values: options} = parseArgs({
	options: {seconds: {type: 'string', default: '60'}, columns: {type: 'string', default: '120'}, rows: {type: 'string', default: '40'}, profile: {type: 'string'}, zoom: {type: 'boolean', default: false}, 'gpu-only': {type: 'boolean', default: false}, ticker: {type: 'boolean', default: false}, cli: {type: 'string'}, refresh: {type: 'string'}, 'node-args': {type: 'string'}, 'events-only': {type: 'boolean', default: false}, warmup: {type: 'string', default: '2'}, 'gpu-warmup': {type: 'string', default: '2'}},
});
const cli = options.cli === undefined ? join(root, 'dist/bundle/cli.js') : resolve(options.cli);
const SECONDS = Number(options.seconds);
const COLUMNS = Number(options.columns);
const ROWS = Number(options.rows);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process in seconds (NaN once it has exited). */
function cpuSeconds(pid: number): number {
	if (!existsSync(`/proc/${pid}/stat`)) return Number.NaN;
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string, pollMs = 10): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(pollMs);
	}
}

/** Seconds on a CPU of `pid`'s main thread (the JavaScript thread, V8's background threads apart), ns resolution; NaN once it has exited. */
function mainThreadSeconds(pid: number): number {
	const file = `/proc/${pid}/task/${pid}/schedstat`;
	return existsSync(file) ? Number(readFileSync(file, 'utf8').split(' ')[0]) / 1e9 : Number.NaN;
}

interface Window {
	readonly cpuPercent: Record<string, number>;
	/** mycotop's main (JavaScript) thread alone, % of a core. */
	readonly mainThreadPercent: number;
	readonly frames: number;
	readonly bytes: number;
	/** btop's bytes per second to its pane over the same window (undefined without btop). */
	readonly btopBytes: number | undefined;
}

/** CPU of each pid over `seconds`, plus mycotop's frames and bytes from its raw output file. */
async function measure(pids: Record<string, number>, rawFile: string, seconds: number, btopRawFile?: string): Promise<Window> {
	const size = () => (existsSync(rawFile) ? readFileSync(rawFile, 'latin1') : '');
	const btopSize = () => (btopRawFile !== undefined && existsSync(btopRawFile) ? statSync(btopRawFile).size : 0);
	const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
	const rawBefore = size();
	const btopBefore = btopSize();
	const mainBefore = mainThreadSeconds(pids['mycotop']!);
	const t0 = performance.now();
	await sleep(seconds * 1000);
	const elapsed = (performance.now() - t0) / 1000;
	const rawAfter = size();
	const delta = rawAfter.slice(rawBefore.length);
	return {
		cpuPercent: Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, ((cpuSeconds(pid) - before[k]!) / elapsed) * 100])),
		mainThreadPercent: ((mainThreadSeconds(pids['mycotop']!) - mainBefore) / elapsed) * 100,
		frames: (delta.match(/\u001B\[\?2026h/g) ?? []).length / elapsed,
		bytes: Buffer.byteLength(delta, 'latin1') / elapsed,
		btopBytes: btopRawFile === undefined ? undefined : (btopSize() - btopBefore) / elapsed,
	};
}

/** `--profile DIR`: the measured mycotop writes a V8 CPU profile of both windows there (read it with any .cpuprofile viewer). */
function mycotopCommand(redis: TestRedis): string {
	const profile = options.profile === undefined ? '' : ` --cpu-prof --cpu-prof-dir=${resolve(options.profile)}`;
	const refresh = options.refresh === undefined ? '' : ` --refresh ${Number(options.refresh)}`;
	const nodeArgs = options['node-args'] === undefined ? '' : ` ${options['node-args']}`;
	return `exec node${profile}${nodeArgs} ${cli} --redis-url ${redis.url} --nvidia-smi ${fakeSmi} --gpu-interval 1000${refresh}`;
}

const ENV = {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu', NODE_ENV: 'production', TERM: 'tmux-256color', ...(process.env['MYCOTOP_JIT'] === undefined ? {} : {MYCOTOP_JIT: process.env['MYCOTOP_JIT']})};

const ZOOM_PROJECT = 'zoom-run';

/** --zoom: one training point a second for the zoomed project (its history seeded first); returns the stopper. */
function trainingTicker(redis: TestRedis): () => void {
	const client = redis.client();
	let step = 10_000;
	const timer = setInterval(() => {
		step += 1;
		void client.publish('events:training:progress', JSON.stringify({projectId: ZOOM_PROJECT, step, loss: 0.5 + 2 / Math.sqrt(step) + (step % 7) * 0.01, wer: 0.1, timestamp: new Date().toISOString()}));
	}, 1000);
	return () => {
		clearInterval(timer);
		client.disconnect();
	};
}

async function cpuRuns(redis: TestRedis, tmux: TmuxWindows, hasBtop: boolean): Promise<Array<[string, Window]>> {
	const rawFile = join(tmux.dir, 'mycotop.raw');
	const btopRaw = join(tmux.dir, 'btop.raw');
	const withProject = options.zoom || options.ticker;
	if (withProject) await seedHistory(redis, [ZOOM_PROJECT], 10_000);
	const target = tmux.open('mycotop', mycotopCommand(redis), ENV);
	tmux.pipe(target, rawFile);
	await waitFor(() => tmux.capture(target).includes('H100'), 20_000, 'the GPU lines');
	const stopTicker = withProject ? trainingTicker(redis) : undefined;
	if (withProject) await waitFor(() => tmux.capture(target).includes(ZOOM_PROJECT), 20_000, 'the seeded project');
	if (options.zoom) {
		tmux.keys(target, '1');
		await sleep(300);
		tmux.keys(target, 'z');
		await waitFor(() => tmux.capture(target).includes('live (in memory)'), 20_000, 'the zoomed training chart');
	}
	const pids: Record<string, number> = {mycotop: tmux.pid(target)};
	if (hasBtop) {
		const btop = tmux.open('btop', 'exec btop');
		tmux.pipe(btop, btopRaw);
		await sleep(1500);
		pids['btop'] = tmux.pid(btop);
	}
	await sleep(Number(options['gpu-warmup']) * 1000);
	const results: Array<[string, Window]> = [];
	const btopFile = hasBtop ? btopRaw : undefined;
	if (!options['events-only']) {
		process.stderr.write(`bench:tui: ${SECONDS} s with GPU sampling only ...\n`);
		results.push(['GPU sampling only (8 GPUs at 1 Hz)', await measure(pids, rawFile, SECONDS, btopFile)]);
	}
	if (options['gpu-only']) {
		stopTicker?.();
		tmux.kill(target);
		tmux.kill('bench:btop');
		return results;
	}
	process.stderr.write(`bench:tui: ${SECONDS} s with 200 events/s ...\n`);
	const warmup = Number(options.warmup);
	const publisher = spawn(process.execPath, [join(here, 'publisher.js'), redis.url, 'rate', '200', String(SECONDS + warmup + 3)], {stdio: ['ignore', 'ignore', 'inherit']});
	await sleep(warmup * 1000);
	results.push(['+ 200 events/s', await measure(pids, rawFile, SECONDS, btopFile)]);
	if (!existsSync(`/proc/${pids['mycotop']!}/stat`)) process.stderr.write(`bench:tui: mycotop exited during the window; its pane:\n${tmux.capture(target)}\n`);
	publisher.kill();
	stopTicker?.();
	if (options.zoom && !tmux.capture(target).includes('live (in memory)')) process.stderr.write('bench:tui: the training chart is no longer zoomed at the end\n');
	tmux.kill(target);
	tmux.kill('bench:btop');
	return results;
}

/** Seed Redis with `points` loss and WER entries for each of `projects` projects, the writer's shapes. */
async function seedHistory(redis: TestRedis, names: readonly string[], points: number): Promise<readonly string[]> {
	const client = redis.client();
	const t = Date.now();
	for (const name of names) {
		for (const series of ['loss', 'wer']) {
			const key = `metrics:training:${name}:${series}`;
			for (let start = 0; start < points; start += 1000) {
				const batch: string[] = [];
				for (let i = start; i < Math.min(points, start + 1000); i++) {
					const step = points - i;
					const value = series === 'loss' ? 0.5 + 2 / Math.sqrt(step) : 0.1 + 1 / step;
					batch.push(JSON.stringify({step, value, timestamp: new Date(t - i * 1000).toISOString()}));
				}
				await client.rpush(key, ...batch);
			}
		}
		await client.hset(`metrics:training:${name}:current`, {loss: '0.52', wer: '0.1', last_updated: new Date(t).toISOString()});
	}
	client.disconnect();
	return names;
}

async function firstFrame(tmux: TmuxWindows, redis: TestRedis, names: readonly string[]): Promise<number[]> {
	const times: number[] = [];
	for (let run = 0; run < 3; run++) {
		const started = performance.now();
		const target = tmux.open(`start${run}`, mycotopCommand(redis), ENV);
		await waitFor(
			() => {
				const screen = tmux.capture(target);
				return screen.includes('5 Alerts') && names.every((n) => screen.includes(n)) && screen.includes(`@${10_000}`);
			},
			20_000,
			'the first complete frame',
			5,
		);
		times.push(performance.now() - started);
		tmux.kill(target);
		await sleep(1500);
	}
	return times;
}

async function main(): Promise<void> {
	await warnBusyNeighbours('bench:tui', 2, CLK_TCK);
	if (!existsSync(cli)) throw new Error(`${cli} is missing: npm run bench:tui builds first`);
	if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is required (apt-get install -y tmux)');
	const hasBtop = spawnSync('btop', ['--version'], {stdio: 'ignore'}).status === 0;
	if (!hasBtop) process.stderr.write('\n*** bench:tui: btop is not installed (apt-get install -y btop): measuring mycotop alone ***\n\n');
	const redis = await startRedis();
	const tmux = new TmuxWindows(mkdtempSync(join(tmpdir(), 'mycotop-bench-')), COLUMNS, ROWS);
	try {
		const cpu = await cpuRuns(redis, tmux, hasBtop);
		// --zoom measures the zoomed redraw only (its seeded project would change the first-frame case).
		const starts = options.zoom || options.ticker || options['gpu-only'] || options['events-only'] ? [] : await (async () => {
			process.stderr.write('bench:tui: first frame with 10,000 points per series ...\n');
			return firstFrame(tmux, redis, await seedHistory(redis, ['hist-0', 'hist-1', 'hist-2', 'hist-3'], 10_000));
		})();
		const pct = (v: number | undefined) => (v === undefined ? 'n/a' : Number.isNaN(v) ? 'exited' : `${v.toFixed(2)}%`);
		const zoomed = options.zoom ? `, training pane zoomed (${ZOOM_PROJECT}: 10,000 points + 1 a second)` : options.ticker ? `, not zoomed, ${ZOOM_PROJECT}: 10,000 points + 1 a second` : '';
		process.stdout.write(`\nmycotop TUI cost (${cli}), ${COLUMNS}x${ROWS} tmux pane, ${SECONDS} s windows, NODE_ENV=production${zoomed}${options['events-only'] ? `, events after ${options.warmup} s of them` : ''}\n\n`);
		process.stdout.write('| load | mycotop CPU (1 core) | main thread | btop CPU (same window) | mycotop frames/s | mycotop bytes/s to the terminal | btop bytes/s (same window) |\n|---|---|---|---|---|---|---|\n');
		for (const [label, w] of cpu) {
			const btopBytes = w.btopBytes === undefined ? 'n/a' : String(Math.round(w.btopBytes));
			process.stdout.write(`| ${label} | ${pct(w.cpuPercent['mycotop'])} | ${pct(w.mainThreadPercent)} | ${hasBtop ? pct(w.cpuPercent['btop']) : 'btop not installed'} | ${w.frames.toFixed(1)} | ${Math.round(w.bytes)} | ${btopBytes} |\n`);
		}
		if (starts.length > 0) {
			process.stdout.write(
				`\nstart to first complete frame, 4 projects x (loss + WER) x 10,000 points in Redis: ${starts.map((t) => `${Math.round(t)} ms`).join(', ')} (median ${Math.round([...starts].sort((a, b) => a - b)[1]!)} ms)\n`,
			);
		}
	} finally {
		tmux.close();
		rmSync(tmux.dir, {recursive: true, force: true});
		await redis.stop();
	}
}

await main();
