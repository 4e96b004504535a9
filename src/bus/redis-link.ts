/**
The Redis edge: a dedicated subscriber connection and a writer connection, both with explicit resilience options
(jittered backoff, socket timeout plus heartbeat, resubscribe, no unbounded offline queue for writes). Their
combined state is published as a ConnectionState; ioredis is never allowed to print.
*/
import {readFileSync} from 'node:fs';
import {type Redis, type RedisOptions} from 'ioredis';
import {clusterSubscriberConnection, createRedisClient, publishClient, remoteAddress} from './redis-client.js';
import {MasterTracker} from './redis-topology.js';
import {nextConnectionState, isAuthError, type ConnectionState} from './connection-state.js';
import {parseRedisUrl, redactSecrets, type RedisTarget} from './redis-url.js';
import {PubSubFastPath, type RawListener} from './pubsub-fast-path.js';
import {every, type Periodic} from '../periodic.js';
import {coalesceReads, type ReadCoalescing} from './coalesced-reads.js';

export interface RedisLinkOptions {
	readonly url: string;
	/** PEM file of a CA to trust for rediss:// (a private CA). */
	readonly caFile?: string;
	/** Heartbeat period on both connections (ms). Default 2000. */
	readonly heartbeatMs?: number;
	/** A connection that receives nothing for this long is dropped and reconnected (ms). Default 6000. */
	readonly socketTimeoutMs?: number;
	readonly now?: () => number;
}

/** Reconnect delay: exponential from 100 ms, capped at `capMs`, with up to 30% jitter so instances never retry in lockstep. */
export function reconnectDelay(attempt: number, random: () => number = Math.random, capMs = 5000): number {
	const base = Math.min(100 * 2 ** Math.max(0, attempt - 1), capMs);
	return Math.round(base * (1 + 0.3 * random()));
}

/**
The cap the connections use: one attempt a second at most (1.3 s with jitter), so the link is back within 2 s of
Redis's return; three connections per instance make that about 3 connects a second while Redis is down.
*/
const RECONNECT_CAP_MS = 1000;

/** Slow retry after an authentication or ACL failure: no retry storm, yet a fixed password is picked up. */
const AUTH_RETRY_MS = 30_000;

/** ioredis options for one of the two connections. Pure: unit-tested. */
export function redisOptions(
	role: 'subscriber' | 'writer',
	target: RedisTarget,
	options: {caPem?: string; socketTimeoutMs: number; lastErrorWasAuth: () => boolean},
): RedisOptions {
	return {
		connectionName: `mycotop-${role}`,
		lazyConnect: true,
		connectTimeout: 5000,
		socketTimeout: options.socketTimeoutMs,
		keepAlive: 5000,
		noDelay: true,
		// INFO needs +info in ACLs and warns on the console when refused: the heartbeat proves readiness instead.
		enableReadyCheck: false,
		retryStrategy: (times: number) => (options.lastErrorWasAuth() ? AUTH_RETRY_MS : reconnectDelay(times, Math.random, RECONNECT_CAP_MS)),
		// The subscriber must queue its SUBSCRIBE until connected; the writer keeps its own bounded queue.
		enableOfflineQueue: role === 'subscriber',
		maxRetriesPerRequest: role === 'subscriber' ? null : 0,
		autoResubscribe: true,
		// A write that reached Redis before the socket died must not run twice.
		autoResendUnfulfilledCommands: false,
		...(target.tls ? {tls: options.caPem === undefined ? {} : {ca: options.caPem}} : {}),
	};
}

export type MessageHandler = (channel: string, message: string) => void;

