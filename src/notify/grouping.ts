/**
Grouping, as Alertmanager's dispatcher, as a pure step function `(state, input, nowMs, config) -> {state,
notifications}` (the style of src/rules/alert-state.ts), driven by the caller's clock so tests run it in accelerated
time.

Every alert is routed (route.ts) and joins one aggregation group per route it reaches, keyed by the route and the
alert's values of the route's `group_by` labels. A new group waits `group_wait` before its first message, so a storm
(8 GPUs overheating in the same second) is one message listing 8 alerts. After that the group is looked at every
`group_interval`: it is sent again when what it says changed (an alert joined, escalated, resolved, or was
acknowledged), or, unchanged and still firing, when `repeat_interval` has passed since it was last sent. A resolved
alert is sent once (only if its firing was) and then leaves the group; a group with no alerts left is dropped. An
alert that resolves before its group was ever sent is never announced. Alerts muted by inhibition (inhibit.ts) or
silenced are held but left out of messages: when the silence ends, the group's next interval announces them.

An alert whose labels (its severity) move it to another group of the same receiver leaves its old group quietly:
the receiver hears of it from the new group, and the old group's "resolved" would be false (for PagerDuty it would
close the incident: the dedup_key is the alert's id, the same in both groups). What the old group had sent about it
moves with it, so its resolve is still owed. A receiver the alert no longer reaches is told it resolved there.

Alerts the grouping adopts (GroupingInput.adopted: firing at a restart, or when a viewer becomes the writer, with
no transition) are taken as announced before unless a silence or an inhibition kept them out of every message
(adoptedKnowledge): their resolve is owed, PagerDuty's untriggered state is restored from their ack, and the first
message of their group, the same as the one sent before the restart, is recognised by the sent-record and not
sent again (unless the last message before the restart also listed alerts resolved since: see the README).

Acknowledgements reach PagerDuty at once (not at the next interval): an alert of a pagerduty receiver's group
whose firing was sent, acknowledged since, gives an `acknowledge` notification in the same step. For a pagerduty
receiver an ack is therefore not a change of the group (its message would only repeat the acknowledge); for the
other receivers it is (the team channel hears that someone took it, and again when an ack expires).

The seed's 5-minute cooldown is folded in here: a flapping alert is re-announced at most once per group_interval
(5 minutes by default), and a steady one every repeat_interval.
*/
import {createHash} from 'node:crypto';
import {type Labels} from '../rules/labels.js';
import {SEVERITY_RANK} from '../rules/alert-state.js';
import {type NotifyConfig, type RouteNode} from './notify-config.js';
import {inhibitedBy} from './inhibit.js';
import {sameAck, withAck} from './notify-alert.js';
import {groupKeyOf, groupLabelsOf, matchRoutes} from './route.js';
import {type Notification, type NotifyAck, type NotifyAlert, type ReceiverType} from './notify-types.js';

const SEVERITIES: readonly NotifyAlert['severity'][] = ['info', 'warning', 'critical'];

const severityUse = new WeakMap<RouteNode, boolean>();

/** Whether a route tree matches or groups on `severity` (else an alert's routes do not depend on it). Remembered per tree. */
function severityRoutes(root: RouteNode): boolean {
	let uses = severityUse.get(root);
	if (uses === undefined) {
		const walk = (r: RouteNode): boolean => r.matchers.some((m) => m.name === 'severity') || r.groupBy === 'all' || r.groupBy.includes('severity') || r.routes.some(walk);
		uses = walk(root);
		severityUse.set(root, uses);
	}
	return uses;
}

/**
Bounds on what the grouping holds: beyond them new alerts are refused and counted (`dropped`).
*/
export const GROUPING_LIMITS = {groups: 1000, alertsPerGroup: 1000} as const;

/** The content hash rounds an episode's start down to this (or the group interval when shorter): see contentHash. */
const START_QUANTUM_MS = 60_000;

