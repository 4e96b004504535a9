/**
A private redis-server per test file, on a free port, in a temp dir, never the shared instance on 6379.
When redis-server is missing: with CI=true the run fails with how to install it; elsewhere the tests are
skipped with a loud notice.
*/
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Redis} from 'ioredis';

const REDIS_SERVER = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';

function onPath(bin: string): boolean {
	return spawnSync(bin, ['--version'], {stdio: 'ignore'}).status === 0;
}

/** True when integration tests can run; throws in CI when redis-server is missing. */
export function redisAvailable(bin = REDIS_SERVER, env: NodeJS.ProcessEnv = process.env): boolean {
	if (onPath(bin)) return true;
	const message = `${bin} was not found on PATH. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server) or set REDIS_SERVER_BIN.`;
	// vitest.config.ts keeps the runner's CI value in CI_ORIGINAL (CI itself is forced to false for Ink).
	if ((env['CI_ORIGINAL'] ?? env['CI']) === 'true') throw new Error(`CI=true and ${message}`);
	process.stderr.write(`\n\n*** SKIPPING Redis integration tests: ${message} ***\n\n`);
	return false;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export interface TestRedis {
	readonly port: number;
	readonly url: string;
	/** A plain client for the test's own reads and publishes. */
	client(): Redis;
	stop(): Promise<void>;
	/** Kill (SIGKILL) and start again on the same port (data is lost: no persistence). */
	restart(downMs?: number): Promise<void>;
	kill(): Promise<void>;
	start(): Promise<void>;
	pause(): void;
	resume(): void;
	readonly pid: number | undefined;
}

export async function startRedis(extraArgs: readonly string[] = [], fixedPort?: number): Promise<TestRedis> {
	const port = fixedPort ?? (await freePort());
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-redis-'));
	let child: ChildProcess | undefined;
	const clients: Redis[] = [];

	const launch = async () => {
		child = spawn(
			REDIS_SERVER,
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'local', ...extraArgs],
			{stdio: 'ignore'},
		);
		const deadline = Date.now() + 10_000;
		for (;;) {
			const probe = new Redis({port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false});
			probe.on('error', () => {});
			try {
				await probe.connect();
				await probe.ping();
				probe.disconnect();
				return;
			} catch {
				probe.disconnect();
				if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		}
	};

	const kill = async () => {
		const c = child;
		if (!c || c.exitCode !== null || c.signalCode !== null) return;
		await new Promise<void>((resolve) => {
			c.once('exit', () => resolve());
			c.kill('SIGKILL');
		});
	};

	await launch();
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		get pid() {
			return child?.pid;
		},
		client() {
			const c = new Redis({port, host: '127.0.0.1', maxRetriesPerRequest: 3});
			c.on('error', () => {});
			clients.push(c);
			return c;
		},
		async stop() {
			for (const c of clients) c.disconnect();
			await kill();
			rmSync(dir, {recursive: true, force: true});
		},
		async restart(downMs = 0) {
			await kill();
			if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
			await launch();
		},
		kill,
		start: launch,
		pause() {
			child?.kill('SIGSTOP');
		},
		resume() {
			child?.kill('SIGCONT');
		},
	};
}

/** Poll until `check` returns true (or throw after `timeoutMs`). Tests wait for conditions, not fixed sleeps. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}
