/**
What the keyboard (and `mycotop ack` / `mycotop silence`) can do to alerts. Implemented by the rule engine;
the dashboard calls it and never touches Redis itself.
*/
export interface AlertActions {
	/**
	Acknowledge one alert (records who and when; persisted; seen by every instance), with an optional comment, and
	for `forMs` only when given (then it is unacknowledged again if still firing).
	*/
	acknowledge(alertId: string, comment?: string, forMs?: number): Promise<void>;
	/** Acknowledge several alerts (the `A` key, after a confirm). */
	acknowledgeAll(alertIds: readonly string[]): Promise<void>;
	/** Silence a rule (optionally only for the given labels) for `durationMs`. */
	silence(rule: string, durationMs: number, options?: {readonly labels?: Readonly<Record<string, string>>; readonly comment?: string}): Promise<void>;
	/** Undo the last acknowledge or silence made from this instance. */
	undo(): Promise<void>;
	/** Remove an acknowledgement (the alert shows as firing again). */
	unacknowledge?(alertId: string): Promise<void>;
	/** End a silence now (`S` on a listed silence). */
	expireSilence?(silenceId: string): Promise<void>;
	/** Why the last action failed (read-only instance, Redis unreachable), or undefined. */
	readonly lastError?: () => string | undefined;
}
