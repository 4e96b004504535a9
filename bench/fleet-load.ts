/**
bench:fleet-load: one viewer under a fleet's load. A private redis-server; 16 real boxes (`mycotop --headless --host
box-NN` with the fake nvidia-smi's eight-gpu recording, 8 GPUs each, sampled at 1 Hz: 128 GPUs); the seed's mixed
events (70 % training, 20 % task, 10 % agent) published at 5,000 a second by bench/publisher.ts's rate mode, each
stamped with its send time; and ONE viewer, measured over a window after a warm-up:

  - `tui`: mycotop in a 120x40 tmux pane, the hosts pane on screen (16 hosts), `6 j Enter` so box-02's 8 GPUs are
    read every interval and shown;
  - `headless`: `mycotop --headless` (no screen; it does not read the fleet, it only ingests), for comparison.

The two viewers alternate, `--rounds` rounds. Every box, being a real mycotop, subscribes to the same events and
ingests them too (that is what 16 boxes on one Redis do); one of them holds the writer lease and writes them.

Measured per window: the viewer's CPU % of one core (utime + stime from /proc/<pid>/stat), its RSS at the end,
frames/s and bytes/s to the terminal (the pane's raw output through pipe-pane, `ESC[?2026h` counted as frames),
the publish-to-store latency (p50/p99/max) and the count of events that never reached the viewer (sent minus
received), the boxes' mean and max CPU (mycotop processes; their nvidia-smi children apart), redis-server's and
the publisher's CPU, btop's CPU (a pane of the same tmux server, default refresh) as the reference, and the load
average at both ends of the window.

Latency: the viewer runs with `node --import dist/bench/latency-probe.js`, which wraps JSON.parse and records, for
every string carrying the publisher's `"sentAt":` stamp, the arrival time and its age; mycotop's ingest parses a
message and stores it synchronously in the same call, so that is the publish-to-store time in the measured process
itself, including any wait behind a frame being drawn. SIGUSR2 makes the probe write its samples to a file.

  npm run bench:fleet-load [-- --seconds 60 --warmup 15 --rate 5000 --boxes 16 --rounds 1 --viewers tui,headless --per-second]

On a shared machine, run it as `nice -n -10 node dist/bench/fleet-load.js` (after `npm run build`) so the other work
there yields to the measured processes (all of them: the boxes, Redis, the publisher and the viewer inherit it).
*/
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {getPriority, loadavg, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';
import {startRedis, type TestRedis} from '../test/helpers/redis-server.js';
import {TmuxWindows} from './tmux-windows.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const cli = join(root, 'dist/bundle/cli.js');
const probe = pathToFileURL(join(here, 'latency-probe.js')).href;
const fakeSmi = join(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim()) || 100;

const {values: options} = parseArgs({
	options: {
		seconds: {type: 'string', default: '60'},
		warmup: {type: 'string', default: '15'},
		rate: {type: 'string', default: '5000'},
		boxes: {type: 'string', default: '16'},
		rounds: {type: 'string', default: '1'},
		viewers: {type: 'string', default: 'tui,headless'},
		/** Per second of the window: events sent, and the fastest and slowest to reach the viewer. */
		'per-second': {type: 'boolean', default: false},
	},
});
const SECONDS = Math.max(5, Number(options.seconds));
const WARMUP = Math.max(2, Number(options.warmup));
const RATE = Math.max(1, Number(options.rate));
const BOXES = Math.max(2, Math.min(99, Number(options.boxes)));
const ROUNDS = Math.max(1, Number(options.rounds));
const VIEWERS = options.viewers.split(',').filter((v): v is 'tui' | 'headless' => v === 'tui' || v === 'headless');
const COLUMNS = 120;
const ROWS = 40;
const HOSTS = Array.from({length: BOXES}, (_, i) => `box-${String(i + 1).padStart(2, '0')}`);
const VIEWED = HOSTS[1]!;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`bench:fleet-load: ${line}\n`);

