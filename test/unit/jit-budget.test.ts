/**
The optimizing compiler's budget (src/jit-budget.ts): which flag is set when, and that the Node running the tests
knows the flag and honours it when it is set from inside a running process. If a Node release renames the flag or
stops reading it at run time, the second block fails: the collector's figures in BENCHMARKS.md would no longer hold.
*/
import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {BUDGET_FACTOR, jitBudgetFlags, useJitBudget} from '../../src/jit-budget.js';

const facts = (v8Version: string, execArgv: string[] = [], env: Record<string, string> = {}, argv: string[] = ['--headless']) => ({v8Version, argv, execArgv, env});

describe('jitBudgetFlags', () => {
	it('sets ten times V8 own budget, in the flag this V8 version has', () => {
		expect(BUDGET_FACTOR).toBe(10);
		expect(jitBudgetFlags(facts('11.3.244.8-node.38'))).toEqual(['--interrupt-budget=675840']);
		expect(jitBudgetFlags(facts('12.4.254.21-node.57'))).toEqual(['--invocation-count-for-turbofan=30000']);
	});

	it('sets nothing on a V8 it has not been measured on (13: no gain measured; others: the flag may not exist)', () => {
		for (const version of ['13.6.233.17-node.63', '14.1.0', '10.2.154.26-node.26', '', 'x']) expect(jitBudgetFlags(facts(version))).toEqual([]);
	});

	it('leaves the budget to the user who sets it, on the command line or in NODE_OPTIONS, in any spelling', () => {
		for (const arg of ['--interrupt-budget=1000', '--interrupt_budget=1000', '--invocation-count-for-turbofan=5', '--max-opt=1', '--jitless', '--no-opt']) {
			expect(jitBudgetFlags(facts('11.3.244.8', [arg]))).toEqual([]);
			expect(jitBudgetFlags(facts('12.4.254.21', [], {NODE_OPTIONS: `--enable-source-maps ${arg}`}))).toEqual([]);
		}
		expect(jitBudgetFlags(facts('11.3.244.8', ['--enable-source-maps'], {NODE_OPTIONS: '--max-old-space-size=100'}))).toEqual(['--interrupt-budget=675840']);
	});

	it('only for --headless: the dashboard and the commands keep V8 own budget', () => {
		for (const argv of [[], ['--refresh', '500'], ['--once'], ['ack', 'x'], ['--headlessly']]) expect(jitBudgetFlags(facts('11.3.244.8', [], {}, argv))).toEqual([]);
		expect(jitBudgetFlags(facts('11.3.244.8', [], {}, ['--redis-url', 'redis://x', '--headless']))).toEqual(['--interrupt-budget=675840']);
	});

	it('MYCOTOP_JIT=v8 keeps V8 own budget, MYCOTOP_JIT=x10 sets it in every mode; any other value is the default', () => {
		expect(jitBudgetFlags(facts('11.3.244.8', [], {MYCOTOP_JIT: 'v8'}))).toEqual([]);
		expect(jitBudgetFlags(facts('11.3.244.8', [], {MYCOTOP_JIT: 'x10'}, []))).toEqual(['--interrupt-budget=675840']);
		expect(jitBudgetFlags(facts('12.4.254.21', [], {MYCOTOP_JIT: 'x10'}, ['--refresh', '500']))).toEqual(['--invocation-count-for-turbofan=30000']);
		expect(jitBudgetFlags(facts('13.6.233.17', [], {MYCOTOP_JIT: 'x10'}, []))).toEqual([]);
		expect(jitBudgetFlags(facts('11.3.244.8', [], {MYCOTOP_JIT: 'lazy'}))).toEqual(['--interrupt-budget=675840']);
		expect(jitBudgetFlags(facts('11.3.244.8', [], {MYCOTOP_JIT: 'lazy'}, []))).toEqual([]);
	});

	it('useJitBudget sets each flag and never throws', () => {
		const set: string[] = [];
		expect(useJitBudget(facts('12.4.254.21'), (flag) => set.push(flag))).toEqual(['--invocation-count-for-turbofan=30000']);
		expect(set).toEqual(['--invocation-count-for-turbofan=30000']);
		expect(
			useJitBudget(facts('12.4.254.21'), () => {
				throw new Error('no flags here');
			}),
		).toEqual([]);
	});
});

