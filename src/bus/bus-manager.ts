/**
The bus mycotop runs on: Redis when it is reachable, otherwise an embedded in-process bus with the same
interface (publish, messages, a key space), while Redis keeps being tried in the background. Once Redis has been
reached, an outage is shown as "reconnecting" and writes wait in the writer's bounded batch instead.
*/
import {type ConnectionState, describeConnection, describeHealth, staleAfterMs, staleForMs} from './connection-state.js';
import {type Kv, MemoryKv, type ServerProbe} from './kv.js';
import {kvForClient} from './cluster-kv.js';
import {RedisLink} from './redis-link.js';
import {type Role, WriterLease} from './writer-lease.js';
import {redactUrl} from './redis-url.js';
import {describeTopologyState} from './redis-topology.js';
import {type WriteRefusal} from '../writer/write-refusal.js';
import {ourKeys} from '../contract/names.js';

export type InstanceRole = Role | 'read-only' | 'standalone';

export interface BusStatus {
	readonly kind: 'redis' | 'embedded';
	/** Redacted URL, or undefined when Redis is off (--embedded). */
	readonly url: string | undefined;
	readonly connection: ConnectionState | undefined;
	readonly role: InstanceRole;
	/** Whether this instance writes its host's own keys (holds the host lease; standalone on the embedded bus). */
	readonly hostWriter: boolean;
	/** Subscriber connections lost after being up: each one a possible gap in pub/sub. */
	readonly reconnects: number;
	/** Of those, the times Redis closed the subscriber alone (its pub/sub output-buffer limit): see LinkHealth.cutOff. */
	readonly cutOffByRedis?: number;
	readonly takeovers: number;
	/** Epoch ms of the last data from Redis (a message or a heartbeat reply); undefined before the first. */
	readonly lastDataMs?: number;
	/** Set while the data shown is stale (no data from Redis for longer than 1.5 heartbeats): its age in ms. */
	readonly staleMs?: number;
	/** Duration of the last pub/sub gap (subscriber lost until ready again), ms. */
	readonly lastGapMs?: number;
	/** Whether the subscriber's message fast path decodes messages (undefined without Redis; see pubsub-fast-path.ts). */
	readonly subscriberFastPath?: boolean;
	/** Sentinel: failovers followed (the master changed), and the master's address now. */
	readonly failovers?: number;
	readonly master?: string;
	/** One line for the header. */
	readonly summary: string;
}

export interface BusManagerOptions {
	/** undefined: embedded only (--embedded). */
	readonly redisUrl: string | undefined;
	readonly caFile?: string;
	readonly readOnly: boolean;
	readonly instanceId: string;
	readonly channels: readonly string[];
	/** This box's name: one instance per host holds the host lease and writes the host's own keys (GPUs). */
	readonly host?: string;
	readonly onMessage: (channel: string, message: string) => void;
	/** Called once, the first time Redis is reached (hydrate from it). */
	readonly onRedisFirstReady?: (kv: Kv) => void;
	readonly leaseTtlMs?: number;
	readonly leaseRenewMs?: number;
	/** How long writes wait for a lease without an answer. Default RETAKE_HOLD_MS. */
	readonly retakeHoldMs?: number;
	readonly heartbeatMs?: number;
	readonly socketTimeoutMs?: number;
	readonly now?: () => number;
}

/**
Whether the subscriber holds its reads at a trickle (RedisLink.holdReads) in this role: the writer only. A standby
(viewer) must stay as close behind the writer as the network allows, or on taking the lease it replays what the old
writer already stored. Read-only instances read as they always have (a hold there is untried); standalone ones have
no Redis subscriber to hold. Pure.
*/
export function holdsReadsAs(role: InstanceRole): boolean {
	return role === 'writer';
}

/** How long writes wait for a lease that gets no answer (errors, timeouts) before they are dropped and counted. */
const RETAKE_HOLD_MS = 10_000;

export class BusManager {
	readonly memory = new MemoryKv();
	readonly link: RedisLink | undefined;
	private readonly lease: WriterLease | undefined;
	private readonly hostLease: WriterLease | undefined;
	private readonly redisKv: (Kv & ServerProbe) | undefined;
	private readonly listeners = new Set<() => void>();
	private readonly now: () => number;
	private usingRedis = false;
	private connectedBefore = false;
	private writerAtOutage = false;
	private hostWriterAtOutage = false;
	private retakingLeases = false;
	private retakeTimer: NodeJS.Timeout | undefined;
	private stopped = false;
	/** Messages published while neither bus could take them. */
	publishFailures = 0;

