/**
The writer: the seed's persistence for training, tasks, agents and workflow steps, to the exact keys, in batched
MULTI/EXEC pipelines. Aggregates (task SLA, per-agent performance, load balance, trend analysis) are computed
from the store, never read back from Redis per message.

Only the instance holding the writer lease writes. Each batch carries an id that the same transaction stores in
`mycotop:writer:last_batch`; a batch whose outcome is unknown (the link died mid-flight) is retried only after
checking that id, so no list entry is ever applied twice.
*/
import {type BusEvent} from '../contract/events.js';
import {DONE_STATUSES, FAILED_STATUSES} from '../contract/events.js';
import {keys, ourKeys, OUTPUT_CHANNELS, TTL_SECONDS} from '../contract/names.js';
import {type Kv, type KvCommand} from '../bus/kv.js';
import {averageDuration, type MetricsStore} from '../store/metrics-store.js';
import {rankAgents} from '../analysis/load-balance.js';
import {systemFigures} from '../analysis/system-figures.js';
import {analyzeTrend} from '../analysis/training-trend.js';
import {PendingBatch} from './pending-batch.js';
import {addFamilyCounts, type FamilyCounts, type KeyFamily, keyFamily} from './key-family.js';
import {classifyWriteError, type WriteRefusal} from './write-refusal.js';
import {isoTime} from '../contract/time.js';
import {completionEntry, figure, stepEntry, timestampJson, trainingCurrentFields, workflowEntry} from './seed-entries.js';

export interface WriterTarget {
	/** Where writes go now (Redis, or the embedded bus's memory). */
	kv(): Kv;
	/** True while this instance may write the shared keys (lease held, not read-only). */
	canWrite(): boolean;
	/** True while this instance may write its host's own keys (host lease held, not read-only). */
	canWriteHost(): boolean;
	/** True while Redis is away and this instance was writing (the scope's writes wait, bounded, for its return). */
	shouldQueue(scope: WriteScope): boolean;
	/** Whether the target is reachable now (writes wait in the bounded batch otherwise). */
	isReady(): boolean;
	publish(channel: string, message: string): void;
	readonly instanceId: string;
	/** Redis said another instance holds the shared lease now (so it writes what this one was holding). */
	leaseTakenByAnother?(): boolean;
}

/** Which lease a write needs: the shared writer lease, or this host's lease (the host's own keys). */
export type WriteScope = 'shared' | 'host';

export interface WriterOptions {
	/** List entries that may wait while Redis is away; beyond it new entries are dropped and counted. */
	readonly maxPendingEntries?: number;
	readonly now?: () => number;
	/** Longest a write waits to be batched with others (ms). Default 50. */
	readonly flushDelayMs?: number;
	/** Period of the aggregate writes (ms). Default 1000. */
	readonly aggregateEveryMs?: number;
	/** Period of the training trend analysis (ms). Default 10 s (the seed: 10 min). */
	readonly analysisEveryMs?: number;
	/** Period of events:dashboard:update (ms). Default 5000, as the seed. */
	readonly dashboardEveryMs?: number;
	/** Period of agent rankings (ms). Default 5 min, as the seed. */
	readonly rankingsEveryMs?: number;
	/**
	The input position to store with each batch (the replay ring's watermark), for pub/sub handover. Set, it also
	means that what this instance was holding when another took the lease is handed over (the new writer writes it
	from its own ring, or in --streams from the stream), not dropped. `handover: true` alone: --streams.
	*/
	readonly watermark?: () => string | undefined;
	readonly handover?: boolean;
}

export interface WriterStats {
	batches: number;
	commands: number;
	entriesWritten: number;
	/** List entries finally given up (never written by this instance), in all. */
	dropped: number;
	/** The same, per key family: which figures in Redis are short. */
	readonly droppedByFamily: FamilyCounts;
	/**
	List entries this instance was holding when another instance took the lease: that instance writes them (from its
	replay ring, or in --streams from the stream), so they are neither written here nor lost.
	*/
	handedOver: number;
	/** Messages written after becoming the writer, from the replay ring (what the previous writer had not committed). */
	replayed: number;
	/**
	Takeovers where the previous writer's position was not in the replay ring and the ring had overflowed: messages
	between its last commit and the oldest one kept may be missing.
	*/
	replayGaps: number;
	failures: number;
	retriesSkipped: number;
	lastError: string | undefined;
	/** Transactions Redis refused, by the refusal it named (OOM, READONLY, NOREPLICAS, ...). */
	readonly refusals: Partial<Record<WriteRefusal, number>>;
	/** The refusal of the last failed transaction, while no transaction has succeeded since: Redis refuses writes now. */
	refusingNow: WriteRefusal | undefined;
	/** List entries waiting (pending batches and a batch waiting to be retried), always current. */
	readonly pendingEntries: number;
}

