/** The host part end to end: /proc (recorded, then this machine's) -> sampler -> runtime writer -> a private redis-server. */
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {Runtime} from '../../src/runtime.js';
import {createHostPart, hostCurrentFields, hostOptionsFrom} from '../../src/host/host-part.js';
import {keySegment} from '../../src/gpu/redis-entries.js';
import {ourKeys} from '../../src/contract/names.js';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';

const PROC = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'proc');

describe.skipIf(!redisAvailable())('host keys in Redis', () => {
	let redis: TestRedis;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
	});

	test('metrics:host:{host}:current is written through the writer (host lease) with this machine\'s figures', async () => {
		const client = redis.client();
		await client.select(2);
		const runtime = new Runtime({redisUrl: `${redis.url}/2`, readOnly: false, demo: false}, (core) => ({
			host: createHostPart(core, {intervalMs: 250, paths: ['/']}),
		}));
		await runtime.start(5000);
		try {
			const key = ourKeys.hostCurrent(keySegment(runtime.host));
			expect(key).toBe(`metrics:host:${keySegment(runtime.host)}:current`);
			await waitFor(async () => (await client.hget(key, 'cpu_percent')) !== null && (await client.hget(key, 'cpu_percent')) !== '', 10_000, 'the host hash');
			const fields = await client.hgetall(key);
			expect(Number(fields['cpu_percent'])).toBeGreaterThanOrEqual(0);
			expect(Number(fields['memory_total_bytes'])).toBeGreaterThan(0);
			expect(fields['dataloader_bound']).toBe('false');
			expect(JSON.parse(fields['filesystems']!)).toEqual([expect.objectContaining({path: '/', total_bytes: expect.any(Number)})]);
			expect(Number(fields['cores'])).toBeGreaterThanOrEqual(1);
			runtime.snapshots.tick(true);
			expect(runtime.snapshots.getSnapshot().hostView?.stats?.memory?.totalBytes).toBe(Number(fields['memory_total_bytes']));
		} finally {
			await runtime.stop(1000);
		}
	});
});

describe('host fields and options', () => {
	test('unknown figures are empty and named, never 0; recorded /proc gives the known figures', async () => {
		const {HostSampler} = await import('../../src/host/host-sampler.js');
		const empty = hostCurrentFields({stats: undefined, dataloaderBound: false}, 'T');
		expect(empty['cpu_percent']).toBe('');
		expect(empty['unknown']).toContain('cpu_percent');
		expect(empty['unknown']).toContain('memory_used_bytes');
		const sampler = new HostSampler({procRoot: join(PROC, 'a'), paths: []});
		await sampler.sample();
		const first = hostCurrentFields(sampler.view(), 'T');
		expect(first).toMatchObject({memory_percent: '50', swap_used_bytes: String(2 * 1024 ** 3), load1: '3.71', cpu_percent: '', cores: '4'});
		expect(first['unknown']).toBe('cpu_percent,disk_read_bytes_per_sec,disk_write_bytes_per_sec,disk_busiest_percent,net_rx_bytes_per_sec,net_tx_bytes_per_sec');
	});

	test('on by default with the working directory; off with host.enabled: false; paths from config', () => {
		expect(hostOptionsFrom(undefined, '/work')).toEqual({intervalMs: 1000, paths: ['/work']});
		expect(hostOptionsFrom({enabled: false}, '/work')).toBeUndefined();
		expect(hostOptionsFrom({paths: ['/data', '/scratch'], intervalMs: 2000}, '/work')).toEqual({intervalMs: 2000, paths: ['/data', '/scratch']});
	});
});

describe('--once', () => {
	test('a host line with the per-core figures, and unreadable /proc files named', async () => {
		const {onceText} = await import('../../src/once.js');
		const {makeSnapshot} = await import('../components/fixtures.js');
		const {HostSampler} = await import('../../src/host/host-sampler.js');
		const sampler = new HostSampler({procRoot: join(PROC, 'a'), paths: ['/nonexistent-mount']});
		await sampler.sample();
		const text = onceText({...makeSnapshot(), hostView: sampler.view()});
		expect(text).toContain('host: CPU ?  mem 62.5G/125G  swap 2.0G  /nonexistent-mount ?  load 3.7 (per core: ? ? ? ?)');
		const gone = new HostSampler({procRoot: '/nonexistent-proc', paths: []});
		await gone.sample();
		expect(onceText({...makeSnapshot(), hostView: gone.view()})).toContain('  unreadable: /nonexistent-proc/meminfo: ENOENT');
		expect(onceText(makeSnapshot())).not.toContain('host:');
	});
});

describe('config', () => {
	test('the host section: enabled, intervalMs, absolute paths; anything else is reported with its line', async () => {
		const {parseConfig} = await import('../../src/config/config.js');
		const ok = parseConfig('host:\n  enabled: true\n  intervalMs: 2000\n  paths: [/, /data]\n', 'c.yaml');
		expect(ok.ok && ok.config.host).toEqual({enabled: true, intervalMs: 2000, paths: ['/', '/data']});
		const bad = parseConfig('host:\n  paths: [data]\n  intervalMs: 10\n  disks: [sda]\n', 'c.yaml');
		expect(bad.ok).toBe(false);
		if (bad.ok) return;
		expect(bad.issues.map((i) => `${i.line}:${i.field}`)).toEqual(['2:host.paths', '3:host.intervalMs', '4:host.disks']);
	});

	test('the energy section: price, currency, PUE, grid intensity; bad values reported with their line', async () => {
		const {parseConfig} = await import('../../src/config/config.js');
		const ok = parseConfig('energy:\n  pricePerKwh: 0.25\n  currency: EUR\n  pue: 1.3\n  gridGramsPerKwh: 380\n', 'c.yaml');
		expect(ok.ok && ok.config.energy).toEqual({pricePerKwh: 0.25, currency: 'EUR', pue: 1.3, gridGramsPerKwh: 380});
		const bad = parseConfig('energy:\n  pricePerKwh: -1\n  pue: 0.8\n', 'c.yaml');
		expect(!bad.ok && bad.issues.map((i) => `${i.line}:${i.field}`)).toEqual(['2:energy.pricePerKwh', '3:energy.pue']);
	});
});
