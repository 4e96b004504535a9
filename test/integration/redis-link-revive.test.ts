/**
A connection that ioredis ends on its own while the link runs is connected again, subscriptions included. ioredis ends
a client for good (status 'end', no retry) when a reconnect attempt is cancelled under it: with Sentinel its failover
detector closes the connector on +switch-master while a reconnect still asks a sentinel for the master (the Sentinel
failover test's producer hit it under load). Reproduced here on a plain redis-server by closing the connector at the
moment the reconnect starts, which is the same cancellation.
*/
import {describe, expect, it} from 'vitest';
import type {Redis} from 'ioredis';
import {freePort, redisAvailable, waitFor} from '../helpers/redis-server.js';
import {linkFixture, waitSubscribed} from '../helpers/subscriber-link.js';
import {INPUT_CHANNELS, SUBSCRIBED_CHANNELS} from '../../src/contract/names.js';
import {RedisLink} from '../../src/bus/redis-link.js';
import {nextConnectionState} from '../../src/bus/connection-state.js';

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

describe('the connection state of a revived connection', () => {
	it('stopped becomes reconnecting (the header says it is trying again); other states are left as they are', () => {
		expect(nextConnectionState({kind: 'stopped', sinceMs: 1}, {type: 'revive'}, 5)).toEqual({kind: 'reconnecting', sinceMs: 5, lastError: 'connection ended, connecting again'});
		const connected = {kind: 'connected', sinceMs: 1} as const;
		expect(nextConnectionState(connected, {type: 'revive'}, 5)).toBe(connected);
	});
});

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

	it('the subscriber ended before its first ready (its queued SUBSCRIBE rejected): revived and subscribed', async () => {
		const received: string[] = [];
		const link = new RedisLink({url: fixture.redis.url, heartbeatMs: 200}, (_channel, message) => received.push(message), SUBSCRIBED_CHANNELS);
		const publisher = fixture.redis.client();
		try {
			const ended = new Promise<void>((resolve) => link.subscriber.once('end', () => resolve()));
			link.subscriber.once('connecting', () => (link.subscriber as unknown as Internals).connector.disconnect());
			link.start();
			await ended;
			await waitFor(() => link.subscriber.status === 'ready', 5000, 'the subscriber ready after its revival');
			// (The earlier test's link is still subscribed too: the message itself is the proof.)
			await waitFor(async () => {
				await publisher.publish(INPUT_CHANNELS.taskUpdates, 'first');
				return received.includes('first');
			}, 5000, 'a message after the revival');
		} finally {
			await link.stop();
			publisher.disconnect();
		}
	}, 20_000);

	it('while a revived connection cannot reach Redis, the link says it is trying, not stopped', async () => {
		const port = await freePort();
		const link = new RedisLink({url: `redis://127.0.0.1:${port}`, heartbeatMs: 200}, () => {}, SUBSCRIBED_CHANNELS);
		try {
			const ended = new Promise<void>((resolve) => link.writer.once('end', () => resolve()));
			link.writer.once('connecting', () => (link.writer as unknown as Internals).connector.disconnect());
			link.start();
			await ended;
			await waitFor(() => link.revivals >= 1, 5000, 'the revival');
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(link.state.kind).not.toBe('stopped');
			expect(['reconnecting', 'unreachable']).toContain(link.state.kind);
		} finally {
			await link.stop();
		}
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
