/**
The writer's batching: the only path by which anything is written to Redis. Writes wait in bounded pending batches
(one under the shared writer lease, one under this host's lease) and go out as one MULTI/EXEC per flush, at most
one in flight. Each transaction stores its batch id in `mycotop:writer:last_batch:{instance}`; a batch whose outcome
is unknown (the link died mid-flight) is sent again only when that id is not stored and the leases it was written
under are still held (`retryVerdict`), so no list entry is ever applied twice. With pub/sub handover the input
position (the replay ring's watermark) is stored in the same transaction (`mycotop:writer:watermark`).

Accounting: a list entry that will never be written by this instance is either dropped (counted per key family,
reported to `mycotop:writes:dropped` by HINCRBY whatever the lease) or handed over (Redis answered that another
instance holds the lease, and that instance replays from the stored watermark). What the writes are (which keys an
event writes) is not decided here: see seed-projection.ts.
*/
import {ourKeys} from '../contract/names.js';
import {every as periodic, type Periodic} from '../periodic.js';
import {type Kv, type KvCommand} from '../bus/kv.js';
import {PartialExecError} from '../bus/redis-kv.js';
import {EncodedEntries} from '../bus/resp-encode.js';
import {PendingBatch} from './pending-batch.js';
import {RollupBatch, RollupMemo} from '../history/rollup-batch.js';
import {rollupSkips} from '../history/rollup-script.js';
import {StepRollups} from '../history/step-rollups.js';
import {addFamilyCounts, type FamilyCounts, keyFamily} from './key-family.js';
import {classifyWriteError, type WriteRefusal} from './write-refusal.js';
import {type EncoderOptions, type EncoderStats, EntryEncoder} from './entry-encoder.js';

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

export interface BatcherOptions {
	/** List entries that may wait while Redis is away; beyond it new entries are dropped and counted. */
	readonly maxPendingEntries?: number;
	readonly now?: () => number;
	/** Longest a write waits to be batched with others (ms). Default FLUSH_DELAY_MS. */
	readonly flushDelayMs?: number;
	/**
	The input position to store with each batch (the replay ring's watermark), for pub/sub handover. Set, it also
	means that what this instance was holding when another took the lease is handed over (the new writer writes it
	from its own ring, or in --streams from the stream), not dropped. `handover: true` alone: --streams.
	*/
	readonly watermark?: () => string | undefined;
	readonly handover?: boolean;
	/**
	Write history rollups (src/history/*): by time with each batch (EVALs of the merge script, 128 keys each at most), training series by
	step from the writer's own state (step-rollups.ts). Default false; the runtime turns it on with Redis.
	*/
	readonly history?: boolean;
	/**
	The encoding worker for big transactions' training entries (entry-encoder.ts); false: everything is encoded on
	this thread. Default on.
	*/
	readonly encodeWorker?: EncoderOptions | false;
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
	/**
	Takeovers where the previous writer's position was in the replay ring more than once (runs of byte-identical
	messages): the oldest place was taken, so some messages may have been written twice, none lost.
	*/
	replayAmbiguous: number;
	failures: number;
	retriesSkipped: number;
	lastError: string | undefined;
	/**
	Commands Redis refused inside a transaction it otherwise applied (WRONGTYPE on a key another program wrote, a
	counter that is not an integer): Redis does not roll back, so their list entries are counted as dropped and the
	last one is named here (`WRONGTYPE ... (metrics:tasks:completion_times)`).
	*/
	commandErrors: number;
	lastCommandError: string | undefined;
	/** Transactions Redis refused, by the refusal it named (OOM, READONLY, NOREPLICAS, ...). */
	readonly refusals: Partial<Record<WriteRefusal, number>>;
	/** The refusal of the last failed transaction, while no transaction has succeeded since: Redis refuses writes now. */
	refusingNow: WriteRefusal | undefined;
	/** List entries waiting (pending batches and a batch waiting to be retried), always current. */
	readonly pendingEntries: number;
	/**
	Training samples left out of the history by step (step-rollups.ts: a series' state not readable, too many series
	held, an outlying step held back), always current; the time tiers keep them.
	*/
	readonly stepDropped: number;
	readonly stepOutliers: number;
	/** Stored step rollups found malformed (their width not a power of two), each restarted empty. */
	readonly stepMalformed: number;
	/** 10 s buckets of the events' samples held now, waiting to be merged (bounded: see MAX_HELD_BUCKETS). */
	readonly historyHeldBuckets: number;
	/**
	Events' samples left out of the time tiers: refused because they needed a new bucket while HARD_MAX_HELD_BUCKETS
	were held (Redis away or stalled, with events stamped all over the retention), or held unmerged, their events
	committed, when the lease went (or the process stopped without it). The history is short by these; a process
	killed outright cannot count its last interval's.
	*/
	readonly historyDropped: number;
	/** The encoding worker (entry-encoder.ts): its state, what it encoded, its failures (then encoded here). */
	readonly encoder: EncoderStats;
}

