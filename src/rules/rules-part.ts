/**
The rules part of the runtime: evaluates the rules every second on the store (and GPU readings), records each
transition (journal; through the writer, the Redis alert log stream and the seed's metrics:alerts:* hashes), hands
them to its NotifyFunc (one message on the seed's channel, sent by the writer instance), keeps acks and silences in
its storage (polled every 500 ms by a dashboard, every second by the `--headless` collector: acksPollMs), and implements the dashboard's
AlertActions. It does no I/O of its own: everything it reads or writes goes through what it is given (RulesDeps),
as Prometheus's rule manager is given its NotifyFunc and appender; the wiring is in attach.ts.
*/
import {hostname} from 'node:os';
import {type MetricsStore} from '../store/metrics-store.js';
import {journal} from '../journal.js';
import {every as periodic, type Periodic} from '../periodic.js';
import {type RulesSourcePart} from '../parts.js';
import {userAtHost} from '../config/resolve.js';
import {type AlertActions} from './alert-actions.js';
import {type AlertRow, type AlertsSnapshot, type Severity} from './alert-snapshot.js';
import {ackCovers, expiredSilence, liveAck, newSilence, ruleMatchers, silencedBy, type Ack, type Silence} from './ack-silence.js';
import {type AlertStorage} from './alert-storage.js';
import {type NotifyFunc} from './alert-notify.js';
import {type ReceiverState} from '../notify/notify-types.js';
import {ackFields, RuleEngine, type AlertTransition} from './engine.js';
import {storeInput} from './store-input.js';
import {type ForecastSettings} from '../analysis/forecast-settings.js';
import {type GpuInput, type Rule, type RuleInput} from './rule-types.js';

export {correlationInsight, slowStepInsight} from './alert-notify.js';

/** What the rules part is given: the store it reads, and every effect as a function or an interface. */
export interface RulesDeps {
	readonly store: MetricsStore;
	/** Announce transitions (the seed's alert channels and insights). */
	readonly notify: NotifyFunc;
	/** Record transitions: the alert log and the seed's alert hashes, through the writer (and memory on the embedded bus). */
	readonly record: (transitions: readonly AlertTransition[]) => void;
	/** Transitions not in Redis's alert log: the writer's dropped 'alerts' entries plus those it holds back. */
	readonly unwrittenTransitions: () => number;
	/** Acks, silences and the log to restore from: Redis (writes through the writer) once reached, memory before. */
	readonly storage: () => AlertStorage;
	/** Whether this instance writes the shared keys now (its transitions are announced and logged). */
	readonly isWriter: () => boolean;
	/** A read-only instance writes no acks or silences. */
	readonly readOnly: () => boolean;
	/** `context:project:{id}` field `status` for each id (undefined: none); rejects when Redis is away. */
	readonly projectStatuses: (ids: readonly string[]) => Promise<ReadonlyArray<string | undefined>>;
	/** The notification receivers' states, for the snapshot (absent: no receivers configured). */
	readonly receiverStates?: () => readonly ReceiverState[];
	/** Which rows inhibition mutes, by the id of the alert that mutes each (absent: no notifications configured). */
	readonly inhibitedRows?: (rows: readonly AlertRow[]) => ReadonlyMap<string, string>;
}

/**
How often acks and silences are re-read, by mode. A dashboard every 500 ms: an ack made on another screen shows at
its next redraw. The `--headless` collector every second, on the whole seconds its other periodic work already wakes
it for (periodic.ts), and wakes two times a second fewer (the poll at the half second and its answer). The price: the
poll's answer comes after that second's evaluation, so a silence made elsewhere mutes the collector's notifications
within two seconds instead of one and a half. Pure.
*/
export function acksPollMs(headless: boolean): number {
	return headless ? 1000 : 500;
}

export interface RulesPartOptions {
	readonly rules: readonly Rule[];
	/** Default 1000 ms. */
	readonly evaluationIntervalMs?: number;
	/** The seed's cooldown. Default 5 min. */
	readonly repeatIntervalMs?: number;
	/** GPU series stale after this. Default 15 s. */
	readonly staleAfterMs?: number;
	/** How often acks and silences are re-read from Redis. Default 500 ms (see acksPollMs). */
	readonly pollMs?: number;
	/** How often context:project:{id} status is read. Default 5 s. */
	readonly contextPollMs?: number;
	readonly gpus?: (now: number) => readonly GpuInput[] | undefined;
	/** Redis's own health series (src/redis-health), for redis_memory_percent and redis_latency_ms. */
	readonly redis?: RuleInput['redis'];
	/** user@host recorded on acks and silences. */
	readonly user?: string;
	/** This box's name (`--host`): the `host` label of alerts about its GPUs (see EngineOptions.host). */
	readonly host?: string;
	readonly now?: () => number;
	/** The SLA budget's settings and the target losses, for the forecast series (config `sla:`, `training:`). */
	readonly forecasts?: ForecastSettings;
	/** The host's filesystems (src/host), for forecast_disk_full_seconds. */
	readonly disks?: () => RuleInput['disks'];
}

