/** GPU telemetry end to end: the fake nvidia-smi -> sampler -> runtime writer -> a private redis-server. */
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {Runtime} from '../../src/runtime.js';
import {createGpuPart, gpuOptionsFrom, periodDue, type GpuPart} from '../../src/gpu/gpu-part.js';
import {keySegment} from '../../src/gpu/redis-entries.js';
import {keys} from '../../src/contract/names.js';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {FAKE_NVIDIA_SMI} from './fixtures.js';

const hasRedis = redisAvailable();

describe.skipIf(!hasRedis)('GPU keys in Redis', () => {
	let redis: TestRedis;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
	});

	async function run(scenario: string, db: number, body: (runtime: Runtime, part: GpuPart) => Promise<void>): Promise<void> {
		const runtime = new Runtime({redisUrl: `${redis.url}/${db}`, readOnly: false, demo: false}, (core) => ({
			gpu: createGpuPart(core, {
				bin: FAKE_NVIDIA_SMI,
				intervalMs: 200,
				historyEveryMs: 200,
				currentEveryMs: 200,
				processesEveryMs: 300,
				env: {FAKE_NVIDIA_SMI_SCENARIO: scenario},
				sampler: {backoffBaseMs: 200, backoffMaxMs: 400},
			}),
		}));
		const part = runtime.gpu as GpuPart;
		await runtime.start(5000);
		try {
			await body(runtime, part);
		} finally {
			await runtime.stop(1000);
		}
	}

	test('8 GPUs: seed keys describe the box, per-GPU keys carry host and uuid', async () => {
		const client = redis.client();
		await client.select(1);
		await run('eight-gpu', 1, async (runtime, part) => {
			await waitFor(async () => (await client.llen(keys.gpuTemperature)) >= 2, 10_000, 'GPU history lists');
			const current = await client.hgetall(keys.gpuCurrent);
			expect(Number(current['gpu_count'])).toBe(8);
			expect(Number(current['memory_total_mb'])).toBe(8 * 81559);
			expect(Number(current['utilization_percent'])).toBeGreaterThan(80);
			expect(Number(current['temperature_celsius'])).toBeGreaterThanOrEqual(58);
			expect(current['host']).toBe(runtime.host);
			const [newest] = await client.lrange(keys.gpuUtilization, 0, 0);
			expect(JSON.parse(newest!)).toMatchObject({value: expect.any(Number), timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)});
			const ttl = await client.ttl(keys.gpuMemoryUsed);
			expect(ttl).toBeGreaterThan(86_000);
			expect(await client.hget(keys.systemCapacity, 'gpu_available')).toBe('true');
			const row = part.query.rows()[0]!;
			const host = keySegment(runtime.host);
			await waitFor(async () => (await client.hget(`metrics:gpu:${host}:${row.uuid}:current`, 'processes')) !== '[]', 10_000, 'processes');
			const gpu = await client.hgetall(`metrics:gpu:${host}:${row.uuid}:current`);
			expect(gpu).toMatchObject({index: '0', name: 'NVIDIA H100 80GB HBM3', lost: 'false', memory_total_mb: '81559', fan_percent: ''});
			expect(gpu['unknown']).toContain('fan_percent=not available');
			expect(JSON.parse(gpu['processes']!)[0]).toMatchObject({pid: 48211, used_memory_mb: 60890});
			expect(await client.llen(`metrics:gpu:${host}:${row.uuid}:temperature`)).toBeGreaterThanOrEqual(1);
			expect(await client.hget(`metrics:gpu:${host}:state`, 'state')).toBe('ok');
			// The snapshot carries the GPUs for the dashboard and --once.
			expect(runtime.snapshot().gpu?.gpus).toHaveLength(8);
		});
	});

	test('driver not loaded: the state is written, no zeros, capacity false', async () => {
		const client = redis.client();
		await client.select(2);
		await run('driver-not-loaded', 2, async (runtime) => {
			const host = keySegment(runtime.host);
			await waitFor(async () => (await client.hget(`metrics:gpu:${host}:state`, 'state')) === 'unavailable', 10_000, 'state hash');
			expect(await client.hget(`metrics:gpu:${host}:state`, 'reason')).toBe('NVIDIA driver not loaded');
			expect(await client.hget(keys.systemCapacity, 'gpu_available')).toBe('false');
			expect(await client.exists(keys.gpuCurrent, keys.gpuUtilization, keys.gpuTemperature)).toBe(0);
			expect(runtime.snapshot().gpu).toMatchObject({state: 'unavailable', reason: 'NVIDIA driver not loaded'});
		});
	});

	test('work on a frame that fails is journalled, and the frame\'s writes go all the same', async () => {
		const client = redis.client();
		await client.select(3);
		const records: Array<Record<string, unknown>> = [];
		const runtime = new Runtime({redisUrl: `${redis.url}/3`, readOnly: false, demo: false}, (core) => ({
			gpu: createGpuPart(core, {bin: FAKE_NVIDIA_SMI, intervalMs: 200, currentEveryMs: 200, env: {FAKE_NVIDIA_SMI_SCENARIO: 'one-gpu'}, journal: (r) => records.push(r)}),
		}));
		const part = runtime.gpu as GpuPart;
		// A reading on each frame that throws after a moment (a host reading's bug): the frame's turn waits for it.
		part.onEachFrame(() => new Promise((_, reject) => setTimeout(() => reject(new Error('reading failed')), 5)));
		await runtime.start(5000);
		try {
			await waitFor(() => records.some((r) => r['event'] === 'frame-work-failed'), 10_000, 'the failure journalled');
			expect(records.find((r) => r['event'] === 'frame-work-failed')).toMatchObject({type: 'gpu', error: 'reading failed'});
			await waitFor(async () => (await client.hget(keys.gpuCurrent, 'gpu_count')) === '1', 10_000, 'the frame\'s writes');
		} finally {
			await runtime.stop(1000);
		}
	});
});

