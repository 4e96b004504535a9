/**
GPU processes joined to their host process: user, command line, CPU %, resident memory and elapsed time from
`/proc/{pid}/stat`, `/proc/{pid}/status`, `/proc/{pid}/cmdline`, `/proc/stat` (btime) and `/etc/passwd`. The parsers
and the join are pure; `ProcessReader` does the (synchronous, in-memory procfs) reads and keeps each pid's previous CPU
time for the rate. A pid that is not in this /proc (the GPU process runs in another PID namespace, or it exited)
keeps only what nvidia-smi said.
*/
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {sanitizeText} from '../contract/sanitize.js';

/** Linux's USER_HZ: the unit of the times in /proc/{pid}/stat (100 on every mainstream architecture). */
const CLOCK_TICKS = 100;

export interface PidStat {
	/** The command name (comm, at most 15 characters). */
	readonly comm: string;
	/** The parent's pid (0 for the kernel's own). */
	readonly ppid: number;
	/** utime + stime, clock ticks. */
	readonly cpuTicks: number;
	/** Start time after boot, clock ticks. */
	readonly startTicks: number;
}

/**
`/proc/{pid}/stat`: the command name is in parentheses and may itself contain spaces and `)`, so the fields are
counted from the last `)`. ppid is field 4, utime and stime are fields 14 and 15, starttime field 22.
*/
export function parsePidStat(text: string): PidStat | undefined {
	const close = text.lastIndexOf(')');
	const open = text.indexOf('(');
	if (close < 0 || open < 0 || open > close) return undefined;
	const f = text.slice(close + 1).trim().split(/\s+/);
	// f[0] is field 3 (state): field k is f[k - 3].
	const utime = Number(f[11]);
	const stime = Number(f[12]);
	const start = Number(f[19]);
	const ppid = Number(f[1]);
	if (![ppid, utime, stime, start].every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
	return {comm: text.slice(open + 1, close), ppid, cpuTicks: utime + stime, startTicks: start};
}

/** `/proc/{pid}/status`: the real uid and VmRSS (kB; absent for kernel threads). */
export function parsePidStatus(text: string): {readonly uid?: number; readonly rssBytes?: number} {
	const uid = /^Uid:\s+(\d+)/m.exec(text);
	const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
	return {...(uid !== null ? {uid: Number(uid[1])} : {}), ...(rss !== null ? {rssBytes: Number(rss[1]) * 1024} : {})};
}

/** `/proc/{pid}/cmdline`: NUL-separated arguments, as one line (terminal-safe, at most 256 characters). */
export function parseCmdline(text: string): string | undefined {
	const line = text.split('\0').filter((a) => a !== '').join(' ');
	return line === '' ? undefined : sanitizeText(line, {maxLength: 256});
}

/** `/etc/passwd` as uid -> name. */
export function parsePasswd(text: string): Map<number, string> {
	const out = new Map<number, string>();
	for (const line of text.split('\n')) {
		const f = line.split(':');
		if (f.length >= 3 && /^\d+$/.test(f[2]!)) out.set(Number(f[2]), sanitizeText(f[0]!, {maxLength: 32}));
	}
	return out;
}

/** `btime` of `/proc/stat`: boot time, seconds since the epoch. */
export function parseBootTime(text: string): number | undefined {
	const m = /^btime\s+(\d+)/m.exec(text);
	return m === null ? undefined : Number(m[1]);
}

function baseName(path: string): string {
	return path.split('/').pop() ?? path;
}

/**
Whether the process in /proc is the one nvidia-smi named: the program of nvidia-smi's `process_name` (its first word,
without the directory) is the process's comm (cut at 15 characters) or its argv[0]. A pid from another PID
namespace (mycotop in a container), or one reused since, would otherwise lend a stranger's user and command. Pure.
*/
export function sameProcess(smiName: string, comm: string | undefined, argv0: string | undefined): boolean {
	const program = baseName(smiName.trim().split(/\s+/)[0] ?? '');
	if (program === '') return false;
	if (comm !== undefined && comm !== '' && (program === comm || program.slice(0, 15) === comm)) return true;
	return argv0 !== undefined && baseName(argv0) === program;
}

export interface HostProcess {
	readonly user?: string;
	readonly command?: string;
	/** Of one core, since the previous reading (undefined on the first). */
	readonly cpuPercent?: number;
	readonly rssBytes?: number;
	readonly elapsedMs?: number;
}

/** One pid's figures from its files' text and the previous CPU reading. Pure. */
export function hostProcess(
	input: {readonly stat?: string; readonly status?: string; readonly cmdline?: string},
	context: {readonly nowMs: number; readonly bootSeconds?: number; readonly users: ReadonlyMap<number, string>; readonly previous?: {readonly cpuTicks: number; readonly timeMs: number}},
): HostProcess & {readonly cpuTicks?: number} {
	const stat = input.stat === undefined ? undefined : parsePidStat(input.stat);
	const status = input.status === undefined ? {} : parsePidStatus(input.status);
	const command = input.cmdline === undefined ? undefined : parseCmdline(input.cmdline);
	const elapsedMs = stat !== undefined && context.bootSeconds !== undefined ? context.nowMs - (context.bootSeconds * 1000 + (stat.startTicks * 1000) / CLOCK_TICKS) : undefined;
	const prev = context.previous;
	const dt = prev === undefined ? 0 : context.nowMs - prev.timeMs;
	const cpuPercent = stat !== undefined && prev !== undefined && dt > 0 && stat.cpuTicks >= prev.cpuTicks ? (((stat.cpuTicks - prev.cpuTicks) * 1000) / CLOCK_TICKS / dt) * 100 : undefined;
	const user = status.uid === undefined ? undefined : (context.users.get(status.uid) ?? String(status.uid));
	return {
		...(user !== undefined ? {user} : {}),
		...(command !== undefined ? {command} : {}),
		...(cpuPercent !== undefined ? {cpuPercent} : {}),
		...(status.rssBytes !== undefined ? {rssBytes: status.rssBytes} : {}),
		...(elapsedMs !== undefined && elapsedMs >= 0 ? {elapsedMs} : {}),
		...(stat !== undefined ? {cpuTicks: stat.cpuTicks} : {}),
	};
}

function readIf(path: string): string | undefined {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return undefined;
	}
}

