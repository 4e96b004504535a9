/**
bench:gpu: CPU time per GPU sample of the long-lived `nvidia-smi -lms` child versus a spawn per sample, with the
8-GPU fake nvidia-smi (test/fixtures/nvidia-smi/bin/nvidia-smi, a Node script), in one run.

  npm run bench:gpu [-- --seconds 10 --fast-ms 50 --spawns 60 --hz1-seconds 20]

Measured:
- parse + store (+ building the Redis entries) of one 8-GPU frame, in-process, no I/O;
- stream: the real GpuSampler on one `-lms` child at `--fast-ms` (many samples, small noise) and at 1 Hz (the real
  setting), our process's CPU from process.cpuUsage() minus an idle baseline of the same length, the child's from
  /proc/<pid>/stat;
- spawn: the same parse + store after a one-shot `nvidia-smi --query-gpu` per sample (execa), our CPU from
  process.cpuUsage(), the children's from /proc/self/stat (cutime + cstime of reaped children).
The fake child is Node, so child-side figures are the fake's, not nvidia-smi's (whose per-spawn cost is dominated by
NVML initialisation, see BENCHMARKS.md); the target is judged on our process's side.
*/
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {GpuSampler} from '../src/gpu/gpu-sampler.js';
import {GpuStore} from '../src/gpu/gpu-store.js';
import {GpuRedisWriter} from '../src/gpu/gpu-part.js';
import {parseGpuLine, type ParsedGpuRow} from '../src/gpu/csv-parse.js';
import {runOneShot} from '../src/gpu/nvidia-smi-runner.js';
import {FULL_GPU_FIELDS, gpuQueryArgs} from '../src/gpu/query-fields.js';

const FAKE = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/bin/nvidia-smi', import.meta.url));
const ENV = {FAKE_NVIDIA_SMI_SCENARIO: 'eight-gpu'};
/** Clock ticks per second for /proc times (Linux default). */
const CLK_TCK = 100;

const {values} = parseArgs({
	options: {
		seconds: {type: 'string', default: '10'},
		'fast-ms': {type: 'string', default: '50'},
		spawns: {type: 'string', default: '60'},
		'hz1-seconds': {type: 'string', default: '20'},
	},
});
const seconds = Number(values.seconds);
const fastMs = Number(values['fast-ms']);
const spawns = Number(values.spawns);
const hz1Seconds = Number(values['hz1-seconds']);

/** utime+stime (self or children) of a process, in ms, from /proc. */
function procCpuMs(pid: number | 'self', children = false): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// Fields after the command: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
		const at = (field: number) => Number(fields[field - 3]);
		const ticks = children ? at(16) + at(17) : at(14) + at(15);
		return (ticks * 1000) / CLK_TCK;
	} catch {
		return Number.NaN;
	}
}

function selfCpuMs(): number {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const nullWriter = {
	host: 'bench',
	store: {touch: () => undefined},
	writer: {
		entries: 0,
		enqueueList() {
			this.entries += 1;
		},
		enqueueHash() {
			this.entries += 1;
		},
	},
};

/** Idle Node over `ms`: the baseline subtracted from the stream figures. */
async function idle(ms: number): Promise<number> {
	const c0 = selfCpuMs();
	const keepAlive = setInterval(() => undefined, 1000);
	await sleep(ms);
	clearInterval(keepAlive);
	return selfCpuMs() - c0;
}

function inProcess(): {usPerFrame: number} {
	const text = readFileSync(fileURLToPath(new URL('../../test/fixtures/nvidia-smi/scenarios/eight-gpu/query-gpu.csv', import.meta.url)), 'utf8');
	const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).slice(0, 8);
	const store = new GpuStore();
	const redis = new GpuRedisWriter(store, nullWriter, 0, 0);
	const frames = 20_000;
	const t0 = process.cpuUsage();
	for (let i = 0; i < frames; i++) {
		const rows: ParsedGpuRow[] = [];
		for (const line of lines) {
			const r = parseGpuLine(line, FULL_GPU_FIELDS);
			if (r.kind === 'row') rows.push(r.row);
		}
		store.applyFrame(rows, i);
		redis.onFrame(i * 1000);
		store.snapshot();
	}
	const d = process.cpuUsage(t0);
	return {usPerFrame: (d.user + d.system) / frames};
}

interface StreamResult {
	intervalMs: number;
	frames: number;
	selfMs: number;
	idleMs: number;
	childMs: number;
	wallMs: number;
}

async function stream(intervalMs: number, durationMs: number): Promise<StreamResult> {
	const store = new GpuStore();
	const redis = new GpuRedisWriter(store, nullWriter);
	const sampler = new GpuSampler(store, {bin: FAKE, intervalMs, env: ENV, processesEveryMs: 0, journal: () => undefined, onFrame: (now) => redis.onFrame(now)});
	await sampler.start();
	await sleep(Math.max(1000, 3 * intervalMs)); // warm-up: JIT, the child's start
	const pid = sampler.streamPid!;
	const f0 = sampler.stats.frames;
	const c0 = selfCpuMs();
	const k0 = procCpuMs(pid);
	const w0 = Date.now();
	await sleep(durationMs);
	const selfMs = selfCpuMs() - c0;
	const childMs = procCpuMs(pid) - k0;
	const frames = sampler.stats.frames - f0;
	const wallMs = Date.now() - w0;
	await sampler.stop();
	const idleMs = await idle(wallMs);
	return {intervalMs, frames, selfMs, idleMs, childMs, wallMs};
}

