/**
One place that turns a RedisTarget into an ioredis client: a plain connection (redis://), a connection that finds
its master through Sentinel and follows failovers (redis+sentinel://), or a Cluster client (redis+cluster://).

The Cluster client is handed out under the `Redis` type: ioredis gives both the same command methods (get, set,
eval, publish, subscribe, ping, ...), `status`, `connect`, `quit` and `disconnect`, and routes each single-key
command to the node that owns its slot. What differs is asked through isClusterClient: there is no one socket, no
MULTI across slots, and SCAN must visit every master (cluster-kv.ts).
*/
import {Cluster, Redis, type RedisOptions} from 'ioredis';
import type {RedisTarget} from './redis-url.js';
import {restoreFastStringPrototype} from './string-prototype.js';
import {compareIds} from '../format/id-order.js';

// ioredis is loaded by now (imports are evaluated first): its String subclass left String.prototype slow (string-prototype.ts).
restoreFastStringPrototype();

/** Whether this client is a Redis Cluster client (see the module comment). */
export function isClusterClient(client: Redis): boolean {
	return (client as unknown) instanceof Cluster;
}

/** The Cluster client behind a `Redis`-typed handle made by createRedisClient. */
export function asCluster(client: Redis): Cluster {
	return client as unknown as Cluster;
}

/**
A READONLY reply: the connection reached a replica (a demoted master that still answers, or a Sentinel that had not
yet seen the failover). Reconnect (2: and send the command again) so Sentinel is asked for the master anew.
*/
function reconnectOnReadOnly(error: Error): 2 | false {
	return /^READONLY/.test(error.message) ? 2 : false;
}

/** The ioredis client for `target` with `options` (the one-server options of redis-link.ts). */
export function createRedisClient(target: RedisTarget, options: RedisOptions): Redis {
	const credentials = {...(target.username === undefined ? {} : {username: target.username}), ...(target.password === undefined ? {} : {password: target.password})};
	if (target.mode === 'sentinel') {
		return new Redis({
			...options,
			...credentials,
			sentinels: target.nodes!.map((n) => ({host: n.host, port: n.port})),
			name: target.masterName!,
			db: target.db ?? 0,
			role: 'master',
			...(target.sentinelUsername === undefined ? {} : {sentinelUsername: target.sentinelUsername}),
			...(target.sentinelPassword === undefined ? {} : {sentinelPassword: target.sentinelPassword}),
			// Subscribe to the sentinels' +switch-master: a failover moves the connection at once, even when the old master
			// is still reachable (a partition) and would otherwise keep the connection.
			failoverDetector: true,
			// A sentinel that does not answer quickly is skipped for the next one.
			sentinelCommandTimeout: 2000,
			sentinelRetryStrategy: (times: number) => Math.min(100 * times, 1000),
			sentinelMaxConnections: 3,
			reconnectOnError: reconnectOnReadOnly,
			...(target.tls ? {enableTLSForSentinelMode: true, sentinelTLS: options.tls ?? {}} : {}),
		});
	}
	if (target.mode === 'cluster') {
		const {retryStrategy, enableOfflineQueue, lazyConnect, ...nodeOptions} = options;
		const cluster = new Cluster(
			target.nodes!.map((n) => ({host: n.host, port: n.port})),
			{
				lazyConnect: lazyConnect ?? false,
				enableOfflineQueue: enableOfflineQueue ?? true,
				// INFO is not asked (it needs +info in an ACL); CLUSTER SLOTS proves the cluster is up.
				enableReadyCheck: false,
				clusterRetryStrategy: (times: number) => (typeof retryStrategy === 'function' ? retryStrategy(times) : 1000),
				// A command whose connection closed is sent again after this delay, by ioredis itself: for the writer
				// (maxRetriesPerRequest 0: nothing sent twice) never, as Redis may have applied it (a MULTI would be applied
				// twice); the writer settles that unknown outcome with the batch's marker. The subscriber: after 200 ms.
				retryDelayOnFailover: nodeOptions.maxRetriesPerRequest === 0 ? 0 : 200,
				retryDelayOnClusterDown: 200,
				retryDelayOnTryAgain: 100,
				slotsRefreshTimeout: 2000,
				slotsRefreshInterval: 5000,
				scaleReads: 'master',
				redisOptions: {...nodeOptions, ...credentials},
			},
		);
		return cluster as unknown as Redis;
	}
	return new Redis(target.url, options);
}

/**
The one connection a Cluster client subscribes through now (undefined for a plain client, or none yet). ioredis's
ClusterSubscriber replaces it when its node dies, and the Cluster client says nothing (it stays ready): the link
watches it to count that gap. Not public API of ioredis (its `subscriber` field); absent, the link sees no gap.
*/
export function clusterSubscriberConnection(client: Redis): Redis | undefined {
	if (!isClusterClient(client)) return undefined;
	const subscriber = (client as unknown as {subscriber?: {getInstance?: () => Redis | null}}).subscriber;
	return subscriber?.getInstance?.() ?? undefined;
}

/** `host:port` of the server a plain or Sentinel connection is connected to now (undefined for a cluster, or none). */
export function remoteAddress(client: Redis): string | undefined {
	if (isClusterClient(client)) return undefined;
	const stream = (client as unknown as {stream?: {remoteAddress?: string; remotePort?: number}}).stream;
	return stream?.remoteAddress === undefined ? undefined : `${stream.remoteAddress}:${stream.remotePort}`;
}

/**
Where to PUBLISH. A PUBLISH names no key, so a Cluster client sends each one to a random node, and the cluster bus
relays it to the other nodes' subscribers: two messages sent through different nodes can arrive in the other order.
mycotop's own messages (alerts, insights, the dashboard tick) therefore all go through one master, the first ready
one by address, and keep their order while it lives. Anything else: the client itself.
*/
export function publishClient(client: Redis): Pick<Redis, 'publish'> {
	if (!isClusterClient(client)) return client;
	const ready = asCluster(client)
		.nodes('master')
		.filter((node) => node.status === 'ready')
		.sort((a, b) => compareIds(`${a.options.host}:${a.options.port}`, `${b.options.host}:${b.options.port}`));
	return ready[0] ?? client;
}
