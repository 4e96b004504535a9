/**
A slot's transaction whose connection closes after Redis applied it, before the answer came back: the outcome is
unknown, and only the writer may decide (by the batch's marker) whether to send it again. The Cluster client must not
send it again on its own (ioredis re-sends a command that failed with "Connection is closed." after
`retryDelayOnFailover`), or its list entries are applied twice.

A one-node cluster (every slot on one redis-server) that announces a proxy's port, so the client's connections go
through the proxy; the proxy cuts the connection instead of passing on the answer to the first MULTI that names the
test's key.
*/
import {createServer, connect, type Server, type Socket} from 'node:net';
import {afterAll, describe, expect, it} from 'vitest';
import {Redis} from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {parseRedisUrl} from '../../src/bus/redis-url.js';
import {createRedisClient} from '../../src/bus/redis-client.js';
import {redisOptions} from '../../src/bus/redis-link.js';
import {kvForClient} from '../../src/bus/cluster-kv.js';

const KEY = 'mycotop:test:applied-once';

/** Forwards to `port`; the answer to the first client write that names KEY and holds an EXEC is swallowed and the link cut. */
async function cuttingProxy(port: number): Promise<{port: number; cuts: () => number; close(): Promise<void>}> {
	let cut = 0;
	const sockets = new Set<Socket>();
	const server: Server = createServer((client) => {
		const upstream = connect(port, '127.0.0.1');
		let armed = false;
		for (const s of [client, upstream]) {
			sockets.add(s);
			s.on('error', () => {});
			s.on('close', () => {
				client.destroy();
				upstream.destroy();
				sockets.delete(s);
			});
		}
		client.on('data', (chunk: Buffer) => {
			const text = chunk.toString('latin1');
			if (cut === 0 && text.includes(KEY) && /exec/i.test(text)) armed = true;
			upstream.write(chunk);
		});
		upstream.on('data', (chunk: Buffer) => {
			if (armed) {
				armed = false;
				cut += 1;
				client.destroy();
				upstream.destroy();
				return;
			}
			client.write(chunk);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as {port: number}).port,
		cuts: () => cut,
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}

describe.runIf(redisAvailable())('Cluster: a transaction whose answer was lost', () => {
	const nodes: TestRedis[] = [];
	let closeProxy: (() => Promise<void>) | undefined;
	afterAll(async () => {
		await closeProxy?.();
		await Promise.all(nodes.map((n) => n.stop()));
	});

	it('is applied once: the client does not send it again by itself', async () => {
		// Two masters: the test's key on the first (behind the proxy); the second keeps the cluster client ready while
		// the first's connection is cut (as in a real cluster, where one node's connection closing leaves the others).
		for (let i = 0; i < 2; i++) nodes.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
		const [first, second] = nodes as [TestRedis, TestRedis];
		const admin = new Redis(first.port, '127.0.0.1');
		const admin2 = new Redis(second.port, '127.0.0.1');
		const keySlot = calculateSlot(KEY);
		const otherSlot = keySlot === 0 ? 16_383 : 0;
		for (let slot = 0; slot < 16_384; slot += 4096) {
			const slots = Array.from({length: 4096}, (_, i) => slot + i).filter((s) => s !== otherSlot);
			await admin.call('CLUSTER', 'ADDSLOTS', ...slots.map(String));
		}
		await admin2.call('CLUSTER', 'ADDSLOTS', String(otherSlot));
		for (const a of [admin, admin2]) await a.config('SET', 'cluster-announce-ip', '127.0.0.1');
		await admin.call('CLUSTER', 'MEET', '127.0.0.1', String(second.port));
		await waitFor(
			async () => /cluster_state:ok/.test(String(await admin.call('CLUSTER', 'INFO'))) && /cluster_state:ok/.test(String(await admin2.call('CLUSTER', 'INFO'))),
			15_000,
			'cluster_state:ok',
		);
		const proxy = await cuttingProxy(first.port);
		closeProxy = proxy.close;
		await admin.config('SET', 'cluster-announce-port', String(proxy.port));
		await waitFor(async () => String(await admin2.call('CLUSTER', 'NODES')).includes(`:${proxy.port}@`), 10_000, 'the proxy port announced');

		const target = parseRedisUrl(`redis+cluster://127.0.0.1:${proxy.port}`);
		const client = createRedisClient(target, redisOptions('writer', target, {socketTimeoutMs: 5000, lastErrorWasAuth: () => false}));
		client.on('error', () => {});
		try {
			await client.connect().catch(() => {});
			const kv = kvForClient(client, 'test-instance');
			await waitFor(
				async () => {
					try {
						await kv.ping();
						return true;
					} catch {
						return false;
					}
				},
				10_000,
				'cluster client ready',
			);
			const outcome = await kv
				.exec(
					[
						['LPUSH', KEY, 'entry'],
						['EXPIRE', KEY, 600],
					],
					{marker: ['SET', 'mycotop:writer:last_batch:test-instance', 'b1', 'EX', 600]},
				)
				.then(
					() => 'resolved',
					(error: unknown) => String(error),
				);
			expect(proxy.cuts(), outcome).toBe(1);
			// Unknown to the client: it says so (the writer then asks for the marker), it does not resolve.
			expect(outcome).toMatch(/Connection is closed/);
			// The writer settles the unknown outcome itself; give a silent client-side re-send time to happen.
			await new Promise((resolve) => setTimeout(resolve, 1000));
			expect(await admin.llen(KEY), outcome).toBe(1);
		} finally {
			client.disconnect();
			admin.disconnect();
			admin2.disconnect();
		}
	});
});
