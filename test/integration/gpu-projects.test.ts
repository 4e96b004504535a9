/**
GPU processes tied to projects, end to end (built CLI, real redis-server, real processes in this machine's /proc,
the fake nvidia-smi naming their pids): a --headless writer receives training messages with `pid`, ties GPU 0's
process (a child of the named shell) to "asr-large" and GPU 1's (the named pid itself) to "tts", leaves the other
box's claim alone, writes the projects and the energy per project through the writer, and `--once --json` then shows
the project on each GPU row and the energy per project: read back from those keys (project-hydrate.ts), since no
message reaches it during its short run.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {hostname} from 'node:os';
import {resolve} from 'node:path';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {runCli, startCli, type RunningCli} from '../helpers/cli.js';
import {GPU0_UUID, GPU1_UUID, startProjectTree, type ProjectTree} from '../helpers/project-tree.js';
import {gpuKeyOf, keySegment} from '../../src/gpu/redis-entries.js';

const fakeSmi = resolve(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'bin', 'nvidia-smi');
const host = hostname();

describe.runIf(redisAvailable())('GPU projects and energy per project, end to end', () => {
	let redis: TestRedis;
	let tree: ProjectTree;
	let writer: RunningCli;

	beforeAll(async () => {
		redis = await startRedis();
		tree = await startProjectTree();
		writer = startCli(['--headless', '--redis-url', redis.url, '--nvidia-smi', fakeSmi, '--gpu-interval', '250'], {FAKE_NVIDIA_SMI_SCENARIO: tree.scenario});
		tree.publish(redis.client());
	});

	afterAll(async () => {
		tree?.stop();
		writer?.kill();
		await writer?.exited();
		await redis?.stop();
	});

	it('the writer ties the processes and writes the projects on the GPU keys and the energy per project (7 d TTL)', async () => {
		const client = redis.client();
		const processes = async (uuid: string) => JSON.parse((await client.hget(gpuKeyOf.current(host, uuid), 'processes')) ?? '[]') as Array<{pid: number; project_id?: string}>;
		await waitFor(async () => (await processes(GPU0_UUID))[0]?.project_id === 'asr-large', 20_000, 'GPU 0 tied to asr-large');
		expect(await processes(GPU0_UUID)).toEqual([expect.objectContaining({pid: tree.workerPid, project_id: 'asr-large'})]);
		await waitFor(async () => (await processes(GPU1_UUID))[0]?.project_id === 'tts', 10_000, 'GPU 1 tied to tts');
		expect(JSON.parse((await client.hget(gpuKeyOf.current(host, GPU0_UUID), 'projects'))!)).toEqual(['asr-large']);
		const energy = async (project: string) => {
			const text = await client.hget(`metrics:training:${project}:energy`, keySegment(host));
			return text === null ? undefined : (JSON.parse(text) as {run_kwh: number; today_kwh: number; gpus: number[]; source: string; since: string});
		};
		await waitFor(async () => ((await energy('asr-large'))?.run_kwh ?? 0) > 0 && ((await energy('tts'))?.run_kwh ?? 0) > 0, 10_000, 'energy per project in Redis');
		expect(await energy('asr-large')).toMatchObject({gpus: [0], source: 'estimate'});
		expect(await energy('tts')).toMatchObject({gpus: [1]});
		const ttl = await client.ttl('metrics:training:asr-large:energy');
		expect(ttl).toBeGreaterThan(604_000);
		expect(ttl).toBeLessThanOrEqual(604_800);
		// The other box's claim of the same pid tied nothing here.
		expect(await client.exists('metrics:training:remote:energy')).toBe(0);
	});

	it('--once --json, with no message during its run (read back from Redis): the project on each GPU row and the energy per project; --once text says the same', async () => {
		tree.quiet();
		await new Promise((r) => setTimeout(r, 300));
		const env = {FAKE_NVIDIA_SMI_SCENARIO: tree.scenario};
		const once = await runCli(['--once', '--json', '--redis-url', redis.url, '--nvidia-smi', fakeSmi], env);
		expect(once.code).toBe(0);
		const snap = JSON.parse(once.stdout) as {
			gpu: {gpus: Array<{index: number; processes: Array<{pid: number; projectId?: string}>}>; projects: Array<{projectId: string; runKwh: number; gpus: number[]; estimated: boolean}>};
		};
		const [gpu0, gpu1] = snap.gpu.gpus;
		expect(gpu0!.processes).toEqual([expect.objectContaining({pid: tree.workerPid, projectId: 'asr-large'})]);
		expect(gpu1!.processes).toEqual([expect.objectContaining({pid: tree.soloPid, projectId: 'tts'})]);
		const byId = Object.fromEntries(snap.gpu.projects.map((p) => [p.projectId, p]));
		expect(Object.keys(byId).sort()).toEqual(['asr-large', 'tts']);
		expect(byId['asr-large']).toMatchObject({gpus: [0], estimated: true});
		expect(byId['asr-large']!.runKwh).toBeGreaterThan(0);
		expect(byId['tts']!.gpus).toEqual([1]);

		const text = await runCli(['--once', '--redis-url', redis.url, '--nvidia-smi', fakeSmi], env);
		expect(text.stdout).toMatch(/ {2}0 NVIDIA H100 80GB HBM3: .*project asr-large/);
		expect(text.stdout).toMatch(/energy of project asr-large: today [\d.]+ kWh, [\d.]+ GPU-h; run [\d.]+ kWh, [\d.]+ GPU-h since \S+; on GPU 0 \(estimate from power draw\)/);
		expect(text.stdout).toContain('energy tied to no project:');
	});
});
