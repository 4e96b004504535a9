/**
The notification pipeline in the runtime: the rules part's transitions (RulesDeps.notify) and the alert log's
acks and silences go into the core's grouping step (grouping.ts: route, group, inhibit, pure), whose
notifications go to delivery (delivery.ts: queue, retries, the sent-record, receiver states).

Every instance groups (so a viewer holds what the writer sends and can take over after a handover without losing
anything); only the writer-lease holder delivers (delivery.ts and writer/sent-records.ts). Alerts that fired before
this instance knew of them (restored from the stream at a restart, or when this instance started after they fired,
and now becomes the writer) make no transition: the part adopts them from the alert log's rows (adoptable), so
their resolve is sent; their group's first message is the one sent before, which the sent-record recognises. The writer also
publishes the receivers' states (NOTIFY_KEYS.receivers, through the writer's batches) so every instance's alert
pane and `--once` show them; a viewer shows what it last read there.

Everything it touches is injected (NotifyPartDeps): no Redis, no network, no timers beyond its own tick.
*/
import {type AlertTransition} from '../rules/engine.js';
import {type AlertRow} from '../rules/alert-snapshot.js';
import {type Notification, type NotifyAck, type NotifyAlert, type ReceiverState} from './notify-types.js';
import {type Delivery} from './delivery.js';
import {type AdoptedFacts} from './grouping.js';

/** The core's grouping step as the part uses it: changed alerts, acks and silences in; notifications out. */
type GroupingStepFn<S> = (
	state: S,
	input: {
		readonly alerts: readonly NotifyAlert[];
		readonly acks?: ReadonlyMap<string, NotifyAck>;
		readonly silenced?: ReadonlySet<string>;
		readonly adopted?: readonly NotifyAlert[];
		readonly adoptedFacts?: ReadonlyMap<string, AdoptedFacts>;
	},
	nowMs: number,
) => {readonly state: S; readonly notifications: readonly Notification[]; readonly inhibited: ReadonlyMap<string, string>};

export interface NotifyPartDeps<S> {
	readonly initial: S;
	readonly step: GroupingStepFn<S>;
	/** A transition as a NotifyAlert (the core's notifyAlertOf with the rule's description and runbook), or undefined. */
	readonly alertOf: (t: AlertTransition) => NotifyAlert | undefined;
	/** A row of the alert log as a NotifyAlert when it is an alert firing now (notifyAlertOfRow), for adoption. */
	readonly alertOfRow?: (row: AlertRow) => NotifyAlert | undefined;
	/** The alert log's rows now (for acks, silences, and the alerts to adopt). */
	readonly rows: () => readonly AlertRow[];
	readonly delivery: Delivery;
	readonly isWriter: () => boolean;
	/** Write the receivers' states for the other instances (the writer's batches); called by the writer only. */
	readonly publishStates?: (states: readonly ReceiverState[]) => void;
	/** Read the states the writer published (viewers). */
	readonly readStates?: () => Promise<readonly ReceiverState[]>;
	readonly now?: () => number;
	/** How often the grouping is stepped and delivery worked. Default 250 ms. */
	readonly tickMs?: number;
	/** Called when the part stops: the command receivers' programs still running are killed (CommandRunner.stop). */
	readonly stopSenders?: () => void;
}

/** Row states that may carry a live ack: a silenced or nodata alert keeps the ack it has (the state shows the silence or the lost data). */
const ACKED_STATES: ReadonlySet<AlertRow['state']> = new Set(['acknowledged', 'silenced', 'nodata']);

/** The acks the alert log shows, by alert id, as notifications carry them. Pure. */
export function acksOf(rows: readonly AlertRow[]): Map<string, NotifyAck> {
	const acks = new Map<string, NotifyAck>();
	for (const r of rows) {
		if (!ACKED_STATES.has(r.state) || r.acknowledgedBy === undefined || r.acknowledgedMs === undefined) continue;
		acks.set(r.id, {by: r.acknowledgedBy, atMs: r.acknowledgedMs, ...(r.ackComment !== undefined ? {comment: r.ackComment} : {}), ...(r.ackUntilMs !== undefined ? {untilMs: r.ackUntilMs} : {})});
	}
	return acks;
}

/** The ids of silenced alerts. Pure. */
export function silencedOf(rows: readonly AlertRow[]): Set<string> {
	return new Set(rows.filter((r) => r.state === 'silenced').map((r) => r.id));
}

/** Phases of an alert that fires now (recovering: keep_firing_for is running; nodata: still firing). */
const LIVE_PHASES: ReadonlySet<AlertRow['phase']> = new Set(['firing', 'recovering', 'nodata']);

/**
The rules part's rows of alerts firing now that the grouping was not told of (`heard`: by a transition or an earlier
adoption): restored at a restart, or firing before this instance started. Pure.
*/
function adoptable(rows: readonly AlertRow[], heard: ReadonlySet<string>): AlertRow[] {
	return rows.filter((r) => r.origin === 'rules' && LIVE_PHASES.has(r.phase) && !heard.has(r.id));
}

