/**
The Redis-plus-runtime set-up shared by test/integration and test/faults, as vitest fixtures (`test.extend`):

- `redis`: a private redis-server (helpers/redis-server.ts) for the test file, started on first use and stopped
  after the file's last test (resumed first, should a test have left it SIGSTOPped). `redisArgs` sets its extra
  arguments for a file: `const it = redisTest.extend({redisArgs: [async ({}, use) => use([...]), {scope: 'file'}]})`.
- `startRuntime(options?)`: a started Runtime on that Redis (or on `options.redisUrl`), a writer by default (not read-only,
  no demo); every runtime a test started is stopped after that test, in reverse order. `awaitWriterMs` also waits
  for the writer lease.
- `fileRuntime` (redisTest only): one Runtime on the file's Redis shared by the file's tests, started on first use
  with `fileRuntimeOptions` (set per file like `redisArgs`), stopped after the file's last test, before Redis.

`redisPerTest` is the same with a fresh redis-server per test, for tests that need an empty key space; there
`redisArgs` is per test: `it.override('redisArgs', [...])` inside a describe sets it for that describe's tests.
Suite hooks get the file's fixtures: `it.beforeAll(async ({redis}) => ...)`.
Skip a file without redis-server as before: `describe.runIf(redisAvailable())`.
*/
import {test} from 'vitest';
import {Runtime, type RuntimeOptions} from '../../src/runtime.js';
import {startRedis, waitFor, type TestRedis} from './redis-server.js';

interface RuntimeFixtureOptions extends Partial<RuntimeOptions> {
	/** How long start() may wait for Redis (ms). Default: Runtime's. */
	readonly startTimeoutMs?: number;
	/** How long stop() may take after the test (ms). Default: Runtime's. */
	readonly stopTimeoutMs?: number;
	/** After start(), wait this long at most for the writer lease (bus.role 'writer'); fails the test after it. */
	readonly awaitWriterMs?: number;
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

interface FileRuntimeFixtures {
	/** The options of the file's runtime (`fileRuntime`). */
	fileRuntimeOptions: RuntimeFixtureOptions;
	/** One Runtime on the file's Redis for all the file's tests; stopped after the file, before Redis. */
	fileRuntime: Runtime;
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

/** Builds and starts a runtime on `redis` with the options; `started` gets it before it starts (to be stopped even if start fails). */
async function startOn(redis: TestRedis, options: RuntimeFixtureOptions, started: Array<{runtime: Runtime; stopMs: number | undefined}>): Promise<Runtime> {
	const {startTimeoutMs, stopTimeoutMs, awaitWriterMs, ...rest} = options;
	const runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, ...rest});
	started.push({runtime, stopMs: stopTimeoutMs});
	await runtime.start(startTimeoutMs);
	if (awaitWriterMs !== undefined) await waitFor(() => runtime.bus.role === 'writer', awaitWriterMs, 'writer lease');
	return runtime;
}

const startRuntimeFixture = async ({redis}: {redis: TestRedis}, use: (start: RedisFixtures['startRuntime']) => Promise<void>): Promise<void> => {
	const started: Array<{runtime: Runtime; stopMs: number | undefined}> = [];
	try {
		await use(async (options = {}) => startOn(redis, options, started));
	} finally {
		for (const {runtime, stopMs} of started.reverse()) await runtime.stop(stopMs);
	}
};

/** Redis for the file (one server, shared by its tests) plus runtimes per test, and one for the file. */
export const redisTest = test.extend<RedisFixtures & FileFixtures & FileRuntimeFixtures>({
	redisArgs: [async ({}, use) => use([]), {scope: 'file'}],
	redis: [async ({redisArgs}, use) => useRedis(redisArgs, use), {scope: 'file'}],
	startRuntime: startRuntimeFixture,
	fileRuntimeOptions: [async ({}, use) => use({}), {scope: 'file'}],
	fileRuntime: [
		async ({redis, fileRuntimeOptions}, use) => {
			const started: Array<{runtime: Runtime; stopMs: number | undefined}> = [];
			try {
				await use(await startOn(redis, fileRuntimeOptions, started));
			} finally {
				for (const {runtime, stopMs} of started) await runtime.stop(stopMs);
			}
		},
		{scope: 'file'},
	],
});

/** A fresh redis-server for every test (its `redisArgs` per test), plus runtimes per test. */
export const redisPerTest = test.extend<RedisFixtures & FileFixtures>({
	redisArgs: async ({}, use) => use([]),
	redis: async ({redisArgs}, use) => useRedis(redisArgs, use),
	startRuntime: startRuntimeFixture,
});
