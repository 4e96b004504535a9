/**
The rule engine: evaluates every rule against one RuleInput at one time, steps each instance's lifecycle
(alert-state.ts), decides what is published (the cooldown), and turns the result into alert rows. No I/O and no
clock of its own: the caller passes the time, so tests and the benchmark drive it in accelerated time.
*/
import {labelsText, alertId, type Labels} from './labels.js';
import {type InstanceState, type Observation, type Phase, type Severity, type TransitionKind, type NotifyMemory, notifyDecision, steadyFiring, steadyPending, cancelsPending, step, SEVERITY_RANK} from './alert-state.js';
import {ackCovers, liveAck, silencedBy, silenceMatcherText, silenceStatus, type Ack, type Silence} from './ack-silence.js';
import {SeriesCatalog} from './series-catalog.js';
import {ColumnCache} from './condition-columns.js';
import {SortedWindows} from './sorted-window.js';
import {type AlertGroup, type Rule, type RuleContext, type RuleInput, type RuleSample} from './rule-types.js';
import {type AlertRow, type AlertState, type AlertsSnapshot} from './alert-snapshot.js';

export interface EngineOptions {
	/** The seed's cooldown: a re-fire of the same alert within this is not published (unless more severe). Default 5 min. */
	readonly repeatIntervalMs?: number;
	/** GPU series without a sample for this long are stale (nodata). Default 15 s. */
	readonly staleAfterMs?: number;
	readonly resolvedRetentionMs?: number;
	/** Transitions kept for the log. Default 500. */
	readonly historyLimit?: number;
	/** Episode starts this close are one episode (for acks made on another instance). Default 1250 ms. */
	readonly episodeToleranceMs?: number;
	/**
	This box's name: alerts about one of its GPUs (a sample with a `uuid` label) carry it as their `host` label, so the
	same rule on two boxes gives two alerts and the fleet counts each box's own. Alerts about the shared system
	(training, tasks, agents, Redis) are the same on every box and carry none: their ids stay equal everywhere, so an
	acknowledgement made on any box covers them.
	*/
	readonly host?: string;
}

/** One state change of one alert: journaled, appended to the stream, and (when `send`) published. */
export interface AlertTransition {
	readonly id: string;
	readonly rule: string;
	readonly group: AlertGroup;
	readonly key: string;
	readonly labels: Labels;
	readonly kind: TransitionKind;
	readonly from: Phase | 'none';
	readonly to: Phase | 'none';
	readonly severity: Severity;
	readonly value: number;
	readonly message: string;
	readonly timeMs: number;
	readonly activeAtMs: number;
	readonly firedAtMs?: number;
	/** Published on the seed's channel. */
	readonly send: boolean;
	/** Why not sent: cooldown, silenced, not sent (its firing was not). */
	readonly reason?: string;
	readonly recommendation?: string;
}

interface Entry {
	readonly id: string;
	readonly rule: Rule;
	readonly key: string;
	/** Read through `stateOf(entry)`: a steady sample may be waiting. Set through `setState` (it keeps the three below). */
	state: InstanceState;
	/** state.phase, state.severity and state.activeAtMs, on the entry: read for every sample, from one object shape (states have many). */
	phase: Phase;
	severity: Severity;
	activeAtMs: number;
	seen: number;
	/**
	The latest sample of a steady instance (see steadyFiring, steadyPending), not yet folded into `state`: its message
	(undefined: none waiting), value, labels as sent and with the host. Kept as fields, not as the sample object, so
	the sample dies young (a storm of steady alerts keeps no garbage alive across evaluations).
	*/
	latestMessage: RuleSample['message'] | undefined;
	latestValue: number;
	latestRawLabels: Labels | undefined;
	latestLabels: Labels | undefined;
}

function newEntry(id: string, rule: Rule, key: string, state: InstanceState, seen: number): Entry {
	return {id, rule, key, state, phase: state.phase, severity: state.severity, activeAtMs: state.activeAtMs, seen, latestMessage: undefined, latestValue: 0, latestRawLabels: undefined, latestLabels: undefined};
}

function setState(entry: Entry, state: InstanceState): void {
	entry.state = state;
	entry.phase = state.phase;
	entry.severity = state.severity;
	entry.activeAtMs = state.activeAtMs;
}

