/**
A claimed pid reused within the claim's TTL: the trainer that named pid 5000 stopped, and a new process got pid 5000
after its last message (its start time in /proc is later). That process, and the GPU processes under it, are not
the project's: a process cannot have sent a message before it started. Through the join and through the sampler
with the fake nvidia-smi over a fake /proc tree written here. And a claim of pid 1 (a trainer that is PID 1 of its
container, with no `host`): init is every process's ancestor, so it ties only a GPU process whose pid is 1.
*/
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {afterAll, afterEach, describe, expect, it} from 'vitest';
import {claimedPids, joinProjects, MAX_ANCESTRY_DEPTH} from '../../src/gpu/project-join.js';
import {ProcessReader} from '../../src/gpu/proc-join.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {GpuSampler} from '../../src/gpu/gpu-sampler.js';
import {FAKE_NVIDIA_SMI} from './fixtures.js';

const BOOT_S = 1_764_979_200;
/** pid 5000 (a shell) started 5,000 s after boot; its child 5001 (python3, on GPU 0) a second later. */
const LAUNCHER_START_MS = BOOT_S * 1000 + 5_000_000;
const GPU0 = 'GPU-4ee5cbd3-32e8-16a7-9654-6bbd6ce8c535';

const stat = (pid: number, comm: string, ppid: number, startTicks: number) =>
	`${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 500 0 0 0 100 10 0 0 20 0 1 0 ${startTicks} 9000000 1500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n`;

const dir = mkdtempSync(join(tmpdir(), 'mycotop-pid-reuse-'));
const proc = join(dir, 'proc');
for (const [pid, comm, ppid, ticks] of [
	[1, 'systemd', 0, 1],
	[5000, 'bash', 1, 500_000],
	[5001, 'python3', 5000, 500_100],
] as const) {
	mkdirSync(join(proc, String(pid)), {recursive: true});
	writeFileSync(join(proc, String(pid), 'stat'), stat(pid, comm, ppid, ticks));
	writeFileSync(join(proc, String(pid), 'cmdline'), `${comm}\0`);
}
writeFileSync(join(proc, 'stat'), `cpu  1 1 1 1 1 0 0 0 0 0\nbtime ${BOOT_S}\n`);
const scenario = join(dir, 'scenario');
mkdirSync(scenario);
copyFileSync(resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'scenarios', 'projects', 'query-gpu.csv'), join(scenario, 'query-gpu.csv'));
writeFileSync(join(scenario, 'compute-apps.csv'), `# fields: gpu_uuid, pid, used_memory, process_name\n${GPU0}, 5001, 1000, python3\n`);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const claimAt = (lastSeenMs: number) => [['old-run', [{pid: 5000, firstSeenMs: lastSeenMs - 60_000, lastSeenMs}]]] as const;

describe('a claimed pid reused after the claim was last renewed', () => {
	const reader = new ProcessReader(proc, join(dir, 'no-passwd'));
	const ancestry = (pid: number) => reader.ancestry(pid, MAX_ANCESTRY_DEPTH);
	const startedMs = (pid: number) => reader.startedMs(pid);

	it('the process at the claimed pid started 10 minutes after the last message: nothing under it is tied', () => {
		const claims = claimedPids(claimAt(LAUNCHER_START_MS - 10 * 60_000), 'box', LAUNCHER_START_MS + 60_000);
		expect(Object.fromEntries(joinProjects([{pid: 5001}], claims, ancestry, startedMs))).toEqual({});
	});

	it('renewed after the process started: tied as before', () => {
		const claims = claimedPids(claimAt(LAUNCHER_START_MS + 5 * 60_000), 'box', LAUNCHER_START_MS + 6 * 60_000);
		expect(Object.fromEntries(joinProjects([{pid: 5001}], claims, ancestry, startedMs))).toEqual({5001: 'old-run'});
		expect(reader.startedMs(5000)).toBe(LAUNCHER_START_MS);
		expect(reader.startedMs(424_242)).toBeUndefined();
	});
});

describe('through the sampler', () => {
	const samplers: GpuSampler[] = [];
	afterEach(async () => {
		for (const s of samplers.splice(0)) await s.stop();
	});

	it('a reused pid ties no GPU process; the same tree with a renewed claim does', async () => {
		for (const [lastSeenMs, expected] of [
			[LAUNCHER_START_MS - 10 * 60_000, null],
			[LAUNCHER_START_MS + 60_000, 'old-run'],
		] as const) {
			const store = new GpuStore();
			const sampler = new GpuSampler(store, {
				bin: FAKE_NVIDIA_SMI,
				intervalMs: 100,
				processesEveryMs: 150,
				env: {FAKE_NVIDIA_SMI_SCENARIO: scenario},
				procRoot: proc,
				projectClaims: () => claimedPids(claimAt(lastSeenMs), 'box', lastSeenMs + 60_000),
			});
			samplers.push(sampler);
			await sampler.start();
			const deadline = Date.now() + 8000;
			while (store.snapshot().processesAtMs === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
			expect(store.rows()[0]!.processes.map((p) => [p.pid, p.projectId ?? null])).toEqual([[5001, expected]]);
			await sampler.stop();
		}
	});
});

describe('pid 1 as a claim (a trainer that is PID 1 of its container, or a producer naming init)', () => {
	const reader = new ProcessReader(join(import.meta.dirname, '..', 'fixtures', 'proc', 'projects'), join(dir, 'no-passwd'));
	const ancestry = (pid: number) => reader.ancestry(pid, MAX_ANCESTRY_DEPTH);
	const now = Date.UTC(2026, 11, 6, 12);

	it('ties no process through ancestry: every process descends from init', () => {
		const claims = claimedPids([['container-run', [{pid: 1, firstSeenMs: now, lastSeenMs: now}]]], 'box', now);
		// 4300's parent is init; 4100 reaches init through 4000 and 3900.
		expect(Object.fromEntries(joinProjects([{pid: 4300}, {pid: 4100}], claims, ancestry))).toEqual({});
	});

	it('the nearer claims still tie, and an exact pid 1 on a GPU (another namespace) still ties', () => {
		const claims = claimedPids(
			[
				['container-run', [{pid: 1, firstSeenMs: now, lastSeenMs: now}]],
				['asr-large', [{pid: 4000, firstSeenMs: now, lastSeenMs: now}]],
			],
			'box',
			now,
		);
		expect(Object.fromEntries(joinProjects([{pid: 4100}, {pid: 4300}, {pid: 1}], claims, ancestry))).toEqual({4100: 'asr-large', 1: 'container-run'});
	});
});
