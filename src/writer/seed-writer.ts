/**
The writer: the seed's persistence for training, tasks, agents and workflow steps, to the exact keys, in batched
MULTI/EXEC pipelines. Three parts, one object:

- the batching (write-batcher.ts): pending batches, flush, retry by batch id, leases, drops and handover, watermark;
- the seed projection (seed-projection.ts): which keys an event writes, and the aggregates written from the store;
- the figures (analysis/system-figures.ts): the last hour's task figures and the load balance every reader shares.

Only the instance holding the writer lease writes. Each batch carries an id that the same transaction stores in
`mycotop:writer:last_batch`; a batch whose outcome is unknown (the link died mid-flight) is retried only after
checking that id, so no list entry is ever applied twice.
*/
import {type BusEvent} from '../contract/events.js';
import {type MetricsStore, type StoredOutcome} from '../store/metrics-store.js';
import {type BatcherOptions, type WriteScope, type WriterTarget, WriteBatcher} from './write-batcher.js';
import {type KeyFamily} from './key-family.js';
import {SeedProjection} from './seed-projection.js';
import {type RecordCommand, writeRecords} from './record-writes.js';

export {retryVerdict, type LeaseState, type WriteScope, type WriterStats, type WriterTarget} from './write-batcher.js';

export interface WriterOptions extends BatcherOptions {
	/** Period of the aggregate writes (ms). Default 1000. */
	readonly aggregateEveryMs?: number;
	/** Period of the training trend analysis (ms). Default 10 s (the seed: 10 min). */
	readonly analysisEveryMs?: number;
	/** Period of events:dashboard:update (ms). Default 5000, as the seed. */
	readonly dashboardEveryMs?: number;
	/** Period of agent rankings (ms). Default 5 min, as the seed. */
	readonly rankingsEveryMs?: number;
}

export class SeedWriter extends WriteBatcher {
	private readonly projection: SeedProjection;

	constructor(
		store: MetricsStore,
		target: WriterTarget,
		private readonly options: WriterOptions = {},
	) {
		super(target, options);
		this.projection = new SeedProjection(store, {
			shared: () => this.pending,
			mayWrite: () => this.mayWriteSharedThisTurn(),
			canWrite: () => this.target.canWrite(),
			dropEntry: (key) => this.dropEntry(key),
			schedule: () => this.schedule(),
			publish: (channel, message) => this.target.publish(channel, message),
			instanceId: target.instanceId,
			now: () => this.now(),
			history: options.history === true,
			rollups: () => this.eventRollups,
			stepSample: (series, step, value) => this.steps?.log(series, step, value),
		});
	}

	override start(): void {
		this.every(this.options.aggregateEveryMs ?? 1000, () => this.queueAggregates());
		this.every(this.options.analysisEveryMs ?? 10_000, () => this.queueAnalysis());
		this.every(this.options.dashboardEveryMs ?? 5000, () => this.publishDashboard());
		this.every(this.options.rankingsEveryMs ?? 300_000, () => this.publishRankings());
		super.start();
	}

	/** Record one stored event's writes (its agent's keys left out when stored box-wide only). Cheap: appends to the pending batch and schedules a flush. */
	onEvent(event: BusEvent, outcome: StoredOutcome = 'stored'): void {
		this.projection.onEvent(event, outcome);
	}

	/** This instance just became the writer (see SeedProjection.adoptStoredDay). */
	noteAcquired(): void {
		this.projection.noteAcquired();
	}

	/** The day of completed_today in Redis, read after becoming the writer. */
	adoptCounterDay(storedDay: string | undefined): void {
		this.projection.adoptStoredDay(storedDay);
	}

	/** Queue the aggregates that changed: task SLA figures, per-agent performance, load balance. */
	queueAggregates(): void {
		this.projection.queueAggregates();
	}

	/** Queue the seed's training analysis hash for projects that changed since the last round. */
	queueAnalysis(): void {
		this.projection.queueAnalysis();
	}