export type LeaseState = 'held' | 'waiting' | 'lost';

/**
Longest a write waits to be batched with others (ms) unless 1,000 entries are waiting. A transaction costs by the keys
it touches, not by the events it holds (MULTI/EXEC, a promise and a reply per command, an LTRIM and EXPIRE per list, the
batch id, the watermark, one writev that wakes Redis): at 200 events/s a 50 ms window made 20 transactions a second,
a quarter of the main thread's added work in a CPU profile of the dashboard (bench:tui --profile). 200 ms makes 5,
stays under the writer's 250 ms tick and well under the seed's one second of metric latency.
*/
const FLUSH_DELAY_MS = 200;
/** Under load, a transaction starts at most this often (ms) while its batch is smaller than BIG_BATCH_ENTRIES. */
const MIN_TRANSACTION_GAP_MS = 20;
/** List entries after which a batch goes at once, paced or not. */
const BIG_BATCH_ENTRIES = 5000;
/** The held history rollups are merged into Redis at most this often (ms), unless forced or MAX_HELD_BUCKETS are held. */
const HISTORY_EVERY_MS = 1000;
/** The longest a turn's writes wait for its reading before the writer's next tick sends them (ms): a statfs answers in a few. */
const READING_WAIT_MS = 500;
/** The writer's tick while a flush left something waiting (Redis away, a lease being retaken, a failed transaction). */
const RETRY_TICK_MS = 250;
/** The writer's tick otherwise: only what comes due by time (rollups, step history, at most every second anyway). */
const IDLE_TICK_MS = 1000;
/** Why a transaction was not sent: a lease it is written under went while its entries were encoded (commit()). */
const LEASE_WENT_WHILE_ENCODING = 'the writer lease changed while the transaction was encoded: not sent, settled by its batch id';
/** 10 s buckets held at most before they go with the next transaction (a backfill makes many). */
const MAX_HELD_BUCKETS = 50_000;
/**
10 s buckets held at most, whatever happens: while Redis is away or stalled nothing can be merged, and events stamped
all over the retention would each hold one more. Beyond it a sample that needs a new bucket is left out and counted
(stats.historyDropped); a sample of a bucket already held still counts.
*/
const HARD_MAX_HELD_BUCKETS = 2 * MAX_HELD_BUCKETS;

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

