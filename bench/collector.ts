/**
bench:collector: what the `--headless` collector costs, the program every box of a fleet runs. `mycotop --headless`
with 8 fake GPUs sampled at 1 Hz, the built-in rules on, no events, against a private redis-server; started as
systemd starts it, the bin itself (its launcher line adds the collector's node flags: scripts/launcher.mjs). Over a window
(default 30 s, after a 10 s warm-up) it reads from /proc:

  - mycotop's own CPU (utime + stime of the process, not its children) as % of one core, and its RSS at the end;
    of it, the main (JavaScript) thread's time on a CPU (/proc/<pid>/task/<pid>/schedstat), the rest being V8's
    background threads (garbage collection, compiling) and libuv's pool;
  - the nvidia-smi side beside it: the long-lived `-lms` child's CPU, plus the CPU of the short-lived children
    (`--query-compute-apps` one-shots) reaped in the window (cutime + cstime of mycotop);
  - how many children mycotop started in the window.

The fake nvidia-smi is a Node script, so its own CPU is the fake's, not the driver's; the target (<= 0.5 % of a
core) is judged on mycotop's side. Options: --seconds N, --warmup N, --rounds N, --profile DIR (a V8 CPU profile),
--profile-interval US (its sampling interval, default 1000 µs), --cli PATH (another build's dist/bundle/cli.js),
--node-flags=FLAGS (node or V8 flags put before the entry, to compare; note the =), --events N (N mixed seed events a
second published from the start, warm-up included: the collector of a box whose agents report).

Paired (--against PATH and/or --against-node-flags=FLAGS): each round runs a second collector at the same time as the
first, with its own redis-server and fake nvidia-smi, started in the same moment and measured over the same window:
another build's bin (PATH) or the same one with other node flags. This VM's speed drifts by a fifth or more between
minutes, which one collector after another reads as a difference of 0.1 % of a core or more; two at once see the same
drift (two copies of one build read within 0.05 % of each other a round, BENCHMARKS.md), so a change of a few
hundredths shows over a few rounds. --node-flags is side A's, --against-node-flags side B's: a side with node flags
runs `node FLAGS FILE` and skips the bin's launcher line, so give the launcher's own flags on both sides or on neither.

  npm run bench:collector [-- --seconds 30 --rounds 2]
  node dist/bench/collector.js --seconds 60 --warmup 60 --rounds 3 --against /tmp/wt-old/dist/bundle/cli.js
  node dist/bench/collector.js --node-flags="--min-semi-space-size=8 --single-threaded-gc" \
    --against-node-flags="--min-semi-space-size=8 --single-threaded-gc --always-sparkplug"   (node flags skip the
    bin's launcher line, so each side names the launcher's own flags too)
*/
import {spawn, spawnSync} from 'node:child_process';
import {accessSync, constants, existsSync, readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {startRedis} from '../test/helpers/redis-server.js';
import {warnBusyNeighbours} from './busy-neighbours.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const cli = join(root, 'dist/bundle/cli.js');
const fakeSmi = join(root, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).stdout.trim()) || 100;

