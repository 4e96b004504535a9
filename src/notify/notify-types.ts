/**
The notification contract between the pure core (config, routing, grouping, inhibition, payloads: src/notify/*)
and delivery (sending, retries, the sent-record in Redis, receiver states: src/notify/*). Types only.

  AlertTransition (rules part) ──> NotifyAlert ──> route ──> group (wait/interval/repeat) ──> inhibit
     ──> Notification ──> payload per receiver type ──> delivery (retry, sent-record, state)
*/

export type NotifySeverity = 'critical' | 'warning' | 'info';

/** An alert as notifications see it (Alertmanager's alert object, in our names). */
export interface NotifyAlert {
	/** The alert's id (stable per rule + labels): PagerDuty's dedup_key, our fingerprint. */
	readonly id: string;
	readonly rule: string;
	readonly severity: NotifySeverity;
	/** Labels including `alertname` (= rule) and `severity`. */
	readonly labels: Readonly<Record<string, string>>;
	/** summary, description (the message), recommendation, runbook_url (when the rule has one), value. */
	readonly annotations: Readonly<Record<string, string>>;
	readonly status: 'firing' | 'resolved';
	readonly startsAtMs: number;
	/** Set when resolved. */
	readonly endsAtMs?: number;
	/** Set while acknowledged (and not expired). */
	readonly ack?: NotifyAck;
}

/** An acknowledgement as notifications carry it: who, when, why, and until when (absent: until the episode ends). */
export interface NotifyAck {
	readonly by: string;
	readonly atMs: number;
	readonly comment?: string;
	readonly untilMs?: number;
}

/** One message to one receiver: a group of alerts that share the route's group_by labels. */
export interface Notification {
	readonly receiver: string;
	/** Stable key of the group: route path + group labels (Alertmanager's groupKey). */
	readonly groupKey: string;
	readonly groupLabels: Readonly<Record<string, string>>;
	/** 'firing' when any alert fires. */
	readonly status: 'firing' | 'resolved';
	readonly alerts: readonly NotifyAlert[];
	/**
	For the idempotent sent-record: what this message says (action; the repeat interval it falls in; per alert id,
	status, severity, episode start, ack), from nothing but what every instance computes alike (no counter, no clock
	of its own), so a retry after a restart or a handover is recognised, a new episode of an alert (a new start) is
	never taken for an old one, and a repeat is never taken for the message it repeats.
	*/
	readonly contentHash: string;
	/**
	The route's repeat_interval: how long the sent-record of this message is kept (the same (receiver, groupKey,
	contentHash) within it is a duplicate: a handover or a restart computing what the old writer sent), and how long
	a failing send is retried.
	*/
	readonly repeatIntervalMs: number;
	/** Why it is sent: a new group, a change in it, the repeat of an unchanged firing group, or an acknowledgement. */
	readonly reason: 'new' | 'changed' | 'repeat' | 'acknowledge';
	/** When the grouping emitted it (ms). */
	readonly timeMs: number;
	/** PagerDuty only: an acknowledge event rather than trigger/resolve. */
	readonly action?: 'acknowledge';
}

export type ReceiverType = 'webhook' | 'slack' | 'pagerduty' | 'ntfy' | 'command';

/** What delivery reports per receiver, for the alert pane, `--once` and `mycotop notify test`. */
export interface ReceiverState {
	readonly name: string;
	readonly type: ReceiverType;
	readonly lastSuccessMs?: number;
	/** Redacted: never a URL, key or token. */
	readonly lastError?: string;
	readonly lastErrorMs?: number;
	readonly queued: number;
	/** Notifications dropped since the start because the receiver's queue was full (its oldest); absent: none. */
	readonly dropped?: number;
	/** 4xx other than 429: a configuration problem, not retried. */
	readonly misconfigured?: boolean;
	/**
	A 429 asked to wait until then (its Retry-After, bounded by the backoff): the receiver is rate limited, not failing.
	Cleared by the next success or error.
	*/
	readonly rateLimitedUntilMs?: number;
	/** When that 429 came: an error before it is not current (the receiver answered since). */
	readonly rateLimitedAtMs?: number;
}
