import {defineConfig} from 'vitest/config';

/**
Two groups, one after the other. First every test file that does not measure time budgets, in parallel (as many
workers as vitest's default for the machine). Then the fault tests (test/faults: event-loop delay, reconnect and
takeover deadlines, the soak), one file at a time, so that on a machine with many cores their budgets are measured
against mycotop's own stalls and not against the other test files competing for the CPU.
*/
const faultTests = 'test/faults/**/*.test.ts';
// Neither group is 0: vitest moves order-0 files that run on one worker (--maxWorkers=1) behind every group.

export default defineConfig({
	test: {
		// Ink checks is-in-ci at import time; real-terminal tests need the interactive path.
		env: {CI_ORIGINAL: process.env.CI ?? '', CI: 'false'},
		testTimeout: 30_000,
		hookTimeout: 30_000,
		pool: 'forks',
		// The fault tests' table (fault, expected, observed) and one line per failure print after the run.
		reporters: ['default', './test/faults/table-reporter.ts'],
		projects: [
			{
				extends: true,
				test: {name: 'main', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], exclude: [faultTests], fileParallelism: true, sequence: {groupOrder: 1}},
			},
			{
				extends: true,
				test: {name: 'faults', include: [faultTests], fileParallelism: false, sequence: {groupOrder: 2}},
			},
		],
	},
});