/**
In a child node: the flags set at run time (or none), then a small function called in batches (the event loop turns
between them, as mycotop's ticks do) from a caller V8 may not optimize, until V8 reports it compiled by TurboFan (%GetOptimizationStatus, bit 6), or a
ceiling. Prints the number of calls it took, and anything V8 printed goes to stderr.
*/
const CHILD = `
import v8 from 'node:v8';
for (const flag of JSON.parse(process.argv.at(-1))) v8.setFlagsFromString(flag);
v8.setFlagsFromString('--allow-natives-syntax');
// Compiled on the main thread when marked: the count does not depend on when a background compile finishes.
v8.setFlagsFromString('--no-concurrent-recompilation');
const status = new Function('f', 'return %GetOptimizationStatus(f)');
const neverOptimize = new Function('f', '%NeverOptimizeFunction(f)');
function f(x) { return (x * 3 + (x >> 2)) % 7 + 1; }
let sink = 0, calls = 0;
// The caller stays unoptimized, so f is never inlined into it and tiers up on its own count.
function batch() { for (let i = 0; i < 100; i++) sink += f(calls++); }
neverOptimize(batch);
const TURBOFANNED = 1 << 6;
while (calls < 3000000 && (status(f) & TURBOFANNED) === 0) {
	batch();
	if (calls % 1000 === 0) await new Promise((r) => setImmediate(r));
}
process.stdout.write(JSON.stringify({calls, sink: sink > 0}));
`;

function callsToTurbofan(flags: readonly string[]): {calls: number; stderr: string} {
	const run = spawnSync(process.execPath, ['--input-type=module', '--no-concurrent-recompilation', '-e', CHILD, JSON.stringify(flags)], {encoding: 'utf8', timeout: 60_000});
	expect(run.status, run.stderr).toBe(0);
	return {calls: (JSON.parse(run.stdout) as {calls: number}).calls, stderr: run.stderr};
}

describe(`V8 of Node ${process.version} (${process.versions.v8}) and the budget flag`, () => {
	const flags = jitBudgetFlags({v8Version: process.versions.v8, argv: ['--headless'], execArgv: [], env: {}});

	it('knows the flag chosen for it: set at run time, V8 prints nothing', () => {
		const run = spawnSync(process.execPath, ['--input-type=module', '-e', `import v8 from 'node:v8'; for (const f of ${JSON.stringify(flags)}) v8.setFlagsFromString(f); process.stdout.write('ran');`], {encoding: 'utf8'});
		expect(run.stdout).toBe('ran');
		expect(run.stderr).toBe('');
		// And a flag V8 does not know is reported on stderr: the check above can fail.
		const unknown = spawnSync(process.execPath, ['--input-type=module', '-e', `import v8 from 'node:v8'; v8.setFlagsFromString('--no-such-budget=1');`], {encoding: 'utf8'});
		expect(unknown.stderr).toMatch(/unrecognized flag/);
	});

	// Node 20 (CI's) and 22 have a flag chosen; on Node 24 mycotop sets none, so there is nothing to compare.
	it.runIf(flags.length === 1)('a function is optimized by TurboFan about ten times later with the flag than without, and still optimized', () => {
		const own = callsToTurbofan([]);
		const budget = callsToTurbofan(flags);
		expect(own.stderr + budget.stderr).toBe('');
		expect(own.calls).toBeLessThan(3_000_000);
		// Ten times the budget: measured 3,300 -> 32,200 calls on Node 20, 3,100 -> 30,100 on Node 22.
		expect(budget.calls).toBeGreaterThan(own.calls * 8);
		expect(budget.calls).toBeLessThan(own.calls * 15);
	});
});
