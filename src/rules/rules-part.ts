/**
The rules part of the runtime: evaluates the rules every second on the store (and GPU readings), records each
transition (journal; on the writer instance also the Redis stream, the seed's metrics:alerts:* hashes and one
message on the seed's channel), keeps acks and silences in Redis (polled every 500 ms, so every instance sees them
within a second), and implements the dashboard's AlertActions.
*/
import {hostname} from 'node:os';
import {randomBytes} from 'node:crypto';
import {ALERT_CHANNELS, OUTPUT_CHANNELS, keys} from '../contract/names.js';
import {isoTime} from '../contract/time.js';
import {type KvCommand} from '../bus/kv.js';
import {type BusManager} from '../bus/bus-manager.js';
import {type MetricsStore} from '../store/metrics-store.js';
import {journal} from '../journal.js';
import {type RulesSourcePart} from '../parts.js';
import {userAtHost} from '../config/resolve.js';
import {type AlertActions} from './alert-actions.js';
import {type AlertRow, type AlertsSnapshot, type Severity} from './alert-snapshot.js';
import {ackCovers, silencedBy, type Ack, type Silence} from './ack-silence.js';
import {ALERT_KEYS, LOG_MAX_ENTRIES, MemoryAlertStorage, RedisAlertStorage, encodeTransition, type AlertStorage} from './alert-storage.js';
import {RuleEngine, type AlertTransition} from './engine.js';
import {storeInput} from './store-input.js';
import {type GpuInput, type Rule} from './rule-types.js';

export interface RulesHost {
	readonly store: MetricsStore;
	readonly bus: BusManager;
	readonly instanceId: string;
}

export interface RulesPartOptions {
	readonly rules: readonly Rule[];
	/** Default 1000 ms. */
	readonly evaluationIntervalMs?: number;
	/** The seed's cooldown. Default 5 min. */
	readonly repeatIntervalMs?: number;
	/** GPU series stale after this. Default 15 s. */
	readonly staleAfterMs?: number;
	/** How often acks and silences are re-read from Redis. Default 500 ms. */
	readonly pollMs?: number;
	/** How often context:project:{id} status is read. Default 5 s. */
	readonly contextPollMs?: number;
	readonly gpus?: (now: number) => readonly GpuInput[] | undefined;
	/** user@host recorded on acks and silences. */
	readonly user?: string;
	readonly now?: () => number;
}

export const SEED_ALERT_STATE = keys.alertsState;
export const SEED_ALERT_COUNTERS = keys.alertsCounters;

/** The message published on events:alerts:{group}: the seed's fields (rule/type, severity, message, timestamp) and ours. */
export function alertMessage(t: AlertTransition, instanceId: string): Record<string, unknown> {
	const labels = t.labels;
	return {
		rule: t.rule,
		type: t.rule,
		severity: t.severity,
		state: t.kind,
		message: t.message,
		...(labels['project'] !== undefined ? {projectId: labels['project']} : {}),
		labels,
		value: Number.isFinite(t.value) ? t.value : String(t.value),
		alertId: t.id,
		activeAt: isoTime(t.activeAtMs),
		...(t.firedAtMs !== undefined ? {firedAt: isoTime(t.firedAtMs)} : {}),
		...(t.recommendation !== undefined ? {recommendation: t.recommendation} : {}),
		timestamp: isoTime(t.timeMs),
		source: `mycotop:${instanceId}`,
	};
}

/** The seed's events:insights:workflows message for a step that is consistently slow. */
export function slowStepInsight(t: AlertTransition, instanceId: string): Record<string, unknown> {
	return {
		type: 'slow_step_detected',
		workflowId: t.labels['workflow'] ?? null,
		stepId: t.labels['step'] ?? null,
		avgDuration: Number.isFinite(t.value) ? t.value : null,
		recommendation: 'Consider parallelization or resource optimization',
		timestamp: isoTime(t.timeMs),
		source: `mycotop:${instanceId}`,
	};
}

