/**
Pure parsers of the Linux `/proc` text the host sampler reads: `/proc/stat` (CPU time per core), `/proc/loadavg`,
`/proc/meminfo`, `/proc/diskstats` and `/proc/net/dev`. Every function takes the file's text and returns numbers or
undefined; a line that does not parse is skipped and counted, never thrown. Rates come from two readings
(host-figures.ts).
*/

/** Jiffies a CPU spent busy and in total (since boot). */
export interface CpuTimes {
	readonly busy: number;
	readonly total: number;
}

export interface ProcStat {
	readonly total: CpuTimes | undefined;
	/** Per core, by the number in `cpuN` (a hot-unplugged core leaves a hole: undefined). */
	readonly cores: ReadonlyArray<CpuTimes | undefined>;
	readonly skipped: number;
}

/** Most cores a box is read with (bounded: a wild `cpu99999` line must not allocate a huge array). */
const MAX_CORES = 4096;

function counters(fields: readonly string[]): number[] | undefined {
	const out: number[] = [];
	for (const f of fields) {
		if (!/^\d{1,20}$/.test(f)) return undefined;
		out.push(Number(f));
	}
	return out;
}

/**
A `cpu` line's times: user nice system idle iowait irq softirq steal [guest guest_nice]. Busy is everything but idle
and iowait; guest time is already inside user and nice, so it is not added again.
*/
function cpuTimes(fields: readonly string[]): CpuTimes | undefined {
	const n = counters(fields.slice(0, 8));
	if (n === undefined || n.length < 4) return undefined;
	const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = n;
	const busy = user + nice + system + irq + softirq + steal;
	return {busy, total: busy + idle + iowait};
}

export function parseProcStat(text: string): ProcStat {
	let total: CpuTimes | undefined;
	const cores: Array<CpuTimes | undefined> = [];
	let skipped = 0;
	for (const line of text.split('\n')) {
		if (!line.startsWith('cpu')) continue;
		const [name, ...fields] = line.trim().split(/\s+/);
		const times = cpuTimes(fields);
		if (times === undefined) {
			skipped += 1;
			continue;
		}
		if (name === 'cpu') total = times;
		else {
			const m = /^cpu(\d{1,5})$/.exec(name ?? '');
			const index = m === null ? -1 : Number(m[1]);
			if (index < 0 || index >= MAX_CORES) {
				skipped += 1;
				continue;
			}
			while (cores.length < index) cores.push(undefined);
			cores[index] = times;
		}
	}
	return {total, cores, skipped};
}

/** Busy percent between two readings of the same CPU; undefined without a positive interval (or a counter reset). */
export function busyPercent(before: CpuTimes | undefined, after: CpuTimes | undefined): number | undefined {
	if (before === undefined || after === undefined) return undefined;
	const total = after.total - before.total;
	const busy = after.busy - before.busy;
	if (!(total > 0) || busy < 0) return undefined;
	return Math.min(100, Math.max(0, (busy / total) * 100));
}

export interface LoadAvg {
	readonly load1: number;
	readonly load5: number;
	readonly load15: number;
}

/** `/proc/loadavg`: `0.52 0.58 0.59 2/1234 56789`. */
export function parseLoadavg(text: string): LoadAvg | undefined {
	const m = /^\s*(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\b/.exec(text);
	if (m === null) return undefined;
	return {load1: Number(m[1]), load5: Number(m[2]), load15: Number(m[3])};
}

export interface MemInfo {
	readonly totalBytes: number;
	/** MemAvailable (the kernel's estimate of what can be given without swapping); used = total - available. */
	readonly availableBytes: number;
	readonly swapTotalBytes: number;
	readonly swapFreeBytes: number;
}

/** `/proc/meminfo` (values in kB). Undefined without MemTotal; MemAvailable falls back to MemFree + Buffers + Cached (pre-3.14 kernels). */
export function parseMeminfo(text: string): MemInfo | undefined {
	const kb = new Map<string, number>();
	for (const line of text.split('\n')) {
		const m = /^([A-Za-z_()0-9]+):\s+(\d{1,20})(?:\s+kB)?\s*$/.exec(line);
		if (m !== null) kb.set(m[1]!, Number(m[2]) * 1024);
	}
	const total = kb.get('MemTotal');
	if (total === undefined) return undefined;
	const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
	return {totalBytes: total, availableBytes: Math.min(total, available), swapTotalBytes: kb.get('SwapTotal') ?? 0, swapFreeBytes: kb.get('SwapFree') ?? 0};
}

export interface DiskCounters {
	readonly readBytes: number;
	readonly writtenBytes: number;
	/** Milliseconds spent doing I/O (field 10): busy share of the device. */
	readonly ioMs: number;
}

/**
Whole disks only: partitions (`sda1`, `nvme0n1p2`), loop, ram, zram and device-mapper nodes would count the same
bytes twice or are not disks.
*/
export function isWholeDisk(name: string): boolean {
	if (/^(loop|ram|zram|dm-|md|sr|fd)\d*/.test(name)) return false;
	if (/^nvme\d+n\d+$/.test(name) || /^mmcblk\d+$/.test(name)) return true;
	if (/^nvme|^mmcblk/.test(name)) return false;
	return /^(sd|vd|xvd|hd)[a-z]+$/.test(name);
}

/** `/proc/diskstats`: per whole disk, bytes read and written (sectors of 512 bytes) and I/O milliseconds. */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
	const out = new Map<string, DiskCounters>();
	for (const line of text.split('\n')) {
		const f = line.trim().split(/\s+/);
		if (f.length < 14) continue;
		const name = f[2]!;
		if (!isWholeDisk(name)) continue;
		const n = counters(f.slice(3, 13));
		if (n === undefined) continue;
		// reads, reads merged, sectors read, ms reading, writes, writes merged, sectors written, ms writing, in flight, ms doing I/O
		out.set(name, {readBytes: n[2]! * 512, writtenBytes: n[6]! * 512, ioMs: n[9]!});
	}
	return out;
}

export interface NetCounters {
	readonly rxBytes: number;
	readonly txBytes: number;
}

/**
Interfaces whose traffic is already counted on a physical one (the loopback, container veth pairs, bridges and
overlays): left out so a container's download is not counted two or three times.
*/
export function isVirtualInterface(name: string): boolean {
	return name === 'lo' || /^(veth|docker|br-|virbr|cni|flannel|cali|vxlan|tunl|kube-ipvs)/.test(name);
}

/** `/proc/net/dev`: bytes received and sent per interface, virtual ones left out. */
export function parseNetDev(text: string): Map<string, NetCounters> {
	const out = new Map<string, NetCounters>();
	for (const line of text.split('\n')) {
		const m = /^\s*([^\s:]+):\s*(.*)$/.exec(line);
		if (m === null || isVirtualInterface(m[1]!)) continue;
		const n = counters(m[2]!.trim().split(/\s+/));
		if (n === undefined || n.length < 16) continue;
		out.set(m[1]!, {rxBytes: n[0]!, txBytes: n[8]!});
	}
	return out;
}