export class WriteBatcher {
	protected pending: PendingBatch;
	/** Writes to this host's own keys (GPU telemetry), gated by the host lease instead of the shared one. */
	protected hostPending: PendingBatch;
	/** The batch whose EXEC failed with an unknown outcome, with the scopes whose lease it was written under. */
	protected retrying:
		| {
				id: string;
				commands: KvCommand[];
				after: KvCommand[];
				entries: number;
				families: FamilyCounts;
				scopes: readonly WriteScope[];
				/** Samples of the held rollups it carries whose events an earlier transaction committed (lost with it). */
				heldCommitted: number;
		  }
		| undefined;
	/** Drops not yet added to `mycotop:writes:dropped` in Redis. */
	private dropsToReport: FamilyCounts = {};
	private flushing = false;
	private scheduled = false;
	/** The trickle's delay (FLUSH_DELAY_MS) being waited out; cut short once 1,000 entries wait. */
	private delayTimer: NodeJS.Timeout | undefined;
	/** Turns open now (turn()), the readings their ends wait for, and whether a write was held back for them. */
	private openTurns = 0;
	/** Readings a turn's end waits for, with when each began (performance.now()). */
	private readonly awaitedReadings = new Map<object, number>();
	private heldForTurn = false;
	/** A flush due within a while (enqueueHashWithin), cancelled as soon as any other write schedules one. */
	private lazyTimer: NodeJS.Timeout | undefined;
	/** When the last transaction of pending writes was sent (performance.now()): the pacing under load. */
	private lastTransactionAt = Number.NEGATIVE_INFINITY;
	private batchSeq = 0;
	private timers: Periodic[] = [];
	/** The retry tick (onRetryTick), its period now; only between start() and stop(). */
	private retryTick: Periodic | undefined;
	private retryTickMs = IDLE_TICK_MS;
	private started = false;
	private readonly maxPending: number;
	protected readonly now: () => number;
	private readonly idleWaiters: Array<() => void> = [];
	readonly stats: WriterStats;
	/** What the batches' history rollups share (rollup-batch.ts): step widths, chunk key names. */
	private readonly rollupMemo = new RollupMemo();
	/** Training series by step, held here and written when due (history on only). */
	protected readonly steps: StepRollups | undefined;
	/** Draining: the step rollups are written now, not when due. */
	private stepsForced = false;
	/**
	The stored events' history samples by time (the projection's; the GPU part's go with their batch), held across
	transactions and merged into Redis at most every HISTORY_EVERY_MS, by an explicit flush and when draining: under
	load a merge costs Redis a few chunk keys per series whatever it holds, so merged per transaction it was most of
	what the history added to an event's cost. Never merged twice (it rides in one transaction, retried only by batch
	id); what is held when the lease is lost or the process dies (at most the last interval's) is left out of the
	time tiers, as the step rollups' last second is.
	*/
	private heldRollups: RollupBatch;
	/** When the held rollups were last taken (performance.now()). */
	private lastRollupsAt = Number.NEGATIVE_INFINITY;
	/** An explicit flush is running: the held rollups go with it, due or not. */
	private rollupsForced = false;
	/** Samples the held rollups refused at their cap, or let go with the lease, in batches already taken (stats.historyDropped). */
	private historyLeftOutBefore = 0;
	/**
	The held rollups' samples whose events are committed (their list entries in Redis): what the time tiers miss if
	the lease goes before the next merge. Counted for `batch` only (the held rollups when they were counted).
	*/
	private committedHeld: {readonly batch: RollupBatch; readonly samples: number} | undefined;
	/** Where a transaction's training entries are encoded: the worker for a big one, here for a small one. */
	private readonly encoder: EntryEncoder;

	constructor(
		protected readonly target: WriterTarget,
		private readonly batcherOptions: BatcherOptions = {},
	) {
		const pendingEntries = () => this.pendingCount;
		const stepCounts = () => this.steps?.counts() ?? {dropped: 0, outliers: 0, malformed: 0};
		const held = () => this.heldRollups;
		const historyLeftOutBefore = () => this.historyLeftOutBefore;
		this.encoder = new EntryEncoder(batcherOptions.encodeWorker === false ? {minEntries: Number.POSITIVE_INFINITY} : batcherOptions.encodeWorker);
		const encoderStats = this.encoder.stats;
		this.stats = {
			batches: 0,
			commands: 0,
			entriesWritten: 0,
			dropped: 0,
			droppedByFamily: {},
			handedOver: 0,
			replayed: 0,
			replayGaps: 0,
			replayAmbiguous: 0,
			commandErrors: 0,
			lastCommandError: undefined,
			failures: 0,
			retriesSkipped: 0,
			lastError: undefined,
			refusals: {},
			refusingNow: undefined,
			get pendingEntries() {
				return pendingEntries();
			},
			get stepDropped() {
				return stepCounts().dropped;
			},
			get stepOutliers() {
				return stepCounts().outliers;
			},
			get stepMalformed() {
				return stepCounts().malformed;
			},
			get historyHeldBuckets() {
				return held().bucketCount;
			},
			get historyDropped() {
				return held().refused + historyLeftOutBefore();
			},
			encoder: encoderStats,
		};
		this.maxPending = batcherOptions.maxPendingEntries ?? 100_000;
		this.now = batcherOptions.now ?? Date.now;
		this.pending = new PendingBatch(this.maxPending, this.rollupMemo);
		this.hostPending = new PendingBatch(this.maxPending, this.rollupMemo);
		this.heldRollups = new RollupBatch(this.rollupMemo, HARD_MAX_HELD_BUCKETS);
		this.steps =
			batcherOptions.history === true
				? new StepRollups(
						(key) => this.target.kv().getBuffer(key),
						() => this.schedule(),
					)
				: undefined;
	}

	/** Run `fn` every `ms` (unref'd) until stop(). */
	protected every(ms: number, fn: () => void): void {
		this.timers.push(periodic(ms, fn));
	}

	start(): void {
		this.started = true;
		this.setRetryTick(IDLE_TICK_MS);
	}

	stop(): void {
		this.started = false;
		this.retryTick?.stop();
		this.retryTick = undefined;
		for (const timer of this.timers) timer.stop();
		this.timers = [];
		this.encoder.stop();
		clearTimeout(this.lazyTimer);
		this.lazyTimer = undefined;
	}