/** The seed's events:insights:correlations message for an error that followed a hot GPU. */
export function correlationInsight(t: AlertTransition, errorId: string | undefined, instanceId: string): Record<string, unknown> {
	return {
		type: 'error_performance_correlation',
		errorId: errorId ?? null,
		possibleCause: 'high_gpu_temperature',
		avgTemp: Number.isFinite(t.value) ? t.value : null,
		recommendation: 'Check GPU cooling before retrying',
		timestamp: isoTime(t.timeMs),
		source: `mycotop:${instanceId}`,
	};
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
	private readonly memory = new MemoryAlertStorage();
	private redisStorage: AlertStorage | undefined;
	private restoredFrom: 'memory' | 'redis' | undefined;
	private timers: NodeJS.Timeout[] = [];
	private readonly undoStack: UndoEntry[] = [];
	private error: string | undefined;
	private readonly now: () => number;
	private readonly user: string;
	private polling = false;
	/** Bumped by every ack or silence made here, so a poll that raced with one does not undo it on screen. */
	private localChanges = 0;
	private pendingWrites: Promise<unknown> = Promise.resolve();
	/** Evaluation time of the last tick (ms), for stats. */
	lastEvaluationMs = 0;
	transitionsWritten = 0;
	/** Transitions this writer did not get into Redis: the write failed, or was skipped while the lease was held back. */
	transitionsUnwritten = 0;

	constructor(
		private readonly host: RulesHost,
		private readonly options: RulesPartOptions,
	) {
		this.engine = new RuleEngine(options.rules, {
			repeatIntervalMs: options.repeatIntervalMs,
			staleAfterMs: options.staleAfterMs,
			episodeToleranceMs: (options.evaluationIntervalMs ?? 1000) + 250,
		});
		this.now = options.now ?? Date.now;
		this.user = options.user ?? userAtHost();
	}

	readonly lastError = (): string | undefined => this.error;

	private storage(): AlertStorage {
		const link = this.host.bus.link;
		if (this.host.bus.kind === 'redis' && link !== undefined) {
			this.redisStorage ??= new RedisAlertStorage(link.writer);
			return this.redisStorage;
		}
		return this.memory;
	}

	async start(): Promise<void> {
		await this.poll();
		const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms));
		every(this.options.evaluationIntervalMs ?? 1000, () => this.evaluate());
		every(this.options.pollMs ?? 500, () => void this.poll());
		every(this.options.contextPollMs ?? 5000, () => void this.pollContexts());
		void this.pollContexts();
		this.evaluate();
	}

	async stop(): Promise<void> {
		for (const t of this.timers) clearInterval(t);
		this.timers = [];
		await Promise.race([this.pendingWrites, new Promise((resolve) => setTimeout(resolve, 1000))]);
	}

	/** Re-read acks and silences (and, the first time a store is reachable, restore the transition log). */
	async poll(): Promise<void> {
		if (this.polling) return;
		this.polling = true;
		try {
			const storage = this.storage();
			const kind = storage.persistent ? 'redis' : 'memory';
			const now = this.now();
			if (this.restoredFrom !== kind && (kind === 'redis' || this.restoredFrom === undefined)) {
				const records = await storage.readLog(1000);
				this.engine.restore(records, now);
				this.restoredFrom = kind;
				this.host.store.touch();
			}
			const changesBefore = this.localChanges;
			const [acks, silences] = await Promise.all([storage.loadAcks(now), storage.loadSilences(now)]);
			// An ack or silence made here while this read was in flight is newer than what it returned: keep ours,
			// the next poll reads it back from Redis.
			if (this.localChanges !== changesBefore) return;
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
		const kv = this.host.bus.kv();
		const ids = [...this.host.store.projects].filter(([, s]) => now - s.lastUpdatedMs < 30 * 60_000).map(([id]) => id);
		try {
			const results = await Promise.all(ids.map((id) => kv.hgetall(keys.projectContext(id))));
			ids.forEach((id, i) => {
				const status = results[i]?.['status'];
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
		const input = storeInput(this.host.store, now, this.statuses, this.options.gpus?.(now));
		const transitions = this.engine.evaluate(input, (rule, labels) => silencedBy(this.silences.values(), rule, labels, now));
		this.lastEvaluationMs = performance.now() - started;
		if (transitions.length > 0) this.record(transitions);
		return transitions;
	}

	private record(transitions: readonly AlertTransition[]): void {
		const bus = this.host.bus;
		const writer = bus.canWrite();
		const commands: KvCommand[] = [];
		for (const t of transitions) {
			if (t.kind === 'cancelled') continue;
			journal.record({type: 'alert', transition: t.kind, id: t.id, rule: t.rule, severity: t.severity, state: t.to, message: t.message, labels: t.labels, sent: t.send && writer, ...(t.reason ? {reason: t.reason} : {})});
			if (!writer) {
				// Writes held back for an outage or a lease being retaken: this instance was the writer, and Redis's alert
				// log will not have this transition.
				if (bus.shouldQueue('shared')) this.transitionsUnwritten += 1;
				continue;
			}
			commands.push(['XADD', ALERT_KEYS.log, 'MAXLEN', '~', LOG_MAX_ENTRIES, '*', 't', encodeTransition(t, this.host.instanceId)]);
			if (t.send) {
				if (t.kind === 'firing' || t.kind === 'escalated') {
					commands.push(['HSET', SEED_ALERT_STATE, t.rule, String(t.timeMs)]);
					commands.push(['HINCRBY', SEED_ALERT_COUNTERS, t.rule, 1]);
				}
				bus.publishOutput(ALERT_CHANNELS[t.group], JSON.stringify(alertMessage(t, this.host.instanceId)));
				// The seed sends this correlation to error-coordinator as an insight, not only as an alert.
				// And a slow workflow step goes to workflow-orchestrator as the seed's insight.
				if (t.rule === 'slow_step_detected' && t.kind === 'firing')
					bus.publishOutput(OUTPUT_CHANNELS.insightsWorkflows, JSON.stringify(slowStepInsight(t, this.host.instanceId)));
				if (t.rule === 'error_performance_correlation' && t.kind === 'firing') {
					const errorId = this.host.store.criticalErrors.newest(1)[0]?.errorId;
					bus.publishOutput(OUTPUT_CHANNELS.insightsCorrelations, JSON.stringify(correlationInsight(t, errorId, this.host.instanceId)));
				}
			}
		}
		if (!bus.kind || bus.kind === 'embedded') this.memory.log.push(...transitions.filter((t) => t.kind !== 'cancelled'));
		if (commands.length > 0) {
			const count = commands.filter((c) => c[0] === 'XADD').length;
			this.transitionsWritten += count;
			this.pendingWrites = bus
				.kv()
				.exec(commands)
				.catch(() => {
					this.transitionsWritten -= count;
					this.transitionsUnwritten += count;
				});
		}
		this.host.store.touch();
	}

	private externalRows(now: number): AlertRow[] {
		return this.host.store.externalAlerts.newest(50).map((a) => {
			const id = `external:${a.channel}:${a.type}:${a.timeMs}`;
			const severity = normalizeSeverity(a.severity);
			const ack = this.acks.get(id);
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
				...(acked && ack ? {acknowledgedBy: ack.by, acknowledgedMs: ack.atMs} : {}),
				origin: 'external',
			} satisfies AlertRow;
		});
	}

	snapshot(): AlertsSnapshot {
		const now = this.now();
		const snapshot = this.engine.snapshot(now, this.acks, this.silences, this.externalRows(now));
		return this.transitionsUnwritten === 0 ? snapshot : {...snapshot, unwrittenTransitions: this.transitionsUnwritten};
	}

	// ---------------------------------------------------------------- AlertActions

	private writable(): void {
		if (this.host.bus.role === 'read-only') {
			this.error = 'read-only instance: acknowledgements and silences are not written';
			throw new Error(this.error);
		}
	}

	private currentRow(alertId: string): AlertRow | undefined {
		return this.snapshot().rows.find((r) => r.id === alertId);
	}

	async acknowledge(alertId: string, comment?: string): Promise<void> {
		this.writable();
		const previous = await this.putAck(alertId, comment);
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
	private async putAck(alertId: string, comment?: string): Promise<Ack | undefined> {
		const row = this.currentRow(alertId);
		if (row === undefined) {
			this.error = `no alert ${alertId}`;
			throw new Error(this.error);
		}
		// The episode is keyed by its start (when it first went pending), so an ack given while pending still holds
		// once the alert fires.
		const episodeMs = row.origin === 'external' ? row.sinceMs : (row.activeMs ?? row.firedMs ?? row.sinceMs);
		const ack: Ack = {alertId, by: this.user, atMs: this.now(), severity: row.severity, episodeMs, ...(comment ? {comment} : {})};
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
		const silence: Silence = {
			id: randomBytes(4).toString('hex'),
			matchers: [{name: 'alertname', value: rule, isRegex: false, isEqual: true}, ...Object.entries(options.labels ?? {}).map(([name, value]) => ({name, value, isRegex: false, isEqual: true}))],
			startsMs: now,
			endsMs: now + durationMs,
			createdBy: this.user,
			comment: options.comment ?? `silenced from mycotop on ${hostname()}`,
		};
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
		const expired = {...s, endsMs: Math.min(s.endsMs, this.now())};
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