/** The entry's state with its latest steady sample folded in (the message rendered now, once). */
function stateOf(entry: Entry): InstanceState {
	const message = entry.latestMessage;
	if (message !== undefined) {
		const value = entry.latestValue;
		const text = typeof message === 'function' ? message.call({labels: entry.latestRawLabels ?? entry.state.labels, breach: true, value, message}) : message;
		setState(entry, {...entry.state, value, labels: entry.latestLabels ?? entry.state.labels, message: text});
		entry.latestMessage = undefined;
		entry.latestRawLabels = undefined;
		entry.latestLabels = undefined;
	}
	return entry.state;
}

/** A GPU alert's labels with the box's `host` (see EngineOptions.host); others unchanged. */
export function withHost(labels: Labels, host: string | undefined): Labels {
	if (host === undefined || labels['uuid'] === undefined || labels['host'] !== undefined) return labels;
	return {...labels, host};
}

const STALE: Observation = Object.freeze({kind: 'stale'});
const ABSENT: Observation = Object.freeze({kind: 'absent'});


type Mutable<T> = {-readonly [K in keyof T]: T[K]};

const DEFAULT_REPEAT_INTERVAL_MS = 5 * 60_000;
const DEFAULT_STALE_AFTER_MS = 15_000;
/** A firing alert found in the stream at start is restored if its last transition is this recent (Prometheus's for-outage-tolerance). */
const OUTAGE_TOLERANCE_MS = 60 * 60_000;

export class RuleEngine {
	readonly catalog = new SeriesCatalog();
	/** robust_z's sorted windows, kept across evaluations. */
	private readonly sortedWindows = new SortedWindows();
	private readonly entries = new Map<Rule, Map<string, Entry>>();
	private readonly notify = new Map<string, NotifyMemory>();
	/**
	Alert ids of new instances, by label set (the object: a catalog series' labels, alive while the series is) and rule
	(its place in `rules`). The rules that go pending on one series in one tick read one small array, not a cache each.
	*/
	private readonly ids = new WeakMap<Labels, Array<string | undefined>>();
	/** A sample's labels with `host` added (withHost), one copy per sample label object: see `ids`. */
	private readonly hostLabels = new WeakMap<Labels, Labels>();
	private hosted(labels: Labels): Labels {
		const host = this.options.host;
		if (host === undefined) return labels;
		let hosted = this.hostLabels.get(labels);
		if (hosted === undefined) {
			hosted = withHost(labels, host);
			this.hostLabels.set(labels, hosted);
		}
		return hosted;
	}
	private readonly history: AlertTransition[] = [];
	/** Resolved alerts restored from the stream (shown in the log until a live one replaces them). */
	private readonly restoredRows = new Map<string, AlertRow>();
	private tick = 0;
	readonly errors = new Map<string, string>();
	evaluations = 0;

	constructor(
		readonly rules: readonly Rule[],
		private readonly options: EngineOptions = {},
	) {
		for (const r of rules) this.entries.set(r, new Map());
	}

	get repeatIntervalMs(): number {
		return this.options.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS;
	}