interface GroupState {
	readonly key: string;
	readonly receiver: string;
	readonly groupLabels: Labels;
	/** The route's timing when the group was made. */
	readonly groupWaitMs: number;
	readonly groupIntervalMs: number;
	readonly repeatIntervalMs: number;
	/** Firing alerts, and resolved ones whose firing was sent and whose resolve is not yet. */
	readonly alerts: ReadonlyMap<string, NotifyAlert>;
	readonly createdMs: number;
	readonly nextFlushMs: number;
	readonly lastSentMs?: number;
	/** What the last message said, for change detection ('' when nothing was left to say). */
	readonly lastSaid?: string;
	/** Alerts whose firing was sent (their resolve will be). */
	readonly sentFiring: ReadonlySet<string>;
	/** PagerDuty: the ack (its time) already sent per alert. */
	readonly ackSent: ReadonlyMap<string, number>;
	/**
	PagerDuty: alerts whose firing went out while they were acknowledged, so no incident was triggered for them: nothing
	to acknowledge, and a trigger is owed if the ack expires while they still fire.
	*/
	readonly untriggered?: ReadonlySet<string>;
	/**
	Per alert, the time of the last ack that lapsed (expired or was withdrawn) in this episode: part of the content
	hash, so "no longer acknowledged" is not taken for the unacknowledged message sent before the ack.
	*/
	readonly lapsed?: ReadonlyMap<string, number>;
}

export interface GroupingState {
	readonly groups: ReadonlyMap<string, GroupState>;
	/** Alerts refused by GROUPING_LIMITS since the start. */
	readonly dropped: number;
	/**
	Inhibition as of the last step that changed the alerts held: only a changed alert can change it (acks,
	silences and time do not), so an idle step reuses it (it is the step's cost: matchers over every alert).
	*/
	readonly inhibited?: ReadonlyMap<string, string>;
}

export const EMPTY_GROUPING: GroupingState = {groups: new Map(), dropped: 0};

export interface GroupingInput {
	/** Alerts that changed since the last step (notifyAlertOf of this evaluation's transitions). */
	readonly alerts: readonly NotifyAlert[];
	/** Every current ack by alert id; undefined: unchanged since the last step (expiry is still applied). */
	readonly acks?: ReadonlyMap<string, NotifyAck>;
	/** Ids of alerts silenced now (left out of messages, as inhibited ones are). */
	readonly silenced?: ReadonlySet<string>;
	/**
	Firing alerts the grouping was never told of (restored at a restart, or found by a viewer that became the
	writer: no transition): they join their groups as announced before (their resolve is owed) unless they were
	silenced or muted from before they fired (adoptedKnowledge, with adoptedFacts). Taken before `alerts`.
	*/
	readonly adopted?: readonly NotifyAlert[];
	/**
	What the alert log tells of each adopted alert, for adoptedKnowledge: when its present state began (its last
	transition: `updatedMs` of its row; for an alert that mutes another, how long it has muted it) and, while it is
	silenced, when its silence began. Absent: not known (then the resolve is owed).
	*/
	readonly adoptedFacts?: ReadonlyMap<string, AdoptedFacts>;
}

export interface AdoptedFacts {
	readonly changedMs: number;
	readonly silencedSinceMs?: number;
}

/** PagerDuty: how far apart two instances' clocks may be when a silence or an inhibition is older than an alert. */
const ADOPT_DOUBT_MS = 5_000;