/** utime + stime of a process in seconds (NaN once it has exited), and its parent pid. */
function procStat(pid: number): {cpu: number; ppid: number} {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return {cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK, ppid: Number(fields[1])};
	} catch {
		return {cpu: Number.NaN, ppid: -1};
	}
}

function rssMb(pid: number): number {
	try {
		const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
		return kb === undefined ? Number.NaN : Number(kb) / 1024;
	} catch {
		return Number.NaN;
	}
}

/** The live children of `parents` (the boxes' nvidia-smi processes). */
function childrenOf(parents: ReadonlySet<number>): number[] {
	const found: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		if (parents.has(procStat(Number(entry)).ppid)) found.push(Number(entry));
	}
	return found;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(100);
	}
}

function publisher(url: string, seconds: number): {child: ChildProcess; done: Promise<{sent: number; ms: number; receivers: number}>} {
	const child = spawn(process.execPath, [join(here, 'publisher.js'), url, 'rate', String(RATE), String(seconds)], {stdio: ['ignore', 'pipe', 'inherit']});
	let out = '';
	child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
	const done = new Promise<{sent: number; ms: number; receivers: number}>((resolve, reject) => {
		child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as {sent: number; ms: number; receivers: number}) : reject(new Error(`publisher exited ${code}`))));
	});
	return {child, done};
}

