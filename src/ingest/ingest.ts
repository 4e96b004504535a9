/**
The ingest pipeline: raw bus message -> validate + sanitize -> store -> writer. Synchronous and allocation-light:
it runs once per message, at message rate, and never touches React or awaits I/O.
*/
import {parseMessage} from '../contract/validate.js';
import {type BusEvent} from '../contract/events.js';
import {type MetricsStore, type StoredOutcome} from '../store/metrics-store.js';

export interface IngestSink {
	/**
	A stored event to write; `outcome` 'stored-box-wide' when the store refused its agent part (over store.maxAgents):
	the agent's own keys are then not written.
	*/
	onEvent(event: BusEvent, outcome?: StoredOutcome): void;
}

/**
How a stream entry replayed without applying it (a takeover: the store applied it as a viewer) was stored: box-wide
only when it is a task event whose agent the store does not hold.
*/
function replayOutcome(event: BusEvent, store: Pick<MetricsStore, 'agents'>): StoredOutcome {
	return event.kind === 'task' && !store.agents.has(event.agent) ? 'stored-box-wide' : 'stored';
}

export interface IngestListeners {
	onReject?: (channel: string, reason: string) => void;
	onRefuse?: (event: BusEvent) => void;
	onStored?: (event: BusEvent) => void;
}

export class Ingest {
	constructor(
		private readonly store: MetricsStore,
		private readonly sink: IngestSink,
		private readonly listeners: IngestListeners = {},
		private readonly now: () => number = Date.now,
	) {}

	/**
	Handle one raw message. Never throws. `applyToStore: false` only writes it (a stream entry this instance already
	showed as a viewer and now, as the new writer, must persist).
	*/
	handle(channel: string, raw: string, applyToStore = true): void {
		const now = this.now();
		const result = parseMessage(channel, raw, now);
		if (!applyToStore) {
			if (result.ok) this.sink.onEvent(result.event, replayOutcome(result.event, this.store));
			return;
		}
		if (!result.ok) {
			this.store.recordReject(channel, result.reason, now);
			this.listeners.onReject?.(channel, result.reason);
			return;
		}
		const event = result.event;
		// Alerts of mycotop instances (this one or another) come back on the alert channels: each instance's rule
		// engine already has them, so only other agents' alerts are shown as external.
		if (event.kind === 'external-alert' && event.source.startsWith('mycotop:')) return;
		// A clamped or converted time is counted (the message is stored all the same).
		if (result.timeNote !== undefined) this.store.recordTimeNote(result.timeNote);
		const outcome = this.store.apply(event, now);
		if (outcome === 'refused') {
			this.listeners.onRefuse?.(event);
			return;
		}
		this.sink.onEvent(event, outcome);
		this.listeners.onStored?.(event);
	}
}