function normalizeSeverity(s: string): Severity {
	return s === 'critical' || s === 'info' ? s : 'warning';
}

/** One undo step: the acks one action gave (one for `a`, all of them for `A`), or one silence. */
type UndoEntry = {kind: 'ack'; acks: ReadonlyArray<{readonly alertId: string; readonly previous: Ack | undefined}>} | {kind: 'silence'; id: string};

/** The message `undo()` rejects with when this instance has nothing left to undo. */
export const NOTHING_TO_UNDO = 'nothing to undo';

export class RulesPart implements RulesSourcePart, AlertActions {
	readonly engine: RuleEngine;
	readonly alertActions: AlertActions = this;
	readonly alerts = (): AlertsSnapshot => this.snapshot();
	private acks = new Map<string, Ack>();
	private silences = new Map<string, Silence>();
	private readonly statuses = new Map<string, string>();
	private restoredFrom: 'memory' | 'redis' | undefined;
	private timers: Periodic[] = [];
	private readonly undoStack: UndoEntry[] = [];
	private error: string | undefined;
	private readonly now: () => number;
	private readonly user: string;
	private polling = false;
	/** Bumped by every ack or silence made here, so a poll that raced with one does not undo it on screen. */
	private localChanges = 0;
	/** Evaluation time of the last tick (ms), for stats. */
	lastEvaluationMs = 0;

	constructor(
		private readonly host: RulesDeps,
		private readonly options: RulesPartOptions,
	) {
		this.engine = new RuleEngine(options.rules, {
			repeatIntervalMs: options.repeatIntervalMs,
			staleAfterMs: options.staleAfterMs,
			episodeToleranceMs: (options.evaluationIntervalMs ?? 1000) + 250,
			...(options.host !== undefined ? {host: options.host} : {}),
		});
		this.now = options.now ?? Date.now;
		this.user = options.user ?? userAtHost();
	}

	readonly lastError = (): string | undefined => this.error;

	private storage(): AlertStorage {
		return this.host.storage();
	}

	async start(): Promise<void> {
		await this.poll();
		const every = (ms: number, fn: () => void) => this.timers.push(periodic(ms, fn, false));
		every(this.options.evaluationIntervalMs ?? 1000, () => this.evaluate());
		every(this.options.pollMs ?? 500, () => void this.poll());
		every(this.options.contextPollMs ?? 5000, () => void this.pollContexts());
		void this.pollContexts();
		this.evaluate();
	}

	/** The transitions' writes are the writer's: the runtime drains it after stopping the parts. */
	async stop(): Promise<void> {
		for (const t of this.timers) t.stop();
		this.timers = [];
	}

	/** Re-read acks and silences (and, the first time a store is reachable, restore the transition log). */
	async poll(): Promise<void> {
		if (this.polling) return;
		this.polling = true;
		try {
			const storage = this.storage();
			const kind = storage.persistent ? 'redis' : 'memory';
			const now = this.now();
			const restoring = this.restoredFrom !== kind && (kind === 'redis' || this.restoredFrom === undefined);
			const changesBefore = this.localChanges;
			// The log is restored in the same synchronous step as the acks and silences it is read with: the alerts it
			// brings back firing are never seen (by the notify part's adoption, which decides from a row's silence
			// and ack what was sent about it) without them.
			const [records, acks, silences] = await Promise.all([restoring ? storage.readLog(1000) : undefined, storage.loadAcks(now), storage.loadSilences(now)]);
			if (records !== undefined) {
				this.engine.restore(records, now);
				this.restoredFrom = kind;
				this.host.store.touch();
			}
			// An ack or silence made here while this read was in flight is newer than what it returned: keep ours,
			// the next poll reads it back from Redis (at a restore, ours are added to what was read).
			if (this.localChanges !== changesBefore) {
				if (records === undefined) return;
				this.acks = new Map([...acks, ...this.acks]);
				this.silences = new Map([...silences, ...this.silences]);
				return;
			}
			const changed = !sameMap(acks, this.acks) || !sameMap(silences, this.silences);
			this.acks = acks;
			this.silences = silences;
			if (changed) this.host.store.touch();
		} catch {
			// Redis away: keep what we have; the next poll tries again.
		} finally {
			this.polling = false;
		}
	}