	/** The seed's events:dashboard:update payload (every 5 s). */
	publishDashboard(): void {
		this.projection.publishDashboard();
	}

	/** The seed's agent rankings: the hash for task-distributor and an insight message (every 5 min). */
	publishRankings(): void {
		this.projection.publishRankings();
	}

	protected override holdsUnbatched(): boolean {
		return this.projection.holdsCurrent;
	}

	protected override materializeUnbatched(): void {
		this.projection.materializeCurrent();
	}

	protected override discardUnbatched(): void {
		this.projection.discardCurrent();
	}

	protected override beforeDrain(): void {
		this.queueAggregates();
	}

	/**
	Append a stream entry (XADD key MAXLEN ~ maxlen * fields) to the next batch: it joins the batch's MULTI/EXEC, is
	counted and bounded like a list entry, and a batch retried after an unknown outcome is sent again only when its
	batch id is not in Redis, so the stream never gets an entry twice.
	*/
	enqueueStreamEntry(key: string, fields: Record<string, string>, maxlen: number, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		if (!batch.xadd(key, fields, maxlen)) this.dropEntry(key);
		this.schedule();
	}

	/**
	A history sample of `series` (a name from history/history-source.ts) into the next batch's rollups: the GPU part's
	per-GPU figures, under the host lease. Nothing when history is off.
	*/
	enqueueSample(series: string, timeMs: number, value: number, scope: WriteScope = 'shared'): void {
		if (this.options.history !== true) return;
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		batch.rollups.sample(series, timeMs, value);
		this.schedule();
	}

	/**
	A member of a registry (sorted set) with its score, in the next batch: members scored below `dropBelow` are removed
	in the same transaction and the set expires after `ttlSeconds` (the fleet's host registry, under the host lease).
	*/
	enqueueRegistry(key: string, member: string, score: number, dropBelow: number, ttlSeconds: number, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		batch.zadd(key, member, score, dropBelow, ttlSeconds);
		this.schedule();
	}

	/** A hash whose fields are replaced by `fields` and which expires after `ttlSeconds`, in the next batch. */
	enqueueExpiringHash(key: string, fields: Record<string, string>, ttlSeconds: number, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		batch.hset(key, fields);
		batch.expire(key, ttlSeconds);
		this.schedule();
	}

	/** Add `by` to a hash field (HINCRBY) in the next batch. */
	enqueueIncrement(key: string, field: string, by = 1, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		batch.incr(key, field, by);
		this.schedule();
	}

	/**
	Write records kept by id (HSET or HDEL of one hash field per record) now, in a transaction of their own, whatever
	the lease: acknowledgements and silences are user actions that any instance that is not read-only makes (a
	viewer's ack must reach Redis), and writing a record by its id twice leaves what writing it once does, so neither
	a lease nor a batch id is needed (as with reportDrops). Resolves once applied; rejects with Redis's error, which
	the caller shows to whoever acted. The caller checks read-only. The same function (record-writes.ts) writes the
	CLI commands' acks and silences.
	*/
	async writeRecords(commands: readonly RecordCommand[]): Promise<void> {
		await writeRecords(this.target.kv(), commands);
	}

	/**
	A family's list and stream entries not in Redis: those given up (dropped), plus those held while a batch waits to
	be retried, Redis is away or a lease is being retaken. Entries only waiting for the next flush are not counted.
	*/
	unwrittenEntries(family: KeyFamily): number {
		const dropped = this.stats.droppedByFamily[family] ?? 0;
		const holding = this.retrying !== undefined || !this.target.isReady() || this.leaseState('shared') === 'waiting' || this.leaseState('host') === 'waiting';
		if (!holding) return dropped;
		return dropped + (this.retrying?.families[family] ?? 0) + (this.pending.entriesByFamily()[family] ?? 0) + (this.hostPending.entriesByFamily()[family] ?? 0);
	}
}