	/**
	Whether something waits that no timer of its own will send: a batch kept back (Redis away, a lease being retaken,
	a failed transaction), drops to report, or history rollups come due by time. (Not writes waiting on purpose for
	another write's transaction, or for a turn's reading: their own timer flushes them, or the turn, or the tick.)
	*/
	private needsFlush(): boolean {
		const heldForReading = this.heldForTurn && this.holding() && this.retrying === undefined;
		return (!this.isIdle() && this.lazyTimer === undefined && !heldForReading) || Object.keys(this.dropsToReport).length > 0;
	}

	/**
	The writer's own tick: every RETRY_TICK_MS while a flush left something waiting (the retry while Redis is away),
	else every IDLE_TICK_MS, which falls on the shared schedule's whole seconds (periodic.ts) and so adds no wake-up
	of its own (a collector's writes go out with each frame's transaction; the tick then only finds rollups or step
	history come due by time, which are merged at most every second anyway).
	*/
	private onRetryTick(): void {
		// A turn's reading still being made half a second after it began: its writes go now, and it is waited for no
		// longer (one that began just before this tick has until the next).
		if (this.awaitedReadings.size > 0) {
			const now = performance.now();
			for (const [token, began] of this.awaitedReadings) if (now - began >= READING_WAIT_MS) this.awaitedReadings.delete(token);
			this.sendHeld();
		}
		if (this.needsFlush()) this.schedule();
		else if (this.retryTickMs !== IDLE_TICK_MS) this.setRetryTick(IDLE_TICK_MS);
	}

	private setRetryTick(ms: number): void {
		if (!this.started || (this.retryTick !== undefined && this.retryTickMs === ms)) return;
		this.retryTick?.stop();
		this.retryTickMs = ms;
		this.retryTick = periodic(ms, () => this.onRetryTick());
	}

	/** After a flush: the fast tick while it left something waiting (it is retried every RETRY_TICK_MS). */
	private afterFlush(): void {
		if (!this.scheduled && this.needsFlush()) this.setRetryTick(RETRY_TICK_MS);
	}

	/**
	Writes held outside the pending batches until a transaction is built (the projection's latest `current` values):
	moved into the shared batch before each transaction, discarded with it when the shared lease is lost.
	*/
	protected holdsUnbatched(): boolean {
		return false;
	}

	protected materializeUnbatched(): void {}

	protected discardUnbatched(): void {}

	/** Queued before a drain (the last aggregates). */
	protected beforeDrain(): void {}

	/** Append arbitrary commands (used by the GPU sampler and the rules) to the next batch. */
	enqueueList(key: string, entry: string, ttlSeconds: number, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		if (!batch.push(key, entry, ttlSeconds)) this.dropEntry(key);
		this.schedule();
	}

	/** One list entry given up (the batch was full). */
	protected dropEntry(key: string): void {
		this.dropCounts(1, {[keyFamily(key)]: 1});
	}

	/** A whole batch given up: its list entries are counted per family (its counters go with them, unwritten). */
	private dropBatch(batch: PendingBatch): void {
		this.dropCounts(batch.entryCount, batch.entriesByFamily());
	}

	/** Whether a lost lease's batch goes to the next writer (pub/sub with a replay ring, or --streams). */
	private get handsOver(): boolean {
		return this.batcherOptions.handover === true || this.batcherOptions.watermark !== undefined;
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
		return this.pending.isEmpty && !this.holdsUnbatched() && this.retrying === undefined;
	}