	/** Evaluate every rule at `input.nowMs`. `silence` says whether an alert is silenced (then nothing is published). */
	evaluate(input: RuleInput, silence?: (rule: string, labels: Labels) => Silence | undefined): AlertTransition[] {
		const now = input.nowMs;
		this.tick += 1;
		this.evaluations += 1;
		this.catalog.update(input);
		let map = new Map<string, Entry>();
		const shared: RuleContext = {input, series: this.catalog, staleAfterMs: this.options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS, columns: new ColumnCache(now, this.sortedWindows), samplesReused: true};
		const out: AlertTransition[] = [];
		const timing = (rule: Rule) => ({forMs: rule.forMs, keepFiringForMs: rule.keepFiringForMs, resolvedRetentionMs: this.options.resolvedRetentionMs});
		for (let r = 0; r < this.rules.length; r++) {
			const rule = this.rules[r]!;
			map = this.entries.get(rule)!;
			const ctx: RuleContext = {...shared, tracked: map};
			const t = timing(rule);
			const tick = this.tick;
			try {
				rule.evaluate(ctx, (sample: RuleSample) => {
					const key = sample.key ?? labelsText(sample.labels);
					const entry = map.get(key);
					if (entry === undefined && (!sample.breach || sample.stale)) return;
					if (entry !== undefined && sample.stale !== true) {
						const severity = sample.severity ?? rule.severity;
						if (steadyFiring(entry.phase, entry.severity, sample.breach, severity) || steadyPending(entry.phase, entry.severity, entry.activeAtMs, sample.breach, severity, now, t.forMs)) {
							// Same result as step() (no transition, only value, labels and message refreshed), without the copy.
							entry.latestMessage = sample.message;
							entry.latestValue = sample.value;
							entry.latestRawLabels = sample.labels;
							entry.latestLabels = this.hosted(sample.labels);
							entry.seen = tick;
							return;
						}
					}
					let obs: Observation;
					if (sample.stale) obs = STALE;
					// step() cancels whatever the sample says: no message rendered for it.
					else if (entry !== undefined && cancelsPending(entry.phase, sample.breach)) obs = ABSENT;
					else
						obs = {
							kind: 'sample',
							labels: this.hosted(sample.labels),
							breach: sample.breach,
							clear: sample.clear ?? !sample.breach,
							severity: sample.severity ?? rule.severity,
							value: sample.value,
							message: typeof sample.message === 'function' ? sample.message() : sample.message,
						};
					this.apply(r, rule, map, key, entry, step(entry === undefined ? undefined : stateOf(entry), obs, now, t), tick, now, out, silence);
				});
				this.errors.delete(rule.name);
			} catch (error) {
				// Grafana's Error state: keep every instance as it was (no resolve on a failing rule).
				this.errors.set(rule.name, error instanceof Error ? error.message : String(error));
				for (const entry of map.values()) entry.seen = tick;
			}
			if (map.size === 0) continue;
			for (const entry of map.values()) if (entry.seen !== tick) this.apply(r, rule, map, entry.key, entry, step(stateOf(entry), ABSENT, now, t), tick, now, out, silence);
		}
		for (const tr of out) this.remember(tr);
		const limit = this.options.historyLimit ?? 500;
		// Trimmed once per evaluation: a storm of transitions would otherwise shift the whole log once per transition.
		if (this.history.length > limit) this.history.splice(0, this.history.length - limit);
		return out;
	}

	private apply(
		r: number,
		rule: Rule,
		map: Map<string, Entry>,
		key: string,
		entry: Entry | undefined,
		result: ReturnType<typeof step>,
		tick: number,
		now: number,
		out: AlertTransition[],
		silence: ((rule: string, labels: Labels) => Silence | undefined) | undefined,
	): void {
		const before = entry === undefined ? undefined : stateOf(entry);
		const next = result.state;
		let current = entry;
		if (next === undefined) map.delete(key);
		else if (current === undefined) {
			current = newEntry(this.idFor(r, rule, next.labels), rule, key, next, tick);
			map.set(key, current);
		} else {
			setState(current, next);
			current.seen = tick;
		}
		const kind = result.transition;
		if (kind === undefined) return;
		const id = current?.id ?? alertId(rule.name, before?.labels ?? {});
		const state = next ?? before!;
		let send = false;
		let reason: string | undefined;
		if (kind === 'firing' || kind === 'escalated' || kind === 'resolved' || kind === 'nodata') {
			const silencedWith = silence?.(rule.name, state.labels);
			const decision = notifyDecision(kind, state.severity, this.notify.get(id), now, this.repeatIntervalMs);
			if (silencedWith !== undefined && kind !== 'resolved' && kind !== 'nodata') {
				reason = `silenced (${silencedWith.id})`;
				const m = this.notify.get(id);
				if (m !== undefined) this.notify.set(id, {...m, episodeSent: false});
			} else {
				send = decision.send;
				reason = decision.reason;
				if (decision.memory !== undefined) this.notify.set(id, decision.memory);
			}
		}
		out.push(transition(id, rule, key, state, kind, before?.phase ?? 'none', next?.phase ?? 'none', now, send, reason));
	}

	/** The alert id of a new instance of the r-th rule: alertId, remembered per label set object (labels are never changed). */
	private idFor(r: number, rule: Rule, labels: Labels): string {
		let ids = this.ids.get(labels);
		if (ids === undefined) {
			ids = [];
			this.ids.set(labels, ids);
		}
		let id = ids[r];
		if (id === undefined) {
			id = alertId(rule.name, labels);
			ids[r] = id;
		}
		return id;
	}

	private remember(tr: AlertTransition): void {
		if (tr.kind === 'cancelled') return;
		this.history.push(tr);
		// Most evaluations restored nothing: the id (an old string, cold in memory) is not read then.
		if (this.restoredRows.size > 0) this.restoredRows.delete(tr.id);
	}

	/** Live instances (pending, firing, recovering, nodata, and resolved within retention). */
	instances(): Array<{readonly id: string; readonly rule: Rule; readonly state: InstanceState}> {
		const out: Array<{id: string; rule: Rule; state: InstanceState}> = [];
		for (const map of this.entries.values()) for (const e of map.values()) out.push({id: e.id, rule: e.rule, state: stateOf(e)});
		return out;
	}

