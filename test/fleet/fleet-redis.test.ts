/**
The fleet part on a real redis-server, in process: what its writer writes (the registry line and the summary with
their TTLs, members past the expiry trimmed in the same transaction), that a read-only instance writes nothing, how a
hostile registry reads (invalid names and garbage summaries counted, never shown as figures), and that a stalled Redis
is a visible read error within the timeout, never a stacked or hanging read.
*/
import {describe, expect} from 'vitest';
import {redisPerTest} from '../helpers/redis-fixture.js';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';
import {createFleetPart} from '../../src/fleet/fleet-part.js';
import {fleetThresholds} from '../../src/fleet/host-state.js';
import {ourKeys} from '../../src/contract/names.js';
import {type GpuSnapshot} from '../../src/gpu/gpu-snapshot.js';
import {gpuRow, gpuSnapshot} from '../components/fixtures.js';
import {type FleetSourcePart} from '../../src/parts.js';

const EXPIRE_MS = 3_600_000;

function fleetRuntime(redisUrl: string, host: string, gpu: GpuSnapshot | undefined, readOnly = false, readTimeoutMs = 2000): Runtime {
	return new Runtime({redisUrl, readOnly, demo: false, host, leaseRenewMs: 200}, (core) => ({
		fleet: createFleetPart(core, {
			intervalMs: 250,
			thresholds: fleetThresholds(250, {expireAfterMs: EXPIRE_MS}),
			version: '9.9.9',
			gpu: () => gpu,
			firingAlerts: () => 3,
			readTimeoutMs,
		}),
	}));
}

