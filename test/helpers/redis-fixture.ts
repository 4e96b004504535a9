/**
The Redis-plus-runtime set-up shared by test/integration and test/faults, as vitest fixtures (`test.extend`):

- `redis`: a private redis-server (helpers/redis-server.ts) for the test file, started on first use and stopped
  after the file's last test (resumed first, should a test have left it SIGSTOPped). `redisArgs` sets its extra
  arguments for a file: `const it = redisTest.extend({redisArgs: [async ({}, use) => use([...]), {scope: 'file'}]})`.
- `startRuntime(options?)`: a started Runtime on that Redis (or on `options.redisUrl`), a writer by default (not read-only,
  no demo); every runtime a test started is stopped after that test, in reverse order.

`redisPerTest` is the same with a fresh redis-server per test, for tests that need an empty key space.
Skip a file without redis-server as before: `describe.runIf(redisAvailable())`.
*/
import {test} from 'vitest';
import {Runtime, type RuntimeOptions} from '../../src/runtime.js';
import {startRedis, type TestRedis} from './redis-server.js';

export interface RuntimeFixtureOptions extends Partial<RuntimeOptions> {
	/** How long start() may wait for Redis (ms). Default: Runtime's. */
	readonly startTimeoutMs?: number;
	/** How long stop() may take after the test (ms). Default: Runtime's. */
	readonly stopTimeoutMs?: number;
}

export interface RedisFixtures {
	/** A private redis-server, stopped after the file (redisTest) or the test (redisPerTest). */
	redis: TestRedis;
	/** Starts a Runtime on `redis` (or `options.redisUrl`); stopped after the test. */
	startRuntime: (options?: RuntimeFixtureOptions) => Promise<Runtime>;
}

interface FileFixtures {
	/** Extra redis-server arguments for the file's server. */
	redisArgs: readonly string[];
}

async function useRedis(args: readonly string[], use: (redis: TestRedis) => Promise<void>): Promise<void> {
	const redis = await startRedis(args);
	try {
		await use(redis);
	} finally {
		redis.resume();
		await redis.stop();
	}
}

const startRuntimeFixture = async ({redis}: {redis: TestRedis}, use: (start: RedisFixtures['startRuntime']) => Promise<void>): Promise<void> => {
	const started: Array<{runtime: Runtime; stopMs: number | undefined}> = [];
	try {
		await use(async (options = {}) => {
			const {startTimeoutMs, stopTimeoutMs, ...rest} = options;
			const runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, ...rest});
			started.push({runtime, stopMs: stopTimeoutMs});
			await runtime.start(startTimeoutMs);
			return runtime;
		});
	} finally {
		for (const {runtime, stopMs} of started.reverse()) await runtime.stop(stopMs);
	}
};

/** Redis for the file (one server, shared by its tests) plus runtimes per test. */
export const redisTest = test.extend<RedisFixtures & FileFixtures>({
	// eslint-disable-next-line no-empty-pattern
	redisArgs: [async ({}, use) => use([]), {scope: 'file'}],
	redis: [async ({redisArgs}, use) => useRedis(redisArgs, use), {scope: 'file'}],
	startRuntime: startRuntimeFixture,
});

/** A fresh redis-server for every test, plus runtimes per test. */
export const redisPerTest = test.extend<RedisFixtures & FileFixtures>({
	// eslint-disable-next-line no-empty-pattern
	redisArgs: [async ({}, use) => use([]), {scope: 'file'}],
	redis: async ({redisArgs}, use) => useRedis(redisArgs, use),
	startRuntime: startRuntimeFixture,
});
