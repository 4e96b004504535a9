import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		// Ink checks is-in-ci at import time; real-terminal tests need the interactive path.
		env: {CI_ORIGINAL: process.env.CI ?? '', CI: 'false'},
		testTimeout: 30_000,
		hookTimeout: 30_000,
		pool: 'forks',
		fileParallelism: true,
		// The fault tests' table (fault, expected, observed) prints after the run; other tests add no row.
		reporters: ['default', './test/faults/table-reporter.ts'],
	},
});
