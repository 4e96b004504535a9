/**
A Redis Cluster on loopback for a test: six redis-servers (cluster-enabled, node timeout 1000 ms), joined by
`redis-cli --cluster create ... --cluster-replicas 1` into three masters with one replica each. stop() stops every
server and removes their dirs, also when the start fails half-way.
*/
import {execFile} from 'node:child_process';
import {Cluster, Redis} from 'ioredis';
import {startRedis, waitFor, type TestRedis} from './redis-server.js';

export interface TestCluster {
	readonly nodes: readonly TestRedis[];
	/** redis+cluster://127.0.0.1:p1,...,127.0.0.1:p6 */
	readonly url: string;
	/** An ioredis Cluster client for the test's own reads and publishes. */
	client(): Cluster;
	/** The node that serves `slot` as master now. */
	masterOf(slot: number): Promise<TestRedis>;
	/** Wait until every live node says cluster_state:ok and every slot is served by a live master. */
	waitHealthy(timeoutMs?: number): Promise<void>;
	stop(): Promise<void>;
}

const CLI = process.env['REDIS_CLI_BIN'] ?? 'redis-cli';

function run(bin: string, args: readonly string[], timeoutMs: number): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(bin, args, {timeout: timeoutMs}, (error, stdout, stderr) => (error ? reject(new Error(`${bin} ${args.slice(0, 2).join(' ')}: ${error.message} ${stderr}`)) : resolve(stdout)));
	});
}

const probe = (port: number) => {
	const c = new Redis({port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true, enableOfflineQueue: false});
	c.on('error', () => {});
	return c;
};

async function ask<T>(port: number, fn: (c: Redis) => Promise<T>): Promise<T | undefined> {
	const c = probe(port);
	try {
		await c.connect();
		return await fn(c);
	} catch {
		return undefined;
	} finally {
		c.disconnect();
	}
}

export async function startCluster(): Promise<TestCluster> {
	const nodes: TestRedis[] = [];
	const clients: Cluster[] = [];
	const stop = async () => {
		for (const c of clients.splice(0)) c.disconnect();
		await Promise.all(nodes.splice(0).map((n) => n.stop()));
	};
	const alive = async () => {
		const out: TestRedis[] = [];
		for (const n of nodes) if ((await ask(n.port, (c) => c.ping())) === 'PONG') out.push(n);
		return out;
	};
	const waitHealthy = async (timeoutMs = 20_000) => {
		await waitFor(
			async () => {
				const live = await alive();
				for (const n of live) if (!/cluster_state:ok/.test((await ask(n.port, (c) => c.call('CLUSTER', 'INFO') as Promise<string>)) ?? '')) return false;
				// Every slot served by a live master.
				const slots = (await ask(live[0]!.port, (c) => c.call('CLUSTER', 'SLOTS') as Promise<Array<[number, number, [string, number]]>>)) ?? [];
				const livePorts = new Set(live.map((n) => n.port));
				const covered = slots.reduce((sum, [from, to, master]) => sum + (livePorts.has(Number(master[1])) ? to - from + 1 : 0), 0);
				return covered === 16_384;
			},
			timeoutMs,
			'cluster_state:ok with every slot on a live master',
		);
	};
	try {
		for (let i = 0; i < 6; i++) nodes.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000']));
		await run(CLI, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], 30_000);
		await waitHealthy(30_000);
		// Every replica attached and synced, so that killing a master promotes one.
		await waitFor(
			async () => {
				let synced = 0;
				for (const n of nodes) if (/master_link_status:up/.test((await ask(n.port, (c) => c.info('replication'))) ?? '')) synced += 1;
				return synced === 3;
			},
			20_000,
			'three replicas in sync',
		);
		const url = `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
		return {
			nodes,
			url,
			client() {
				const c = new Cluster(
					nodes.map((n) => ({host: '127.0.0.1', port: n.port})),
					{retryDelayOnFailover: 200, retryDelayOnClusterDown: 200, redisOptions: {maxRetriesPerRequest: 3}},
				);
				c.on('error', () => {});
				clients.push(c);
				return c;
			},
			async masterOf(slot: number) {
				for (const n of await alive()) {
					const slots = await ask(n.port, (c) => c.call('CLUSTER', 'SLOTS') as Promise<Array<[number, number, [string, number]]>>);
					const range = slots?.find(([from, to]) => slot >= from && slot <= to);
					const port = range === undefined ? undefined : Number(range[2][1]);
					const node = nodes.find((x) => x.port === port);
					if (node !== undefined) return node;
				}
				throw new Error(`no live node says who serves slot ${slot}`);
			},
			waitHealthy,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