export type LeaseState = 'held' | 'waiting' | 'lost';

/**
What to do with a batch whose EXEC failed with an unknown outcome, by the leases of the scopes it holds: send it
again when every one is held, wait while any is being retaken, and otherwise never send it (another instance writes
now; the batch is counted as written if Redis says it was applied, else as dropped). Pure.
*/
export function retryVerdict(scopes: readonly WriteScope[], lease: (scope: WriteScope) => LeaseState): 'send' | 'wait' | 'abandon' {
	const states = scopes.map(lease);
	if (states.includes('lost')) return 'abandon';
	if (states.includes('waiting')) return 'wait';
	return 'send';
}

export class SeedWriter {
	private pending: PendingBatch;
	/** Writes to this host's own keys (GPU telemetry), gated by the host lease instead of the shared one. */
	private hostPending: PendingBatch;
	/** The batch whose EXEC failed with an unknown outcome, with the scopes whose lease it was written under. */
	private retrying: {id: string; commands: KvCommand[]; entries: number; families: FamilyCounts; scopes: readonly WriteScope[]} | undefined;
	/** Drops not yet added to `mycotop:writes:dropped` in Redis. */
	private dropsToReport: FamilyCounts = {};
	/** The local day (YYYY-MM-DD, by this instance's clock) the completed_today counter is counting. */
	private counterDay: string | undefined;
	private flushing = false;
	private scheduled = false;
	private batchSeq = 0;
	private timers: NodeJS.Timeout[] = [];
	private readonly maxPending: number;
	private readonly now: () => number;
	/** Each project's latest values since the last flush (the `current` hash is last-write-wins). */
	private readonly currentTraining = new Map<string, {loss: number; wer: number | undefined; timestamp: string | number}>();
	/** Key names per project, built once: the hot path then hashes the same string objects. */
	private readonly projectKeys = new Map<string, {loss: string; wer: string; current: string}>();
	private readonly analysisDirty = new Set<string>();
	private readonly dirtyAgents = new Set<string>();
	private tasksDirty = true;
	private agentsDirty = true;
	private readonly idleWaiters: Array<() => void> = [];
	readonly stats: WriterStats;

	constructor(
		private readonly store: MetricsStore,
		private readonly target: WriterTarget,
		private readonly options: WriterOptions = {},
	) {
		const pendingEntries = () => this.pendingCount;
		this.stats = {
			batches: 0,
			commands: 0,
			entriesWritten: 0,
			dropped: 0,
			droppedByFamily: {},
			handedOver: 0,
			replayed: 0,
			replayGaps: 0,
			failures: 0,
			retriesSkipped: 0,
			lastError: undefined,
			refusals: {},
			refusingNow: undefined,
			get pendingEntries() {
				return pendingEntries();
			},
		};
		this.maxPending = options.maxPendingEntries ?? 100_000;
		this.now = options.now ?? Date.now;
		this.pending = new PendingBatch(this.maxPending);
		this.hostPending = new PendingBatch(this.maxPending);
	}

	start(): void {
		const every = (ms: number, fn: () => void) => {
			const timer = setInterval(fn, ms);
			timer.unref();
			this.timers.push(timer);
		};
		every(this.options.aggregateEveryMs ?? 1000, () => this.queueAggregates());
		every(this.options.analysisEveryMs ?? 10_000, () => this.queueAnalysis());
		every(this.options.dashboardEveryMs ?? 5000, () => this.publishDashboard());
		every(this.options.rankingsEveryMs ?? 300_000, () => this.publishRankings());
		// Retry a waiting batch while Redis is away.
		every(250, () => {
			if (!this.isIdle() || Object.keys(this.dropsToReport).length > 0) this.schedule();
		});
	}

