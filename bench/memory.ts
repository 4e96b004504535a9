/**
bench:memory: the dashboard's resident memory with a full store, idle and over a soak. 50 projects with 10,000 loss
and 10,000 WER points each (100 series of 10,000 points, the default ring full) are written to a private
redis-server in the writer's shapes; mycotop's TUI runs in a private tmux pane (120x40) with 8 fake GPUs at 1 Hz and
loads them. Then its RSS (from /proc/<pid>/status, VmRSS) is sampled every 5 s:

  1. idle: GPU sampling only, for --idle seconds (default 60);
  2. soak: 200 events/s on top, for --soak seconds (default 300), for growth (the mean of the last minute against
     the first minute of the soak, or the first minute after --settle seconds of it).

Where the soak's training events go (--soak-into): `new` (the default) sends them to 20 projects of their own, so the
store grows through the soak as those projects' rings fill (a box where new runs start); `seeded` sends them on the
seeded projects' steps, whose rings are full already, so the store's data stays the same size and what grows is the
process (a box whose runs go on for days: the steady state the "no growth" target is about). Bounded caches still
fill in the soak's first minutes (the completions ring, the replay ring's minute, Ink's caches): --settle leaves them
out of the first minute.

btop (Debian package, default settings) runs in the same tmux server for the same minutes as the reference.

mycotop is started as a user starts it: the bin itself (dist/bundle/cli.js, or --cli FILE: another build's, for a
before and after), so its launcher line (scripts/launcher.mjs: malloc's arena cap) counts. With --node-args the bench
has to run `node [args] FILE` instead, which skips the launcher line.

  npm run bench:memory [-- --idle 60 --soak 300 --refresh 500] [--cli FILE] [--node-args='--flag ...' (node's command line; with =, as the value starts with a dash)] [--heapsnapshot DIR (V8 heap snapshots after the idle
  window, a minute into the soak and at its end)] [--values float64|float32] [--env NAME=VALUE ...]
  [--soak-into new|seeded] [--settle SECONDS]

Inside the process, memory-probe.ts (loaded with --import through NODE_OPTIONS, which it then clears of itself so
mycotop's children do not load it) logs process.memoryUsage() and V8's heap spaces every
second: the table beside RSS says how much of it is JavaScript heap in use, heap V8 holds for it (the young
generation's semi-spaces, the old generation's room to grow), and array buffers (the rings, Yoga's WebAssembly
memory). Heap in use is what tells a leak from V8 growing its heap: RSS alone cannot.

--values float32 seeds values that a float32 holds exactly (what a PyTorch trainer's `loss.item()` sends); the
default, float64, needs every bit of a double (the worst case for the store's rings).
*/
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import {startRedis, type TestRedis} from '../test/helpers/redis-server.js';
import {TmuxPane} from '../test/terminal/tmux.js';
import {warnBusyNeighbours} from './busy-neighbours.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const fakeSmi = join(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const probeModule = join(here, 'memory-probe.js');

const {values: options} = parseArgs({
	options: {idle: {type: 'string', default: '60'}, soak: {type: 'string', default: '300'}, refresh: {type: 'string', default: '500'}, projects: {type: 'string', default: '50'}, points: {type: 'string', default: '10000'}, heapsnapshot: {type: 'string'}, cli: {type: 'string'}, 'node-options': {type: 'string'}, 'node-args': {type: 'string'}, values: {type: 'string', default: 'float64'}, env: {type: 'string', multiple: true}, 'soak-into': {type: 'string', default: 'new'}, settle: {type: 'string', default: '0'}},
});
const cli = resolve(options.cli ?? join(root, 'dist/bundle/cli.js'));
const PROJECTS = Number(options.projects);
const POINTS = Number(options.points);
if (options.values !== 'float64' && options.values !== 'float32') throw new Error('--values: float64 or float32');
if (options['soak-into'] !== 'new' && options['soak-into'] !== 'seeded') throw new Error('--soak-into: new or seeded');
const SETTLE_S = Number(options.settle);
if (!(SETTLE_S >= 0) || SETTLE_S % 5 !== 0) throw new Error('--settle: whole seconds, a multiple of 5');
/** A seeded value as the producer sends it: a double, or one a float32 holds exactly. */
const asSent = options.values === 'float32' ? Math.fround : (v: number) => v;

/** --env NAME=VALUE (repeatable): more environment for mycotop's pane, e.g. glibc's malloc tunables to compare. */
function extraEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const pair of options.env ?? []) {
		const at = pair.indexOf('=');
		if (at < 1) throw new Error(`--env ${pair}: NAME=VALUE`);
		env[pair.slice(0, at)] = pair.slice(at + 1);
	}
	return env;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a process in MB (NaN once it has exited). */