describe.runIf(redisAvailable())('the fleet part on Redis', () => {
	redisPerTest('writes its registry line and summary with TTLs, and trims members past the expiry', async ({redis}) => {
		const client = redis.client();
		await client.zadd(ourKeys.hosts, Date.now() - 3 * EXPIRE_MS, 'long-gone');
		const runtime = fleetRuntime(redis.url, 'box-a', gpuSnapshot([gpuRow(0), gpuRow(1)]));
		try {
			await runtime.start();
			await waitFor(async () => (await client.zscore(ourKeys.hosts, 'box-a')) !== null, 10_000, 'the registry line');
			await waitFor(async () => (await client.zscore(ourKeys.hosts, 'long-gone')) === null, 5000, 'the old member trimmed');
			const summary = await client.hgetall(ourKeys.hostSummary('box-a'));
			expect(summary).toMatchObject({gpu_count: '2', alerts_firing: '3', version: '9.9.9', gpu_state: 'ok', interval_ms: '250'});
			const ttl = await client.ttl(ourKeys.hostSummary('box-a'));
			expect(ttl).toBeGreaterThan(3500);
			expect(ttl).toBeLessThanOrEqual(3600);
			expect(await client.ttl(ourKeys.hosts)).toBeGreaterThan(3500);
			// It reads itself back: fresh, this box.
			await waitFor(() => runtime.fleet!.fleet().hosts.some((h) => h.host === 'box-a' && h.self && h.state === 'fresh'), 5000, 'itself in the fleet');
		} finally {
			await runtime.stop();
			client.disconnect();
		}
	});

	redisPerTest('a read-only viewer and a box without GPU sampling write nothing, and read the others', async ({redis}) => {
		const client = redis.client();
		const writer = fleetRuntime(redis.url, 'box-a', gpuSnapshot([gpuRow(0)]));
		const viewer = fleetRuntime(redis.url, 'viewer', gpuSnapshot([gpuRow(0)]), true);
		const noGpu = fleetRuntime(redis.url, 'laptop', {state: 'disabled', gpus: []});
		try {
			await Promise.all([writer.start(), viewer.start(), noGpu.start()]);
			await waitFor(() => viewer.fleet!.fleet().hosts.some((h) => h.host === 'box-a'), 10_000, 'the viewer sees box-a');
			await new Promise((resolve) => setTimeout(resolve, 600));
			expect(await client.zrange(ourKeys.hosts, '0', '-1')).toEqual(['box-a']);
			expect(await client.exists(ourKeys.hostSummary('viewer'), ourKeys.hostSummary('laptop'))).toBe(0);
		} finally {
			await Promise.all([writer.stop(), viewer.stop(), noGpu.stop()]);
			client.disconnect();
		}
	});

	redisPerTest('a hostile registry: bad names and garbage summaries are counted, not shown as figures', async ({redis}) => {
		const client = redis.client();
		const now = Date.now();
		for (const member of ['has:colon', 'glob*', 'fine-host', 'garbage', 'no-summary']) await client.zadd(ourKeys.hosts, now, member);
		await client.hset(ourKeys.hostSummary('fine-host'), {gpu_count: '4', util_mean: '50', util_max: '90', last_seen_ms: String(now)});
		await client.hset(ourKeys.hostSummary('garbage'), {gpu_count: '1e99', util_mean: 'NaN', temperature_max_c: '99999', version: '\u001b[31mred'});
		const viewer = fleetRuntime(redis.url, 'viewer', undefined, true);
		try {
			await viewer.start();
			await waitFor(() => viewer.fleet!.fleet().hosts.length === 3, 10_000, 'three valid hosts');
			const fleet = viewer.fleet!.fleet();
			expect(fleet.hosts.map((h) => h.host)).toEqual(['fine-host', 'garbage', 'no-summary']);
			expect(fleet.invalidNames).toBe(2);
			expect(fleet.malformed).toBe(1);
			const garbage = fleet.hosts[1]!.summary!;
			expect([garbage.gpuCount, garbage.utilMeanPercent, garbage.hottestC]).toEqual([undefined, undefined, undefined]);
			expect(garbage.version).not.toContain('\u001b');
			expect(fleet.hosts[2]!.summary).toBeUndefined();
		} finally {
			await viewer.stop();
			client.disconnect();
		}
	});

	redisPerTest('more than 512 hosts: the 512 seen last are read, and the fleet says it was cut', async ({redis}) => {
		const client = redis.client();
		const now = Date.now();
		const batch = client.multi();
		for (let i = 0; i < 600; i++) batch.zadd(ourKeys.hosts, now - i, `h${String(i).padStart(3, '0')}`);
		await batch.exec();
		const viewer = fleetRuntime(redis.url, 'viewer', undefined, true);
		try {
			await viewer.start();
			await waitFor(() => viewer.fleet!.fleet().hosts.length > 0, 10_000, 'the first read');
			const fleet = viewer.fleet!.fleet();
			expect(fleet.hosts).toHaveLength(512);
			expect(fleet.truncated).toBe(true);
			// The most recently seen are the ones read.
			expect(fleet.hosts.at(-1)!.host).toBe('h511');
		} finally {
			await viewer.stop();
			client.disconnect();
		}
	});

	redisPerTest('Redis stalled (SIGSTOP): the read fails visibly within its timeout, one at a time, and recovers', async ({redis}) => {
		const viewer = fleetRuntime(redis.url, 'viewer', undefined, true, 500);
		const client = redis.client();
		await client.zadd(ourKeys.hosts, Date.now(), 'box-a');
		let part: FleetSourcePart | undefined;
		try {
			await viewer.start();
			part = viewer.fleet!;
			await waitFor(() => part!.fleet().hosts.length === 1, 5000, 'the first read');
			redis.pause();
			const started = Date.now();
			await part.refresh();
			// One refresh waits for its own timeout (500 ms), not for Redis.
			expect(Date.now() - started).toBeLessThan(2000);
			await waitFor(() => part!.fleet().error !== undefined, 3000, 'the read error');
			expect(part.fleet().error).toMatch(/no answer from Redis within 500 ms/);
			// What was read stays shown (marked by the error), not dropped.
			expect(part.fleet().hosts.map((h) => h.host)).toEqual(['box-a']);
			redis.resume();
			await waitFor(() => part!.fleet().error === undefined, 10_000, 'the error cleared');
		} finally {
			redis.resume();
			await viewer.stop();
			client.disconnect();
		}
	});

	redisPerTest('on GPU frames the line is written once a frame, the timer standing back; when frames stop the timer writes it again', async ({redis}) => {
		const client = redis.client();
		let part: ReturnType<typeof createFleetPart> | undefined;
		const runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, host: 'box-f', leaseRenewMs: 200}, (core) => {
			part = createFleetPart(core, {intervalMs: 250, thresholds: fleetThresholds(250, {expireAfterMs: EXPIRE_MS}), version: '9.9.9', gpu: () => gpuSnapshot([gpuRow(0)]), firingAlerts: () => 0, read: false});
			return {fleet: part};
		});
		const zadds = async (): Promise<number> => Number(/cmdstat_zadd:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
		try {
			await runtime.start();
			await waitFor(async () => (await client.zscore(ourKeys.hosts, 'box-f')) !== null, 10_000, 'the registry line');
			// Frames every 250 ms for 2 s: about 8 lines written (the timer's own would make about 16).
			const before = await zadds();
			for (let i = 0; i < 8; i++) {
				part!.publishOnFrame();
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
			const duringFrames = (await zadds()) - before;
			expect(duringFrames).toBeGreaterThanOrEqual(6);
			expect(duringFrames).toBeLessThanOrEqual(11);
			// Frames stop: the timer writes the line again within two and a half periods, about once a period.
			const stopped = await zadds();
			await new Promise((resolve) => setTimeout(resolve, 1500));
			const after = (await zadds()) - stopped;
			expect(after).toBeGreaterThanOrEqual(3);
			expect(after).toBeLessThanOrEqual(7);
		} finally {
			await runtime.stop();
			client.disconnect();
		}
	});
});