/**
What the rows tell of the live alerts for adoption (GroupingInput.adoptedFacts): when each one's present state
began, and when its silence began. Pure.
*/
export function adoptedFactsOf(rows: readonly AlertRow[]): Map<string, AdoptedFacts> {
	const facts = new Map<string, AdoptedFacts>();
	for (const r of rows)
		if (r.origin === 'rules' && LIVE_PHASES.has(r.phase))
			facts.set(r.id, {changedMs: r.updatedMs, ...(r.state === 'silenced' && r.silencedSinceMs !== undefined ? {silencedSinceMs: r.silencedSinceMs} : {})});
	return facts;
}

function sameStates(a: readonly ReceiverState[], b: readonly ReceiverState[]): boolean {
	return a.length === b.length && a.every((s, i) => JSON.stringify(s) === JSON.stringify(b[i]));
}

export class NotifyPart<S> {
	private state: S;
	private pendingAlerts: NotifyAlert[] = [];
	/** Firing alerts owed to the grouping as adopted (see onTransitions). */
	private pendingAdopted: NotifyAlert[] = [];
	/** Ids of the alerts the grouping was told of as firing (a transition, or adopted), until they resolve. */
	private readonly heard = new Set<string>();
	private timer: NodeJS.Timeout | undefined;
	private sharing = false;
	private published: readonly ReceiverState[] = [];
	private remote: readonly ReceiverState[] | undefined;
	private lastRead = 0;
	/** Muted alerts and what mutes each, from the last step (for the alert log). */
	inhibited: ReadonlyMap<string, string> = new Map();
	private readonly now: () => number;

	constructor(private readonly deps: NotifyPartDeps<S>) {
		this.state = deps.initial;
		this.now = deps.now ?? Date.now;
	}

	/** The rules part's transitions (its NotifyFunc, beside the seed's channels). */
	readonly onTransitions = (transitions: readonly AlertTransition[]): void => {
		for (const t of transitions) {
			const alert = this.deps.alertOf(t);
			if (alert === undefined) continue;
			if (alert.status === 'firing') this.heard.add(alert.id);
			else if (!this.heard.delete(alert.id)) {
				// The resolve of an alert restored at start that resolved before a tick adopted it: adopted first, so
				// the resolve the instance before this one owed is sent.
				const {endsAtMs: _ends, ...firing} = alert;
				this.pendingAdopted.push({...firing, status: 'firing'});
			}
			this.pendingAlerts.push(alert);
		}
	};

	start(): void {
		this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 250);
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		this.deps.stopSenders?.();
	}

	/**
	One step of the grouping, then a round of delivery, then the states. The grouping steps on schedule whatever is
	in flight: delivery is not awaited (each receiver's queue is worked on its own, one loop per receiver, so a
	receiver that holds its request stalls only its own queue), and a viewer's read of the states is not repeated
	while one is under way.
	*/
	async tick(): Promise<void> {
		const rows = this.deps.rows();
		const alerts = this.pendingAlerts;
		this.pendingAlerts = [];
		const adopted = [...this.pendingAdopted, ...this.adopt(rows)];
		this.pendingAdopted = [];
		const input = {alerts, acks: acksOf(rows), silenced: silencedOf(rows), ...(adopted.length > 0 ? {adopted, adoptedFacts: adoptedFactsOf(rows)} : {})};
		const step = this.deps.step(this.state, input, this.now());
		this.state = step.state;
		this.inhibited = step.inhibited;
		if (step.notifications.length > 0) this.deps.delivery.enqueue(step.notifications);
		void this.deps.delivery.tick();
		if (this.sharing) return;
		this.sharing = true;
		try {
			await this.shareStates();
		} finally {
			this.sharing = false;
		}
	}

	/** The alerts firing now that the grouping was not told of, as NotifyAlerts; `heard` follows the rows. */
	private adopt(rows: readonly AlertRow[]): NotifyAlert[] {
		const alertOfRow = this.deps.alertOfRow;
		if (alertOfRow === undefined) return [];
		const adopted = adoptable(rows, this.heard).flatMap((r) => alertOfRow(r) ?? []);
		for (const a of adopted) this.heard.add(a.id);
		// Bounded by the rows: an id no longer among the live rows is forgotten (adopting it again later is harmless:
		// the grouping marks an adopted alert only in a group that did not hold it).
		if (this.heard.size > adopted.length) {
			const live = new Set(rows.filter((r) => LIVE_PHASES.has(r.phase)).map((r) => r.id));
			for (const id of this.heard) if (!live.has(id)) this.heard.delete(id);
		}
		return adopted;
	}

	private async shareStates(): Promise<void> {
		if (this.deps.isWriter()) {
			this.remote = undefined;
			const states = this.deps.delivery.receiverStates();
			if (!sameStates(states, this.published)) {
				this.deps.publishStates?.(states);
				this.published = states;
			}
			return;
		}
		const now = this.now();
		if (this.deps.readStates === undefined || now - this.lastRead < 2000) return;
		this.lastRead = now;
		try {
			this.remote = await this.deps.readStates();
		} catch {
			// Redis away: keep the last states read.
		}
	}

	/** What the alert pane shows: this instance's own states as the writer, the writer's as a viewer (once read). */
	receiverStates(): readonly ReceiverState[] {
		const own = this.deps.delivery.receiverStates();
		if (this.deps.isWriter() || this.remote === undefined) return own;
		// The writer's word on each receiver this instance knows; its own queue count (what it holds) is not shown.
		return own.map((s) => this.remote!.find((r) => r.name === s.name && r.type === s.type) ?? s);
	}
}