	/** Number of live instances (for the benchmark and stats). */
	get instanceCount(): number {
		let n = 0;
		for (const map of this.entries.values()) n += map.size;
		return n;
	}

	/** Transitions, oldest first (including those restored from the stream). */
	transitions(): readonly AlertTransition[] {
		return this.history;
	}

	/**
	Restore from the transition log (oldest first) after a restart: alerts whose last transition is firing,
	escalated or nodata, recent enough, come back in that phase with their original firing time (so they are
	neither announced again nor lose their acknowledgement); the rest show as resolved history.
	*/
	restore(records: readonly AlertTransition[], now: number, toleranceMs = OUTAGE_TOLERANCE_MS): void {
		const latest = new Map<string, AlertTransition>();
		const lastSent = new Map<string, AlertTransition>();
		for (const r of records) {
			if (r.kind === 'pending' || r.kind === 'cancelled') continue;
			latest.set(r.id, r);
			if (r.send && (r.kind === 'firing' || r.kind === 'escalated')) lastSent.set(r.id, r);
		}
		this.history.push(...records.filter((r) => r.kind !== 'cancelled').slice(-(this.options.historyLimit ?? 500)));
		for (const [id, r] of latest) {
			const rule = this.rules.find((x) => x.name === r.rule);
			const active = r.kind === 'firing' || r.kind === 'escalated' || r.kind === 'nodata';
			if (rule !== undefined && active && now - r.timeMs <= toleranceMs) {
				const map = this.entries.get(rule)!;
				if (map.has(r.key)) continue;
				map.set(r.key, newEntry(id, rule, r.key, {
					phase: r.kind === 'nodata' ? 'nodata' : 'firing',
					labels: r.labels,
					activeAtMs: r.activeAtMs,
					firedAtMs: r.firedAtMs ?? r.activeAtMs,
					...(r.kind === 'nodata' ? {nodataSinceMs: r.timeMs} : {}),
					severity: r.severity,
					value: r.value,
					message: r.message,
					changedAtMs: r.timeMs,
				}, this.tick));
				const sent = lastSent.get(id);
				if (sent !== undefined)
					this.notify.set(id, {lastFiringSentMs: sent.timeMs, lastSentSeverity: sent.severity, episodeSent: (r.firedAtMs ?? 0) <= sent.timeMs && sent.timeMs >= r.activeAtMs});
				continue;
			}
			this.restoredRows.set(id, {
				id,
				rule: r.rule,
				severity: r.severity,
				state: 'resolved',
				message: r.message,
				labels: r.labels,
				sinceMs: r.timeMs,
				updatedMs: r.timeMs,
				origin: 'rules',
				phase: 'resolved',
				group: r.group,
				...(r.firedAtMs !== undefined ? {firedMs: r.firedAtMs} : {}),
			});
		}
	}

	/** The alert rows for the UI: live instances, then restored history; newest change first. */
	rows(now: number, acks: ReadonlyMap<string, Ack>, silences: ReadonlyMap<string, Silence>): AlertRow[] {
		const rows: AlertRow[] = [];
		for (const map of this.entries.values()) {
			for (const e of map.values()) {
				const s = stateOf(e);
				const episodeStart = s.firedAtMs ?? s.activeAtMs;
				const ack = liveAck(acks.get(e.id), now);
				const acked = ackCovers(ack, s.activeAtMs, s.severity, this.options.episodeToleranceMs, s.firedAtMs);
				const silenced = s.phase === 'resolved' ? undefined : silencedBy(silences.values(), e.rule.name, s.labels, now);
				let state: AlertState;
				if (s.phase === 'resolved') state = 'resolved';
				else if (silenced !== undefined) state = 'silenced';
				else if (s.phase === 'nodata') state = 'nodata';
				else if (acked) state = 'acknowledged';
				else state = s.phase === 'pending' ? 'pending' : 'firing';
				const since = s.phase === 'resolved' ? s.resolvedAtMs! : s.phase === 'nodata' ? (s.nodataSinceMs ?? s.changedAtMs) : episodeStart;
				rows.push({
					id: e.id,
					rule: e.rule.name,
					severity: s.severity,
					state,
					message: s.message,
					labels: s.labels,
					sinceMs: since,
					updatedMs: s.changedAtMs,
					...(acked && ack ? ackFields(ack) : {}),
					origin: 'rules',
					phase: s.phase,
					group: e.rule.group,
					value: s.value,
					activeMs: s.activeAtMs,
					...(s.firedAtMs !== undefined ? {firedMs: s.firedAtMs} : {}),
					...(silenced ? {silencedBy: silenced.id} : {}),
				});
			}
		}
		for (const row of this.restoredRows.values()) rows.push(row);
		return rows.sort((a, b) => rank(a) - rank(b) || b.updatedMs - a.updatedMs);
	}