/**
What the instance before this one may have sent about an alert a group adopts (see GroupingInput.adopted), decided
so that an owed resolve is never lost. Pure.

`announced` (its firing may have been sent, so its resolve is owed): not when it was silenced or muted by inhibition
from before it fired (the silence's start, or the muting alert's last transition, at or before the alert's start):
then no firing was ever sent. Otherwise it is (a silence or an inhibitor whose start is not known counts as newer).
PagerDuty is given the benefit of the doubt (a resolve of an incident that does not exist is harmless there, a lost
one leaves an incident open): the silence must be older than the alert by ADOPT_DOUBT_MS, and inhibition never
counts (the inhibit_rules in force before a restart, or on the instance before a handover, may not be these).

`untriggered` (PagerDuty, acknowledged now): the ack came within the group's group_wait of the alert's start, so
the group's first message went out acknowledged, with no trigger: nothing to acknowledge, and the trigger is owed
if the ack ends while it fires (trigger, acknowledge, resolve keep their order). Not covered: an alert that joined a
group which had already sent waits for the group's next interval, and an ack in that wait also sends no trigger;
adopted, it is taken as triggered (README, Restarts and handovers).
*/
export function adoptedKnowledge(o: {
	readonly pagerDuty: boolean;
	readonly startsAtMs: number;
	readonly groupWaitMs: number;
	readonly ack?: NotifyAck;
	readonly silenced: boolean;
	readonly silencedSinceMs: number | undefined;
	readonly inhibited: boolean;
	readonly mutedSinceMs: number | undefined;
}): {readonly announced: boolean; readonly untriggered: boolean} {
	const doubt = o.pagerDuty ? ADOPT_DOUBT_MS : 0;
	const before = (ms: number | undefined) => ms !== undefined && ms <= o.startsAtMs - doubt;
	// PagerDuty never takes inhibition as proof: the inhibit_rules in force before a restart may not be today's.
	const announced = !(o.silenced && before(o.silencedSinceMs)) && !(!o.pagerDuty && o.inhibited && before(o.mutedSinceMs));
	const untriggered = o.pagerDuty && announced && o.ack !== undefined && o.ack.atMs < o.startsAtMs + o.groupWaitMs;
	return {announced, untriggered};
}

export interface GroupingStep {
	readonly state: GroupingState;
	readonly notifications: readonly Notification[];
	/** Muted firing alerts and the alert that mutes each (for the alert log's "inhibited by X"). */
	readonly inhibited: ReadonlyMap<string, string>;
	/** When the next group is due (call again then, or at the next evaluation); undefined: no groups. */
	readonly nextWakeMs: number | undefined;
}

interface Draft {
	key: string;
	receiver: string;
	groupLabels: Labels;
	groupWaitMs: number;
	groupIntervalMs: number;
	repeatIntervalMs: number;
	alerts: Map<string, NotifyAlert>;
	createdMs: number;
	nextFlushMs: number;
	lastSentMs?: number;
	lastSaid?: string;
	sentFiring: Set<string>;
	ackSent: Map<string, number>;
	untriggered: Set<string>;
	lapsed: Map<string, number>;
}

function draftOf(g: GroupState): Draft {
	return {...g, alerts: new Map(g.alerts), sentFiring: new Set(g.sentFiring), ackSent: new Map(g.ackSent), untriggered: new Set(g.untriggered ?? []), lapsed: new Map(g.lapsed ?? [])};
}