	constructor(private readonly options: BusManagerOptions) {
		this.now = options.now ?? Date.now;
		if (options.redisUrl !== undefined) {
			this.link = new RedisLink(
				{url: options.redisUrl, caFile: options.caFile, heartbeatMs: options.heartbeatMs, socketTimeoutMs: options.socketTimeoutMs, now: this.now},
				options.onMessage,
				options.channels,
			);
			this.redisKv = kvForClient(this.link.writer, options.instanceId);
			if (!options.readOnly) {
				const leaseOptions = {ttlMs: options.leaseTtlMs, renewMs: options.leaseRenewMs};
				this.lease = new WriterLease(this.link.writer, options.instanceId, leaseOptions);
				if (options.host !== undefined)
					this.hostLease = new WriterLease(this.link.writer, options.instanceId, {...leaseOptions, key: ourKeys.hostWriterLease(options.host)});
			}
			this.link.onState((state) => {
				// Remember whether this instance was writing when the link went down: its writes then wait for Redis
				// (bounded) instead of being refused once the lease's trust window runs out during the outage.
				// A retake still waiting for its answer keeps what it was holding writes for.
				if (state.kind !== 'connected' && this.connectedBefore) {
					this.writerAtOutage = this.canWrite() || (this.retakingLeases && this.writerAtOutage);
					this.hostWriterAtOutage = this.canWriteHost() || (this.retakingLeases && this.hostWriterAtOutage);
				}
				if (state.kind === 'connected' && !this.connectedBefore && (this.writerAtOutage || this.hostWriterAtOutage)) {
					// Back: try to retake the leases at once; the waiting writes stay queued until that answer.
					this.takeLeasesHoldingWrites();
				}
				this.connectedBefore = state.kind === 'connected';
				if (state.kind === 'connected' && !this.usingRedis && this.link!.subscriberReady) {
					this.usingRedis = true;
					options.onRedisFirstReady?.(this.redisKv!);
					// Until the leases answer, what this instance wrote standalone waits, as after an outage: a flush in
					// between would otherwise find the role undecided (viewer) and drop it.
					this.writerAtOutage = !options.readOnly;
					this.hostWriterAtOutage = !options.readOnly;
					this.takeLeasesHoldingWrites();
				}
				this.emit();
			});
			this.lease?.onRole(() => this.emit());
			this.hostLease?.onRole(() => this.emit());
		}
	}

	/**
	Ask for the leases now; writes waiting for Redis stay queued until both leases have answered (held or not), then
	are written or dropped. A round without an answer (LOADING while Redis reads its data, a timeout, the link gone
	again) is asked again every 250 ms: an unknown outcome never drops the queue. One retake at a time.
	*/
	private takeLeasesHoldingWrites(): void {
		if (this.retakingLeases) return;
		this.retakingLeases = true;
		const giveUpAt = this.now() + (this.options.retakeHoldMs ?? RETAKE_HOLD_MS);
		const attempt = () => {
			void Promise.all([this.lease?.tick() ?? true, this.hostLease?.tick() ?? true]).then(([shared, host]) => {
				if (this.stopped) return;
				// No answer yet: ask again, but hold the writes no longer than retakeHoldMs (a Redis that refuses every
				// write for good, MISCONF say, must not turn this instance into a queue that only grows).
				if ((!shared || !host) && this.now() < giveUpAt) {
					this.retakeTimer = setTimeout(attempt, 250);
					return;
				}
				this.retakingLeases = false;
				this.writerAtOutage = false;
				this.hostWriterAtOutage = false;
				this.emit();
			});
		};
		attempt();
	}

	start(): void {
		this.link?.start();
		this.lease?.start();
		this.hostLease?.start();
	}

	get instanceId(): string {
		return this.options.instanceId;
	}

	/** 'redis' once Redis has been reached; 'embedded' until then (or always with --embedded). */
	get kind(): 'redis' | 'embedded' {
		return this.usingRedis ? 'redis' : 'embedded';
	}

	get role(): InstanceRole {
		if (this.options.readOnly) return 'read-only';
		if (!this.usingRedis) return 'standalone';
		return this.lease?.role ?? 'viewer';
	}

	/** Where the writer writes now. */
	kv(): Kv {
		return this.usingRedis ? this.redisKv! : this.memory;
	}

	/**
	Whether this instance may write the shared keys now. Not while the leases are being retaken after the link came
	back: the connection may have come back on another server (a Sentinel failover), where the trust earned on the old
	master means nothing (its last renewals may never have been replicated, and another instance may hold the lease
	there). The writes wait (shouldQueue) for the new server's answer.
	*/
	canWrite(): boolean {
		if (this.usingRedis && this.retakingLeases) return false;
		const role = this.role;
		return role === 'writer' || role === 'standalone';
	}

	/**
	Should writes wait instead of being refused? True while Redis is unreachable for an instance that was writing
	when it went away: once back, it retakes its lease and delivers them, or (if another instance took the lease)
	drops them and counts them.
	*/
	shouldQueue(scope: 'shared' | 'host' = 'shared'): boolean {
		if (!this.usingRedis) return false;
		if (this.leaseLapseHolds(scope === 'shared' ? this.lease : (this.hostLease ?? this.lease))) return true;
		if (this.link!.state.kind === 'connected' && !this.retakingLeases) return false;
		return scope === 'shared' ? this.writerAtOutage : this.hostWriterAtOutage;
	}

	/**
	A lease whose trust window ran out while its renewal is still unanswered (Redis stalled, not gone) holds the writes,
	like an outage, for at most retakeHoldMs: the round's answer then decides between writing and dropping them.
	*/
	private leaseLapseHolds(lease: WriterLease | undefined): boolean {
		if (lease === undefined || lease.lapsedForMs() === undefined) return false;
		return lease.unansweredForMs() < (this.options.retakeHoldMs ?? RETAKE_HOLD_MS);
	}

