/** Host sampling: the /proc parsers on recorded text, the figures from two readings, the hint, and this machine's /proc. */
import {cpSync, mkdirSync, mkdtempSync, readFileSync, statfsSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {busyPercent, isVirtualInterface, isWholeDisk, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parseProcStat} from '../../src/host/proc-parse.js';
import {dataloaderBound, hostParts, hostStats, hostText, shortBytes} from '../../src/host/host-figures.js';
import {HostSampler, readHost} from '../../src/host/host-sampler.js';

const PROC = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'proc');
const read = (reading: 'a' | 'b', file: string) => readFileSync(join(PROC, reading, file), 'utf8');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('/proc parsers on recorded text', () => {
	it('/proc/stat: totals and per-core times; guest time is not counted twice', () => {
		const a = parseProcStat(read('a', 'stat'));
		const b = parseProcStat(read('b', 'stat'));
		expect(a.cores).toHaveLength(4);
		expect(a.skipped).toBe(0);
		expect(b.cores.map((c, i) => busyPercent(a.cores[i], c))).toEqual([90, 50, 10, 100]);
		expect(busyPercent(a.total, b.total)).toBe(62.5);
	});

	it('/proc/stat: bad lines are skipped and counted; a counter going back gives no figure', () => {
		const parsed = parseProcStat('cpu  1 2 3 4\ncpu0 x y z w\ncpu99999 1 1 1 1\ncpu1 1 1 1 1\n');
		expect(parsed.total).toEqual({busy: 6, total: 10});
		expect(parsed.skipped).toBe(2);
		expect(parsed.cores).toEqual([undefined, {busy: 3, total: 4}]);
		expect(busyPercent({busy: 10, total: 100}, {busy: 5, total: 50})).toBeUndefined();
		expect(busyPercent({busy: 10, total: 100}, {busy: 10, total: 100})).toBeUndefined();
		expect(parseProcStat('').total).toBeUndefined();
	});

	it('/proc/loadavg and /proc/meminfo', () => {
		expect(parseLoadavg(read('b', 'loadavg'))).toEqual({load1: 3.98, load5: 3.01, load15: 2.42});
		expect(parseLoadavg('garbage')).toBeUndefined();
		expect(parseMeminfo(read('a', 'meminfo'))).toEqual({totalBytes: 125 * GiB, availableBytes: 62.5 * GiB, swapTotalBytes: 8 * GiB, swapFreeBytes: 6 * GiB});
		// Before MemAvailable (kernel < 3.14): free + buffers + cached.
		expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n')!.availableBytes).toBe(350 * 1024);
		expect(parseMeminfo('MemFree: 1 kB')).toBeUndefined();
	});

	it('/proc/diskstats: whole disks only', () => {
		expect([...parseDiskstats(read('a', 'diskstats')).keys()]).toEqual(['nvme0n1', 'sda']);
		expect(['sda', 'vdb', 'xvda', 'nvme0n1', 'nvme1n2', 'mmcblk0'].every(isWholeDisk)).toBe(true);
		expect(['sda1', 'nvme0n1p1', 'loop0', 'dm-0', 'md0', 'zram0', 'ram0', 'sr0', 'mmcblk0p1'].some(isWholeDisk)).toBe(false);
	});

	it('/proc/net/dev: the loopback and virtual interfaces are left out', () => {
		expect([...parseNetDev(read('a', 'net/dev')).keys()]).toEqual(['eth0', 'ib0']);
		expect(parseNetDev(read('a', 'net/dev')).get('eth0')).toEqual({rxBytes: 131869851, txBytes: 437068});
		expect(['lo', 'veth12ab', 'docker0', 'br-1a2b', 'virbr0', 'cni0', 'flannel.1', 'cali123', 'vxlan.calico', 'tunl0'].every(isVirtualInterface)).toBe(true);
		expect(['eth0', 'ens5', 'ib0', 'bond0', 'enp65s0f0', 'wlan0'].some(isVirtualInterface)).toBe(false);
	});
});

