/**
A Sentinel set-up on loopback for a test: a master, one replica and three sentinels (quorum 2), each on a free port
in its own temp dir, with short timers (down-after 1000 ms, failover-timeout 3000 ms) so a failover takes a few
seconds. Everything started is stopped by stop(), also when the start itself fails half-way.
*/
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Redis} from 'ioredis';
import {freePort, startRedis, waitFor, type TestRedis} from './redis-server.js';

const MASTER_NAME = 'mycomaster';

/** `redis-sentinel` (Debian package redis-sentinel), else `redis-server --sentinel`. */
function sentinelCommand(config: string): [string, string[]] {
	if (spawnSync('redis-sentinel', ['--version'], {stdio: 'ignore'}).status === 0) return ['redis-sentinel', [config]];
	return [process.env['REDIS_SERVER_BIN'] ?? 'redis-server', [config, '--sentinel']];
}

export interface TestSentinel {
	readonly master: TestRedis;
	readonly replica: TestRedis;
	readonly sentinelPorts: readonly number[];
	/** redis+sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/mycomaster */
	readonly url: string;
	/** A client that follows the master through the sentinels (for the test's publishes and reads). */
	client(): Redis;
	/** A plain client to one sentinel. */
	sentinel(index?: number): Redis;
	/** The master's address as the sentinels say now. */
	masterPort(): Promise<number>;
	stop(): Promise<void>;
}

const plain = (port: number, password?: string) => {
	const c = new Redis({port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: false, ...(password === undefined ? {} : {password})});
	c.on('error', () => {});
	return c;
};

export interface SentinelSetOptions {
	/** requirepass (and masterauth) on the master and the replica. */
	readonly password?: string;
	/** requirepass on the sentinels. */
	readonly sentinelPassword?: string;
}

export async function startSentinelSet(options: SentinelSetOptions = {}): Promise<TestSentinel> {
	const servers: TestRedis[] = [];
	const sentinels: ChildProcess[] = [];
	const dirs: string[] = [];
	const clients: Redis[] = [];
	const stop = async () => {
		for (const c of clients.splice(0)) c.disconnect();
		await Promise.all(
			sentinels.splice(0).map(
				(child) =>
					new Promise<void>((resolve) => {
						if (child.exitCode !== null || child.signalCode !== null) return resolve();
						child.once('exit', () => resolve());
						child.kill('SIGKILL');
					}),
			),
		);
		for (const s of servers.splice(0)) await s.stop();
		for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true});
	};
	try {
		const master = await startRedis(['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']);
		servers.push(master);
		const replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port), '--repl-diskless-load', 'swapdb']);
		servers.push(replica);
		const admin = plain(master.port);
		clients.push(admin);
		await waitFor(async () => /connected_slaves:1/.test(await admin.info('replication')), 15_000, 'the replica to attach');
		const replicaAdmin = plain(replica.port);
		clients.push(replicaAdmin);
		await waitFor(async () => /master_link_status:up/.test(await replicaAdmin.info('replication')), 15_000, 'the replica to sync');
		if (options.password !== undefined) {
			// Set after the start (the start's probe has no password): the replica authenticates first, then both require it.
			for (const c of [replicaAdmin, admin]) await c.config('SET', 'masterauth', options.password);
			for (const c of [replicaAdmin, admin]) await c.config('SET', 'requirepass', options.password);
		}

		const sentinelPorts: number[] = [];
		for (let i = 0; i < 3; i++) {
			const port = await freePort();
			const dir = mkdtempSync(join(tmpdir(), 'mycotop-sentinel-'));
			dirs.push(dir);
			const config = join(dir, 'sentinel.conf');
			writeFileSync(
				config,
				[
					`port ${port}`,
					'bind 127.0.0.1',
					`dir ${dir}`,
					`sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
					`sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
					`sentinel failover-timeout ${MASTER_NAME} 3000`,
					`sentinel parallel-syncs ${MASTER_NAME} 1`,
					...(options.password === undefined ? [] : [`sentinel auth-pass ${MASTER_NAME} ${options.password}`]),
					...(options.sentinelPassword === undefined ? [] : [`requirepass ${options.sentinelPassword}`]),
					'',
				].join('\n'),
			);
			const [bin, args] = sentinelCommand(config);
			sentinels.push(spawn(bin, args, {stdio: 'ignore'}));
			sentinelPorts.push(port);
		}
		const sentinelClients = sentinelPorts.map((port) => plain(port, options.sentinelPassword));
		clients.push(...sentinelClients);
		// Ready when every sentinel knows the replica and the two other sentinels (hello messages every 2 s): a failover
		// needs a majority of the sentinels to vote.
		await waitFor(
			async () => {
				for (const s of sentinelClients) {
					const fields = (await s.call('SENTINEL', 'MASTER', MASTER_NAME).catch(() => [])) as string[];
					const at = (name: string) => fields[fields.indexOf(name) + 1];
					if (at('num-slaves') !== '1' || at('num-other-sentinels') !== '2') return false;
				}
				return true;
			},
			20_000,
			'three sentinels that know the replica and each other',
		);
		const url = `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${MASTER_NAME}`;
		return {
			master,
			replica,
			sentinelPorts,
			url,
			client() {
				const c = new Redis({
					sentinels: sentinelPorts.map((port) => ({host: '127.0.0.1', port})),
					name: MASTER_NAME,
					maxRetriesPerRequest: 1,
					retryStrategy: () => 100,
					failoverDetector: true,
					...(options.password === undefined ? {} : {password: options.password}),
					...(options.sentinelPassword === undefined ? {} : {sentinelPassword: options.sentinelPassword}),
				});
				c.on('error', () => {});
				// ioredis ends a Sentinel client for good when its failover detector cancels a reconnect in flight
				// (src/bus/redis-link.ts, revive): the producer's client connects again, as mycotop's own connections do.
				c.on('end', () => {
					setTimeout(() => {
						if (clients.includes(c) && c.status === 'end') void c.connect().catch(() => {});
					}, 100);
				});
				clients.push(c);
				return c;
			},
			sentinel(index = 0) {
				return sentinelClients[index]!;
			},
			async masterPort() {
				for (const s of sentinelClients) {
					const reply = (await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME).catch(() => null)) as [string, string] | null;
					if (reply !== null) return Number(reply[1]);
				}
				throw new Error('no sentinel answered');
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
