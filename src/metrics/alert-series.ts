/**
The alert log as Prometheus's `ALERTS` series: `ALERTS{alertname, alertstate="pending"|"firing", severity, ...labels} 1`
for every alert that is pending or firing, as Prometheus exports its own rules' alerts. Pure.

- A firing alert in `keep_firing_for` (mycotop's "recovering") is firing, as in Prometheus; acknowledged and silenced
  alerts are still firing (silencing is a notification matter, in Alertmanager too); resolved and nodata alerts have
  no series (Prometheus has no nodata state: an alert without data is not firing).
- Other agents' alerts (events:alerts:*) are listed like the rules' own while mycotop shows them firing.
- Label names are made valid Prometheus names (other characters become `_`; a leading digit gets a `_` before it);
  names Prometheus reserves (`__*`) and the three it sets itself (alertname, alertstate, severity) are dropped from an
  alert's labels. Alerts whose labels then coincide give one series (firing wins over pending).
- `host` (this box) is added when an alert has none, so alerts of several boxes stay apart in one Prometheus.
- At most MAX_ALERT_SERIES series, firing before pending and critical first; the rest are counted, not exported.
*/
import {type AlertRow, type AlertsSnapshot} from '../rules/alert-snapshot.js';
import {type SampleLabels} from './families.js';

/** Most ALERTS series one scrape exports (the alert log is already bounded by its rules and their series). */
const MAX_ALERT_SERIES = 2000;

const RESERVED = new Set(['alertname', 'alertstate', 'severity']);
const SEVERITY_ORDER: Readonly<Record<string, number>> = {critical: 0, warning: 1, info: 2};

export interface AlertSeries {
	readonly series: readonly SampleLabels[];
	/** Pending or firing alerts left out by MAX_ALERT_SERIES. */
	readonly omitted: number;
}

/** A label name Prometheus accepts (`[a-zA-Z_][a-zA-Z0-9_]*`), or undefined for an empty or reserved one. Pure. */
function promLabelName(name: string): string | undefined {
	let clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
	if (clean === '') return undefined;
	if (/^\d/.test(clean)) clean = `_${clean}`;
	if (clean.startsWith('__')) return undefined;
	return clean;
}

/** Prometheus's alertstate of a row, or undefined when the alert is neither pending nor firing. */
function alertState(row: Pick<AlertRow, 'phase' | 'state'>): 'pending' | 'firing' | undefined {
	if (row.phase !== undefined) {
		if (row.phase === 'pending') return 'pending';
		if (row.phase === 'firing' || row.phase === 'recovering') return 'firing';
		return undefined;
	}
	if (row.state === 'pending') return 'pending';
	if (row.state === 'firing' || row.state === 'acknowledged' || row.state === 'silenced') return 'firing';
	return undefined;
}

function seriesLabels(row: AlertRow, state: 'pending' | 'firing', host: string): SampleLabels {
	const labels: Record<string, string> = {alertname: row.rule, alertstate: state, severity: row.severity};
	for (const [name, value] of Object.entries(row.labels)) {
		const clean = promLabelName(name);
		if (clean === undefined || RESERVED.has(clean) || clean in labels) continue;
		labels[clean] = value;
	}
	if (!('host' in labels)) labels['host'] = host;
	return labels;
}

function key(labels: SampleLabels): string {
	return JSON.stringify(
		Object.keys(labels)
			.filter((k) => k !== 'alertstate')
			.sort()
			.map((k) => [k, labels[k]]),
	);
}

/** The ALERTS series of an alert snapshot. Pure. */
export function alertSeries(alerts: Pick<AlertsSnapshot, 'rows'> | undefined, host: string, max = MAX_ALERT_SERIES): AlertSeries {
	const byKey = new Map<string, SampleLabels>();
	for (const row of alerts?.rows ?? []) {
		const state = alertState(row);
		if (state === undefined) continue;
		const labels = seriesLabels(row, state, host);
		const k = key(labels);
		const seen = byKey.get(k);
		if (seen === undefined || (seen['alertstate'] === 'pending' && state === 'firing')) byKey.set(k, labels);
	}
	const all = [...byKey.values()].sort(
		(a, b) =>
			(a['alertstate'] === 'firing' ? 0 : 1) - (b['alertstate'] === 'firing' ? 0 : 1) ||
			(SEVERITY_ORDER[a['severity'] ?? ''] ?? 3) - (SEVERITY_ORDER[b['severity'] ?? ''] ?? 3),
	);
	return {series: all.slice(0, max), omitted: Math.max(0, all.length - max)};
}