	stop(): void {
		for (const timer of this.timers) clearInterval(timer);
		this.timers = [];
	}

	private keysOf(projectId: string): {loss: string; wer: string; current: string} {
		let k = this.projectKeys.get(projectId);
		if (k === undefined) {
			if (this.projectKeys.size >= 10_000) this.projectKeys.clear();
			k = {loss: keys.trainingLoss(projectId), wer: keys.trainingWer(projectId), current: keys.trainingCurrent(projectId)};
			this.projectKeys.set(projectId, k);
		}
		return k;
	}

	/** Move the remembered latest training values into the pending batch as `current` hash writes. */
	private materializeCurrent(): void {
		for (const [projectId, latest] of this.currentTraining) this.pending.hset(this.keysOf(projectId).current, trainingCurrentFields(latest));
		this.currentTraining.clear();
	}

	/** Record one stored event's writes. Cheap: appends to the pending batch and schedules a flush. */
	onEvent(event: BusEvent): void {
		if (!this.mayWrite('shared')) return;
		switch (event.kind) {
			case 'training': {
				const projectKeys = this.keysOf(event.projectId);
				const timestamp = timestampJson(event.timestamp);
				// `dropped` counts list entries, like every other drop of the writer.
				if (!this.pending.push(projectKeys.loss, stepEntry(event.step, event.loss, timestamp), TTL_SECONDS.training)) this.dropEntry(projectKeys.loss);
				if (event.wer !== undefined && !this.pending.push(projectKeys.wer, stepEntry(event.step, event.wer, timestamp), TTL_SECONDS.training))
					this.dropEntry(projectKeys.wer);
				// The current hash only needs each project's last values of the batch: remember them, format at flush.
				const current = this.currentTraining.get(event.projectId);
				if (current === undefined) this.currentTraining.set(event.projectId, {loss: event.loss, wer: event.wer, timestamp: event.timestamp});
				else {
					current.loss = event.loss;
					if (event.wer !== undefined) current.wer = event.wer;
					current.timestamp = event.timestamp;
				}
				this.analysisDirty.add(event.projectId);
				break;
			}
			case 'task':
				if (DONE_STATUSES.has(event.status)) {
					this.rollCounterDay();
					// The counters move with the list entry, in the same batch (one MULTI/EXEC), or not at all.
					if (this.pending.push(keys.tasksCompletionTimes, completionEntry(event), TTL_SECONDS.tasks)) {
						this.pending.incr(keys.tasksCounters, 'completed_today');
						this.pending.incr(keys.agentPerformance(event.agent), 'tasks_completed');
					} else this.dropEntry(keys.tasksCompletionTimes);
					this.tasksDirty = true;
					this.dirtyAgents.add(event.agent);
				} else if (FAILED_STATUSES.has(event.status)) {
					this.dirtyAgents.add(event.agent);
				}
				break;
			case 'agent':
				this.pending.setMember(keys.agentsActive, event.agentType, event.status === 'busy');
				this.pending.hset(keys.agentWorkload(event.agentType), {current_tasks: String(event.taskCount)});
				this.agentsDirty = true;
				break;
			case 'workflow':
				{
					const key = keys.workflowStepDurations(event.workflowId, event.stepId);
					if (!this.pending.push(key, workflowEntry(event.durationSeconds, event.timeMs), TTL_SECONDS.workflow)) this.dropEntry(key);
				}
				break;
			case 'error':
			case 'external-alert':
				return;
		}
		this.schedule();
	}

	/** Append arbitrary commands (used by the GPU sampler and the rules) to the next batch. */
	enqueueList(key: string, entry: string, ttlSeconds: number, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		if (!batch.push(key, entry, ttlSeconds)) this.dropEntry(key);
		this.schedule();
	}

	/** One list entry given up (the batch was full). */
	private dropEntry(key: string): void {
		this.dropCounts(1, {[keyFamily(key)]: 1});
	}

	/** A whole batch given up: its list entries are counted per family (its counters go with them, unwritten). */
	private dropBatch(batch: PendingBatch): void {
		this.dropCounts(batch.entryCount, batch.entriesByFamily());
	}