export class RedisLink {
	readonly target: RedisTarget;
	readonly subscriber: Redis;
	readonly writer: Redis;
	private subState: ConnectionState;
	private writerState: ConnectionState;
	private heartbeat: Periodic | undefined;
	private lastAuthError = false;
	private readonly now: () => number;
	private readonly stateListeners = new Set<(state: ConnectionState) => void>();
	/** Times the subscriber's connection was lost after having been up (each one a possible gap in pub/sub). */
	reconnects = 0;
	/** Of those, the times Redis closed the subscriber while the writer stayed connected (LinkHealth.cutOff). */
	cutOffByRedis = 0;
	private stopping = false;
	/** Connections ioredis had ended on its own and the link connected again (revive). */
	revivals = 0;
	/** Per connection, what a revival does to its visible state (set by watch). */
	private readonly revived = new Map<Redis, () => void>();
	/** Epoch ms of the last data seen on the subscriber (messages or heartbeat replies). */
	lastSeenMs = 0;
	/** Duration of the last subscriber gap (last data seen before the connection was lost, until ready again), ms. */
	lastGapMs: number | undefined;
	private gapStartMs: number | undefined;
	/** A Cluster's subscriber connection being watched, and when the gap of its loss began (followClusterSubscriber). */
	private clusterSubscriber: Redis | undefined;
	private clusterGapStartMs: number | undefined;
	private everConnected = false;
	/** Sentinel: the master the writer reached last, and how many times that changed (failovers followed). */
	readonly masters = new MasterTracker();
	/** The current subscriber connection's message fast path; undefined when ioredis decodes everything. */
	fastPath: PubSubFastPath | undefined;
	/** The current subscriber socket's read batching at a trickle (coalesced-reads.ts); undefined when not in place. */
	readCoalescing: ReadCoalescing | undefined;
	/**
	Whether the subscriber's reads are held at a trickle (coalesced-reads.ts): only while this instance is the writer
	(BusManager sets it from the role: holdsReadsAs). A standby must stay as close behind the writer as the network allows, or the
	handover replays what the old writer already stored.
	*/
	holdReads = false;

	constructor(options: RedisLinkOptions, onMessage: MessageHandler, private readonly channels: readonly string[]) {
		this.target = parseRedisUrl(options.url);
		this.now = options.now ?? Date.now;
		const caPem = options.caFile === undefined ? undefined : readFileSync(options.caFile, 'utf8');
		const common = {caPem, socketTimeoutMs: options.socketTimeoutMs ?? 6000, lastErrorWasAuth: () => this.lastAuthError};
		const start = this.now();
		this.subState = {kind: 'connecting', sinceMs: start};
		this.writerState = {kind: 'connecting', sinceMs: start};
		this.subscriber = createRedisClient(this.target, redisOptions('subscriber', this.target, common));
		this.writer = createRedisClient(this.target, redisOptions('writer', this.target, common));
		this.watch(this.subscriber, 'subscriber');
		this.watch(this.writer, 'writer');
		const deliver = (channel: string, message: string) => {
			this.lastSeenMs = this.now();
			onMessage(channel, message);
		};
		// Messages come through the fast path when it is in place, through ioredis's own decoder otherwise.
		this.subscriber.on('message', deliver);
		this.subscriber.on('connect', () => {
			this.fastPath = installFastPath(this.subscriber, deliver, channels);
			const stream = (this.subscriber as unknown as {stream?: NodeJS.EventEmitter}).stream;
			this.readCoalescing = stream === undefined ? undefined : coalesceReads(stream, undefined, undefined, () => this.holdReads);
		});
		const heartbeatMs = options.heartbeatMs ?? 2000;
		this.heartbeat = every(heartbeatMs, () => this.beat());
	}

	private beat(): void {
		this.revive();
		this.followClusterSubscriber();
		// On a Cluster the subscriber's own node is asked (the Cluster client would ask any node).
		const subscriberConnection = clusterSubscriberConnection(this.subscriber) ?? this.subscriber;
		for (const connection of [subscriberConnection, this.writer]) {
			if (connection.status !== 'ready') continue;
			connection.ping().then(
				() => {
					if (connection === subscriberConnection) this.lastSeenMs = this.now();
				},
				() => {},
			);
		}
	}

