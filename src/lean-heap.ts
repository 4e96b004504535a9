/**
How much heap V8 keeps around the dashboard's live data. V8 sizes its heap for throughput: on a machine with 16 GB
or more it lets the old generation grow to four times what survived the last full collection before collecting
again, and grows the young generation to two 16 MB semi-spaces once a burst of allocation survives (hydration is
one). For a dashboard holding about 70 MB of live data that is 100-300 MB of resident memory that only waits for the
next collection (BENCHMARKS.md, "The TUI's memory").

Two V8 flags that V8 reads at each collection, so they take effect when set from inside the running process
(`v8.setFlagsFromString`, first thing at start), no restart and no wrapper process needed:

- `--semi-space-growth-factor=1`: the young generation keeps the size it starts with (1 MB semi-spaces on
  Node 20-24) instead of doubling up to 16 MB;
- `--heap-growing-percent=N`: the old generation may grow N % past what survived the last full collection before the
  next one (instead of up to 300 %).

Set at run time on purpose: given on node's command line, `--semi-space-growth-factor=1` is raised back to 2 when
V8 sets its heap up (measured: the young generation still reached 32 MB).

Neither is a limit: the heap still grows to whatever the data needs (a `seriesCapacity: 1000000` store included,
whose rings are off the JavaScript heap anyway) and the heap size limit is V8's own. The price is more frequent
collections: about 20 % more CPU per frame in bench:frame (50 % growth; 20 % cost about 40 % for 3-5 MB less),
measured in BENCHMARKS.md. A user who sizes the heap themselves (any heap flag on node's command line
or in NODE_OPTIONS) keeps exactly that; `MYCOTOP_HEAP=v8` keeps V8's own sizing. `--headless` sets none of these: the
collector's young generation is sized by the bin's launcher instead (scripts/launcher.mjs: larger, for less CPU).
*/
import {setFlagsFromString} from 'node:v8';

/** How far the old generation may grow past the live heap before a full collection (V8 default: dynamic, up to 300). */
const HEAP_GROWING_PERCENT = 50;

/** The flags set on a dashboard process. */
export const LEAN_HEAP_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', `--heap-growing-percent=${HEAP_GROWING_PERCENT}`];

/** Node and V8 flags that size the heap: when the user gives one, mycotop leaves the heap to them. */
const HEAP_SIZING_FLAGS = new Set([
	'--max-semi-space-size',
	'--min-semi-space-size',
	'--semi-space-growth-factor',
	'--heap-growing-percent',
	'--max-old-space-size',
	'--max-heap-size',
	'--initial-heap-size',
	'--initial-old-space-size',
	'--optimize-for-size',
]);

/** The flag's name as node reads it (`--max_old_space_size=1` and `--max-old-space-size 1` are `--max-old-space-size`). */
function flagName(arg: string): string {
	const name = arg.split('=', 1)[0]!;
	return name.startsWith('--') ? `--${name.slice(2).replaceAll('_', '-')}` : name;
}

/** What decides the flags: mycotop's arguments, node's own (`process.execArgv`) and the environment. */
export interface LaunchFacts {
	readonly argv: readonly string[];
	readonly execArgv: readonly string[];
	readonly env: Readonly<Record<string, string | undefined>>;
}

/**
The flags to set: none for `--headless` (the collector's CPU is what counts there; the launcher sizes its heap), when
`MYCOTOP_HEAP` is `v8`, or when node's command line or NODE_OPTIONS already sizes the heap. Pure.
*/
export function leanHeapFlags({argv, execArgv, env}: LaunchFacts): readonly string[] {
	if (argv.includes('--headless') || env['MYCOTOP_HEAP'] === 'v8') return [];
	if (givesNodeFlag(execArgv, env, HEAP_SIZING_FLAGS)) return [];
	return LEAN_HEAP_FLAGS;
}

/** Whether node's own arguments or NODE_OPTIONS give one of `names` (in any spelling). Pure. */
export function givesNodeFlag(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>, names: ReadonlySet<string>): boolean {
	return [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((arg) => arg.startsWith('--') && names.has(flagName(arg)));
}

/** Set each of `flags` with `set`; returns the flags set, none when V8 refused one. Never throws. */
export function setV8Flags(flags: readonly string[], set: (flag: string) => void): readonly string[] {
	try {
		for (const flag of flags) set(flag);
	} catch {
		return [];
	}
	return flags;
}

/**
Set the lean heap flags on this process (see leanHeapFlags); returns the flags set. Never throws. Called first thing
by the entries (cli.ts, single-file/entry.ts): V8 grows its young generation while the bundle itself is parsed.
*/
export function useLeanHeap(facts: LaunchFacts = {argv: process.argv.slice(2), execArgv: process.execArgv, env: process.env}, set: (flags: string) => void = setFlagsFromString): readonly string[] {
	return setV8Flags(leanHeapFlags(facts), set);
}