const {values: options} = parseArgs({
	options: {
		seconds: {type: 'string', default: '30'},
		warmup: {type: 'string', default: '10'},
		rounds: {type: 'string', default: '1'},
		profile: {type: 'string'},
		'profile-interval': {type: 'string'},
		cli: {type: 'string'},
		'node-flags': {type: 'string'},
		events: {type: 'string', default: '0'},
		against: {type: 'string'},
		'against-node-flags': {type: 'string'},
	},
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ProcTimes {
	readonly self: number;
	readonly user: number;
	readonly children: number;
	readonly rssMb: number;
}

/** Seconds of CPU of `pid` itself and of its reaped children; RSS in MB. */
function procTimes(pid: number): ProcTimes {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// After the comm: state is f[0]; utime f[11], stime f[12], cutime f[13], cstime f[14], rss (pages) f[21].
	return {self: (Number(f[11]) + Number(f[12])) / CLK_TCK, user: Number(f[11]) / CLK_TCK, children: (Number(f[13]) + Number(f[14])) / CLK_TCK, rssMb: (Number(f[21]) * 4096) / 1e6};
}

/** Seconds on a CPU of `pid`'s main thread (the JavaScript thread: V8's background threads and libuv's pool apart), ns resolution. */
function mainThreadSeconds(pid: number): number {
	return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
}

/** Live children of `pid` (from /proc/<pid>/task/<pid>/children), with their own CPU seconds. */
function liveChildren(pid: number): Map<number, number> {
	const out = new Map<number, number>();
	const file = `/proc/${pid}/task/${pid}/children`;
	if (!existsSync(file)) return out;
	for (const id of readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)) {
		try {
			out.set(id, procTimes(id).self);
		} catch {
			// exited between the two reads
		}
	}
	return out;
}

interface Round {
	readonly mycotopPercent: number;
	readonly mainThreadPercent: number;
	readonly userPercent: number;
	readonly longLivedChildPercent: number;
	readonly reapedChildrenPercent: number;
	readonly rssMb: number;
	readonly spawned: number;
}

/** One collector of a round: which bin, which node flags, and its name in the output. */
interface Side {
	readonly label: string;
	readonly entry: string;
	readonly nodeFlags: string;
}

async function round(url: string, seconds: number, warmup: number, index: number, side: Side): Promise<Round> {
	const nodeArgs = [...side.nodeFlags.split(/\s+/).filter(Boolean), ...(options.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(options.profile)}`, ...(options['profile-interval'] === undefined ? [] : [`--cpu-prof-interval=${options['profile-interval']}`])])];
	const entry = side.entry;
	const mycotopArgs = ['--headless', '--redis-url', url, '--nvidia-smi', fakeSmi, '--gpu-interval', '1000'];
	// As systemd starts it: the bin itself, so its launcher line (scripts/launcher.mjs: the arena cap, the collector's
	// node flags) counts, with the node running this bench first on PATH. Node flags or a profile need `node [flags] FILE`,
	// which skips the launcher line.
	const env = {...process.env, FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu', NODE_ENV: 'production', PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`};
	const [command, args] = nodeArgs.length === 0 ? [entry, mycotopArgs] : [process.execPath, [...nodeArgs, entry, ...mycotopArgs]];
	const child = spawn(command, args, {env, stdio: ['ignore', 'ignore', 'inherit']});
	const pid = child.pid!;
	const rate = Number(options.events);
	// Events published from the start (warm-up included) to the window's end, when --events is given.
	const publisher = rate > 0 ? spawn(process.execPath, [join(here, 'publisher.js'), url, 'rate', String(rate), String(warmup + seconds + 3)], {stdio: ['ignore', 'ignore', 'inherit']}) : undefined;
	try {
		await sleep(warmup * 1000);
		const before = procTimes(pid);
		const mainBefore = mainThreadSeconds(pid);
		const kidsBefore = liveChildren(pid);
		const seen = new Set(kidsBefore.keys());
		let spawned = 0;
		const t0 = performance.now();
		const deadline = t0 + seconds * 1000;
		// Poll the children often enough to count the short-lived ones.
		while (performance.now() < deadline) {
			for (const id of liveChildren(pid).keys()) {
				if (!seen.has(id)) {
					seen.add(id);
					spawned += 1;
				}
			}
			await sleep(200);
		}
		const elapsed = (performance.now() - t0) / 1000;
		const after = procTimes(pid);
		const mainAfter = mainThreadSeconds(pid);
		const kidsAfter = liveChildren(pid);
		let longLived = 0;
		for (const [id, cpu] of kidsAfter) if (kidsBefore.has(id)) longLived += cpu - kidsBefore.get(id)!;
		const r: Round = {
			mycotopPercent: ((after.self - before.self) / elapsed) * 100,
			mainThreadPercent: ((mainAfter - mainBefore) / elapsed) * 100,
			userPercent: ((after.user - before.user) / elapsed) * 100,
			longLivedChildPercent: (longLived / elapsed) * 100,
			reapedChildrenPercent: ((after.children - before.children) / elapsed) * 100,
			rssMb: after.rssMb,
			spawned,
		};
		console.log(
			`round ${index + 1}${side.label}: mycotop ${r.mycotopPercent.toFixed(2)} % of a core (user ${r.userPercent.toFixed(2)}, system ${(r.mycotopPercent - r.userPercent).toFixed(2)}; main thread ${r.mainThreadPercent.toFixed(2)}), RSS ${r.rssMb.toFixed(0)} MB | nvidia-smi side: -lms child ${r.longLivedChildPercent.toFixed(2)} %, one-shots ${r.reapedChildrenPercent.toFixed(2)} % (${spawned} started in ${elapsed.toFixed(0)} s)`,
		);
		return r;
	} finally {
		publisher?.kill();
		child.kill('SIGTERM');
		// A collector that died already (its exit seen) is not waited for again.
		if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
	}
}

/** The mean of `f` over `rounds`. */
function mean(rounds: readonly Round[], f: (r: Round) => number): number {
	return rounds.reduce((s, r) => s + f(r), 0) / rounds.length;
}

function summary(label: string, rounds: readonly Round[]): void {
	console.log(`  mycotop${label.padEnd(10)} ${mean(rounds, (r) => r.mycotopPercent).toFixed(2)} % of a core (user ${mean(rounds, (r) => r.userPercent).toFixed(2)}, system ${mean(rounds, (r) => r.mycotopPercent - r.userPercent).toFixed(2)}; main thread ${mean(rounds, (r) => r.mainThreadPercent).toFixed(2)}; target <= 0.5 %), RSS ${mean(rounds, (r) => r.rssMb).toFixed(0)} MB`);
	console.log(`  nvidia-smi (fake)${label ? ` ${label.trim()}` : ''} ${mean(rounds, (r) => r.longLivedChildPercent).toFixed(2)} % long-lived child, ${mean(rounds, (r) => r.reapedChildrenPercent).toFixed(2)} % one-shots, ${mean(rounds, (r) => r.spawned).toFixed(1)} spawns/window`);
}

async function main(): Promise<void> {
	await warnBusyNeighbours('bench:collector', 2, CLK_TCK);
	const paired = options.against !== undefined || options['against-node-flags'] !== undefined;
	const a: Side = {label: paired ? ' (A)' : '', entry: resolve(options.cli ?? cli), nodeFlags: options['node-flags'] ?? ''};
	const b: Side = {label: ' (B)', entry: resolve(options.against ?? options.cli ?? cli), nodeFlags: options['against-node-flags'] ?? ''};
	for (const side of paired ? [a, b] : [a]) {
		try {
			accessSync(side.entry, constants.X_OK);
		} catch {
			throw new Error(`bench:collector: ${side.entry} is not an executable file (--cli / --against: a build's dist/bundle/cli.js)`);
		}
	}
	const redis = await startRedis();
	let redisB: Awaited<ReturnType<typeof startRedis>> | undefined;
	try {
		if (paired) redisB = await startRedis();
		const seconds = Number(options.seconds);
		const warmup = Number(options.warmup);
		const rounds: Round[] = [];
		const roundsB: Round[] = [];
		for (let i = 0; i < Number(options.rounds); i++) {
			if (redisB === undefined) {
				rounds.push(await round(redis.url, seconds, warmup, i, a));
				continue;
			}
			// Both at once, each on its own Redis: the same minutes of this VM for both.
			const [ra, rb] = await Promise.all([round(redis.url, seconds, warmup, i, a), round(redisB.url, seconds, warmup, i, b)]);
			rounds.push(ra);
			roundsB.push(rb);
		}
		console.log(`\nheadless collector, 8 GPUs at 1 Hz, rules on, ${Number(options.events) > 0 ? `${options.events} events/s` : 'no events'} (${seconds} s windows, ${rounds.length} round(s), Node ${process.version}):`);
		summary(a.label, rounds);
		if (redisB === undefined) return;
		summary(b.label, roundsB);
		const differences = rounds.map((r, i) => roundsB[i]!.mycotopPercent - r.mycotopPercent);
		console.log(`  A: ${a.entry}${a.nodeFlags ? ` with ${a.nodeFlags}` : ''}\n  B: ${b.entry}${b.nodeFlags ? ` with ${b.nodeFlags}` : ''}`);
		const signed = (d: number) => `${d >= 0 ? '+' : ''}${d.toFixed(2)}`;
		const meanDifference = mean(roundsB, (r) => r.mycotopPercent) - mean(rounds, (r) => r.mycotopPercent);
		console.log(`  B - A per round: ${differences.map(signed).join(', ')} % of a core (mean ${signed(meanDifference)})`);
	} finally {
		await redisB?.stop();
		await redis.stop();
	}
}

await main();
