/**
How soon V8 compiles a function with its optimizing compiler (TurboFan). V8 counts how much of a function's bytecode
has run; past a budget it compiles the function again, on a background thread, into optimized code. The budget is
sized for programs that run the same code thousands of times a second. mycotop's collector and dashboard run most of
their code once a second (a GPU sample, a rules tick, a frame): each function reaches the budget after minutes, one
after another, so V8 spends the first minutes of every run compiling (about 50 optimizing compiles per 10 s in the
collector's second minute, 0.2-0.3 % of a core on a background thread; BENCHMARKS.md, eleventh session) code that
the baseline compiler already runs well enough at one call a second.

Ten times the budget: code that runs once a second stays on V8's baseline tiers (Ignition, Sparkplug); code that
runs hundreds of times a second (a frame's per-cell loops) still reaches it within a fraction of a second and is
optimized as before; and a process that is busy (more than 2.5 % of a core over 10 s: events streaming in) gets V8's
own budget back (watchBusy below).

The flag differs by V8 version: V8 11 (Node 20) has `--interrupt-budget` (default 67,584), V8 12 (Node 22) counts
invocations (`--invocation-count-for-turbofan`, default 3,000). V8 13 (Node 24) has the same flag and honours it, but
the collector measured no gain there (one pair of runs: 1.03 % with it, 0.93 % without), so nothing is set; V8 prints an error for a flag it does not know, so nothing is set
on any other V8 either. Set at run time (`v8.setFlagsFromString`, first thing at start): V8 reads
them at each tiering decision. `MYCOTOP_JIT=v8`, or either flag on node's command line or in NODE_OPTIONS, keeps
V8's own budget.
*/
import {setFlagsFromString} from 'node:v8';

/** How many times V8's own budget. */
export const BUDGET_FACTOR = 10;

/** The flag and V8's own value of it, for each V8 major version it is known on. */
const BUDGET_BY_V8_MAJOR: Readonly<Record<number, {readonly flag: string; readonly v8Own: number}>> = {
	11: {flag: '--interrupt-budget', v8Own: 67_584},
	12: {flag: '--invocation-count-for-turbofan', v8Own: 3000},
};

/** Flags that set the budget themselves: when the user gives one, mycotop leaves it to them. */
const BUDGET_FLAGS = new Set(['--interrupt-budget', '--invocation-count-for-turbofan', '--max-opt', '--jitless', '--no-opt', '--no-turbofan']);

/** The flag's name as node reads it (`--interrupt_budget=1` is `--interrupt-budget`). */
function flagName(arg: string): string {
	const name = arg.split('=', 1)[0]!;
	return name.startsWith('--') ? `--${name.slice(2).replaceAll('_', '-')}` : name;
}

/** What decides the flags: V8's version (`process.versions.v8`), node's own arguments and the environment. */
export interface JitFacts {
	readonly v8Version: string;
	readonly execArgv: readonly string[];
	readonly env: Readonly<Record<string, string | undefined>>;
}

/** The flags to set: the budget flag of this V8 version, or none (an unknown V8, `MYCOTOP_JIT=v8`, or the user's own). Pure. */
export function jitBudgetFlags({v8Version, execArgv, env}: JitFacts): readonly string[] {
	if (env['MYCOTOP_JIT'] === 'v8') return [];
	const budget = BUDGET_BY_V8_MAJOR[Number.parseInt(v8Version, 10)];
	if (budget === undefined) return [];
	const given = [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].filter((arg) => arg.startsWith('--'));
	if (given.some((arg) => BUDGET_FLAGS.has(flagName(arg)))) return [];
	return [`${budget.flag}=${budget.v8Own * BUDGET_FACTOR}`];
}

/** The flags that put V8's own budget back (for flags set by jitBudgetFlags), or none. Pure. */
export function v8OwnBudgetFlags(v8Version: string): readonly string[] {
	const budget = BUDGET_BY_V8_MAJOR[Number.parseInt(v8Version, 10)];
	return budget === undefined ? [] : [`${budget.flag}=${budget.v8Own}`];
}

/**
A busy process gets V8's own budget back: with events streaming in (200 a second), the larger budget kept part of
the event path on the baseline tiers for minutes and cost about 0.3 % of a core at steady state (BENCHMARKS.md,
eleventh session). Busy: more than BUSY_PERCENT of a core over a CHECK_MS window, the first window after start
(loading, hydration) left out. Once back, it stays back.
*/
export const BUSY_PERCENT = 2.5;
export const CHECK_MS = 10_000;

/** Whether `cpuMicros` of CPU over `wallMs` is busy (see BUSY_PERCENT). Pure. */
export function isBusy(cpuMicros: number, wallMs: number): boolean {
	return wallMs > 0 && cpuMicros / 10 / wallMs > BUSY_PERCENT;
}

/** What watchBusy needs: the process's CPU so far (µs), the time (ms), a timer, and what to do when it is busy. */
export interface BusyWatch {
	readonly cpuMicros: () => number;
	readonly nowMs: () => number;
	readonly every: (ms: number, fn: () => void) => {stop(): void};
	readonly onBusy: () => void;
}

/** Check every CHECK_MS; after the first window, call onBusy once the process is busy, then stop. Returns the stop. */
export function watchBusy({cpuMicros, nowMs, every, onBusy}: BusyWatch): () => void {
	let windows = 0;
	let lastCpu = cpuMicros();
	let lastMs = nowMs();
	const timer = every(CHECK_MS, () => {
		const cpu = cpuMicros();
		const ms = nowMs();
		const busy = isBusy(cpu - lastCpu, ms - lastMs);
		windows += 1;
		lastCpu = cpu;
		lastMs = ms;
		if (windows > 1 && busy) {
			timer.stop();
			onBusy();
		}
	});
	return () => timer.stop();
}

/** Set `flags` on this process; false when V8 refused. Never throws. */
function setAll(flags: readonly string[], set: (flags: string) => void): boolean {
	try {
		for (const flag of flags) set(flag);
		return true;
	} catch {
		return false;
	}
}

/**
Set the budget flags on this process (see jitBudgetFlags), and watch it (watchBusy, an unref'd timer: it never keeps
the process alive) to put V8's own budget back once it is busy. Returns the flags set. Never throws.
*/
export function useJitBudget(facts: JitFacts = {v8Version: process.versions.v8, execArgv: process.execArgv, env: process.env}, set: (flags: string) => void = setFlagsFromString): readonly string[] {
	const flags = jitBudgetFlags(facts);
	if (flags.length === 0 || !setAll(flags, set)) return [];
	watchBusy({
		cpuMicros: () => {
			const u = process.cpuUsage();
			return u.user + u.system;
		},
		nowMs: () => performance.now(),
		every: (ms, fn) => {
			const timer = setInterval(fn, ms).unref();
			return {stop: () => clearInterval(timer)};
		},
		onBusy: () => setAll(v8OwnBudgetFlags(facts.v8Version), set),
	});
	return flags;
}
