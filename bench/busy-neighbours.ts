/**
Before a bench that measures CPU: which other processes are busy on this machine. On a shared 2-core VM a second
program using a few percent of a core moves every figure a bench prints (a forgotten dashboard in a tmux pane raised
bench:tui's GPU-only case from about 1.2 % to 1.5-1.7 %, BENCHMARKS.md, fourteenth session); the benches print a
warning naming them instead of measuring in silence.

`busyNeighbours` is the decision, pure: two readings of the processes' CPU ticks (utime + stime from
/proc/PID/stat) taken `seconds` apart, the bench's own process and its descendants left out. `warnBusyNeighbours` is
the I/O: it reads /proc twice and writes the warning to stderr. Linux only; elsewhere it says nothing.
*/
import {readdirSync, readFileSync} from 'node:fs';

export interface ProcReading {
	readonly pid: number;
	readonly ppid: number;
	readonly name: string;
	/** utime + stime, in clock ticks. */
	readonly ticks: number;
}

export interface BusyProcess {
	readonly pid: number;
	readonly name: string;
	/** Percent of one core over the interval. */
	readonly percent: number;
}

/** Default threshold: a process over half a percent of a core is enough to show in the benches' figures. */
export const BUSY_PERCENT = 0.5;

/** One line of /proc/PID/stat, or undefined when it is not one (the process went away mid-read). Pure. */
export function parseStat(text: string): ProcReading | undefined {
	const open = text.indexOf('(');
	const close = text.lastIndexOf(')');
	if (open < 0 || close < open) return undefined;
	const pid = Number.parseInt(text.slice(0, open), 10);
	// After the name: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
	const fields = text.slice(close + 2).split(' ');
	const ppid = Number(fields[1]);
	const utime = Number(fields[11]);
	const stime = Number(fields[12]);
	if (!Number.isInteger(pid) || !Number.isFinite(ppid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
	return {pid, ppid, name: text.slice(open + 1, close), ticks: utime + stime};
}

/**
The processes that used more than `thresholdPercent` of a core between the two readings, busiest first, leaving out
`self` and every process descended from it (in either reading). Processes present in only one reading are left out
(started or ended in between: their share cannot be told). Pure.
*/
export function busyNeighbours(before: readonly ProcReading[], after: readonly ProcReading[], self: number, seconds: number, ticksPerSecond: number, thresholdPercent = BUSY_PERCENT): BusyProcess[] {
	const parents = new Map<number, number>();
	for (const p of [...before, ...after]) parents.set(p.pid, p.ppid);
	const ours = (pid: number): boolean => {
		for (let at: number | undefined = pid, hops = 0; at !== undefined && at > 0 && hops < 64; at = parents.get(at), hops++) if (at === self) return true;
		return false;
	};
	const earlier = new Map(before.map((p) => [p.pid, p]));
	const busy: BusyProcess[] = [];
	for (const p of after) {
		const was = earlier.get(p.pid);
		if (was === undefined || was.name !== p.name || ours(p.pid)) continue;
		const percent = (100 * (p.ticks - was.ticks)) / ticksPerSecond / seconds;
		if (percent > thresholdPercent) busy.push({pid: p.pid, name: p.name, percent});
	}
	return busy.sort((a, b) => b.percent - a.percent);
}

function readAll(): ProcReading[] {
	const out: ProcReading[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const reading = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
			if (reading !== undefined) out.push(reading);
		} catch {
			// gone between the listing and the read
		}
	}
	return out;
}

/** The warning line for `busy`, or undefined when there is none. Pure. */
export function busyWarning(bench: string, busy: readonly BusyProcess[]): string | undefined {
	if (busy.length === 0) return undefined;
	const list = busy.slice(0, 6).map((p) => `${p.name} (pid ${p.pid}) ${p.percent.toFixed(1)} %`).join(', ');
	return `*** ${bench}: other processes are busy on this machine and will move the figures: ${list}${busy.length > 6 ? `, and ${busy.length - 6} more` : ''} ***`;
}

/** Read /proc twice, `seconds` apart, and warn on stderr about busy processes other than this bench's own. */
export async function warnBusyNeighbours(bench: string, seconds = 2, ticksPerSecond = 100): Promise<BusyProcess[]> {
	if (process.platform !== 'linux') return [];
	const before = readAll();
	await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
	const busy = busyNeighbours(before, readAll(), process.pid, seconds, ticksPerSecond);
	const warning = busyWarning(bench, busy);
	if (warning !== undefined) process.stderr.write(`\n${warning}\n\n`);
	return busy;
}
