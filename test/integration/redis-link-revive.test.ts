/**
A connection that ioredis ends on its own while the link runs is connected again, subscriptions included. ioredis ends
a client for good (status 'end', no retry) when a reconnect attempt is cancelled under it: with Sentinel its failover
detector closes the connector on +switch-master while a reconnect still asks a sentinel for the master (the Sentinel
failover test's producer hit it under load). Reproduced here on a plain redis-server by closing the connector at the
moment the reconnect starts, which is the same cancellation.
*/
import {describe, expect, it} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {linkFixture, waitSubscribed} from '../helpers/subscriber-link.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';

interface Internals {
	readonly stream?: {destroy(): void};
	readonly connector: {disconnect(): void};
}

/** Drop the socket, and cancel the reconnect ioredis then starts: the client ends with no retry of its own. */
async function endUnderReconnect(connection: Redis): Promise<void> {
	const internals = connection as unknown as Internals;
	const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
	connection.once('connecting', () => internals.connector.disconnect());
	internals.stream?.destroy();
	await ended;
}

describe.runIf(redisAvailable())('RedisLink: a connection ioredis ended on its own is connected again', () => {
	const fixture = linkFixture();

	it('the subscriber: ended under a reconnect, back within a heartbeat, subscribed again', async () => {
		const received: string[] = [];
		const {link, publisher} = await fixture.subscribe({heartbeatMs: 200}, (_channel, message) => received.push(message));
		await endUnderReconnect(link.subscriber);
		expect(link.subscriber.status).toBe('end');
		await waitFor(() => link.subscriber.status === 'ready', 5000, 'the subscriber ready again');
		expect(link.revivals).toBeGreaterThanOrEqual(1);
		await waitSubscribed(publisher, 'subscribed again');
		await publisher.publish(INPUT_CHANNELS.taskUpdates, 'after');
		await waitFor(() => received.includes('after'), 5000, 'a message after the revival');
	}, 20_000);

	it('the writer: ended under a reconnect, back within a heartbeat, writes again', async () => {
		const {link, publisher} = await fixture.subscribe({heartbeatMs: 200}, () => {});
		await endUnderReconnect(link.writer);
		expect(link.writer.status).toBe('end');
		await waitFor(() => link.writerReady, 5000, 'the writer ready again');
		await link.writer.set('mycotop:test:revived', '1');
		expect(await publisher.get('mycotop:test:revived')).toBe('1');
	}, 20_000);
});