	private async pollContexts(): Promise<void> {
		const now = this.now();
		const ids = [...this.host.store.projects].filter(([, s]) => now - s.lastUpdatedMs < 30 * 60_000).map(([id]) => id);
		try {
			const results = await this.host.projectStatuses(ids);
			ids.forEach((id, i) => {
				const status = results[i];
				if (status === undefined) this.statuses.delete(id);
				else this.statuses.set(id, status);
			});
		} catch {
			// Keep the last known statuses.
		}
	}

	/** One evaluation now (the timer calls this every second). Returns the transitions. */
	evaluate(): AlertTransition[] {
		const now = this.now();
		const started = performance.now();
		const input = storeInput(this.host.store, now, this.statuses, this.options.gpus?.(now), this.options.redis, {...this.options.forecasts, disks: this.options.disks?.()});
		const transitions = this.engine.evaluate(input, (rule, labels) => silencedBy(this.silences.values(), rule, labels, now));
		this.lastEvaluationMs = performance.now() - started;
		if (transitions.length > 0) this.record(transitions);
		return transitions;
	}

	private record(transitions: readonly AlertTransition[]): void {
		const writer = this.host.isWriter();
		const recorded = transitions.filter((t) => t.kind !== 'cancelled');
		for (const t of recorded)
			journal.record({type: 'alert', transition: t.kind, id: t.id, rule: t.rule, severity: t.severity, state: t.to, message: t.message, labels: t.labels, sent: t.send && writer, ...(t.reason ? {reason: t.reason} : {})});
		// The writer writes them while this instance holds the lease, and holds them (bounded) while the lease is being
		// retaken or Redis is away; a viewer's go nowhere: the writer instance logs its own.
		this.host.record(recorded);
		this.host.notify(recorded);
		this.host.store.touch();
	}

	private externalRows(now: number): AlertRow[] {
		return this.host.store.externalAlerts.newest(50).map((a) => {
			const id = `external:${a.channel}:${a.type}:${a.timeMs}`;
			const severity = normalizeSeverity(a.severity);
			const ack = liveAck(this.acks.get(id), now);
			const acked = ackCovers(ack, a.timeMs, severity, 0);
			const state = now - a.timeMs > 15 * 60_000 ? 'resolved' : acked ? 'acknowledged' : 'firing';
			return {
				id,
				rule: a.type,
				severity,
				state,
				message: a.message,
				labels: {channel: a.channel, ...(a.source ? {source: a.source} : {})},
				sinceMs: a.timeMs,
				updatedMs: a.timeMs,
				...(acked && ack ? ackFields(ack) : {}),
				origin: 'external',
			} satisfies AlertRow;
		});
	}

	snapshot(): AlertsSnapshot {
		const now = this.now();
		const snapshot = this.engine.snapshot(now, this.acks, this.silences, this.externalRows(now));
		const unwritten = this.host.unwrittenTransitions();
		const receivers = this.host.receiverStates?.() ?? [];
		const inhibited = this.host.inhibitedRows?.(snapshot.rows);
		const rows = snapshot.rows.some((r) => r.silencedBy !== undefined || inhibited?.has(r.id) === true)
			? snapshot.rows.map((r) => {
					const since = r.silencedBy === undefined ? undefined : this.silences.get(r.silencedBy)?.startsMs;
					const by = inhibited?.get(r.id);
					return since === undefined && by === undefined ? r : {...r, ...(since !== undefined ? {silencedSinceMs: since} : {}), ...(by !== undefined ? {inhibitedBy: by} : {})};
				})
			: snapshot.rows;
		return {...snapshot, rows, ...(unwritten === 0 ? {} : {unwrittenTransitions: unwritten}), ...(receivers.length > 0 ? {receivers} : {})};
	}

	// ---------------------------------------------------------------- AlertActions

	private writable(): void {
		if (this.host.readOnly()) {
			this.error = 'read-only instance: acknowledgements and silences are not written';
			throw new Error(this.error);
		}
	}

	private currentRow(alertId: string): AlertRow | undefined {
		return this.snapshot().rows.find((r) => r.id === alertId);
	}

	async acknowledge(alertId: string, comment?: string, forMs?: number): Promise<void> {
		this.writable();
		const previous = await this.putAck(alertId, comment, forMs);
		this.undoStack.push({kind: 'ack', acks: [{alertId, previous}]});
	}