function hashText(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function byId(a: NotifyAlert, b: NotifyAlert): number {
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Firing first (most severe first), then resolved; by id within each. */
function ordered(alerts: readonly NotifyAlert[]): NotifyAlert[] {
	return [...alerts].sort((a, b) => (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || byId(a, b));
}

/** What a message says, for change detection: ids, statuses, severities, and (except for PagerDuty) who acknowledged. */
function saying(alerts: readonly NotifyAlert[], withAcks: boolean): string {
	return alerts
		.map((a) => `${a.id}\u0000${a.status}\u0000${a.severity}${withAcks && a.ack ? `\u0000${a.ack.by}` : ''}`)
		.sort()
		.join('\u0001');
}

/** PagerDuty: the firing alerts sent while acknowledged that are still acknowledged (their ack ending is a change). */
function heldText(firing: readonly NotifyAlert[], untriggered: ReadonlySet<string>): string {
	const held = firing.filter((a) => a.ack !== undefined && untriggered.has(a.id)).map((a) => a.id);
	return held.length === 0 ? '' : `\u0002${held.sort().join('\u0001')}`;
}

/**
The sent-record's hash, from what every instance computes alike (no counter, no clock of its own): the action, the
repeat interval the message falls in, and per alert its id, status, severity, episode start, its ack, and the last
ack that lapsed in the episode. A new episode has a new start, so a re-fire is never taken for the earlier message
(after a restart or a handover too).

The repeat interval it falls in, `floor((now - earliest start) / repeat_interval)`, tells an unchanged group's
repeat from the message it repeats (one interval apart, so always in different intervals): the repeat is a message
of its own, never swallowed by the record of one delivered late. Within one interval a restarted instance's first
message about the group is the one its predecessor last sent, and is recognised. Instances agree on it unless the
message falls within their clocks' difference of an interval's end (a group's first message and its repeats fall
group_wait after one).

The start is rounded down to `startQuantumMs` (a minute, or the group interval when shorter): instances evaluate
the rules on their own clocks, so their starts of one episode differ by up to an evaluation interval, and rounded
they agree unless a boundary falls between them. Two episodes whose firing messages both went out are at least a
group interval apart (a resolve was sent between them), so rounding never merges them.
*/
function contentHash(action: string, alerts: readonly NotifyAlert[], lapsed: ReadonlyMap<string, number>, startQuantumMs: number, nowMs: number, repeatIntervalMs: number): string {
	const start = (ms: number) => Math.floor(ms / startQuantumMs) * startQuantumMs;
	const lines = alerts
		.map((a) => JSON.stringify([a.id, a.status, a.severity, start(a.startsAtMs), a.ack?.by ?? null, a.ack?.atMs ?? null, a.ack?.untilMs ?? null, lapsed.get(a.id) ?? null]))
		.sort();
	const earliest = alerts.reduce((min, a) => Math.min(min, start(a.startsAtMs)), Number.POSITIVE_INFINITY);
	const interval = Number.isFinite(earliest) && repeatIntervalMs > 0 ? Math.max(0, Math.floor((nowMs - earliest) / repeatIntervalMs)) : 0;
	return hashText(`${action}\n${interval}\n${lines.join('\n')}`);
}

function notification(g: Draft, alerts: readonly NotifyAlert[], reason: Notification['reason'], nowMs: number): Notification {
	const list = ordered(alerts);
	const action = reason === 'acknowledge' ? 'acknowledge' : 'notify';
	return {
		receiver: g.receiver,
		groupKey: g.key,
		groupLabels: g.groupLabels,
		status: list.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
		alerts: list,
		contentHash: contentHash(action, list, g.lapsed, Math.max(1, Math.min(START_QUANTUM_MS, g.groupIntervalMs)), nowMs, g.repeatIntervalMs),
		repeatIntervalMs: g.repeatIntervalMs,
		reason,
		timeMs: nowMs,
		...(reason === 'acknowledge' ? {action: 'acknowledge' as const} : {}),
	};
}

/** The group no longer holds the alert, nor anything it knew of it. */
function forget(d: Draft, id: string): void {
	d.alerts.delete(id);
	d.sentFiring.delete(id);
	d.ackSent.delete(id);
	d.untriggered.delete(id);
	d.lapsed.delete(id);
}

/**
The alert left `old` for groups of the same receiver (its severity changed its group): no "resolved" from `old`
(the receiver hears of it from the others; to PagerDuty a resolve would close the incident, whose dedup_key is the
alert's id in every group). What `old` had sent about it goes with it: a firing sent makes its resolve owed there
even if they never send its firing, and PagerDuty's acknowledge and untriggered state carry over.
*/
function moveTo(old: Draft, takers: readonly Draft[], id: string): void {
	if (old.sentFiring.has(id))
		for (const d of takers) {
			if (d.sentFiring.has(id)) continue;
			d.sentFiring.add(id);
			const ack = old.ackSent.get(id);
			if (ack !== undefined) d.ackSent.set(id, ack);
			if (old.untriggered.has(id)) d.untriggered.add(id);
			const lapsed = old.lapsed.get(id);
			if (lapsed !== undefined && !d.lapsed.has(id)) d.lapsed.set(id, lapsed);
		}
	forget(old, id);
}

/**
One step: take the changed alerts and acks in, send what is due at `nowMs`. Pure. `config` is the same for every
step of one state (the state keeps each group's timing and the last inhibition, both from it).
*/
export function groupingStep(state: GroupingState, input: GroupingInput, nowMs: number, config: NotifyConfig): GroupingStep {
	const drafts = new Map<string, Draft>();
	const groups = new Map(state.groups);
	let dropped = state.dropped;
	let created = 0;
	const draft = (key: string): Draft | undefined => {
		let d = drafts.get(key);
		if (d === undefined) {
			const g = groups.get(key);
			if (g === undefined) return undefined;
			d = draftOf(g);
			drafts.set(key, d);
		}
		return d;
	};

	// 1. The adopted and the changed alerts join (or leave) their groups. An alert is held by the groups its labels
	// route it to; a group that holds it and is no longer among them (its severity rose, so its routes changed) sees
	// it end there, as Alertmanager sees the old label set resolve, unless a group it joined has the same receiver:
	// then it moves there quietly (see moveTo). A resolved alert resolves in every group that holds it. The alert's
	// id fixes every label but `severity`, so the groups that may hold it are those its labels reach with each
	// severity.
	const severities = config.route !== undefined && severityRoutes(config.route);
	const mayHold = (alert: NotifyAlert): Set<string> => {
		const keys = new Set<string>();
		for (const severity of severities ? SEVERITIES : [alert.severity]) {
			const labels = {...alert.labels, severity};
			for (const route of matchRoutes(config.route, labels)) keys.add(groupKeyOf(route, groupLabelsOf(route, labels)));
		}
		return keys;
	};
	const end = (d: Draft, alert: NotifyAlert) => {
		const held = d.alerts.get(alert.id);
		if (held === undefined) return;
		// Sent as firing: its resolve is sent once. Never sent: it leaves quietly.
		if (d.sentFiring.has(alert.id)) d.alerts.set(alert.id, alert.status === 'resolved' ? {...alert} : {...held, status: 'resolved', endsAtMs: nowMs});
		else forget(d, alert.id);
	};
	const adopted = input.adopted ?? [];
	/** Groups an adopted alert joined (it was not held there): what they owe it is decided once all have joined. */
	const adoptedInto: Array<readonly [string, string]> = [];
	const join = (alert: NotifyAlert, isAdopted: boolean) => {
		const reached = new Set<string>();
		if (alert.status === 'firing')
			for (const route of matchRoutes(config.route, alert.labels)) {
				const groupLabels = groupLabelsOf(route, alert.labels);
				const key = groupKeyOf(route, groupLabels);
				let d = draft(key);
				if (d === undefined) {
					if (groups.size + created >= GROUPING_LIMITS.groups) {
						dropped += 1;
						continue;
					}
					created += 1;
					d = {
						key,
						receiver: route.receiver,
						groupLabels,
						groupWaitMs: route.groupWaitMs,
						groupIntervalMs: route.groupIntervalMs,
						repeatIntervalMs: route.repeatIntervalMs,
						alerts: new Map(),
						createdMs: nowMs,
						nextFlushMs: nowMs + route.groupWaitMs,
						sentFiring: new Set(),
						ackSent: new Map(),
						untriggered: new Set(),
						lapsed: new Map(),
					};
					drafts.set(key, d);
				}
				if (!d.alerts.has(alert.id) && d.alerts.size >= GROUPING_LIMITS.alertsPerGroup) {
					dropped += 1;
					continue;
				}
				reached.add(key);
				// An alert keeps its ack across transitions until the acks say otherwise.
				const previous = d.alerts.get(alert.id);
				if (previous !== undefined && previous.startsAtMs !== alert.startsAtMs) d.lapsed.delete(alert.id);
				if (previous === undefined && isAdopted) adoptedInto.push([key, alert.id]);
				d.alerts.set(alert.id, previous?.ack !== undefined && alert.ack === undefined ? {...alert, ack: previous.ack} : alert);
			}
		for (const key of mayHold(alert)) {
			if (reached.has(key) || (drafts.get(key) ?? groups.get(key))?.alerts.has(alert.id) !== true) continue;
			const old = draft(key)!;
			const takers = [...reached].map((k) => drafts.get(k)!).filter((d) => d.receiver === old.receiver);
			if (takers.length > 0) moveTo(old, takers, alert.id);
			else end(old, alert);
		}
	};
	for (const alert of adopted) join(alert, true);
	if (adoptedInto.length > 0) {
		// What the instance before this one may have sent about each adopted alert (adoptedKnowledge), decided before
		// the changed alerts (an adopted alert may resolve in this same step) with the inhibition among them all.
		const held = new Map<string, NotifyAlert>();
		for (const d of drafts.values()) for (const a of d.alerts.values()) if (a.status === 'firing') held.set(a.id, a);
		for (const [key, g] of groups) if (!drafts.has(key)) for (const a of g.alerts.values()) if (a.status === 'firing') held.set(a.id, a);
		const muters = inhibitedBy([...held.values()], config.inhibitRules);
		for (const [key, id] of adoptedInto) {
			const d = drafts.get(key)!;
			const a = d.alerts.get(id)!;
			const muter = muters.get(id);
			const ack = withAck(a, input.acks === undefined ? a.ack : input.acks.get(id), nowMs).ack;
			const known = adoptedKnowledge({
				pagerDuty: config.receivers.get(d.receiver)?.type === 'pagerduty',
				startsAtMs: a.startsAtMs,
				groupWaitMs: d.groupWaitMs,
				...(ack !== undefined ? {ack} : {}),
				silenced: input.silenced?.has(id) === true,
				silencedSinceMs: input.adoptedFacts?.get(id)?.silencedSinceMs,
				inhibited: muter !== undefined,
				mutedSinceMs: muter === undefined ? undefined : input.adoptedFacts?.get(muter)?.changedMs,
			});
			if (!known.announced) continue;
			d.sentFiring.add(id);
			if (known.untriggered && ack !== undefined) {
				d.untriggered.add(id);
				d.ackSent.set(id, ack.atMs);
			}
		}
	}
	for (const alert of input.alerts) join(alert, false);

	// 2. Acks (and their expiry) apply to every alert held.
	const ackOf = (a: NotifyAlert) => (input.acks === undefined ? a.ack : input.acks.get(a.id));
	// Every group, in key order (new ones were added above; none is added below).
	const keys = [...new Set([...groups.keys(), ...drafts.keys()])].sort();
	const alertsOf = (key: string) => (drafts.get(key) ?? groups.get(key)!).alerts;
	for (const key of keys) {
		let changed = false;
		for (const a of alertsOf(key).values()) if (!sameAck(withAck(a, ackOf(a), nowMs).ack, a.ack)) changed = true;
		if (!changed) continue;
		const d = draft(key)!;
		for (const [id, a] of d.alerts) {
			const next = withAck(a, ackOf(a), nowMs);
			if (a.ack !== undefined && next.ack === undefined && next.status === 'firing') d.lapsed.set(id, a.ack.atMs);
			d.alerts.set(id, next);
		}
	}

	// 3. Inhibition and silences, over every firing alert held.
	let inhibited = state.inhibited;
	if (inhibited === undefined || input.alerts.length > 0 || adopted.length > 0) {
		const held = new Map<string, NotifyAlert>();
		for (const key of keys) for (const a of alertsOf(key).values()) if (a.status === 'firing') held.set(a.id, a);
		inhibited = inhibitedBy([...held.values()], config.inhibitRules);
	}
	const muting = inhibited;
	const muted = (id: string) => muting.has(id) || input.silenced?.has(id) === true;

	// 4. Due groups send what changed, or repeat; PagerDuty groups send new acks at once.
	const notifications: Notification[] = [];
	for (const key of keys) {
		const current = drafts.get(key) ?? groups.get(key)!;
		const type: ReceiverType | undefined = config.receivers.get(current.receiver)?.type;
		if (nowMs >= current.nextFlushMs) {
			const d = draft(key)!;
			const firing = [...d.alerts.values()].filter((a) => a.status === 'firing' && !muted(a.id));
			const resolved = [...d.alerts.values()].filter((a) => a.status === 'resolved');
			const pagerDuty = type === 'pagerduty';
			// PagerDuty: an ack is not a change, but the end of the ack of an alert never triggered is (a trigger is owed).
			const said = saying([...firing, ...resolved], !pagerDuty) + (pagerDuty ? heldText(firing, d.untriggered) : '');
			let reason: Notification['reason'] | undefined;
			if (firing.length + resolved.length === 0) reason = undefined;
			else if (d.lastSentMs === undefined) reason = 'new';
			else if (said !== d.lastSaid) reason = 'changed';
			else if (firing.length > 0 && nowMs - d.lastSentMs >= d.repeatIntervalMs) reason = 'repeat';
			if (reason !== undefined) {
				notifications.push(notification(d, [...firing, ...resolved], reason, nowMs));
				d.lastSentMs = nowMs;
				for (const a of firing) {
					const sentBefore = d.sentFiring.has(a.id);
					d.sentFiring.add(a.id);
					if (!pagerDuty) {
						if (a.ack !== undefined) d.ackSent.set(a.id, a.ack.atMs);
					} else if (a.ack === undefined) d.untriggered.delete(a.id);
					else if (!sentBefore || d.untriggered.has(a.id)) {
						// Sent while acknowledged: the trigger is left out, so there is nothing to acknowledge either.
						d.untriggered.add(a.id);
						d.ackSent.set(a.id, a.ack.atMs);
					}
					// Triggered before and acknowledged since: the acknowledge below goes out in this same step.
				}
				for (const a of resolved) forget(d, a.id);
			}
			// What the receiver now knows: the resolved alerts it was just told of have left the group (so the rest is
			// not "changed" at the next interval), and PagerDuty's untriggered alerts as of this message.
			if (reason === undefined) d.lastSaid = firing.length + resolved.length === 0 ? '' : said;
			else d.lastSaid = firing.length === 0 ? '' : saying(firing, !pagerDuty) + (pagerDuty ? heldText(firing, d.untriggered) : '');
			d.nextFlushMs = nowMs + d.groupIntervalMs;
		}
		if (type === 'pagerduty') {
			const g = drafts.get(key) ?? groups.get(key)!;
			const acked = [...g.alerts.values()].filter(
				(a) => a.status === 'firing' && a.ack !== undefined && g.sentFiring.has(a.id) && g.untriggered?.has(a.id) !== true && g.ackSent.get(a.id) !== a.ack.atMs,
			);
			if (acked.length > 0) {
				const d = draft(key)!;
				notifications.push(notification(d, acked, 'acknowledge', nowMs));
				for (const a of acked) d.ackSent.set(a.id, a.ack!.atMs);
			}
		}
	}

	// 5. Commit the drafts; a group with no alerts left is dropped.
	for (const [key, d] of drafts) {
		if (d.alerts.size === 0) groups.delete(key);
		else groups.set(key, d);
	}
	let nextWakeMs: number | undefined;
	for (const g of groups.values()) nextWakeMs = nextWakeMs === undefined ? g.nextFlushMs : Math.min(nextWakeMs, g.nextFlushMs);
	return {state: {groups, dropped, inhibited}, notifications, inhibited, nextWakeMs};
}