function rssMb(pid: number): number {
	if (!existsSync(`/proc/${pid}/status`)) return Number.NaN;
	const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(50);
	}
}

/** `projects` projects with `points` loss and WER entries each, in the writer's list shapes. */
async function seed(redis: TestRedis): Promise<void> {
	const client = redis.client();
	const t = Date.now();
	for (let p = 0; p < PROJECTS; p++) {
		const name = `mem-${p}`;
		for (const series of ['loss', 'wer']) {
			const pipeline = client.pipeline();
			for (let start = 0; start < POINTS; start += 1000) {
				const batch: string[] = [];
				for (let i = start; i < Math.min(POINTS, start + 1000); i++) {
					const step = POINTS - i;
					const value = asSent(series === 'loss' ? 0.5 + 2 / Math.sqrt(step) + (p % 7) * 0.01 : 0.1 + 1 / step);
					batch.push(JSON.stringify({step, value, timestamp: new Date(t - i * 1000).toISOString()}));
				}
				pipeline.rpush(`metrics:training:${name}:${series}`, ...batch);
			}
			await pipeline.exec();
		}
		await client.hset(`metrics:training:${name}:current`, {loss: '0.52', wer: '0.1', last_updated: new Date(t).toISOString()});
	}
	client.disconnect();
}

interface Window {
	readonly mycotop: number[];
	readonly btop: number[];
}

async function sample(pids: {mycotop: number; btop?: number}, seconds: number): Promise<Window> {
	const out: Window = {mycotop: [], btop: []};
	for (let t = 0; t < seconds; t += 5) {
		await sleep(5000);
		out.mycotop.push(rssMb(pids.mycotop));
		if (pids.btop !== undefined) out.btop.push(rssMb(pids.btop));
	}
	return out;
}

const stats = (xs: readonly number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return {min: s[0] ?? Number.NaN, median: s[Math.floor(s.length / 2)] ?? Number.NaN, max: s.at(-1) ?? Number.NaN};
};
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const mb = (v: number) => `${v.toFixed(0)} MB`;

/**
Resident MB of the process's WebAssembly memory (Yoga's, the only one in mycotop). V8 reserves 10 GiB of address
space for a 32-bit memory (4 GiB and guard regions) and makes the part in use readable and writable: the mappings
inside a 10 GiB region that ends with a reservation of 4 GiB or more. Of those pages only the ones Yoga has touched
are resident, which is what Yoga costs (a heap snapshot counts the whole memory, about 17 MB). Measured: 16 MB
reserved and readable, about 48 kB resident (printed with two decimals: 0.05 MB). process.memoryUsage().external counts
the whole 16 MB, which is most of `external` beyond `arrayBuffers` in the table: address space, not RSS.
*/
function wasmResidentMb(pid: number): number {
	if (!existsSync(`/proc/${pid}/smaps`)) return Number.NaN;
	const maps: Array<{start: number; end: number; perms: string; rssKb: number}> = [];
	for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
		const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
		if (head !== null) maps.push({start: Number.parseInt(head[1]!, 16), end: Number.parseInt(head[2]!, 16), perms: head[3]!, rssKb: 0});
		const rss = /^Rss:\s+(\d+) kB/.exec(line);
		if (rss !== null && maps.length > 0) maps.at(-1)!.rssKb = Number(rss[1]);
	}
	const GIB = 2 ** 30;
	let kb = 0;
	for (const reserve of maps) {
		if (reserve.perms !== '---p' || reserve.end - reserve.start < 4 * GIB) continue;
		const from = reserve.end - 10 * GIB;
		for (const m of maps) if (m.start >= from && m.end <= reserve.start && m.perms.startsWith('rw')) kb += m.rssKb;
	}
	return kb / 1024;
}

/** One line of memory-probe.ts. */
interface ProbeLine {
	readonly t: number;
	readonly rss: number;
	readonly heapTotal: number;
	readonly heapUsed: number;
	readonly external: number;
	readonly arrayBuffers: number;
	readonly cpu: number;
	readonly spaces: Record<string, {size: number; used: number} | undefined>;
}

function readProbe(file: string): ProbeLine[] {
	if (!existsSync(file)) return [];
	const out: ProbeLine[] = [];
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		try {
			if (line !== '') out.push(JSON.parse(line) as ProbeLine);
		} catch {
			// a line cut by the process's exit
		}
	}
	return out;
}