	/**
	A connection that ioredis ended while the link runs is connected again (on the next heartbeat). ioredis ends a
	connection for good when a reconnect attempt is cancelled under it: with Sentinel, its failover detector closes the
	connector on +switch-master, and a reconnect that was still asking a sentinel for the master then fails with
	"Connection is closed" and the client's status becomes 'end', with no retry. Seen in the Sentinel failover test under
	load. The subscriptions come back with it (ioredis keeps them for the next ready).
	*/
	private revive(): void {
		if (this.stopping) return;
		for (const connection of [this.subscriber, this.writer]) {
			if (connection.status !== 'end') continue;
			this.revivals += 1;
			this.revived.get(connection)?.();
			connection.connect().catch(() => {});
			// A subscriber that ended before its first ready lost the SUBSCRIBE queued at start (ioredis rejects its offline
			// queue) and has no earlier subscriptions to restore: subscribe again (a channel subscribed twice is one).
			if (connection === this.subscriber) this.subscribe();
		}
	}

	/**
	A Cluster's subscription lives on one node's connection, which ioredis replaces when that node dies while the
	Cluster client stays ready. Its loss is a gap like a lost subscriber (counted, from the last data seen), which ends
	when the next connection is ready. Looked for on every heartbeat and when the Cluster client becomes ready.
	*/
	private followClusterSubscriber(): void {
		const connection = clusterSubscriberConnection(this.subscriber);
		if (connection === undefined || connection === this.clusterSubscriber) return;
		this.clusterSubscriber = connection;
		const back = () => {
			if (this.clusterSubscriber !== connection || this.clusterGapStartMs === undefined) return;
			this.lastSeenMs = this.now();
			this.lastGapMs = this.lastSeenMs - this.clusterGapStartMs;
			this.clusterGapStartMs = undefined;
			this.emit();
		};
		if (connection.status === 'ready') back();
		else connection.once('ready', back);
		connection.once('close', () => {
			if (this.stopping || this.subState.kind !== 'connected' || this.clusterGapStartMs !== undefined) return;
			this.reconnects += 1;
			const now = this.now();
			this.clusterGapStartMs = this.lastSeenMs > 0 ? Math.min(now, this.lastSeenMs) : now;
			// ioredis picks the next node at once: watch it as soon as it exists.
			setImmediate(() => this.followClusterSubscriber());
			this.emit();
		});
	}

	private watch(connection: Redis, role: 'subscriber' | 'writer'): void {
		const update = (event: Parameters<typeof nextConnectionState>[1]) => {
			const now = this.now();
			if (role === 'subscriber') {
				const before = this.subState;
				this.subState = nextConnectionState(this.subState, event, now);
				if (before.kind === 'connected' && this.subState.kind !== 'connected') {
					this.reconnects += 1;
					// What was published after the last data the subscriber saw (a message or a PING's answer) may be
					// lost: the gap starts there, not when the dead link was finally noticed (up to 8 s later).
					this.gapStartMs = this.lastSeenMs > 0 ? Math.min(now, this.lastSeenMs) : now;
					this.checkCutOff();
				}
			} else {
				this.writerState = nextConnectionState(this.writerState, event, now);
			}
			this.emit();
		};
		connection.on('ready', () => {
			this.lastAuthError = false;
			if (role === 'writer' && this.target.mode === 'sentinel') this.masters.reached(remoteAddress(connection));
			if (role === 'subscriber') {
				this.followClusterSubscriber();
				this.everConnected = true;
				this.lastSeenMs = this.now();
				if (this.gapStartMs !== undefined) this.lastGapMs = this.lastSeenMs - this.gapStartMs;
				this.gapStartMs = undefined;
			}
			update({type: 'ready'});
		});
		connection.on('error', (error: Error) => {
			const message = redactSecrets(error.message, this.target.secrets);
			if (isAuthError(message)) this.lastAuthError = true;
			update({type: 'error', message});
		});
		connection.on('close', () => update({type: 'close'}));
		connection.on('end', () => update({type: 'end'}));
		this.revived.set(connection, () => update({type: 'revive'}));
	}