test('periodDue: once for each point of the period\'s grid on the wall clock, however early or late the frame came to it; a clock stepped back starts over', () => {
	// Passes at 10.003 s and 11.001 s, late under load at 10.060 s and 11.002 s, or a millisecond early at 10.003 and
	// 10.999 (a pass's timer may fire just before its whole second): due each second.
	expect(periodDue(11_001, 10_003, 1000)).toBe(true);
	expect(periodDue(11_002, 10_060, 1000)).toBe(true);
	expect(periodDue(10_999, 10_003, 1000)).toBe(true);
	// Two frames nearest one point (sub-second sampling, a frame right after the start's one-shot): the first only.
	expect(periodDue(10_750, 10_600, 1000)).toBe(false);
	expect(periodDue(11_400, 10_600, 1000)).toBe(false);
	expect(periodDue(20_000, 14_990, 10_000)).toBe(true);
	expect(periodDue(24_999, 15_000, 10_000)).toBe(false);
	expect(periodDue(9000, 10_000, 1000)).toBe(true);
	expect(periodDue(0, Number.NEGATIVE_INFINITY, 1000)).toBe(true);
	// Frames every 250 ms for ten seconds: one write a second.
	let last = Number.NEGATIVE_INFINITY;
	let writes = 0;
	for (let t = 10_500; t < 20_500; t += 250) {
		if (periodDue(t, last, 1000)) {
			writes += 1;
			last = t;
		}
	}
	expect(writes).toBe(10);
});

test('the nvidia-smi children are read at the passes when sampled every second or slower, as they come when faster', () => {
	const flags = {noGpu: false};
	expect(gpuOptionsFrom({...flags, gpuIntervalMs: 1000}, {})?.readOnPasses).toBe(true);
	expect(gpuOptionsFrom({...flags, gpuIntervalMs: 2000}, {})?.readOnPasses).toBe(true);
	expect(gpuOptionsFrom(flags, {})?.readOnPasses).toBe(true);
	expect(gpuOptionsFrom({...flags, gpuIntervalMs: 500}, {})?.readOnPasses).toBeUndefined();
});
