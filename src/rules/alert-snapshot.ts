/** What the alert log and `--once --json` see of the alerts. Filled by the rule engine (src/rules). */
import {type ReceiverState} from '../notify/notify-types.js';

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
	/** When it was acknowledged (with acknowledgedBy). */
	readonly acknowledgedMs?: number;
	/** The comment given with the ack. */
	readonly ackComment?: string;
	/** When the ack expires (the alert is then unacknowledged again if still firing). */
	readonly ackUntilMs?: number;
	/** The lifecycle phase behind `state` ('recovering' is shown as firing: keep_firing_for is running). */
	readonly phase?: 'pending' | 'firing' | 'recovering' | 'nodata' | 'resolved';
	/** The seed's channel it belongs to: events:alerts:{group}. */
	readonly group?: 'training' | 'gpu' | 'distribution' | 'system';
	/** The rule's value at the last evaluation. */
	readonly value?: number;
	/** When this episode began (first went pending): the episode an acknowledgement covers. */
	readonly activeMs?: number;
	/** When this episode fired. */
	readonly firedMs?: number;
	/** Id of the silence that mutes it. */
	readonly silencedBy?: string;
	/** When that silence began (the notify part's adoption: was the alert ever announced before it?). */
	readonly silencedSinceMs?: number;
	/** Id of the alert whose firing mutes its notifications (the config's inhibit_rules). */
	readonly inhibitedBy?: string;
}

/** One entry of the transition log (newest first in the snapshot). */
interface AlertTransitionRow {
	readonly id: string;
	readonly rule: string;
	/** pending, firing, escalated, resolved, nodata. */
	readonly kind: string;
	readonly severity: Severity;
	readonly message: string;
	readonly timeMs: number;
	/** Published on the seed's channel (false: cooldown, silenced, or a viewer instance). */
	readonly sent: boolean;
}

export interface AlertsSnapshot {
	/** Open problems first (firing, nodata, pending, acknowledged, silenced, resolved), newest change first within each. */
	readonly rows: readonly AlertRow[];
	readonly unacknowledgedCritical: number;
	readonly silences: ReadonlyArray<{readonly id: string; readonly matcher: string; readonly endsMs: number; readonly author: string; readonly comment: string; readonly startsMs?: number}>;
	/** The transition log, newest first (restored from the Redis stream at start). */
	readonly recent?: readonly AlertTransitionRow[];
	/** Rules whose last evaluation threw (their alerts keep their state). */
	readonly errors?: ReadonlyArray<{readonly rule: string; readonly message: string}>;
	/** Transitions the writer could not put into Redis's alert log (an outage, a refused write): counted, not silent. */
	readonly unwrittenTransitions?: number;
	/** The notification receivers' states (last success, last error, queued), when `notify:` names any. */
	readonly receivers?: readonly ReceiverState[];
}