	/** Whether a lost lease's batch goes to the next writer (pub/sub with a replay ring, or --streams). */
	private get handsOver(): boolean {
		return this.options.handover === true || this.options.watermark !== undefined;
	}

	/**
	A shared batch this instance may no longer write. Handed over when Redis said another instance holds the lease and
	that instance replays from the last stored watermark (every message after it, these included); dropped and counted
	when the lease went unanswered for too long (nobody is known to write them).
	*/
	private release(batch: PendingBatch): void {
		if (this.handsOver && this.target.leaseTakenByAnother?.() === true) this.stats.handedOver += batch.entryCount;
		else this.dropBatch(batch);
	}

	/** Whether nothing is waiting here: a new writer replays only then (else it retakes with its own queue). */
	get holdsNothing(): boolean {
		return this.pending.isEmpty && this.currentTraining.size === 0 && this.retrying === undefined;
	}

	/** Count a takeover's replay (the messages went through onEvent as usual). */
	noteReplay(messages: number, gap: boolean): void {
		this.stats.replayed += messages;
		if (gap) this.stats.replayGaps += 1;
	}

	private dropCounts(entries: number, families: FamilyCounts): void {
		this.stats.dropped += entries;
		addFamilyCounts(this.stats.droppedByFamily, families);
		addFamilyCounts(this.dropsToReport, families);
	}

	/**
	Put the drops not yet reported into `mycotop:writes:dropped` (HINCRBY per family), whatever the lease: increments
	from several instances add up, and an instance that lost the lease is exactly the one with drops to report. On a
	failure they wait for the next flush.
	*/
	private async reportDrops(kv: Kv): Promise<void> {
		const report = this.dropsToReport;
		const commands: KvCommand[] = [];
		for (const family of Object.keys(report) as Array<keyof FamilyCounts>) commands.push(['HINCRBY', ourKeys.writesDropped, family, report[family]!]);
		if (commands.length === 0) return;
		this.dropsToReport = {};
		try {
			await kv.exec(commands);
		} catch (error) {
			addFamilyCounts(this.dropsToReport, report);
			throw error;
		}
	}

	/**
	completed_today counts the completions this instance's clock puts in today (local time): a new day starts it at 0
	in the batch that carries the day's first increments. Never moved by a message's timestamp. The first day seen
	after start is adopted as it is (hydration read today's count).
	*/
	private rollCounterDay(): void {
		const day = localDay(this.now());
		if (this.counterDay !== undefined && day !== this.counterDay) this.pending.resetCounter(keys.tasksCounters, 'completed_today');
		this.counterDay = day;
	}

	/** The batch for a scope, or undefined when this instance may not write it. */
	private batchFor(scope: WriteScope): PendingBatch | undefined {
		if (!this.mayWrite(scope)) return undefined;
		return scope === 'host' ? this.hostPending : this.pending;
	}

	/** Holding the scope's lease, or waiting out an outage after holding it. */
	private mayWrite(scope: WriteScope): boolean {
		return this.leaseState(scope) !== 'lost';
	}

	/**
	Record that a stream's entries up to `id` were handled. It joins the pending batch that holds their writes, so
	the position and the writes commit in one MULTI/EXEC: after a crash the entries are re-read, never re-applied.
	*/
	noteStreamPosition(stream: string, id: string): void {
		if (!this.mayWrite('shared')) return;
		this.pending.hset(ourKeys.streamsLastId, {[stream]: id});
		this.schedule();
	}

	/** List entries waiting now (pending and in flight): the stream reader's back-pressure. */
	get pendingCount(): number {
		return this.pending.entryCount + this.hostPending.entryCount + (this.retrying?.entries ?? 0);
	}

	/** The most list entries that may wait. */
	get pendingLimit(): number {
		return this.maxPending;
	}

