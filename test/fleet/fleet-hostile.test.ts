/**
The fleet against clocks that disagree and keys that are not what they should be, on a real redis-server: a box
whose clock is 10 minutes ahead and has stopped is not shown fresh, a live box whose clock is 10 minutes behind is
not shown lost (the viewer judges by when it saw a box's registry score change, by its own clock); a writer whose
clock is ahead does not trim the other boxes out of the registry; a second box started with a name another box
already writes says so instead of being missing without a word; and one summary or GPU key of another type
(WRONGTYPE) spoils that host's figures only, never the whole read.
*/
import {describe, expect} from 'vitest';
import {redisPerTest} from '../helpers/redis-fixture.js';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';
import {createFleetPart} from '../../src/fleet/fleet-part.js';
import {fleetThresholds, type FleetThresholds} from '../../src/fleet/host-state.js';
import {ourKeys} from '../../src/contract/names.js';
import {gpuKeyOf} from '../../src/gpu/redis-entries.js';
import {type GpuSnapshot} from '../../src/gpu/gpu-snapshot.js';
import {gpuRow, gpuSnapshot} from '../components/fixtures.js';
import {journal, type JournalRecord} from '../../src/journal.js';
import {hostsOnceLines} from '../../src/format/hosts-view.js';

const MINUTE = 60_000;

function fleetRuntime(
	redisUrl: string,
	host: string,
	options: {gpu?: GpuSnapshot; readOnly?: boolean; thresholds?: FleetThresholds; skewMs?: number} = {},
): Runtime {
	return new Runtime({redisUrl, readOnly: options.readOnly ?? false, demo: false, host, leaseRenewMs: 200}, (core) => ({
		fleet: createFleetPart(core, {
			intervalMs: 250,
			thresholds: options.thresholds ?? fleetThresholds(250),
			version: '9.9.9',
			gpu: () => options.gpu,
			firingAlerts: () => 0,
			now: () => Date.now() + (options.skewMs ?? 0),
		}),
	}));
}

