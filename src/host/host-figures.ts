/**
The host's figures from two readings of `/proc` (rates need two), the "dataloader-bound" hint, and the compact host
line. All pure: the sampler (host-sampler.ts) does the reading.
*/
import {busyPercent, type DiskCounters, type LoadAvg, type MemInfo, type NetCounters, type ProcStat} from './proc-parse.js';

/** Space on one configured filesystem (statfs). */
export interface FsSpace {
	readonly path: string;
	readonly totalBytes?: number;
	/** Available to an unprivileged user (f_bavail). */
	readonly availableBytes?: number;
	/** Why there is no figure (the path is gone, permission, ...). */
	readonly reason?: string;
}

/** One reading of everything the host sampler reads. */
export interface HostReading {
	readonly timeMs: number;
	readonly stat: ProcStat | undefined;
	readonly load: LoadAvg | undefined;
	readonly mem: MemInfo | undefined;
	readonly disks: ReadonlyMap<string, DiskCounters> | undefined;
	readonly net: ReadonlyMap<string, NetCounters> | undefined;
	readonly filesystems: readonly FsSpace[];
	/** Files that could not be read or parsed, with why. */
	readonly errors: readonly string[];
}

interface UsedOf {
	readonly usedBytes: number;
	readonly totalBytes: number;
	readonly percent: number;
}

/** What the host line, `--once` and the host keys show. Undefined figures are unknown, never 0. */
export interface HostStats {
	readonly timeMs: number;
	/** Busy percent of all cores together since the previous reading. */
	readonly cpuPercent?: number;
	/** Per core (a core missing from a reading: undefined). */
	readonly corePercents: ReadonlyArray<number | undefined>;
	readonly load?: LoadAvg;
	readonly memory?: UsedOf;
	readonly swap?: UsedOf;
	/** Whole disks together: bytes per second, and the busiest disk's share of time doing I/O. */
	readonly disk?: {readonly readBytesPerSec: number; readonly writeBytesPerSec: number; readonly busiestPercent: number; readonly busiest: string};
	/** Every interface but the loopback together. */
	readonly net?: {readonly rxBytesPerSec: number; readonly txBytesPerSec: number};
	readonly filesystems: ReadonlyArray<FsSpace & {readonly usedPercent?: number; readonly fullInMs?: number}>;
	readonly errors: readonly string[];
}

function usedOf(total: number, free: number): UsedOf | undefined {
	if (!(total > 0)) return undefined;
	const used = Math.max(0, total - free);
	return {usedBytes: used, totalBytes: total, percent: (used / total) * 100};
}

/** Sum of per-key counter deltas per second; a counter that went back (reset, device gone) is left out. */
function summedRate<T>(before: ReadonlyMap<string, T> | undefined, after: ReadonlyMap<string, T> | undefined, seconds: number, pick: (c: T) => number): number | undefined {
	if (before === undefined || after === undefined || !(seconds > 0)) return undefined;
	let sum = 0;
	let any = false;
	for (const [key, now] of after) {
		const then = before.get(key);
		if (then === undefined) continue;
		const delta = pick(now) - pick(then);
		if (delta < 0) continue;
		sum += delta;
		any = true;
	}
	return any ? sum / seconds : undefined;
}

/** The figures of `after`, with rates against `before` (undefined on the first reading). */
export function hostStats(before: HostReading | undefined, after: HostReading): HostStats {
	const seconds = before === undefined ? 0 : (after.timeMs - before.timeMs) / 1000;
	const cores = after.stat?.cores ?? [];
	const corePercents = cores.map((c, i) => busyPercent(before?.stat?.cores[i], c));
	const cpuPercent = busyPercent(before?.stat?.total, after.stat?.total);
	const mem = after.mem;
	const memory = mem === undefined ? undefined : usedOf(mem.totalBytes, mem.availableBytes);
	const swap = mem === undefined ? undefined : usedOf(mem.swapTotalBytes, mem.swapFreeBytes);
	const read = summedRate(before?.disks, after.disks, seconds, (d) => d.readBytes);
	const written = summedRate(before?.disks, after.disks, seconds, (d) => d.writtenBytes);
	let busiest: {name: string; percent: number} | undefined;
	if (before?.disks !== undefined && after.disks !== undefined && seconds > 0)
		for (const [name, now] of after.disks) {
			const then = before.disks.get(name);
			if (then === undefined || now.ioMs < then.ioMs) continue;
			const percent = Math.min(100, ((now.ioMs - then.ioMs) / (seconds * 1000)) * 100);
			if (busiest === undefined || percent > busiest.percent) busiest = {name, percent};
		}
	const rx = summedRate(before?.net, after.net, seconds, (n) => n.rxBytes);
	const tx = summedRate(before?.net, after.net, seconds, (n) => n.txBytes);
	return {
		timeMs: after.timeMs,
		...(cpuPercent !== undefined ? {cpuPercent} : {}),
		corePercents,
		...(after.load !== undefined ? {load: after.load} : {}),
		...(memory !== undefined ? {memory} : {}),
		...(swap !== undefined ? {swap} : {}),
		...(read !== undefined && written !== undefined && busiest !== undefined
			? {disk: {readBytesPerSec: read, writeBytesPerSec: written, busiestPercent: busiest.percent, busiest: busiest.name}}
			: {}),
		...(rx !== undefined && tx !== undefined ? {net: {rxBytesPerSec: rx, txBytesPerSec: tx}} : {}),
		filesystems: after.filesystems.map((fs) =>
			fs.totalBytes !== undefined && fs.availableBytes !== undefined && fs.totalBytes > 0
				? {...fs, usedPercent: ((fs.totalBytes - fs.availableBytes) / fs.totalBytes) * 100}
				: fs,
		),
		errors: after.errors,
	};
}