	enqueueHash(key: string, fields: Record<string, string>, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		batch.hset(key, fields);
		this.schedule();
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
	the caller shows to whoever acted. The caller checks read-only.
	*/
	async writeRecords(commands: ReadonlyArray<readonly ['HSET' | 'HDEL', string, ...string[]]>): Promise<void> {
		if (commands.length === 0) return;
		await this.target.kv().exec(commands);
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

	/**
	Flush within `flushDelayMs` (default 50 ms): at a trickle that is one transaction per window instead of one
	per message; under load the batches are large anyway and flush back to back.
	*/
	private schedule(): void {
		if (this.scheduled) return;
		this.scheduled = true;
		const run = () => {
			this.scheduled = false;
			void this.flush();
		};
		const delay = this.options.flushDelayMs ?? 50;
		if (delay <= 0 || this.pending.entryCount >= 1000) setImmediate(run);
		else setTimeout(run, delay).unref();
	}

	/** Write everything pending now. One transaction in flight at a time; later writes wait for the next. */
	async flush(): Promise<void> {
		if (this.flushing) return;
		// A lease lost (or read-only): what is pending under it belongs to the new holder now. This instance will never
		// write those entries: count them as dropped, so an outage's losses are visible, not silent.
		if (!this.mayWrite('shared')) {
			this.release(this.pending);
			this.pending = new PendingBatch(this.maxPending);
			this.currentTraining.clear();
		}
		if (!this.mayWrite('host')) {
			this.dropBatch(this.hostPending);
			this.hostPending = new PendingBatch(this.maxPending);
		}
		const hasDropsToReport = Object.keys(this.dropsToReport).length > 0;
		// A failed batch is settled below, against Redis, even when no lease is held any more.
		if (!this.mayWrite('shared') && !this.mayWrite('host') && this.retrying === undefined && !hasDropsToReport) {
			this.notifyIdle();
			return;
		}
		if (!this.target.isReady()) {
			return;
		}
		this.flushing = true;
		const kv = this.target.kv();
		if (hasDropsToReport) {
			try {
				await this.reportDrops(kv);
			} catch (error) {
				this.stats.failures += 1;
				this.stats.lastError = error instanceof Error ? error.message : String(error);
			}
			if (!this.mayWrite('shared') && !this.mayWrite('host') && this.retrying === undefined) {
				this.flushing = false;
				this.notifyIdle();
				return;
			}
		}
		const lastBatchKey = ourKeys.writerLastBatch(this.target.instanceId);
		try {
			if (this.retrying) {
				const verdict = retryVerdict(this.retrying.scopes, (scope) => this.leaseState(scope));
				// A lease being retaken: the batch waits for the answer (flushed again on the writer's 250 ms tick).
				if (verdict === 'wait') return;
				const committed = (await kv.get(lastBatchKey)) === this.retrying.id;
				if (committed) {
					this.stats.retriesSkipped += 1;
					this.stats.entriesWritten += this.retrying.entries;
				} else if (verdict === 'send') {
					await this.commit(kv, this.retrying.id, this.retrying.commands);
					this.stats.entriesWritten += this.retrying.entries;
				} else {
					// Not applied, and the lease is another instance's now: sending it would overwrite the new writer's data.
					// Its watermark was not stored either, so the new writer writes these messages from its ring.
					if (this.handsOver && this.target.leaseTakenByAnother?.() === true && !this.retrying.scopes.includes('host')) this.stats.handedOver += this.retrying.entries;
					else this.dropCounts(this.retrying.entries, this.retrying.families);
				}
				this.retrying = undefined;
			}
			while (!this.isIdle()) {
				this.materializeCurrent();
				const shared = this.take('shared');
				const host = this.take('host');
				// Nothing this instance may write now (a lease being retaken keeps its batch waiting for the answer).
				if (shared.isEmpty && host.isEmpty) break;
				const id = `${this.target.instanceId}:${++this.batchSeq}`;
				const commands = [...shared.toCommands(), ...host.toCommands()];
				const watermark = shared.isEmpty ? undefined : this.options.watermark?.();
				if (watermark !== undefined) commands.push(['SET', ourKeys.writerWatermark, watermark, 'EX', 86_400]);
				const entries = shared.entryCount + host.entryCount;
				const families = shared.entriesByFamily();
				addFamilyCounts(families, host.entriesByFamily());
				const scopes: WriteScope[] = [...(shared.isEmpty ? [] : ['shared' as const]), ...(host.isEmpty ? [] : ['host' as const])];
				this.retrying = {id, commands, entries, families, scopes};
				await this.commit(kv, id, commands);
				this.retrying = undefined;
				this.stats.entriesWritten += entries;
			}
		} catch (error) {
			this.stats.failures += 1;
			this.stats.lastError = error instanceof Error ? error.message : String(error);
			const refusal = classifyWriteError(this.stats.lastError);
			if (refusal !== undefined) this.stats.refusals[refusal] = (this.stats.refusals[refusal] ?? 0) + 1;
			this.stats.refusingNow = refusal;
		} finally {
			this.flushing = false;
			if (this.isIdle()) this.notifyIdle();
		}
	}

	/**
	The scope's pending batch for the next transaction, a fresh one taking its place, while this instance holds the
	scope's lease. While the lease is being retaken after an outage, the batch stays and waits for the answer (an
	empty batch is returned). A lease lost for good: the batch's entries will never be written here and are counted
	as dropped.
	*/
	private take(scope: WriteScope): PendingBatch {
		const state = this.leaseState(scope);
		if (state === 'waiting') return new PendingBatch(0);
		const batch = scope === 'host' ? this.hostPending : this.pending;
		if (scope === 'host') this.hostPending = new PendingBatch(this.maxPending);
		else this.pending = new PendingBatch(this.maxPending);
		if (state === 'held') return batch;
		if (scope === 'shared') this.release(batch);
		else this.dropBatch(batch);
		return new PendingBatch(0);
	}

	/** The scope's lease as the writer sees it: held, being retaken (writes wait), or another instance's. */
	private leaseState(scope: WriteScope): LeaseState {
		if (scope === 'host' ? this.target.canWriteHost() : this.target.canWrite()) return 'held';
		return this.target.shouldQueue(scope) ? 'waiting' : 'lost';
	}

	private isIdle(): boolean {
		return this.pending.isEmpty && this.hostPending.isEmpty && this.currentTraining.size === 0 && !this.retrying;
	}

	private async commit(kv: Kv, id: string, commands: KvCommand[]): Promise<void> {
		await kv.exec([...commands, ['SET', ourKeys.writerLastBatch(this.target.instanceId), id, 'EX', 86_400]]);
		this.stats.refusingNow = undefined;
		this.stats.batches += 1;
		this.stats.commands += commands.length;
	}

	private notifyIdle(): void {
		for (const resolve of this.idleWaiters.splice(0)) resolve();
	}

	/** Resolves when nothing is pending (or after `timeoutMs`): used for a clean shutdown. */
	async drain(timeoutMs = 2000): Promise<boolean> {
		this.queueAggregates();
		const deadline = this.now() + timeoutMs;
		while (this.now() < deadline) {
			if (this.isIdle() && !this.flushing) return true;
			// Nothing this instance may still write (no lease held, none being retaken, no failed batch to settle).
			if (!this.mayWrite('shared') && !this.mayWrite('host') && this.retrying === undefined) return true;
			await this.flush();
			if (this.isIdle()) return true;
			// A batch is in flight (or Redis is away): wake when the writer goes idle, or after 50 ms, and look again.
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, Math.max(0, Math.min(50, deadline - this.now())));
				this.idleWaiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
		return this.isIdle();
	}

	/** Queue the aggregates that changed: task SLA figures, per-agent performance, load balance. */
	queueAggregates(): void {
		if (!this.target.canWrite()) return;
		const now = this.now();
		this.store.rollDay(now);
		this.rollCounterDay();
		if (this.tasksDirty || this.store.completions.length > 0) {
			// Recomputed every period even without new events: the last-hour window moves.
			const agg = systemFigures(this.store, now).tasks;
			this.pending.hset(keys.tasksAggregated, {
				throughput_per_hour: figure(agg.throughputPerHour),
				avg_duration_seconds: figure(agg.avgDurationSeconds),
				sla_compliance_percent: figure(agg.slaCompliancePercent),
			});
			this.tasksDirty = false;
		}
		for (const agentType of this.dirtyAgents) {
			const agent = this.store.agents.get(agentType);
			if (agent === undefined) continue;
			const finished = agent.completed + agent.failed;
			// tasks_completed is a counter, incremented with each completion's list entry (onEvent).
			this.pending.hset(keys.agentPerformance(agentType), {
				avg_duration_seconds: figure(averageDuration(agent)),
				error_rate_percent: figure(finished === 0 ? 0 : (agent.failed / finished) * 100),
			});
		}
		this.dirtyAgents.clear();
		if (this.agentsDirty) {
			const lb = systemFigures(this.store, now).loadBalance;
			this.pending.hset(keys.agentsLoadBalance, {variance_percent: figure(lb.variancePercent), avg_tasks_per_agent: figure(lb.avgTasksPerAgent)});
			this.agentsDirty = false;
		}
		if (!this.pending.isEmpty) this.schedule();
	}

	/** Queue the seed's training analysis hash for projects that changed since the last round. */
	queueAnalysis(): void {
		if (!this.target.canWrite()) {
			this.analysisDirty.clear();
			return;
		}
		for (const projectId of this.analysisDirty) {
			const series = this.store.projects.get(projectId);
			if (series === undefined) continue;
			const a = analyzeTrend(series.loss.tailValues(series.loss.length));
			this.pending.hset(keys.trainingAnalysis(projectId), {
				trend: a.trend,
				slope: String(a.slope),
				volatility: String(a.volatility),
				converged: a.converged ? 'true' : 'false',
			});
		}
		this.analysisDirty.clear();
		if (!this.pending.isEmpty) this.schedule();
	}

	/** The seed's events:dashboard:update payload (every 5 s). */
	publishDashboard(): void {
		if (!this.target.canWrite()) return;
		const now = this.now();
		const figures = systemFigures(this.store, now);
		const agg = figures.tasks;
		const lb = figures.loadBalance;
		const projects: Record<string, {currentLoss: number | string; lastUpdated: string; lossTrend: Array<{step: number; value: number | string}>}> = {};
		for (const [id, series] of this.store.projects) {
			const last = series.loss.lastValue();
			projects[id] = {
				currentLoss: last === undefined ? 0 : Number.isFinite(last) ? last : String(last),
				lastUpdated: isoTime(series.lastUpdatedMs),
				lossTrend: series.loss.tail(50).map((p) => ({step: p.x, value: Number.isFinite(p.value) ? p.value : String(p.value)})),
			};
			if (Object.keys(projects).length >= 50) break;
		}
		const payload = {
			training: projects,
			tasks: {
				throughputPerHour: agg.throughputPerHour,
				avgDurationSeconds: agg.avgDurationSeconds,
				slaCompliancePercent: agg.slaCompliancePercent,
				recentCompletions: this.store.completions.newest(100).map((c) => ({timestamp: isoTime(c.timeMs), duration: c.durationSeconds, agent: c.agent})),
			},
			agents: {activeCount: figures.busyAgents, loadVariancePercent: lb.variancePercent, avgTasksPerAgent: lb.avgTasksPerAgent},
			timestamp: new Date(now).toISOString(),
			source: `mycotop:${this.target.instanceId}`,
		};
		this.target.publish(OUTPUT_CHANNELS.dashboardUpdate, JSON.stringify(payload));
	}

	/** The seed's agent rankings: the hash for task-distributor and an insight message (every 5 min). */
	publishRankings(): void {
		if (!this.target.canWrite() || this.store.agents.size === 0) return;
		const rankings = rankAgents(
			[...this.store.agents].map(([agentType, a]) => {
				const finished = a.completed + a.failed;
				return {
					agentType,
					tasksCompleted: a.completed,
					avgDurationSeconds: averageDuration(a),
					errorRatePercent: finished === 0 ? 0 : (a.failed / finished) * 100,
				};
			}),
		);
		this.pending.hset(keys.agentsRankings, {performance_ranked: JSON.stringify(rankings)});
		this.schedule();
		this.target.publish(
			OUTPUT_CHANNELS.insightsAgentPerformance,
			JSON.stringify({type: 'performance_rankings_updated', rankings, timestamp: new Date(this.now()).toISOString(), source: `mycotop:${this.target.instanceId}`}),
		);
	}
}

/** YYYY-MM-DD of an epoch-ms time in local time (the day completed_today counts). */
function localDay(ms: number): string {
	const d = new Date(ms);
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