describe.runIf(redisAvailable())('the fleet with skewed clocks and hostile keys', () => {
	redisPerTest('a stopped box 10 min ahead goes lost and a live box 10 min behind stays fresh, by the viewer’s clock', async ({redis}) => {
		const client = redis.client();
		const thresholds = fleetThresholds(250, {staleAfterMs: 1000, lostAfterMs: 2000, expireAfterMs: 3_600_000});
		// `ahead` wrote once with a clock 10 minutes fast, then stopped.
		await client.zadd(ourKeys.hosts, Date.now() + 10 * MINUTE, 'ahead');
		// `behind` keeps writing with a clock 10 minutes slow.
		const beat = async () => void (await client.zadd(ourKeys.hosts, Date.now() - 10 * MINUTE, 'behind'));
		await beat();
		const heart = setInterval(() => void beat(), 200);
		const viewer = fleetRuntime(redis.url, 'viewer', {readOnly: true, thresholds});
		try {
			await viewer.start();
			const state = (host: string) => viewer.fleet!.fleet().hosts.find((h) => h.host === host)?.state;
			await waitFor(() => state('ahead') === 'lost', 10_000, 'the stopped box ahead lost');
			expect(state('behind')).toBe('fresh');
			// Still so a while later: the live box stays fresh, the stopped one lost.
			await new Promise((resolve) => setTimeout(resolve, 1000));
			expect([state('ahead'), state('behind')]).toEqual(['lost', 'fresh']);
		} finally {
			clearInterval(heart);
			await viewer.stop();
			client.disconnect();
		}
	});

	redisPerTest('a writer whose clock is 10 min ahead does not trim a live box out of the registry', async ({redis}) => {
		const client = redis.client();
		const thresholds = fleetThresholds(250, {staleAfterMs: 1000, lostAfterMs: 2000, expireAfterMs: 5 * MINUTE});
		const ahead = fleetRuntime(redis.url, 'box-ahead', {gpu: gpuSnapshot([gpuRow(0)]), thresholds, skewMs: 10 * MINUTE});
		try {
			await client.zadd(ourKeys.hosts, Date.now(), 'box-ok');
			await ahead.start();
			await waitFor(async () => (await client.zscore(ourKeys.hosts, 'box-ahead')) !== null, 10_000, 'the skewed box written');
			await new Promise((resolve) => setTimeout(resolve, 600));
			expect(await client.zscore(ourKeys.hosts, 'box-ok')).not.toBeNull();
		} finally {
			await ahead.stop();
			client.disconnect();
		}
	});

	redisPerTest('a summary key of another type spoils that host only: the others are read, it is counted malformed', async ({redis}) => {
		const client = redis.client();
		const now = Date.now();
		await client.zadd(ourKeys.hosts, now, 'good', now, 'wrongtype');
		await client.hset(ourKeys.hostSummary('good'), {gpu_count: '4', util_mean: '50', util_max: '90'});
		await client.set(ourKeys.hostSummary('wrongtype'), 'not a hash');
		const viewer = fleetRuntime(redis.url, 'viewer', {readOnly: true});
		try {
			await viewer.start();
			const fleet = viewer.fleet!.fleet();
			expect(fleet.error).toBeUndefined();
			expect(fleet.hosts.map((h) => h.host)).toEqual(['good', 'wrongtype']);
			expect(fleet.hosts[0]!.summary?.gpuCount).toBe(4);
			expect(fleet.malformed).toBe(1);
		} finally {
			await viewer.stop();
			client.disconnect();
		}
	});

	redisPerTest("another box's GPU key of another type: that box's GPUs are unreadable, the fleet is still read", async ({redis}) => {
		const client = redis.client();
		const now = Date.now();
		await client.zadd(ourKeys.hosts, now, 'other', now, 'third');
		await client.hset(gpuKeyOf.host('other'), {state: 'ok', uuids: 'GPU-a'});
		await client.set(gpuKeyOf.current('other', 'GPU-a'), 'not a hash');
		const viewer = fleetRuntime(redis.url, 'viewer', {readOnly: true});
		try {
			await viewer.start();
			viewer.fleet!.watch('other');
			await viewer.fleet!.refresh();
			const fleet = viewer.fleet!.fleet();
			expect(fleet.error).toBeUndefined();
			expect(fleet.hosts.map((h) => h.host)).toEqual(['other', 'third']);
			expect(fleet.viewed?.host).toBe('other');
			expect(fleet.viewed?.gpu.gpus).toEqual([]);
		} finally {
			await viewer.stop();
			client.disconnect();
		}
	});

	redisPerTest('two boxes with the same --host: the one left out says so (fleet, --once, journal); the holder and a dashboard on its box do not', async ({redis}) => {
		const client = redis.client();
		const records: JournalRecord[] = [];
		const unsubscribe = journal.subscribe((r) => void (r.type === 'fleet-name' && records.push(r)));
		const boxA = gpuSnapshot([gpuRow(0), gpuRow(1)]);
		const boxB = gpuSnapshot([gpuRow(0, {uuid: 'GPU-other-0'})]);
		const holder = fleetRuntime(redis.url, 'node', {gpu: boxA});
		const sameBox = fleetRuntime(redis.url, 'node', {gpu: boxA});
		const otherBox = fleetRuntime(redis.url, 'node', {gpu: boxB});
		try {
			await holder.start();
			await waitFor(() => holder.bus.canWriteHost(), 10_000, 'box A holds the host lease');
			// What box A's GPU part writes under its name.
			await client.hset(gpuKeyOf.host('node'), {state: 'ok', uuids: 'GPU-0,GPU-1'});
			await Promise.all([sameBox.start(), otherBox.start()]);
			expect(otherBox.bus.canWriteHost()).toBe(false);
			await waitFor(() => otherBox.fleet!.fleet().conflict !== undefined, 5000, 'box B names the conflict');
			expect(otherBox.fleet!.fleet().conflict).toMatch(/another box writes the keys of host "node"/);
			expect(hostsOnceLines(otherBox.fleet!.fleet(), Date.now())[0]).toMatch(/give it its own --host/);
			expect(records.some((r) => r['conflict'] !== null && r['host'] === 'node')).toBe(true);
			await new Promise((resolve) => setTimeout(resolve, 600));
			expect(holder.fleet!.fleet().conflict).toBeUndefined();
			expect(sameBox.fleet!.fleet().conflict).toBeUndefined();
		} finally {
			unsubscribe();
			await Promise.all([otherBox.stop(), sameBox.stop(), holder.stop()]);
			client.disconnect();
		}
	});

	redisPerTest('600 members scored a day in the future do not crowd the live boxes out of the read: they are counted, not read', async ({redis}) => {
		const client = redis.client();
		const now = Date.now();
		const batch = client.multi();
		for (let i = 0; i < 600; i++) batch.zadd(ourKeys.hosts, now + 86_400_000 + i, `hog-${i}`);
		batch.zadd(ourKeys.hosts, now, 'real-box');
		await batch.exec();
		const viewer = fleetRuntime(redis.url, 'viewer', {readOnly: true});
		try {
			await viewer.start();
			const fleet = viewer.fleet!.fleet();
			expect(fleet.hosts.map((h) => h.host)).toEqual(['real-box']);
			expect(fleet.farAhead).toBe(600);
			expect(hostsOnceLines(fleet, Date.now())[0]).toMatch(/600 with a time over 1h ahead of this clock, not read/);
		} finally {
			await viewer.stop();
			client.disconnect();
		}
	});
});
