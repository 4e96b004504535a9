/**
How soon V8 compiles a function with its optimizing compiler (TurboFan). V8 counts how much of a function's bytecode
has run; past a budget it compiles the function again, on a background thread, into optimized code. The budget is
sized for programs that run the same code thousands of times a second. mycotop's collector and dashboard run most of
their code once a second (a GPU sample, a rules tick, a frame): each function reaches the budget after minutes, one
after another, so V8 spends the first minutes of every run compiling (about 15-25 optimizing compiles per 10 s in the
collector's first two minutes, 0.2-0.3 % of a core on a background thread; BENCHMARKS.md, eleventh session) code that
the baseline compiler already runs well enough at one call a second.

Ten times the budget: code that runs a few times a second reaches it ten times later and stays on V8's baseline
tiers (Ignition, Sparkplug) meanwhile; code that runs hundreds of times a second (a frame's per-cell loops) still
reaches it within seconds. The price: under a steady stream of events the event path stays on the baseline tiers for
minutes. So it is set for `--headless` only, the collector of a fleet's boxes, which mostly samples GPUs: the dashboard
measured 4.26 and 4.66 % of a core with it after four minutes at 200 events/s against 3.63 and 4.20 % with V8's own
budget (BENCHMARKS.md, thirteenth session). `MYCOTOP_JIT=x10` sets it for every mode, `MYCOTOP_JIT=v8` for none (a
collector whose agents report all day).

The flag differs by V8 version: V8 11 (Node 20) has `--interrupt-budget` (default 67,584), V8 12 (Node 22) counts
invocations (`--invocation-count-for-turbofan`, default 3,000). V8 13 (Node 24) has the same flag and honours it, but
the collector measured no gain there (one pair of runs: 1.03 % with it, 0.93 % without), so nothing is set; V8
prints an error for a flag it does not know, so nothing is set on any other V8 either. Set at run time
(`v8.setFlagsFromString`, first thing at start): V8 reads them at each tiering decision. Either flag on node's command
line or in NODE_OPTIONS keeps the user's budget.
*/
import {setFlagsFromString} from 'node:v8';
import {givesNodeFlag, setV8Flags} from './lean-heap.js';

/** How many times V8's own budget. */
export const BUDGET_FACTOR = 10;

/** The flag, with ten times its default, for each V8 major version it is known on. */
const FLAGS_BY_V8_MAJOR: Readonly<Record<number, string>> = {
	11: `--interrupt-budget=${67_584 * BUDGET_FACTOR}`,
	12: `--invocation-count-for-turbofan=${3000 * BUDGET_FACTOR}`,
};

/** Flags that set the budget themselves: when the user gives one, mycotop leaves it to them. */
const BUDGET_FLAGS = new Set(['--interrupt-budget', '--invocation-count-for-turbofan', '--max-opt', '--jitless', '--no-opt', '--no-turbofan']);


/** What decides the flags: V8's version (`process.versions.v8`), mycotop's and node's own arguments and the environment. */
export interface JitFacts {
	readonly v8Version: string;
	/** mycotop's arguments (`process.argv.slice(2)`). */
	readonly argv: readonly string[];
	readonly execArgv: readonly string[];
	readonly env: Readonly<Record<string, string | undefined>>;
}

/**
The flags to set: the budget flag of this V8 version for `--headless` (or any mode with `MYCOTOP_JIT=x10`), or none
(the dashboard and the commands, an unknown V8, `MYCOTOP_JIT=v8`, or the user's own). Pure.
*/
export function jitBudgetFlags({v8Version, argv, execArgv, env}: JitFacts): readonly string[] {
	const choice = env['MYCOTOP_JIT'];
	if (choice === 'v8') return [];
	if (choice !== 'x10' && !argv.includes('--headless')) return [];
	const flag = FLAGS_BY_V8_MAJOR[Number.parseInt(v8Version, 10)];
	if (flag === undefined) return [];
	if (givesNodeFlag(execArgv, env, BUDGET_FLAGS)) return [];
	return [flag];
}

/** Set the budget flags on this process (see jitBudgetFlags); returns the flags set. Never throws. */
export function useJitBudget(facts: JitFacts = {v8Version: process.versions.v8, argv: process.argv.slice(2), execArgv: process.execArgv, env: process.env}, set: (flags: string) => void = setFlagsFromString): readonly string[] {
	return setV8Flags(jitBudgetFlags(facts), set);
}