/** Reads /proc for GPU processes; keeps each pid's previous CPU time (pids not asked for again are forgotten). */
export class ProcessReader {
	private previous = new Map<number, {cpuTicks: number; timeMs: number}>();
	private users: Map<number, string> | undefined;

	constructor(
		private readonly procRoot = '/proc',
		private readonly passwd = '/etc/passwd',
	) {}

	/** Each process nvidia-smi listed (pid and its process_name) that this /proc has, and is the same program. */
	read(processes: ReadonlyArray<{readonly pid: number; readonly name: string}>, nowMs: number): Map<number, HostProcess> {
		this.users ??= parsePasswd(readIf(this.passwd) ?? '');
		const procStat = readIf(join(this.procRoot, 'stat'));
		const bootSeconds = procStat === undefined ? undefined : parseBootTime(procStat);
		const out = new Map<number, HostProcess>();
		const next = new Map<number, {cpuTicks: number; timeMs: number}>();
		const seen = new Set<number>();
		for (const {pid, name} of processes) {
			if (!Number.isSafeInteger(pid) || pid <= 0 || seen.has(pid)) continue;
			seen.add(pid);
			const dir = join(this.procRoot, String(pid));
			const stat = readIf(join(dir, 'stat'));
			if (stat === undefined) continue;
			const cmdline = readIf(join(dir, 'cmdline'));
			if (!sameProcess(name, parsePidStat(stat)?.comm, cmdline?.split('\0')[0])) continue;
			const status = readIf(join(dir, 'status'));
			const p = hostProcess(
				{stat, ...(status !== undefined ? {status} : {}), ...(cmdline !== undefined ? {cmdline} : {})},
				{nowMs, ...(bootSeconds !== undefined ? {bootSeconds} : {}), users: this.users, ...(this.previous.has(pid) ? {previous: this.previous.get(pid)!} : {})},
			);
			const {cpuTicks, ...figures} = p;
			if (cpuTicks !== undefined) next.set(pid, {cpuTicks, timeMs: nowMs});
			out.set(pid, figures);
		}
		this.previous = next;
		return out;
	}

	/**
	When the process at `pid` started (ms since the epoch), from its `/proc/{pid}/stat` and /proc/stat's boot time;
	undefined when either is missing or unreadable. Never throws.
	*/
	startedMs(pid: number): number | undefined {
		if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
		const procStat = readIf(join(this.procRoot, 'stat'));
		const bootSeconds = procStat === undefined ? undefined : parseBootTime(procStat);
		const stat = readIf(join(this.procRoot, String(pid), 'stat'));
		const parsed = stat === undefined ? undefined : parsePidStat(stat);
		if (bootSeconds === undefined || parsed === undefined) return undefined;
		return bootSeconds * 1000 + (parsed.startTicks * 1000) / CLOCK_TICKS;
	}

	/**
	`pid` and its ancestors, nearest first (`[pid, ppid, grandparent, ...]`), from `/proc/{pid}/stat`, at most
	`maxDepth` of them; the walk stops at pid 1, at a pid this /proc does not have, or at a loop. Never throws.
	*/
	ancestry(pid: number, maxDepth: number): number[] {
		const chain: number[] = [];
		let current = pid;
		while (chain.length < maxDepth && Number.isSafeInteger(current) && current > 0 && !chain.includes(current)) {
			chain.push(current);
			if (current === 1) break;
			const stat = readIf(join(this.procRoot, String(current), 'stat'));
			const parsed = stat === undefined ? undefined : parsePidStat(stat);
			if (parsed === undefined) break;
			current = parsed.ppid;
		}
		return chain;
	}
}
