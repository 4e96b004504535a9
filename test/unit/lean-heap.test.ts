/**
The dashboard's lean heap (src/lean-heap.ts): which flags are set when, and that the Node running the tests still
honours them when they are set from inside a running process (V8 reads them at each collection). If a Node release
stops reading either flag at run time, the second test fails: the memory figures in BENCHMARKS.md would no longer hold.
*/
import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {LEAN_HEAP_FLAGS, leanHeapFlags, useLeanHeap} from '../../src/lean-heap.js';

describe('leanHeapFlags', () => {
	const facts = (argv: string[], execArgv: string[], env: Record<string, string>) => ({argv, execArgv, env});

	it('sets the young generation and old generation flags for the dashboard and the commands', () => {
		expect(leanHeapFlags(facts([], [], {}))).toEqual(['--semi-space-growth-factor=1', '--heap-growing-percent=50']);
		expect(leanHeapFlags(facts(['--demo', '--refresh', '100'], ['--enable-source-maps'], {NODE_OPTIONS: '--max-http-header-size=1000'}))).toBe(LEAN_HEAP_FLAGS);
		expect(leanHeapFlags(facts(['history', '--list'], [], {}))).toBe(LEAN_HEAP_FLAGS);
	});

	it('leaves the --headless collector with V8 own sizing', () => {
		expect(leanHeapFlags(facts(['--headless', '--no-gpu'], [], {}))).toEqual([]);
	});

	it('leaves the heap to the user who sizes it, on the command line or in NODE_OPTIONS, in any spelling', () => {
		for (const arg of ['--max-old-space-size=4096', '--max_old_space_size=4096', '--max-semi-space-size=64', '--max-heap-size=2000', '--heap-growing-percent=50', '--optimize-for-size']) {
			expect(leanHeapFlags(facts([], [arg], {}))).toEqual([]);
			expect(leanHeapFlags(facts([], [], {NODE_OPTIONS: `--enable-source-maps ${arg}`}))).toEqual([]);
		}
	});

	it('MYCOTOP_HEAP=v8 keeps V8 own sizing; any other value is the default', () => {
		expect(leanHeapFlags(facts([], [], {MYCOTOP_HEAP: 'v8'}))).toEqual([]);
		expect(leanHeapFlags(facts([], [], {MYCOTOP_HEAP: 'lean'}))).toBe(LEAN_HEAP_FLAGS);
	});

	it('useLeanHeap sets each flag and never throws', () => {
		const set: string[] = [];
		expect(useLeanHeap(facts([], [], {}), (flag) => set.push(flag))).toEqual(LEAN_HEAP_FLAGS);
		expect(set).toEqual(LEAN_HEAP_FLAGS);
		expect(
			useLeanHeap(facts([], [], {}), () => {
				throw new Error('no flags here');
			}),
		).toEqual([]);
	});
});

/**
In a child node: the flags set at run time (or none), then 40 MB of objects built up (they survive, which is what
grows V8's young generation) and a stream of medium-lived garbage (promoted, then dropped: what grows the old
generation past the live data). Reports the largest young generation, and young and old generation together, seen, in MB.
*/
const CHILD = `
import v8 from 'node:v8';
for (const flag of JSON.parse(process.argv[1])) v8.setFlagsFromString(flag);
const size = (name) => v8.getHeapSpaceStatistics().find((s) => s.space_name === name).space_size / 2 ** 20;
let young = 0, total = 0;
const live = [];
for (let i = 0; i < 400000; i++) live.push({i, s: 'item-' + i, a: [i, i + 1]});
const window = [];
for (let round = 0; round < 300; round++) {
	const batch = [];
	for (let i = 0; i < 5000; i++) batch.push({round, i, s: 'g-' + round + '-' + i});
	window.push(batch);
	if (window.length > 20) window.shift();
	young = Math.max(young, size('new_space'));
	total = Math.max(total, size('new_space') + size('old_space'));
}
process.stdout.write(JSON.stringify({young, total, kept: live.length + window.length}));
`;

function heapOf(flags: readonly string[]): {young: number; total: number} {
	const run = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, JSON.stringify(flags)], {encoding: 'utf8', timeout: 60_000});
	expect(run.status, run.stderr).toBe(0);
	return JSON.parse(run.stdout) as {young: number; total: number};
}

describe(`V8 of Node ${process.version} honours the lean heap flags set at run time`, () => {
	it('keeps the young generation small and the heap near the live data', () => {
		const v8Own = heapOf([]);
		const lean = heapOf(LEAN_HEAP_FLAGS);
		// The same load grows V8's own young generation (to 32 MB on Node 20 and 22, 128 MB on Node 24: the check has
		// teeth) but not the lean one (2 MB on Node 20 and 22; Node 24 still resizes it a little, 4-13 MB).
		expect(v8Own.young).toBeGreaterThan(16);
		expect(lean.young).toBeLessThanOrEqual(Math.min(16, v8Own.young / 4));
		// About 50 MB live: V8's own young and old generations together run to 190-200 MB, the lean ones to 90-100 MB.
		expect(lean.total).toBeLessThan(v8Own.total * 0.75);
	}, 120_000);
});