describe('figures from two readings', () => {
	it('CPU, memory, swap, disk and network rates from the recorded pair, one second apart', async () => {
		const a = await readHost(join(PROC, 'a'), [], 1_000_000);
		const b = await readHost(join(PROC, 'b'), [], 1_001_000);
		const stats = hostStats(a, b);
		expect(stats.cpuPercent).toBe(62.5);
		expect(stats.corePercents).toEqual([90, 50, 10, 100]);
		expect(stats.memory).toEqual({usedBytes: 62.5 * GiB, totalBytes: 125 * GiB, percent: 50});
		expect(stats.swap).toEqual({usedBytes: 2 * GiB, totalBytes: 8 * GiB, percent: 25});
		expect(stats.disk).toEqual({readBytesPerSec: 11 * MiB, writeBytesPerSec: 20 * MiB, busiestPercent: 90, busiest: 'sda'});
		expect(stats.net).toEqual({rxBytesPerSec: 100 * MiB, txBytesPerSec: 1 * MiB});
		expect(stats.errors).toEqual([]);
	});

	it('the first reading has no rates (unknown, not 0); a missing /proc is named, never thrown', async () => {
		const first = hostStats(undefined, await readHost(join(PROC, 'a'), [], 0));
		expect(first.cpuPercent).toBeUndefined();
		expect(first.disk).toBeUndefined();
		expect(first.net).toBeUndefined();
		expect(first.memory?.percent).toBe(50);
		const none = await readHost('/nonexistent-proc', ['/nonexistent-path'], 0);
		expect(none.errors).toHaveLength(5);
		expect(none.errors[0]).toMatch(/^\/nonexistent-proc\/stat: ENOENT$/);
		expect(hostStats(undefined, none).filesystems).toEqual([{path: '/nonexistent-path', reason: 'ENOENT'}]);
	});

	it('a counter reset (a reboot, a device replaced) drops that device, not the reading', () => {
		const base = {timeMs: 0, stat: undefined, load: undefined, mem: undefined, filesystems: [], errors: []};
		const before = {...base, disks: new Map([['sda', {readBytes: 1000, writtenBytes: 1000, ioMs: 100}]]), net: new Map([['eth0', {rxBytes: 5000, txBytes: 5000}], ['eth1', {rxBytes: 0, txBytes: 0}]])};
		const after = {...base, timeMs: 1000, disks: new Map([['sda', {readBytes: 10, writtenBytes: 10, ioMs: 1}]]), net: new Map([['eth0', {rxBytes: 10, txBytes: 10}], ['eth1', {rxBytes: 2048, txBytes: 1024}]])};
		const stats = hostStats(before, after);
		expect(stats.disk).toBeUndefined();
		expect(stats.net).toEqual({rxBytesPerSec: 2048, txBytesPerSec: 1024});
	});
});

describe('the dataloader hint and the host line', () => {
	const reading = (cpuPercent: number | undefined, gpuPercent: number | undefined) => ({cpuPercent, gpuPercent});

	it('GPUs idle while the CPU is saturated, 5 readings in a row; not with one busy reading, not without GPUs', () => {
		expect(dataloaderBound(Array.from({length: 5}, () => reading(97, 20)))).toBe(true);
		expect(dataloaderBound(Array.from({length: 4}, () => reading(97, 20)))).toBe(false);
		expect(dataloaderBound([...Array.from({length: 4}, () => reading(97, 20)), reading(60, 20)])).toBe(false);
		expect(dataloaderBound(Array.from({length: 5}, () => reading(97, 85)))).toBe(false);
		expect(dataloaderBound(Array.from({length: 5}, () => reading(97, undefined)))).toBe(false);
	});

	it('parts most important first; unknown CPU is ?, the hint and full disks stand out', () => {
		const stats = {
			timeMs: 0,
			cpuPercent: 96.4,
			corePercents: [],
			memory: {usedBytes: 60 * GiB, totalBytes: 125 * GiB, percent: 48},
			swap: {usedBytes: 0, totalBytes: 8 * GiB, percent: 0},
			load: {load1: 15.2, load5: 14, load15: 12},
			filesystems: [{path: '/data', totalBytes: 100, availableBytes: 3, usedPercent: 97}],
			disk: {readBytesPerSec: 11 * MiB, writeBytesPerSec: 512, busiestPercent: 90, busiest: 'sda'},
			net: {rxBytesPerSec: 100 * MiB, txBytesPerSec: 1536},
			errors: [],
		};
		expect(hostText(stats, true)).toBe('CPU 96%  dataloader-bound?  mem 60.0G/125G  /data 97%  load 15.2  io r11.0M w512B/s  net rx100M tx1.5K/s');
		expect(hostParts(stats, false).filter((p) => p.tone !== undefined).map((p) => [p.key, p.tone])).toEqual([
			['cpu', 'warn'],
			['fs:/data', 'critical'],
		]);
		expect(hostText({...stats, cpuPercent: undefined}, false)).toMatch(/^CPU \?/);
		expect(hostText(undefined, false)).toBe('host: no reading yet');
		expect([0, 1023, 1024, 1536, 100 * MiB, 3.5 * GiB * 1024].map(shortBytes)).toEqual(['0B', '1023B', '1.0K', '1.5K', '100M', '3.5T']);
	});
});

