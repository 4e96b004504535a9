/**
A RedisLink subscribed against a test's private redis-server: the server started before the file's tests and stopped
after them (which disconnects its clients), each link started and then waited for until Redis counts its subscription
(PUBSUB NUMSUB), the last link stopped at the end.
*/
import {afterAll, beforeAll} from 'vitest';
import type {Redis} from 'ioredis';
import {startRedis, waitFor, type TestRedis} from './redis-server.js';
import {RedisLink, type RedisLinkOptions} from '../../src/bus/redis-link.js';
import {INPUT_CHANNELS, SUBSCRIBED_CHANNELS} from '../../src/contract/names.js';

type MessageHandler = (channel: string, message: string) => void;

/** Waits until Redis counts one subscriber on the task-updates channel (the link's subscription is in place). */
export async function waitSubscribed(client: Redis, what = 'subscribed'): Promise<void> {
	await waitFor(async () => Number(((await client.call('PUBSUB', 'NUMSUB', INPUT_CHANNELS.taskUpdates)) as [string, number])[1]) === 1, 5000, what);
}

interface SubscribedLink {
	readonly link: RedisLink;
	/** A plain client for the test's publishes (the server disconnects it when it stops). */
	readonly publisher: Redis;
}

export interface LinkFixture {
	readonly redis: TestRedis;
	/**
	Stops the previous link, starts a new one on every subscribed channel (after `prepare`, for settings read at
	connect) and resolves once Redis counts its subscription.
	*/
	subscribe(options: Omit<RedisLinkOptions, 'url'>, onMessage: MessageHandler, prepare?: (link: RedisLink) => void): Promise<SubscribedLink>;
}

/** Registers the file's beforeAll/afterAll: one redis-server, and the last link `subscribe` made. */
export function linkFixture(): LinkFixture {
	let server: TestRedis | undefined;
	let link: RedisLink | undefined;
	beforeAll(async () => {
		server = await startRedis();
	});
	afterAll(async () => {
		await link?.stop();
		await server?.stop();
	});
	const started = (): TestRedis => {
		if (server === undefined) throw new Error('linkFixture: redis-server not started yet (use it inside a test)');
		return server;
	};
	return {
		get redis() {
			return started();
		},
		async subscribe(options, onMessage, prepare) {
			await link?.stop();
			link = new RedisLink({...options, url: started().url}, onMessage, SUBSCRIBED_CHANNELS);
			prepare?.(link);
			link.start();
			const publisher = started().client();
			await waitSubscribed(publisher);
			return {link, publisher};
		},
	};
}