/** The probe's dump number `n`: (arrival, latency) pairs. */
async function readDump(base: string, n: number, pid: number): Promise<Float64Array> {
	process.kill(pid, 'SIGUSR2');
	const file = `${base}.${n}`;
	await waitFor(() => existsSync(file), 20_000, `the latency dump ${file}`);
	const bytes = readFileSync(file);
	return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

interface WindowResult {
	readonly viewer: 'tui' | 'headless';
	readonly round: number;
	readonly cpu: Record<string, number>;
	readonly boxesMean: number;
	readonly boxesMax: number;
	readonly smiChildren: number;
	readonly rss: number;
	readonly frames: number;
	readonly bytes: number;
	readonly btopBytes: number;
	readonly latency: {p50: number; p99: number; max: number; inWindow: number};
	readonly sent: number;
	readonly publisherRate: number;
	readonly received: number;
	/** Events the viewer parsed again after the first time (replayed when it took the writer lease). */
	readonly parsedTwice: number;
	readonly leases: LeaseWatch;
	readonly receiversPerEvent: number;
	readonly load: [number, number];
	readonly alive: boolean;
	readonly screenOk: boolean | undefined;
}

interface LeaseWatch {
	/** Seconds of the window (sampled once a second) in which the viewer held the writer lease. */
	readonly viewerHeld: number;
	/** Times the writer lease changed hands during the window (or was found free). */
	readonly changes: number;
}

/** The writer lease (`mycotop:writer:lease`, `host:pid:rand`) once a second for `seconds`: who holds it. */
async function leaseWatch(redis: TestRedis, viewerPid: number, seconds: number): Promise<LeaseWatch> {
	const client = redis.client();
	let viewerHeld = 0;
	let changes = 0;
	let last: string | null | undefined;
	try {
		for (let s = 0; s < seconds; s++) {
			const holder = await client.get('mycotop:writer:lease');
			if (holder?.split(':')[1] === String(viewerPid)) viewerHeld += 1;
			if (last !== undefined && holder !== last) changes += 1;
			last = holder;
			await sleep(1000);
		}
	} finally {
		client.disconnect();
	}
	return {viewerHeld, changes};
}

const quantile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

async function window(
	viewer: 'tui' | 'headless',
	round: number,
	ctx: {redis: TestRedis; tmux: TmuxWindows; dir: string; env: Record<string, string>; boxes: Map<string, ChildProcess>; btopPid: number | undefined; btopRaw: string},
): Promise<WindowResult> {
	const {redis, tmux, dir, env, boxes} = ctx;
	const latencyBase = join(dir, `latency-${viewer}-${round}`);
	const viewerEnv = {...env, MYCOTOP_BENCH_LATENCY_OUT: latencyBase};
	const args = `--redis-url ${redis.url} --no-gpu --host viewer`;
	let pid: number;
	let target: string | undefined;
	let headless: ChildProcess | undefined;
	const rawFile = join(dir, `viewer-${viewer}-${round}.raw`);
	if (viewer === 'tui') {
		target = tmux.open(`viewer${round}`, `exec node --import ${probe} ${cli} ${args}`, viewerEnv);
		tmux.pipe(target, rawFile);
		const t = target;
		await waitFor(() => tmux.capture(t).includes(`${BOXES} hosts`), 60_000, `the hosts pane with ${BOXES} hosts`);
		tmux.keys(t, '6');
		await sleep(500);
		tmux.keys(t, 'j');
		await sleep(500);
		tmux.keys(t, 'Enter');
		await waitFor(() => tmux.capture(t).includes(`GPUs of ${VIEWED}`) && tmux.capture(t).includes('8 GPUs'), 30_000, `${VIEWED}'s GPUs`);
		pid = tmux.pid(t);
	} else {
		headless = spawn(process.execPath, ['--import', probe, cli, '--headless', ...args.split(' ')], {env: {...process.env, ...viewerEnv}, stdio: ['ignore', 'ignore', 'ignore']});
		pid = headless.pid!;
		await sleep(3000);
	}
	// A reset of the probe (whatever hydration parsed), then the publisher for warm-up + window + 1 s.
	await readDump(latencyBase, 1, pid);
	const pub = publisher(redis.url, WARMUP + SECONDS + 1);
	await sleep(WARMUP * 1000);
	const boxPids = [...boxes.values()].map((b) => b.pid!);
	const smi = childrenOf(new Set(boxPids));
	const pids: Record<string, number> = {viewer: pid, redis: redis.pid!, publisher: pub.child.pid!};
	if (ctx.btopPid !== undefined) pids['btop'] = ctx.btopPid;
	boxPids.forEach((p, i) => (pids[`box${i}`] = p));
	smi.forEach((p, i) => (pids[`smi${i}`] = p));
	const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
	const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, procStat(p).cpu]));
	const rawBefore = existsSync(rawFile) ? readFileSync(rawFile, 'latin1').length : 0;
	const btopBefore = size(ctx.btopRaw);
	const load0 = loadavg()[0]!;
	const t0 = performance.timeOrigin + performance.now();
	const lease = leaseWatch(redis, pid, SECONDS);
	await sleep(SECONDS * 1000);
	const t1 = performance.timeOrigin + performance.now();
	const elapsed = (t1 - t0) / 1000;
	const cpu = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, ((procStat(p).cpu - before[k]!) / elapsed) * 100]));
	const load1 = loadavg()[0]!;
	const rss = rssMb(pid);
	const raw = existsSync(rawFile) ? readFileSync(rawFile, 'latin1').slice(rawBefore) : '';
	const btopBytes = (size(ctx.btopRaw) - btopBefore) / elapsed;
	const sent = await pub.done;
	const leases = await lease;
	await sleep(3000);
	const alive = existsSync(`/proc/${pid}/stat`);
	const pairs = alive ? await readDump(latencyBase, 2, pid) : new Float64Array();
	// The first arrival of each event (by its stamp): a second parse is a replay after a writer takeover.
	const first = new Map<number, number>();
	for (let i = 0; i + 1 < pairs.length; i += 2) if (!first.has(pairs[i + 1]!)) first.set(pairs[i + 1]!, pairs[i]!);
	const inWindow: number[] = [];
	for (const [sentAt, arrival] of first) if (sentAt >= t0 && sentAt <= t1) inWindow.push(arrival - sentAt);
	const sorted = Float64Array.from(inWindow).sort();
	if (options['per-second']) {
		const perSecond = new Map<number, number[]>();
		for (const [sentAt, arrival] of first) if (sentAt >= t0 && sentAt <= t1) perSecond.set(Math.floor((sentAt - t0) / 1000), [...(perSecond.get(Math.floor((sentAt - t0) / 1000)) ?? []), arrival - sentAt]);
		for (const [sec, l] of [...perSecond].sort((a, b) => a[0] - b[0])) log(`  second ${sec}: ${l.length} events sent, received after ${Math.min(...l).toFixed(1)} to ${Math.max(...l).toFixed(1)} ms`);
	}
	const screenOk = target === undefined ? undefined : tmux.capture(target).includes(`GPUs of ${VIEWED}`) && tmux.capture(target).includes(`${BOXES} hosts`);
	if (target !== undefined) {
		if (!screenOk) log(`the viewer's screen at the end:\n${tmux.capture(target)}`);
		tmux.kill(target);
	}
	headless?.kill('SIGTERM');
	const boxCpu = boxPids.map((_, i) => cpu[`box${i}`]!);
	return {
		viewer,
		round,
		cpu,
		boxesMean: boxCpu.reduce((a, b) => a + b, 0) / boxCpu.length,
		boxesMax: Math.max(...boxCpu),
		smiChildren: smi.reduce((a, _, i) => a + (cpu[`smi${i}`] ?? 0), 0),
		rss,
		frames: (raw.match(/\u001B\[\?2026h/g) ?? []).length / elapsed,
		bytes: Buffer.byteLength(raw, 'latin1') / elapsed,
		btopBytes,
		latency: {p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN, inWindow: sorted.length},
		sent: sent.sent,
		publisherRate: sent.sent / (sent.ms / 1000),
		received: first.size,
		parsedTwice: pairs.length / 2 - first.size,
		leases,
		receiversPerEvent: sent.receivers / Math.max(1, sent.sent),
		load: [load0, load1],
		alive,
		screenOk,
	};
}