describe('on this machine', () => {
	it('the sampler\'s figures match /proc and statfs read independently here (within tolerance)', async () => {
		const sampler = new HostSampler({paths: [process.cwd()]});
		await sampler.start(300);
		sampler.stop();
		const {stats} = sampler.view();
		// Independently: total memory and swap from /proc/meminfo by a plain regex, cores from os.cpus(), space from statfsSync.
		const meminfo = readFileSync('/proc/meminfo', 'utf8');
		const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo)![1]) * 1024;
		expect(stats!.memory!.totalBytes).toBe(kb('MemTotal'));
		// MemAvailable moves between the two reads: within 5 % of total.
		expect(Math.abs(stats!.memory!.usedBytes - (kb('MemTotal') - kb('MemAvailable')))).toBeLessThan(0.05 * kb('MemTotal'));
		expect(stats!.swap?.totalBytes ?? 0).toBe(kb('SwapTotal'));
		expect(stats!.corePercents.filter((c) => c !== undefined)).toHaveLength(cpus().length);
		expect(stats!.cpuPercent).toBeGreaterThanOrEqual(0);
		expect(stats!.cpuPercent).toBeLessThanOrEqual(100);
		const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
		expect(Math.abs(stats!.load!.load1 - load)).toBeLessThan(2);
		const fs = statfsSync(process.cwd());
		const fig = stats!.filesystems[0]!;
		expect(fig.totalBytes).toBe(fs.blocks * fs.bsize);
		expect(Math.abs(fig.availableBytes! - fs.bavail * fs.bsize)).toBeLessThan(0.01 * fig.totalBytes!);
		expect(stats!.errors).toEqual([]);
		// Busy percent against /proc/stat's own totals over an interval we measure here.
		const total = () => {
			const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
			return {busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!, all: f.reduce((s, v) => s + v, 0)};
		};
		const t0 = total();
		await sampler.sample();
		await new Promise((resolve) => setTimeout(resolve, 500));
		await sampler.sample();
		const t1 = total();
		const mine = ((t1.busy - t0.busy) / (t1.all - t0.all)) * 100;
		expect(Math.abs(sampler.view().stats!.cpuPercent! - mine)).toBeLessThan(25);
	});
});

describe('disk full forecast', () => {
	it('a filesystem filling steadily says when it will be full; a steady one does not', async () => {
		const {hostParts} = await import('../../src/host/host-figures.js');
		// Recorded /proc, and the clock driven by the test; statfs of a real path gives the size, the growth is the test's:
		// drive the forecast through hostParts with figures built as the sampler builds them.
		const stats = (fullInMs: number | undefined) => ({
			timeMs: 0,
			corePercents: [],
			filesystems: [{path: '/data', totalBytes: 1000, availableBytes: 100, usedPercent: 90, ...(fullInMs !== undefined ? {fullInMs} : {})}],
			errors: [],
		});
		expect(hostParts(stats(45 * 60_000), false).find((p) => p.key === 'fs:/data')).toEqual({key: 'fs:/data', text: '/data 90% full in ~45m', tone: 'critical'});
		expect(hostParts(stats(5 * 3_600_000), false).find((p) => p.key === 'fs:/data')).toEqual({key: 'fs:/data', text: '/data 90% full in ~5h', tone: 'warn'});
		expect(hostParts(stats(3 * 86_400_000), false).find((p) => p.key === 'fs:/data')!.text).toBe('/data 90%');
		expect(hostParts(stats(undefined), false).find((p) => p.key === 'fs:/data')!.text).toBe('/data 90%');
		// The sampler on a steady filesystem (this machine's /, over a few readings): no forecast.
		const dir = recordedProc();
		let now = 0;
		// A reading every 5 s: each reads statfs (FS_EVERY_MS), so the forecast has its ten points.
		const sampler = new HostSampler({procRoot: dir, paths: ['/'], now: () => (now += 5000)});
		for (let i = 0; i < 12; i++) await sampler.sample();
		expect(sampler.diskSeries()[0]!.usedBytes.length).toBe(12);
		const fs = sampler.view().stats!.filesystems[0]!;
		expect(fs.totalBytes).toBeGreaterThan(0);
		// Twelve readings 5 s apart of a disk that barely moves: either no forecast, or one far beyond a day.
		expect(fs.fullInMs === undefined || fs.fullInMs > 86_400_000).toBe(true);
	});
});