	/** The snapshot the dashboard draws. */
	snapshot(now: number, acks: ReadonlyMap<string, Ack>, silences: ReadonlyMap<string, Silence>, external: readonly AlertRow[] = []): AlertsSnapshot {
		const rows = [...this.rows(now, acks, silences), ...external].sort((a, b) => rank(a) - rank(b) || b.updatedMs - a.updatedMs).slice(0, 300);
		const unacknowledgedCritical = rows.filter((r) => r.state === 'firing' && r.severity === 'critical').length;
		return {
			rows,
			unacknowledgedCritical,
			silences: [...silences.values()]
				.filter((s) => silenceStatus(s, now) !== 'expired')
				.sort((a, b) => a.endsMs - b.endsMs)
				.map((s) => ({id: s.id, matcher: silenceMatcherText(s), endsMs: s.endsMs, author: s.createdBy, comment: s.comment, startsMs: s.startsMs})),
			recent: this.history.slice(-100).reverse().map(transitionRow),
			errors: [...this.errors].map(([rule, message]) => ({rule, message})),
		};
	}
}

/**
A transition's fields, always in this order (the stream stores them as JSON): id ... activeAtMs, then firedAtMs,
send, reason and recommendation where defined. The common case (pending and cancelled: no firing time, no reason)
is one literal, with no properties added after it is made; the rest is built field by field.
*/
function transition(id: string, rule: Rule, key: string, state: InstanceState, kind: TransitionKind, from: Phase | 'none', to: Phase | 'none', now: number, send: boolean, reason: string | undefined): AlertTransition {
	const {recommendation} = rule;
	if (state.firedAtMs === undefined && reason === undefined) {
		if (recommendation === undefined)
			return {id, rule: rule.name, group: rule.group, key, labels: state.labels, kind, from, to, severity: state.severity, value: state.value, message: state.message, timeMs: now, activeAtMs: state.activeAtMs, send};
		return {id, rule: rule.name, group: rule.group, key, labels: state.labels, kind, from, to, severity: state.severity, value: state.value, message: state.message, timeMs: now, activeAtMs: state.activeAtMs, send, recommendation};
	}
	// Built field by field (not with conditional spreads): the same keys in the same order, without a copy per field.
	const tr: Partial<Mutable<AlertTransition>> = {
		id,
		rule: rule.name,
		group: rule.group,
		key,
		labels: state.labels,
		kind,
		from,
		to,
		severity: state.severity,
		value: state.value,
		message: state.message,
		timeMs: now,
		activeAtMs: state.activeAtMs,
	};
	if (state.firedAtMs !== undefined) tr.firedAtMs = state.firedAtMs;
	tr.send = send;
	if (reason !== undefined) tr.reason = reason;
	if (recommendation !== undefined) tr.recommendation = recommendation;
	return tr as AlertTransition;
}

/** Open problems first (firing, nodata, pending), then handled ones, then resolved. */
function rank(row: AlertRow): number {
	const base = {firing: 0, nodata: 1, pending: 2, acknowledged: 3, silenced: 4, resolved: 5}[row.state];
	return base * 3 + (2 - SEVERITY_RANK[row.severity]);
}

function transitionRow(t: AlertTransition): {readonly id: string; readonly rule: string; readonly kind: string; readonly severity: Severity; readonly message: string; readonly timeMs: number; readonly sent: boolean} {
	return {id: t.id, rule: t.rule, kind: t.kind, severity: t.severity, message: t.message, timeMs: t.timeMs, sent: t.send};
}

/** What a row shows of the ack that covers it: who, when, the comment, until when. */
export function ackFields(ack: Ack): Pick<AlertRow, 'acknowledgedBy' | 'acknowledgedMs' | 'ackComment' | 'ackUntilMs'> {
	return {acknowledgedBy: ack.by, acknowledgedMs: ack.atMs, ...(ack.comment ? {ackComment: ack.comment} : {}), ...(ack.untilMs !== undefined ? {ackUntilMs: ack.untilMs} : {})};
}