async function spawnPerSample(count: number): Promise<{count: number; selfMs: number; childMs: number; wallMs: number}> {
	const store = new GpuStore();
	const redis = new GpuRedisWriter(store, nullWriter);
	const args = gpuQueryArgs(FULL_GPU_FIELDS, undefined);
	await runOneShot(FAKE, args, 10_000, ENV); // warm-up
	const c0 = selfCpuMs();
	const k0 = procCpuMs('self', true);
	const w0 = Date.now();
	for (let i = 0; i < count; i++) {
		const result = await runOneShot(FAKE, args, 10_000, ENV);
		const rows: ParsedGpuRow[] = [];
		for (const line of result.stdout.split('\n')) {
			const r = parseGpuLine(line, FULL_GPU_FIELDS);
			if (r.kind === 'row') rows.push(r.row);
		}
		if (rows.length !== 8) throw new Error(`expected 8 rows, got ${rows.length}`);
		store.applyFrame(rows, Date.now());
		redis.onFrame(Date.now());
	}
	return {count, selfMs: selfCpuMs() - c0, childMs: procCpuMs('self', true) - k0, wallMs: Date.now() - w0};
}

const pct = (msPerSecond: number) => `${((msPerSecond / 1000) * 100).toFixed(3)} %`;

async function main(): Promise<void> {
	process.stdout.write(`bench:gpu on Node ${process.version}, 8-GPU fake nvidia-smi (${FAKE})\n\n`);
	const micro = inProcess();
	process.stdout.write(`in-process parse + store + Redis entries of one 8-GPU frame: ${micro.usPerFrame.toFixed(1)} us\n`);

	const fast = await stream(fastMs, seconds * 1000);
	const fastPerSample = (fast.selfMs - fast.idleMs) / fast.frames;
	process.stdout.write(
		`stream -lms ${fast.intervalMs}: ${fast.frames} frames in ${fast.wallMs} ms; ours ${fast.selfMs.toFixed(0)} ms CPU (idle baseline ${fast.idleMs.toFixed(0)} ms) ` +
			`= ${fastPerSample.toFixed(3)} ms/sample; child ${fast.childMs.toFixed(0)} ms = ${(fast.childMs / fast.frames).toFixed(3)} ms/sample\n`,
	);
	const hz1 = await stream(1000, hz1Seconds * 1000);
	const hz1PerSample = (hz1.selfMs - hz1.idleMs) / Math.max(1, hz1.frames);
	process.stdout.write(
		`stream -lms 1000: ${hz1.frames} frames in ${hz1.wallMs} ms; ours ${hz1.selfMs.toFixed(0)} ms CPU (idle baseline ${hz1.idleMs.toFixed(0)} ms) ` +
			`= ${pct(((hz1.selfMs - hz1.idleMs) * 1000) / hz1.wallMs)} of a core over idle; child ${pct((hz1.childMs * 1000) / hz1.wallMs)} of a core\n`,
	);
	const spawn = await spawnPerSample(spawns);
	const spawnSelf = spawn.selfMs / spawn.count;
	const spawnChild = spawn.childMs / spawn.count;
	process.stdout.write(
		`spawn per sample: ${spawn.count} spawns in ${spawn.wallMs} ms; ours ${spawnSelf.toFixed(3)} ms/sample, children ${spawnChild.toFixed(3)} ms/sample\n\n`,
	);

	const streamPerSample = Math.max(fastPerSample, micro.usPerFrame / 1000);
	const rows = [
		['', 'ours ms/sample', 'child ms/sample', 'ours at 1 Hz', 'ours+child at 1 Hz'],
		['long-lived -lms child', streamPerSample.toFixed(3), (fast.childMs / fast.frames).toFixed(3), pct(streamPerSample), pct(streamPerSample + fast.childMs / fast.frames)],
		['spawn per sample', spawnSelf.toFixed(3), spawnChild.toFixed(3), pct(spawnSelf), pct(spawnSelf + spawnChild)],
	];
	for (const r of rows) process.stdout.write(`${r.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(18))).join('')}\n`);
	const ratioOurs = spawnSelf / streamPerSample;
	const ratioTotal = (spawnSelf + spawnChild) / (streamPerSample + fast.childMs / fast.frames);
	const targetCost = streamPerSample / 1000 <= 0.005;
	process.stdout.write(
		`\nspawn / stream: ${ratioOurs.toFixed(1)}x (our process), ${ratioTotal.toFixed(1)}x (with children)\n` +
			`target <= 0.5 % of a core at 1 Hz for 8 GPUs: ${targetCost ? 'met' : 'NOT met'} (${pct(streamPerSample)}); ` +
			`target >= 10x cheaper than spawning (CPU per sample, ours + child): ${ratioTotal >= 10 ? 'met' : 'NOT met'} (${ratioTotal.toFixed(1)}x); ` +
			`our process alone: ${ratioOurs.toFixed(1)}x${ratioOurs >= 10 ? '' : ' (below 10x: the wake-up and pipe read per sample dominate, not parsing)'}\n`,
	);
	process.stdout.write(
		`${JSON.stringify({micro, fast, hz1: {...hz1, perSampleMs: hz1PerSample}, spawn, streamPerSampleMs: streamPerSample, spawnPerSampleMs: spawnSelf, spawnChildPerSampleMs: spawnChild, ratioOurs, ratioTotal})}\n`,
	);
}

await main();