	/** Count a takeover's replay (the messages went through onEvent as usual). */
	noteReplay(messages: number, outcome: 'exact' | 'gap' | 'ambiguous'): void {
		this.stats.replayed += messages;
		if (outcome === 'gap') this.stats.replayGaps += 1;
		if (outcome === 'ambiguous') this.stats.replayAmbiguous += 1;
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

	/** The batch for a scope, or undefined when this instance may not write it. */
	protected batchFor(scope: WriteScope): PendingBatch | undefined {
		if (!this.mayWrite(scope)) return undefined;
		return scope === 'host' ? this.hostPending : this.pending;
	}

	/** Holding the scope's lease, or waiting out an outage after holding it. */
	protected mayWrite(scope: WriteScope): boolean {
		return this.leaseState(scope) !== 'lost';
	}

	/** mayWrite('shared') as first asked in this turn of the event loop (undefined: not asked yet). */
	private sharedThisTurn: boolean | undefined;

	/**
	mayWrite('shared') for the bus events' hot path: asked once per turn of the event loop, its answer kept until the
	microtasks queued so far have run. A socket read delivers hundreds of messages in one turn; the answer changes in
	another callback (a lease round, a connection event) or by time (a lapse's hold running out mid-turn): then the
	turn's later events join the pending batch and the next flush settles them with it (dropped or handed over, and
	counted), as it does those of a moment before.
	*/
	protected mayWriteSharedThisTurn(): boolean {
		let verdict = this.sharedThisTurn;
		if (verdict === undefined) {
			verdict = this.mayWrite('shared');
			this.sharedThisTurn = verdict;
			queueMicrotask(() => (this.sharedThisTurn = undefined));
		}
		return verdict;
	}

	/**
	Whether a write of `scope` enqueued now would be taken (the lease held, or waited for after an outage): for callers
	that hold writes back before enqueueing them (gpu-part.ts's history samples), so they keep only what this
	instance may write.
	*/
	accepts(scope: WriteScope): boolean {
		return this.mayWrite(scope);
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

	/** Hash fields into the next batch (last write wins); with `ttlSeconds`, the key's TTL is set again with them. */
	enqueueHash(key: string, fields: Record<string, string>, scope: WriteScope = 'shared', ttlSeconds?: number): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		batch.hset(key, fields, ttlSeconds);
		this.schedule();
	}

	/**
	Hash fields that are not urgent (a periodic reading such as the host's figures): they wait up to `withinMs` for
	the transaction of another write (the GPU frame's, a second apart like them), so a box sends one transaction a
	second instead of one per reading; with no other write they go after `withinMs` on their own.
	*/
	enqueueHashWithin(key: string, fields: Record<string, string>, withinMs: number, scope: WriteScope = 'shared'): void {
		const batch = this.batchFor(scope);
		if (batch === undefined) return;
		batch.hset(key, fields);
		if (this.scheduled || this.lazyTimer !== undefined) return;
		if (this.holding()) {
			this.heldForTurn = true;
			return;
		}
		this.lazyTimer = setTimeout(() => {
			this.lazyTimer = undefined;
			this.schedule();
		}, Math.max(0, withinMs));
		this.lazyTimer.unref();
	}

	/**
	A periodic source's turn: the GPU frame, with the host reading and the fleet line that ride with it (gpu-part.ts).
	Writes made while a turn is open, or while a reading it ended with is being made, arm no timer (neither the
	trickle's delay nor enqueueHashWithin's wait); `end(ready)` sends them, in one transaction, once `ready` settles
	(none: at once), in that turn of the event loop (setImmediate), or with the flush already coming when there is one
	(events' writes waiting out the trickle's delay). So the frame's transaction goes in the wake-up that brought the
	frame, or, with a statfs due, in the one of its answer: a delay armed and then cleared would still wake the process
	when it was due (Node leaves libuv's timer where it was when a timeout is cleared or refreshed). The bound: the
	writer's own tick on the whole second (onRetryTick) sends what a reading begun READING_WAIT_MS before still holds
	back, and stops waiting for that reading, so a reading that never settles holds writes back a second and a half at
	most. Under load (1,000 entries waiting) writes go paced as ever. `end` a second time does nothing.
	*/
	turn(): (ready?: Promise<unknown>) => void {
		this.openTurns += 1;
		let open = true;
		return (ready) => {
			if (!open) return;
			open = false;
			this.openTurns -= 1;
			if (ready !== undefined) {
				const token = {};
				this.awaitedReadings.set(token, performance.now());
				const settled = () => {
					if (this.awaitedReadings.delete(token)) this.sendHeld();
				};
				void ready.then(settled, settled);
			}
			this.sendHeld();
		};
	}

	/** Whether writes wait for a turn now: one is open, or a reading one ended with is being made. */
	private holding(): boolean {
		return this.openTurns > 0 || this.awaitedReadings.size > 0;
	}

	/**
	Writes turns held back: sent at once (setImmediate). A flush already coming (the trickle's delay armed by the events
	before the frame) takes them instead, when it comes: cutting that delay short would not spare its wake-up (see
	turn), only add a transaction. A host reading's wait for another write's transaction (enqueueHashWithin) ends here.
	*/
	private sendHeld(): void {
		if (this.holding()) return;
		const held = this.heldForTurn;
		this.heldForTurn = false;
		if (!held || this.scheduled) return;
		if (this.lazyTimer !== undefined) {
			clearTimeout(this.lazyTimer);
			this.lazyTimer = undefined;
		}
		this.scheduled = true;
		setImmediate(() => {
			this.scheduled = false;
			void this.flush(true);
		});
	}

	/**
	Flush within `flushDelayMs` (default FLUSH_DELAY_MS): at a trickle that is one transaction per window instead of one
	per message. Under load (1,000 entries waiting) sooner, but paced (paceWaitMs): a transaction starts at most every
	MIN_TRANSACTION_GAP_MS unless BIG_BATCH_ENTRIES are waiting.
	*/
	protected schedule(): void {
		// A turn is open (turn()): its end sends these writes, unless load cannot wait for it.
		if (this.holding() && !this.scheduled && this.pending.entryCount + this.hostPending.entryCount < 1000) {
			this.heldForTurn = true;
			return;
		}
		if (this.scheduled) {
			// Load built up while a write waited out the trickle's delay: go paced now instead of at the delay's end.
			if (this.delayTimer === undefined || this.pending.entryCount + this.hostPending.entryCount < 1000) return;
			clearTimeout(this.delayTimer);
			this.delayTimer = undefined;
		}
		if (this.lazyTimer !== undefined) {
			clearTimeout(this.lazyTimer);
			this.lazyTimer = undefined;
		}
		this.scheduled = true;
		const run = () => {
			this.scheduled = false;
			this.delayTimer = undefined;
			void this.flush(true);
		};
		const delay = this.batcherOptions.flushDelayMs ?? FLUSH_DELAY_MS;
		if (delay > 0 && this.pending.entryCount + this.hostPending.entryCount < 1000) {
			this.delayTimer = setTimeout(run, delay);
			this.delayTimer.unref();
			return;
		}
		const wait = this.paceWaitMs();
		if (wait > 0) setTimeout(run, wait).unref();
		else setImmediate(run);
	}

	/**
	How long a flush under load waits before its transaction (0: go now). Sent back to back, a batch holds what came
	during the last round trip: at 90,000 events/s a few hundred events, and every transaction costs the same again
	whatever it holds (MULTI/EXEC, an LTRIM and EXPIRE per list, the `current` hashes, the batch id, the watermark, and
	the history merge: a few chunk keys per series). Paced, the same events go in a tenth of the transactions; a
	write waits at most MIN_TRANSACTION_GAP_MS longer. With flushDelayMs <= 0 (tests) nothing is paced. The clock is
	the process's own monotonic one, not the injected `now` (a test's frozen clock must not stop the writer).
	*/
	private paceWaitMs(): number {
		if ((this.batcherOptions.flushDelayMs ?? FLUSH_DELAY_MS) <= 0) return 0;
		if (this.pending.entryCount >= BIG_BATCH_ENTRIES || this.hostPending.entryCount >= BIG_BATCH_ENTRIES) return 0;
		return Math.max(0, this.lastTransactionAt + MIN_TRANSACTION_GAP_MS - performance.now());
	}

	/**
	Write everything pending now. One transaction in flight at a time; later writes wait for the next. `paced` (the
	scheduled flushes): stop after a transaction when the next one would come too soon (paceWaitMs) and schedule it.
	*/
	async flush(paced = false): Promise<void> {
		if (this.flushing) return;
		this.rollupsForced = !paced;
		try {
			await this.flushNow(paced);
		} finally {
			this.rollupsForced = false;
			this.afterFlush();
		}
	}

	private async flushNow(paced: boolean): Promise<void> {
		// A lease lost (or read-only): what is pending under it belongs to the new holder now. This instance will never
		// write those entries: count them as dropped, so an outage's losses are visible, not silent.
		if (!this.mayWrite('shared')) {
			this.release(this.pending);
			this.pending = new PendingBatch(this.maxPending, this.rollupMemo);
			this.discardUnbatched();
			// The next writer reads the step rollups from Redis and replays what this instance had not committed.
			this.steps?.clear();
			this.letGoHeldRollups();
		}
		if (!this.mayWrite('host')) {
			this.dropBatch(this.hostPending);
			this.hostPending = new PendingBatch(this.maxPending, this.rollupMemo);
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
				// A lease being retaken: the batch waits for the answer (flushed again on the writer's retry tick, every RETRY_TICK_MS).
				if (verdict === 'wait') return;
				const committed = (await kv.get(lastBatchKey)) === this.retrying.id;
				if (committed) {
					this.stats.retriesSkipped += 1;
					this.stats.entriesWritten += this.retrying.entries;
				} else if (verdict === 'send') {
					await this.commit(kv, this.retrying.id, this.retrying.commands, this.retrying.after, this.retrying.scopes, true);
					this.stats.entriesWritten += this.retrying.entries;
				} else {
					// Not applied, and the lease is another instance's now: sending it would overwrite the new writer's data.
					// Its watermark was not stored either, so the new writer writes these messages from its ring.
					if (this.handsOver && this.target.leaseTakenByAnother?.() === true && !this.retrying.scopes.includes('host')) this.stats.handedOver += this.retrying.entries;
					else this.dropCounts(this.retrying.entries, this.retrying.families);
					this.historyLeftOutBefore += this.retrying.heldCommitted;
				}
				this.retrying = undefined;
			}
			while (!this.isIdle()) {
				if (paced && !this.stepsForced && this.paceWaitMs() > 0) {
					this.schedule();
					break;
				}
				this.materializeUnbatched();
				const shared = this.take('shared');
				const host = this.take('host');
				const nowMs = this.now();
				// The step rollups' changes, when due (absolute bytes: a retried transaction writes them again harmlessly).
				const held = this.leaseState('shared') === 'held';
				const stepCommands = held ? (this.steps?.takeCommands(nowMs, this.stepsForced) ?? []) : [];
				// With the lease held the shared batch was taken whole: every event sampled so far is in this transaction or an earlier one.
				const heldBefore = this.heldRollups;
				const heldSamples = heldBefore.samples;
				let heldCommitted = 0;
				let rollupsTaken = false;
				if (held && this.rollupsDue()) {
					heldCommitted = this.committedHeld?.batch === heldBefore ? this.committedHeld.samples : 0;
					rollupsTaken = true;
					stepCommands.push(...this.takeHeldRollups().toCommands(nowMs));
					this.lastRollupsAt = performance.now();
				}
				// Nothing this instance may write now (a lease being retaken keeps its batch waiting for the answer).
				if (shared.isEmpty && host.isEmpty && stepCommands.length === 0) break;
				const id = `${this.target.instanceId}:${++this.batchSeq}`;
				const commands = [...shared.toCommands(undefined, nowMs), ...host.toCommands(undefined, nowMs), ...stepCommands];
				const watermark = shared.isEmpty ? undefined : this.batcherOptions.watermark?.();
				// After the batch's marker (on a Redis Cluster, only once every part of the batch is in).
				const after: KvCommand[] = watermark === undefined ? [] : [['SET', ourKeys.writerWatermark, watermark, 'EX', 86_400]];
				const entries = shared.entryCount + host.entryCount;
				const families = shared.entriesByFamily();
				addFamilyCounts(families, host.entriesByFamily());
				const scopes: WriteScope[] = [...(shared.isEmpty && stepCommands.length === 0 ? [] : ['shared' as const]), ...(host.isEmpty ? [] : ['host' as const])];
				this.retrying = {id, commands, after, entries, families, scopes, heldCommitted};
				this.lastTransactionAt = performance.now();
				await this.commit(kv, id, commands, after, scopes);
				this.retrying = undefined;
				if (held && !rollupsTaken) this.committedHeld = {batch: heldBefore, samples: heldSamples};
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
		if (scope === 'host') this.hostPending = new PendingBatch(this.maxPending, this.rollupMemo);
		else this.pending = new PendingBatch(this.maxPending, this.rollupMemo);
		if (state === 'held') return batch;
		if (scope === 'shared') this.release(batch);
		else this.dropBatch(batch);
		return new PendingBatch(0);
	}

	/** The scope's lease as the writer sees it: held, being retaken (writes wait), or another instance's. */
	protected leaseState(scope: WriteScope): LeaseState {
		if (scope === 'host' ? this.target.canWriteHost() : this.target.canWrite()) return 'held';
		return this.target.shouldQueue(scope) ? 'waiting' : 'lost';
	}

	protected isIdle(): boolean {
		return (
			this.pending.isEmpty &&
			this.hostPending.isEmpty &&
			!this.holdsUnbatched() &&
			!this.retrying &&
			!((this.steps?.due(this.now(), this.stepsForced) === true || this.rollupsDue()) && this.leaseState('shared') === 'held')
		);
	}

	/**
	The held rollups let go (the lease lost, or the process stopping without writing them): the samples of committed
	events among them are what the time tiers miss, and are counted; the others go with their events (handed over to
	the next writer, or dropped and counted as writes).
	*/
	private letGoHeldRollups(): void {
		const taken = this.takeHeldRollups();
		if (this.committedHeld?.batch === taken) this.historyLeftOutBefore += this.committedHeld.samples;
		this.committedHeld = undefined;
	}

	/** The held rollups, a fresh (bounded) batch taking their place; what they refused stays counted. */
	private takeHeldRollups(): RollupBatch {
		const taken = this.heldRollups;
		this.historyLeftOutBefore += taken.refused;
		this.heldRollups = new RollupBatch(this.rollupMemo, HARD_MAX_HELD_BUCKETS);
		return taken;
	}

	/** The stored events' samples by time (held across transactions), for the projection. */
	protected get eventRollups(): RollupBatch {
		return this.heldRollups;
	}

	/** Whether the held rollups go with the next transaction: forced (a drain, an explicit flush), their interval passed, or many held. */
	private rollupsDue(): boolean {
		if (this.heldRollups.isEmpty) return false;
		if (this.stepsForced || this.rollupsForced || this.heldRollups.bucketCount >= MAX_HELD_BUCKETS) return true;
		return performance.now() - this.lastRollupsAt >= HISTORY_EVERY_MS;
	}

	private async commit(kv: Kv, id: string, commands: KvCommand[], after: KvCommand[], scopes: readonly WriteScope[], resend = false): Promise<void> {
		const marker: KvCommand = ['SET', ourKeys.writerLastBatch(this.target.instanceId), id, 'EX', 86_400];
		const sent: KvCommand[] = [...commands, marker, ...after];
		// The training entries' bytes: from the worker for a big transaction (the batch is `retrying` meanwhile: counted
		// as waiting, settled by its id like any other), else made here. A retried batch's are made already.
		await this.encoder.encode(commands);
		// The leases were looked at when the batch was taken; the worker may answer after one went to another instance
		// (up to its answer timeout, as long as the lease's own TTL): then the batch is not sent but stays `retrying`,
		// and the next flush settles it by its id (not applied: dropped or handed over), as any batch not sent.
		if (retryVerdict(scopes, (scope) => this.leaseState(scope)) !== 'send') throw new Error(LEASE_WENT_WHILE_ENCODING);
		try {
			// The marker goes last (on a Redis Cluster: after every slot's part was applied), so a stored id means the whole batch.
			await kv.exec(commands, {marker, resend, after});
		} catch (error) {
			if (!(error instanceof PartialExecError)) throw error;
			// Applied, except these: the batch is not sent again (its other writes are in), what failed is counted.
			this.notePartial(sent, error.failures);
		}
		this.stats.refusingNow = undefined;
		this.stats.batches += 1;
		this.stats.commands += commands.length + after.length;
	}

	/** Commands of an applied transaction that Redis refused: their entries are dropped, per family, and named. */
	private notePartial(sent: readonly KvCommand[], failures: PartialExecError['failures']): void {
		for (const {index, error} of failures) {
			const command = sent[index];
			if (command === undefined) continue;
			// An EVAL's second part is the script's text: the history merge is named instead.
			const key = command[0] === 'EVAL' ? 'history rollups' : String(command[1]);
			// The merge skipped keys of another type (and merged the rest): each key is one refusal, the first named.
			const skipped = command[0] === 'EVAL' ? rollupSkips(error.message) : undefined;
			this.stats.commandErrors += skipped?.count ?? 1;
			this.stats.lastCommandError = skipped !== undefined ? `WRONGTYPE history key of another type skipped (${skipped.first})` : `${error.message.slice(0, 80)} (${key})`;
			const entries = command[0] === 'LPUSH' ? entryCount(command[2]) : command[0] === 'XADD' ? 1 : 0;
			if (entries > 0) this.dropCounts(entries, {[keyFamily(key)]: entries});
		}
	}

	private notifyIdle(): void {
		for (const resolve of this.idleWaiters.splice(0)) resolve();
	}

	/** Resolves when nothing is pending (or after `timeoutMs`): used for a clean shutdown. */
	async drain(timeoutMs = 2000): Promise<boolean> {
		this.stepsForced = true;
		try {
			return await this.drainAll(timeoutMs);
		} finally {
			this.stepsForced = false;
		}
	}

	private async drainAll(timeoutMs: number): Promise<boolean> {
		this.beforeDrain();
		const deadline = this.now() + timeoutMs;
		while (this.now() < deadline) {
			if (this.isIdle() && !this.flushing) return true;
			// Nothing this instance may still write (no lease held, none being retaken, no failed batch to settle).
			if (!this.mayWrite('shared') && !this.mayWrite('host') && this.retrying === undefined) {
				this.letGoHeldRollups();
				return true;
			}
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
}

/** List entries an LPUSH carries: its encoded block, or plain values. */
function entryCount(values: unknown): number {
	return values instanceof EncodedEntries ? values.count : 1;
}