	/** Redis's last answer for the scope's lease: another instance holds it (and writes what this one held). */
	leaseTakenByAnother(scope: 'shared' | 'host' = 'shared'): boolean {
		const lease = scope === 'shared' ? this.lease : (this.hostLease ?? this.lease);
		return lease?.takenByAnother === true;
	}

	/** Redis refuses the lease's writes now (OOM, NOREPLICAS, MISCONF, ...), with how many rounds it refused. */
	leaseRefusal(): {readonly refusal: WriteRefusal; readonly count: number} | undefined {
		for (const lease of [this.lease, this.hostLease]) {
			const refusal = lease?.refusingNow;
			if (refusal !== undefined) return {refusal, count: lease!.refusals[refusal] ?? 0};
		}
		return undefined;
	}

	/** May this instance write its host's own keys (GPU telemetry)? One instance per host does. */
	canWriteHost(): boolean {
		if (this.options.readOnly) return false;
		if (!this.usingRedis) return true;
		if (this.retakingLeases) return false;
		return (this.hostLease ?? this.lease)?.role === 'writer';
	}

	isReady(): boolean {
		return this.usingRedis ? this.link!.writerReady : true;
	}

	/** Publish on the active bus. On the embedded bus the message is delivered to this process only. */
	publish(channel: string, message: string): void {
		if (this.usingRedis) {
			if (this.link!.writerReady) {
				this.link!.publish(channel, message).catch(() => {
					this.publishFailures += 1;
				});
			} else {
				this.publishFailures += 1;
			}
			return;
		}
		setImmediate(() => this.options.onMessage(channel, message));
	}

	/** Publish our own outputs (alerts, insights): on Redis only when this instance writes; dropped on the embedded bus. */
	publishOutput(channel: string, message: string, scope: 'shared' | 'host' = 'shared'): void {
		if (this.usingRedis && (scope === 'host' ? this.canWriteHost() : this.canWrite()) && this.link!.writerReady)
			this.link!.publish(channel, message).catch(() => {
				this.publishFailures += 1;
			});
	}

	status(): BusStatus {
		const now = this.now();
		const connection = this.link?.state;
		const url = this.options.redisUrl === undefined ? undefined : redactUrl(this.options.redisUrl);
		let summary: string;
		if (this.link === undefined) summary = 'in-process bus, Redis off';
		else if (!this.usingRedis) summary = `embedded bus; Redis ${url}: ${describeConnection(connection!, now)}`;
		else summary = `Redis ${url}: ${describeTopologyState(this.link.target.mode, connection!, describeConnection(connection!, now), this.link.masters)}`;
		const lastDataMs = this.link !== undefined && this.link.lastSeenMs > 0 ? this.link.lastSeenMs : undefined;
		const staleMs = this.usingRedis ? staleForMs(lastDataMs, now, staleAfterMs(this.options.heartbeatMs ?? 2000)) : undefined;
		const lastGapMs = this.link?.lastGapMs;
		summary += describeHealth({staleMs, gaps: this.link?.reconnects ?? 0, lastGapMs, leaseRefused: this.lease?.refusedByAcl, cutOff: this.link?.cutOffByRedis ?? 0});
		// The role reads "viewer" until the lease answers; say that this is a question still open, not a verdict.
		const lapsed = this.leaseLapseHolds(this.lease) || this.leaseLapseHolds(this.hostLease);
		if ((this.retakingLeases || lapsed) && this.role !== 'writer') summary += ' · lease being decided (writes wait)';
		return {
			kind: this.kind,
			url,
			connection,
			role: this.role,
			hostWriter: this.canWriteHost(),
			reconnects: this.link?.reconnects ?? 0,
			cutOffByRedis: this.link?.cutOffByRedis ?? 0,
			takeovers: this.lease?.takeovers ?? 0,
			...(lastDataMs === undefined ? {} : {lastDataMs}),
			...(staleMs === undefined ? {} : {staleMs}),
			...(lastGapMs === undefined ? {} : {lastGapMs}),
			...(this.link === undefined ? {} : {subscriberFastPath: this.link.fastPath !== undefined && !this.link.fastPath.stats.disabled}),
			...(this.link?.target.mode === 'sentinel' ? {failovers: this.link.masters.failovers, ...(this.link.masters.master === undefined ? {} : {master: this.link.masters.master})} : {}),
			summary,
		};
	}

	onChange(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** The role may have changed: the subscriber's read holding follows it, then the listeners hear of it. */
	private emit(): void {
		if (this.link !== undefined) this.link.holdReads = holdsReadsAs(this.role);
		for (const listener of this.listeners) listener();
	}

	/** Release the lease (so a viewer takes over at once) and close the connections. */
	async stop(): Promise<void> {
		this.stopped = true;
		clearTimeout(this.retakeTimer);
		await this.lease?.release();
		await this.hostLease?.release();
		this.lease?.stop();
		this.hostLease?.stop();
		await this.link?.stop();
	}
}