	/**
	The subscriber just closed. If the writer's connection to the same Redis still answers a PING afterwards, Redis
	closed this one client: for a subscriber, its pub/sub output-buffer limit. A network failure or a Redis restart
	takes the writer down too, and is not counted here.
	*/
	private checkCutOff(): void {
		if (this.stopping || this.writer.status !== 'ready') return;
		this.writer.ping().then(
			() => {
				this.cutOffByRedis += 1;
				this.emit();
			},
			() => {},
		);
	}

	/** Connect both connections and subscribe. Never rejects: failures become the state. */
	start(): void {
		this.subscriber.connect().catch(() => {});
		this.writer.connect().catch(() => {});
		this.subscribe();
	}

	/** SUBSCRIBE to the link's channels (queued until the subscriber is connected). */
	private subscribe(): void {
		this.subscriber.subscribe(...this.channels).catch((error: unknown) => {
			// An ACL without the channels refuses SUBSCRIBE on a healthy connection: show it, do not hide it.
			const message = redactSecrets(error instanceof Error ? error.message : String(error), this.target.secrets);
			if (!isAuthError(message)) return;
			this.subState = nextConnectionState(this.subState, {type: 'error', message}, this.now());
			this.emit();
		});
	}

	/** The link's state: the worse of the two connections (the subscriber's when both are up or both down). */
	get state(): ConnectionState {
		if (this.subState.kind === 'connected' && this.writerState.kind !== 'connected') return this.writerState;
		return this.subState;
	}

	get hasEverConnected(): boolean {
		return this.everConnected;
	}

	get writerReady(): boolean {
		return this.writer.status === 'ready';
	}

	get subscriberReady(): boolean {
		return this.subscriber.status === 'ready';
	}

	onState(listener: (state: ConnectionState) => void): () => void {
		this.stateListeners.add(listener);
		return () => this.stateListeners.delete(listener);
	}

	private emit(): void {
		const state = this.state;
		for (const listener of this.stateListeners) listener(state);
	}

	/** Publish on the writer connection; resolves to the receiver count, rejects when not connected. */
	publish(channel: string, message: string): Promise<number> {
		return publishClient(this.writer).publish(channel, message);
	}

	async stop(): Promise<void> {
		this.stopping = true;
		this.heartbeat?.stop();
		this.heartbeat = undefined;
		await Promise.allSettled([quitOrDisconnect(this.subscriber), quitOrDisconnect(this.writer)]);
	}
}

/**
Put the message fast path in front of ioredis's decoder on a freshly connected socket. ioredis emits 'connect'
on the tick after it attached its decoder (the first 'data' listener) and before any reply can arrive. Anything
unexpected leaves ioredis as it is and returns undefined.
*/
function installFastPath(connection: Redis, deliver: (channel: string, message: string) => void, channels: readonly string[]): PubSubFastPath | undefined {
	const stream = (connection as unknown as {stream?: NodeJS.EventEmitter}).stream;
	if (stream === undefined) return undefined;
	const decoderListener = stream.listeners('data')[0];
	if (typeof decoderListener !== 'function' || !String(decoderListener).includes('.write(')) return undefined;
	// Under RESP3 (ioredis's HELLO 3 accepted) a `*3 message` array is a command's reply, never a message.
	const condition = () => (connection as unknown as {condition?: {protocol?: number}}).condition;
	const fastPath = new PubSubFastPath(deliver, decoderListener as RawListener, channels, () => condition()?.protocol !== 3);
	stream.removeListener('data', decoderListener as RawListener);
	stream.prependListener('data', fastPath.onData);
	return fastPath;
}

async function quitOrDisconnect(connection: Redis): Promise<void> {
	if (connection.status === 'ready') {
		const timer = setTimeout(() => connection.disconnect(), 500);
		try {
			await connection.quit();
		} catch {
			connection.disconnect();
		} finally {
			clearTimeout(timer);
			// QUIT does not stop what ioredis keeps beside the socket: with Sentinel, its failover detector's subscriptions
			// to the sentinels, which would keep the process alive. disconnect() stops them (a no-op on a plain connection).
			connection.disconnect();
		}
	} else {
		connection.disconnect();
	}
}