/** A copy of the recorded /proc with what the sampler also reads (net/, loadavg), in a temporary folder. */
function recordedProc(): string {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-proc-'));
	cpSync(join(PROC, 'a'), dir, {recursive: true});
	mkdirSync(join(dir, 'net'), {recursive: true});
	writeFileSync(join(dir, 'loadavg'), '1 1 1 1/1 1\n');
	return dir;
}

describe('filesystem space', () => {
	it('is read every FS_EVERY_MS, carried between, and only fresh readings go in the growth series', async () => {
		const {FS_EVERY_MS} = await import('../../src/host/host-sampler.js');
		const dir = recordedProc();
		let now = 0;
		let calls = 0;
		// A disk that fills by one block a call.
		const statfs = async (path: string) => {
			expect(path).toBe('/data');
			calls += 1;
			return {blocks: 1000, bsize: 4096, bavail: 1000 - calls};
		};
		const sampler = new HostSampler({procRoot: dir, paths: ['/data'], now: () => now, statfs});
		const seen: number[] = [];
		for (let i = 0; i < 12; i++) {
			// A second apart, every other one a millisecond early (timers and frames are): still a statfs every 5 s.
			now = 1_000_000 + i * 1000 - (i % 2);
			await sampler.sample();
			seen.push(sampler.view().stats!.filesystems[0]!.availableBytes!);
		}
		expect(FS_EVERY_MS).toBe(5000);
		// Readings at 0, 5 and 10 s of the twelve; each one's figures carried until the next.
		expect(calls).toBe(3);
		expect(seen).toEqual([...Array(5).fill(999 * 4096), ...Array(5).fill(998 * 4096), 997 * 4096, 997 * 4096]);
		const series = sampler.diskSeries()[0]!;
		expect(series.path).toBe('/data');
		expect(series.usedBytes.length).toBe(3);
		expect(series.usedBytes.since(0).times).toEqual([1_000_000, 1_004_999, 1_010_000]);
		// A clock stepped back reads again at once.
		now = 900_000;
		await sampler.sample();
		expect(calls).toBe(4);
	});

	it('the disk-full forecast fits the 5-s readings and counts down on the readings that carry one', async () => {
		const dir = recordedProc();
		let now = 0;
		let calls = 0;
		// 1,000 blocks; 50 used at the first statfs and 50 more at each (every 5 s): 10 a second, used = 50 + 10 t.
		const statfs = async () => {
			calls += 1;
			return {blocks: 1000, bsize: 1, bavail: 1000 - 50 * calls};
		};
		const sampler = new HostSampler({procRoot: dir, paths: ['/data'], now: () => now, statfs});
		const inMs: Array<number | undefined> = [];
		for (let i = 0; i < 70; i++) {
			now = 2_000_000 + i * 1000;
			await sampler.sample();
			inMs.push(sampler.view().stats!.filesystems[0]!.fullInMs);
		}
		expect(calls).toBe(14);
		// No forecast before ten statfs readings (45 s) and the next fit after them (every 10 s).
		const first = inMs.findIndex((v) => v !== undefined);
		expect(first).toBeGreaterThanOrEqual(45);
		expect(first).toBeLessThanOrEqual(55);
		// From then on, fitted or counted down on the readings that carry a statfs, the time to full at each reading:
		// (1,000 - (50 + 10 i)) / 10 s.
		for (let i = first; i < 70; i++) expect(Math.abs(inMs[i]! - (95 - i) * 1000)).toBeLessThan(100);
	});
});