/** The probe's view of a window [from, to): medians, and the lowest heap in use (the live heap after a collection). */
function inside(lines: readonly ProbeLine[], from: number, to: number): string {
	const w = lines.filter((l) => l.t >= from && l.t < to);
	if (w.length === 0) return 'no probe samples';
	const med = (pick: (l: ProbeLine) => number) => stats(w.map(pick)).median.toFixed(0);
	const cpuPercent = w.length < 2 ? Number.NaN : ((w.at(-1)!.cpu - w[0]!.cpu) / ((w.at(-1)!.t - w[0]!.t) / 1000)) * 100;
	return [
		`CPU ${cpuPercent.toFixed(2)} % of a core`,
		`heap used ${med((l) => l.heapUsed)} (lowest ${stats(w.map((l) => l.heapUsed)).min.toFixed(0)})`,
		`heap total ${med((l) => l.heapTotal)}`,
		`young gen ${med((l) => l.spaces['new_space']?.size ?? 0)}`,
		`old space ${med((l) => l.spaces['old_space']?.size ?? 0)}`,
		`array buffers ${med((l) => l.arrayBuffers)}`,
		`external ${med((l) => l.external)}`,
	].join(', ');
}

async function main(): Promise<void> {
	await warnBusyNeighbours('bench:memory');
	if (!existsSync(cli)) throw new Error(`${cli} is missing: npm run bench:memory builds first`);
	const hasBtop = spawnSync('btop', ['--version'], {stdio: 'ignore'}).status === 0;
	const redis = await startRedis();
	const probeFile = join(tmpdir(), `mycotop-memory-probe-${process.pid}.jsonl`);
	rmSync(probeFile, {force: true});
	const heapFlags = options.heapsnapshot === undefined ? '' : ` --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${resolve(options.heapsnapshot)}`;
	// The probe through NODE_OPTIONS (the bin is run as a program); it takes itself out again (memory-probe.ts).
	const nodeOptions = `--import=${pathToFileURL(probeModule).href}${heapFlags}${options['node-options'] === undefined ? '' : ` ${options['node-options']}`}`;
	const pane = new TmuxPane(120, 40, {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu', NODE_ENV: 'production', TERM: 'tmux-256color', MYCOTOP_MEMORY_PROBE: probeFile, NODE_OPTIONS: nodeOptions, ...(process.env['MYCOTOP_HEAP'] === undefined ? {} : {MYCOTOP_HEAP: process.env['MYCOTOP_HEAP']}), ...(process.env['MYCOTOP_JIT'] === undefined ? {} : {MYCOTOP_JIT: process.env['MYCOTOP_JIT']}), ...extraEnv()});
	const btopPane = hasBtop ? new TmuxPane(120, 40) : undefined;
	let publisher: ReturnType<typeof spawn> | undefined;
	const snapshot = async (pid: number, label: string) => {
		if (options.heapsnapshot === undefined) return;
		process.stderr.write(`bench:memory: heap snapshot (${label}) into ${resolve(options.heapsnapshot)}\n`);
		process.kill(pid, 'SIGUSR2');
		await sleep(15_000);
	};
	try {
		process.stderr.write(`bench:memory: seeding ${PROJECTS} projects x 2 series x ${POINTS} points (${options.values}) ...\n`);
		await seed(redis);
		// The bin's launcher runs the first `node` on PATH: the one running this bench comes first.
		pane.run(`export PATH=${dirname(process.execPath)}:"$PATH"; exec ${options['node-args'] === undefined ? '' : `node ${options['node-args']} `}${cli} --redis-url ${redis.url} --nvidia-smi ${fakeSmi} --gpu-interval 1000 --refresh ${options.refresh}`);
		await waitFor(() => pane.screen().join('\n').includes('H100') && pane.screen().join('\n').includes('mem-'), 60_000, 'the dashboard with the seeded projects');
		const pid = Number(pane.format('#{pane_pid}'));
		let btopPid: number | undefined;
		if (btopPane !== undefined) {
			btopPane.run('exec btop');
			await sleep(1500);
			btopPid = Number(btopPane.format('#{pane_pid}'));
		}
		await sleep(5000);
		process.stderr.write(`bench:memory: idle ${options.idle} s ...\n`);
		const idleFrom = Date.now();
		const idle = await sample({mycotop: pid, ...(btopPid !== undefined ? {btop: btopPid} : {})}, Number(options.idle));
		const idleTo = Date.now();
		// Where the resident memory is: anonymous (heaps) against file-backed (code, mapped libraries).
		const rollup = existsSync(`/proc/${pid}/smaps_rollup`) ? readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8') : '';
		const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? Number.NaN) / 1024;
		const rollupLine = `Rss ${field('Rss').toFixed(0)} MB, Anonymous ${field('Anonymous').toFixed(0)} MB (file-backed, node's own code: ${(field('Rss') - field('Anonymous')).toFixed(0)} MB), of it WebAssembly memory (Yoga) ${wasmResidentMb(pid).toFixed(2)} MB`;
		process.stderr.write(`bench:memory: after idle: ${rollupLine}\n`);
		await snapshot(pid, 'after idle');
		process.stderr.write(`bench:memory: soak ${options.soak} s at 200 events/s ...\n`);
		// --soak-into seeded: the training events go on the seeded projects' steps (their rings full already).
		const into = options['soak-into'] === 'seeded' ? ['mem-', String(PROJECTS), String(POINTS + 1)] : [];
		publisher = spawn(process.execPath, [join(here, 'publisher.js'), redis.url, 'rate', '200', String(Number(options.soak) + 40), ...into], {stdio: ['ignore', 'ignore', 'inherit']});
		const soakFrom = Date.now();
		const soakSeconds = Number(options.soak);
		const snapAt = options.heapsnapshot !== undefined && soakSeconds >= 120 ? 60 : 0;
		const soak = await sample({mycotop: pid, ...(btopPid !== undefined ? {btop: btopPid} : {})}, snapAt === 0 ? soakSeconds : snapAt);
		if (snapAt > 0) {
			await snapshot(pid, 'a minute into the soak');
			const rest = await sample({mycotop: pid, ...(btopPid !== undefined ? {btop: btopPid} : {})}, soakSeconds - snapAt - 15);
			soak.mycotop.push(...rest.mycotop);
			soak.btop.push(...rest.btop);
		}
		const soakTo = Date.now();
		await snapshot(pid, 'end of the soak');
		const i = stats(idle.mycotop);
		const s = stats(soak.mycotop);
		// Samples are 5 s apart: the growth's first minute starts --settle seconds into the soak.
		const settleSamples = SETTLE_S / 5;
		const first = mean(soak.mycotop.slice(settleSamples, settleSamples + 12));
		const last = mean(soak.mycotop.slice(-12));
		const probe = readProbe(probeFile);
		process.stdout.write(`\nmycotop TUI memory (${cli}), ${PROJECTS * 2} series x ${POINTS} points (${options.values} values) loaded, 8 GPUs at 1 Hz, 120x40, --refresh ${options.refresh}, Node ${process.version}${options['node-options'] === undefined ? '' : `, NODE_OPTIONS=${options['node-options']}`}\n\n`);
		process.stdout.write('| window | mycotop RSS min / median / max | btop RSS median (same window) |\n|---|---|---|\n');
		process.stdout.write(`| idle (GPU sampling only, ${options.idle} s) | ${mb(i.min)} / ${mb(i.median)} / ${mb(i.max)} | ${hasBtop ? mb(stats(idle.btop).median) : 'btop not installed'} |\n`);
		process.stdout.write(`| soak (+200 events/s into ${options['soak-into'] === 'seeded' ? 'the seeded projects' : '20 new projects'}, ${options.soak} s) | ${mb(s.min)} / ${mb(s.median)} / ${mb(s.max)} | ${hasBtop ? mb(stats(soak.btop).median) : 'btop not installed'} |\n`);
		process.stdout.write(`\nafter idle (smaps_rollup): ${rollupLine}\n`);
		process.stdout.write(`inside, idle (MB, medians): ${inside(probe, idleFrom, idleTo)}\n`);
		process.stdout.write(`inside, soak (MB, medians): ${inside(probe, soakFrom, soakTo)}\n`);
		// Growth needs two minutes that do not overlap: a soak of at least 3 minutes.
		if (soak.mycotop.length >= settleSamples + 36) {
			const firstMinute = inside(probe, soakFrom + SETTLE_S * 1000, soakFrom + SETTLE_S * 1000 + 60_000);
			const lastMinute = inside(probe, soakTo - 60_000, soakTo);
			process.stdout.write(`\ngrowth over the soak (mean RSS of the last minute minus the first${SETTLE_S > 0 ? ` after ${SETTLE_S} s` : ''}): ${(last - first).toFixed(1)} MB (target: under 100 MB steady, no growth)\n`);
			process.stdout.write(`  first minute (MB): ${firstMinute}\n  last minute (MB):  ${lastMinute}\n`);
		} else process.stdout.write('\ngrowth over the soak: n/a (a soak under 3 minutes past --settle has no separate first and last minute)\n');
	} finally {
		publisher?.kill();
		pane.close();
		btopPane?.close();
		await redis.stop();
		rmSync(probeFile, {force: true});
	}
}

await main();