	/** Acknowledge several alerts as one action: one `undo()` takes them all back. */
	async acknowledgeAll(alertIds: readonly string[]): Promise<void> {
		this.writable();
		const done: Array<{alertId: string; previous: Ack | undefined}> = [];
		try {
			for (const alertId of alertIds) done.push({alertId, previous: await this.putAck(alertId)});
		} finally {
			if (done.length > 0) this.undoStack.push({kind: 'ack', acks: done});
		}
	}

	/** Write one ack for the alert's current episode; returns the ack it replaced. */
	private async putAck(alertId: string, comment?: string, forMs?: number): Promise<Ack | undefined> {
		const row = this.currentRow(alertId);
		if (row === undefined) {
			this.error = `no alert ${alertId}`;
			throw new Error(this.error);
		}
		// The episode is keyed by its start (when it first went pending), so an ack given while pending still holds
		// once the alert fires.
		const episodeMs = row.origin === 'external' ? row.sinceMs : (row.activeMs ?? row.firedMs ?? row.sinceMs);
		const atMs = this.now();
		const ack: Ack = {alertId, by: this.user, atMs, severity: row.severity, episodeMs, ...(comment ? {comment} : {}), ...(forMs !== undefined && forMs > 0 ? {untilMs: atMs + forMs} : {})};
		const previous = this.acks.get(alertId);
		await this.storage().putAck(ack);
		this.acks.set(alertId, ack);
		this.localChanges += 1;
		this.error = undefined;
		journal.record({type: 'alert-ack', id: alertId, by: ack.by});
		this.host.store.touch();
		return previous;
	}

	async unacknowledge(alertId: string): Promise<void> {
		this.writable();
		await this.storage().deleteAck(alertId);
		this.acks.delete(alertId);
		this.localChanges += 1;
		this.host.store.touch();
	}

	async silence(rule: string, durationMs: number, options: {readonly labels?: Readonly<Record<string, string>>; readonly comment?: string} = {}): Promise<void> {
		await this.addSilence(rule, durationMs, options);
	}

	/** Create a silence and return it (the CLI prints its id). */
	async addSilence(rule: string, durationMs: number, options: {readonly labels?: Readonly<Record<string, string>>; readonly comment?: string} = {}): Promise<Silence> {
		this.writable();
		if (!(durationMs > 0)) throw new Error('a silence needs a positive duration');
		const now = this.now();
		const silence = newSilence(ruleMatchers(rule, options.labels), now, durationMs, this.user, options.comment ?? `silenced from mycotop on ${hostname()}`);
		await this.storage().putSilence(silence);
		this.silences.set(silence.id, silence);
		this.localChanges += 1;
		this.undoStack.push({kind: 'silence', id: silence.id});
		this.error = undefined;
		journal.record({type: 'alert-silence', id: silence.id, rule, endsMs: silence.endsMs, by: silence.createdBy});
		this.host.store.touch();
		return silence;
	}

	async expireSilence(silenceId: string): Promise<void> {
		this.writable();
		const s = this.silences.get(silenceId);
		if (s === undefined) return;
		const expired = expiredSilence(s, this.now());
		await this.storage().putSilence(expired);
		this.silences.set(silenceId, expired);
		this.localChanges += 1;
		this.host.store.touch();
	}

	/** Undo the last acknowledge (all of an acknowledgeAll) or silence; rejects with NOTHING_TO_UNDO when there is none. */
	async undo(): Promise<void> {
		const last = this.undoStack.at(-1);
		if (last === undefined) {
			this.error = NOTHING_TO_UNDO;
			throw new Error(NOTHING_TO_UNDO);
		}
		this.writable();
		this.undoStack.pop();
		if (last.kind === 'ack') {
			for (const {alertId, previous} of [...last.acks].reverse()) {
				if (previous) {
					await this.storage().putAck(previous);
					this.acks.set(alertId, previous);
					this.localChanges += 1;
				} else {
					await this.storage().deleteAck(alertId);
					this.acks.delete(alertId);
					this.localChanges += 1;
				}
			}
		} else {
			await this.storage().deleteSilence(last.id);
			this.silences.delete(last.id);
			this.localChanges += 1;
		}
		this.error = undefined;
		this.host.store.touch();
	}
}

function sameMap<T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>): boolean {
	if (a.size !== b.size) return false;
	for (const [k, v] of a) if (JSON.stringify(v) !== JSON.stringify(b.get(k))) return false;
	return true;
}
