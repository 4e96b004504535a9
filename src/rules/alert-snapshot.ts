/** What the alert log and `--once --json` see of the alerts. Filled by the rule engine (src/rules). */

export type AlertState = 'pending' | 'firing' | 'resolved' | 'acknowledged' | 'silenced' | 'nodata';
export type Severity = 'info' | 'warning' | 'critical';

export interface AlertRow {
	/** Stable id: rule plus label set. */
	readonly id: string;
	readonly rule: string;
	readonly severity: Severity;
	readonly state: AlertState;
	readonly message: string;
	readonly labels: Readonly<Record<string, string>>;
	readonly sinceMs: number;
	readonly updatedMs: number;
	readonly acknowledgedBy?: string;
	/** Where it came from: this engine, or another agent on an events:alerts:* channel. */
	readonly origin: 'rules' | 'external';
}

export interface AlertsSnapshot {
	/** Newest first. */
	readonly rows: readonly AlertRow[];
	readonly unacknowledgedCritical: number;
	readonly silences: ReadonlyArray<{readonly id: string; readonly matcher: string; readonly endsMs: number; readonly author: string; readonly comment: string}>;
}