async function main(): Promise<void> {
	if (!existsSync(cli)) throw new Error('dist/bundle/cli.js is missing: npm run bench:fleet-load builds first');
	if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is required (apt-get install -y tmux)');
	const hasBtop = spawnSync('btop', ['--version'], {stdio: 'ignore'}).status === 0;
	if (!hasBtop) log('btop is not installed (apt-get install -y btop): no reference');
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-fleet-load-'));
	// An empty config home: no user config changes what is measured.
	const env = {XDG_CONFIG_HOME: dir, NODE_ENV: 'production', TERM: 'tmux-256color'};
	writeFileSync(join(dir, 'README'), 'bench:fleet-load scratch folder\n');
	const redis = await startRedis();
	const tmux = new TmuxWindows(dir, COLUMNS, ROWS);
	const boxes = new Map<string, ChildProcess>();
	try {
		log(`starting ${BOXES} boxes (8 fake GPUs each, 1 Hz)`);
		for (const host of HOSTS) {
			const child = spawn(process.execPath, [cli, '--headless', '--redis-url', redis.url, '--host', host, '--nvidia-smi', fakeSmi, '--gpu-interval', '1000'], {
				env: {...process.env, ...env, FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu'},
				stdio: ['ignore', 'ignore', 'ignore'],
			});
			boxes.set(host, child);
		}
		const client = redis.client();
		await waitFor(
			async () => {
				const hosts = await client.zrange('mycotop:hosts', '0', '-1');
				if (hosts.length < BOXES) return false;
				const counts = await Promise.all(HOSTS.map((h) => client.hget(`mycotop:host:${h}:summary`, 'gpu_count')));
				return counts.every((c) => c === '8');
			},
			180_000,
			`${BOXES} boxes with 8 GPUs each`,
		);
		client.disconnect();
		log(`${BOXES} boxes report ${BOXES * 8} GPUs`);
		let btopPid: number | undefined;
		const btopRaw = join(dir, 'btop.raw');
		if (hasBtop) {
			const btop = tmux.open('btop', 'exec btop', env);
			tmux.pipe(btop, btopRaw);
			btopPid = tmux.pid(btop);
		}
		const results: WindowResult[] = [];
		for (let round = 1; round <= ROUNDS; round++) {
			// Alternate the order round by round, so a drift of the shared machine does not favour one viewer.
			const order = round % 2 === 1 ? VIEWERS : [...VIEWERS].reverse();
			for (const viewer of order) {
				log(`round ${round}: ${viewer} viewer, ${WARMUP} s warm-up + ${SECONDS} s window at ${RATE} events/s ...`);
				const r = await window(viewer, round, {redis, tmux, dir, env, boxes, btopPid, btopRaw});
				results.push(r);
				log(
					`  viewer ${r.cpu['viewer']!.toFixed(1)} %, p99 ${r.latency.p99.toFixed(1)} ms, ${r.sent - r.received} not received, ${r.parsedTwice} parsed twice, lease ${r.leases.viewerHeld}/${r.leases.changes}, boxes mean ${r.boxesMean.toFixed(1)} %, load ${r.load.map((l) => l.toFixed(1)).join('->')}`,
				);
			}
		}
		const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} %`);
		const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
		process.stdout.write(
			`\nbench:fleet-load: ${BOXES} boxes x 8 GPUs at 1 Hz (real mycotop --headless), ${RATE} events/s, ${SECONDS} s windows after ${WARMUP} s warm-up, node ${process.version}, nice ${getPriority()}\n\n`,
		);
		process.stdout.write(
			'| round | viewer | viewer CPU (1 core) | viewer RSS | frames/s | bytes/s to the terminal | publish-to-store p50 / p99 / max (events sent in the window) | not received / parsed twice (of sent) | writer lease: s held by the viewer / changes | boxes CPU mean / max | their nvidia-smi children (sum) | redis-server | publisher (its rate) | btop CPU (bytes/s) | load average (start -> end) |\n',
		);
		process.stdout.write('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n');
		for (const r of results) {
			const missing = r.sent - r.received;
			const flags = `${r.alive ? '' : ' (EXITED)'}${r.screenOk === false ? ' (screen lost the host view)' : ''}`;
			const cells = [
				String(r.round),
				`${r.viewer}${flags}`,
				pct(r.cpu['viewer']),
				`${r.rss.toFixed(0)} MB`,
				r.viewer === 'tui' ? r.frames.toFixed(1) : '-',
				r.viewer === 'tui' ? String(Math.round(r.bytes)) : '-',
				`${ms(r.latency.p50)} / ${ms(r.latency.p99)} / ${ms(r.latency.max)} (${r.latency.inWindow})`,
				`${missing} / ${r.parsedTwice} (of ${r.sent})`,
				`${r.leases.viewerHeld} / ${r.leases.changes}`,
				`${pct(r.boxesMean)} / ${pct(r.boxesMax)}`,
				pct(r.smiChildren),
				pct(r.cpu['redis']),
				`${pct(r.cpu['publisher'])} (${Math.round(r.publisherRate)}/s)`,
				`${pct(r.cpu['btop'])} (${Math.round(r.btopBytes)})`,
				r.load.map((l) => l.toFixed(1)).join(' -> '),
			];
			process.stdout.write(`| ${cells.join(' | ')} |\n`);
		}
		process.stdout.write(`\nsubscribers per event (PUBLISH replies / events): ${results.map((r) => r.receiversPerEvent.toFixed(2)).join(', ')} (expected ${BOXES + 1}: ${BOXES} boxes + the viewer)\n`);
	} finally {
		for (const box of boxes.values()) box.kill('SIGTERM');
		await sleep(2000);
		for (const box of boxes.values()) if (box.exitCode === null) box.kill('SIGKILL');
		tmux.close();
		await redis.stop();
		rmSync(dir, {recursive: true, force: true});
	}
}

await main();