/** The dataloader hint's thresholds: GPUs under this mean utilization while the CPU is over that, for that many readings. */
const DATALOADER = {gpuBelowPercent: 40, cpuAbovePercent: 90, readings: 5} as const;

/**
"dataloader-bound": over the last `DATALOADER.readings` readings the GPUs' mean utilization stayed below 40 % while
the CPU (all cores) stayed above 90 %: the input pipeline, not the GPUs, sets the pace. Pure.
*/
export function dataloaderBound(recent: ReadonlyArray<{readonly cpuPercent: number | undefined; readonly gpuPercent: number | undefined}>): boolean {
	if (recent.length < DATALOADER.readings) return false;
	return recent
		.slice(-DATALOADER.readings)
		.every((r) => r.cpuPercent !== undefined && r.gpuPercent !== undefined && r.cpuPercent > DATALOADER.cpuAbovePercent && r.gpuPercent < DATALOADER.gpuBelowPercent);
}

function shortSpan(ms: number): string {
	const m = Math.floor(ms / 60_000);
	return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h`;
}

/** Bytes as `512B`, `1.2K`, `30M`, `61.2G`, `3.4T` (1024-based). Pure. */
export function shortBytes(bytes: number): string {
	const units = ['B', 'K', 'M', 'G', 'T', 'P'];
	let v = bytes;
	let i = 0;
	while (Math.abs(v) >= 1024 && i < units.length - 1) {
		v /= 1024;
		i += 1;
	}
	return `${i === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

/** The host line's parts, most important first (the pane drops from the end to fit). Pure. */
export function hostParts(stats: HostStats | undefined, hint: boolean): Array<{readonly key: string; readonly text: string; readonly tone?: 'warn' | 'critical'}> {
	if (stats === undefined) return [{key: 'cpu', text: 'host: no reading yet'}];
	const parts: Array<{key: string; text: string; tone?: 'warn' | 'critical'}> = [];
	const pct = (v: number | undefined) => (v === undefined ? '?' : `${Math.round(v)}%`);
	parts.push({key: 'cpu', text: `CPU ${pct(stats.cpuPercent)}`, ...(stats.cpuPercent !== undefined && stats.cpuPercent > 90 ? {tone: 'warn' as const} : {})});
	if (hint) parts.push({key: 'hint', text: 'dataloader-bound?', tone: 'warn'});
	if (stats.memory !== undefined)
		parts.push({key: 'mem', text: `mem ${shortBytes(stats.memory.usedBytes)}/${shortBytes(stats.memory.totalBytes)}`, ...(stats.memory.percent > 90 ? {tone: 'warn' as const} : {})});
	if (stats.swap !== undefined && stats.swap.usedBytes > 0)
		parts.push({key: 'swap', text: `swap ${shortBytes(stats.swap.usedBytes)}`, ...(stats.swap.percent > 50 ? {tone: 'warn' as const} : {})});
	for (const fs of stats.filesystems) {
		// A disk that will be full within a day at its last half hour's growth says when.
		const full = fs.fullInMs !== undefined && fs.fullInMs < 86_400_000 ? ` full in ~${shortSpan(fs.fullInMs)}` : '';
		parts.push(
			fs.usedPercent === undefined
				? {key: `fs:${fs.path}`, text: `${fs.path} ?`}
				: {
						key: `fs:${fs.path}`,
						text: `${fs.path} ${Math.round(fs.usedPercent)}%${full}`,
						...(fs.usedPercent > 95 || (full !== '' && fs.fullInMs! < 3_600_000) ? {tone: 'critical' as const} : fs.usedPercent > 85 || full !== '' ? {tone: 'warn' as const} : {}),
					},
		);
	}
	if (stats.load !== undefined) parts.push({key: 'load', text: `load ${stats.load.load1.toFixed(1)}`});
	if (stats.disk !== undefined) parts.push({key: 'disk', text: `io r${shortBytes(stats.disk.readBytesPerSec)} w${shortBytes(stats.disk.writeBytesPerSec)}/s`});
	if (stats.net !== undefined) parts.push({key: 'net', text: `net rx${shortBytes(stats.net.rxBytesPerSec)} tx${shortBytes(stats.net.txBytesPerSec)}/s`});
	return parts;
}

/** The host line as plain text (`--once`). Pure. */
export function hostText(stats: HostStats | undefined, hint: boolean): string {
	return hostParts(stats, hint)
		.map((p) => p.text)
		.join('  ');
}
