/**
The ingest pipeline: raw bus message -> validate + sanitize -> store -> writer. Synchronous and allocation-light:
it runs once per message, at message rate, and never touches React or awaits I/O.
*/
import {parseMessage} from '../contract/validate.js';
import {type BusEvent} from '../contract/events.js';
import {type MetricsStore} from '../store/metrics-store.js';

export interface IngestSink {
	onEvent(event: BusEvent): void;
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
			if (result.ok) this.sink.onEvent(result.event);
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
		if (this.store.apply(event, now) === 'refused') {
			this.listeners.onRefuse?.(event);
			return;
		}
		this.sink.onEvent(event);
		this.listeners.onStored?.(event);
	}
}
