/**
A writer whose connection comes back on another server (a Sentinel failover moves it to the promoted replica) must
not write there before that server said the lease is still its own. Its trust window was earned on the old master;
renewals the old master took after its last replication never reached the new one, where the lease may have expired
and been taken by another instance. Emulated with two redis-servers behind a proxy that is switched from the first
to the second, where another instance holds the lease and the lease's answer is held back (CLIENT PAUSE WRITE).
*/
import {createServer, connect, type Server, type Socket} from 'node:net';
import {afterAll, describe, expect} from 'vitest';
import {Redis} from 'ioredis';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {ourKeys} from '../../src/contract/names.js';

/** A TCP proxy whose upstream port can be switched; resetAll() cuts every open connection. */
async function switchingProxy(initialPort: number): Promise<{url: string; switchTo(port: number): void; resetAll(): void; close(): Promise<void>}> {
	let target = initialPort;
	const sockets = new Set<Socket>();
	const server: Server = createServer((client) => {
		const upstream = connect(target, '127.0.0.1');
		for (const s of [client, upstream]) {
			sockets.add(s);
			s.on('error', () => {});
			s.on('close', () => {
				client.destroy();
				upstream.destroy();
				sockets.delete(s);
			});
		}
		client.pipe(upstream);
		upstream.pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as {port: number}).port;
	return {
		url: `redis://127.0.0.1:${port}`,
		switchTo: (p) => {
			target = p;
		},
		resetAll: () => {
			for (const s of sockets) s.destroy();
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}

describe.runIf(redisAvailable())('lease after the connection moved to another server', () => {
	let second: TestRedis | undefined;
	let proxyClose: (() => Promise<void>) | undefined;
	afterAll(async () => {
		await proxyClose?.();
		await second?.stop();
	});

	it('writes wait for the new server to answer the lease; another holder there means nothing is written and the entry is counted', async ({redis, startRuntime}) => {
		second = await startRedis();
		const proxy = await switchingProxy(redis.port);
		proxyClose = proxy.close;
		const runtime = await startRuntime({redisUrl: proxy.url, startTimeoutMs: 3000, stopTimeoutMs: 500});
		await waitFor(() => runtime.bus.role === 'writer', 8000, 'writer lease on the first server');

		const admin = new Redis(second.url, {lazyConnect: true});
		await admin.connect();
		// On the second server another instance holds the lease; its answer to this instance is held back for 1.5 s.
		await admin.set(ourKeys.writerLease, 'another-instance', 'PX', 60_000);
		await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE');
		proxy.switchTo(second.port);
		proxy.resetAll();
		await waitFor(() => runtime.bus.status().connection?.kind !== 'connected', 5000, 'the cut noticed');
		await waitFor(() => runtime.bus.status().connection?.kind === 'connected', 5000, 'connected to the second server');

		// The old trust window has not run out (renewed under a second ago), but this server has not answered yet.
		expect(runtime.bus.canWrite()).toBe(false);
		runtime.writer.enqueueList('mycotop:test:after-switch', '"x"', 60);
		void runtime.writer.flush();

		await waitFor(() => runtime.bus.role === 'viewer', 5000, 'viewer once the second server answered');
		await waitFor(async () => runtime.writer.stats.handedOver + runtime.writer.stats.dropped >= 1, 5000, 'the entry counted');
		expect(await admin.llen('mycotop:test:after-switch')).toBe(0);
		expect(await admin.get(ourKeys.writerLastBatch(runtime.instanceId))).toBeNull();
		admin.disconnect();
	});
});
