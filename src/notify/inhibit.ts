/**
Inhibition, as Alertmanager's: a firing alert that matches a rule's source matchers mutes every firing alert that
matches its target matchers and has the same values for the rule's `equal` labels (a label missing on both counts
as equal, as in Alertmanager; the built-in rules guard against that). An alert never mutes itself, and an alert
that matches both sides of a rule cannot be muted through that rule by another alert that matches both sides
(Alertmanager's guard against two alerts muting each other). Pure: the alert log and the grouping both call it.
*/
import {type AlertRow} from '../rules/alert-snapshot.js';
import {matchersMatch, type Labels, type Matcher} from '../rules/labels.js';
import {type InhibitRule} from './notify-config.js';
import {type NotifyAlert} from './notify-types.js';

/**
Matcher results per label set (the same object while an alert is held unchanged) and matcher list (a rule's): the
grouping re-runs inhibition over every held alert whenever one changes, and RE2 matchers are the cost of it.
*/
const matched = new WeakMap<Labels, Map<readonly Matcher[], boolean>>();

function matches(matchers: readonly Matcher[], labels: Labels): boolean {
	let cache = matched.get(labels);
	if (cache === undefined) {
		cache = new Map();
		matched.set(labels, cache);
	}
	let hit = cache.get(matchers);
	if (hit === undefined) {
		hit = matchersMatch(matchers, labels);
		cache.set(matchers, hit);
	}
	return hit;
}

/** The key of an alert's `equal` labels (missing = empty, as in Alertmanager). */
function equalKey(alert: NotifyAlert, equal: readonly string[]): string {
	return JSON.stringify(equal.map((name) => alert.labels[name] ?? ''));
}

/**
Which firing alerts are muted, each with the id of the alert that mutes it (through the first rule that mutes it,
the first source by id).
Resolved alerts neither mute nor are muted. Linear in the alerts per rule (sources are bucketed by their key).
*/
export function inhibitedBy(alerts: readonly NotifyAlert[], rules: readonly InhibitRule[]): Map<string, string> {
	const muted = new Map<string, string>();
	const firing = alerts.filter((a) => a.status === 'firing').sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	for (const rule of rules) {
		const sources = new Map<string, Array<{readonly alert: NotifyAlert; readonly both: boolean}>>();
		for (const a of firing) {
			if (!matches(rule.sourceMatchers, a.labels)) continue;
			const key = equalKey(a, rule.equal);
			const list = sources.get(key) ?? [];
			list.push({alert: a, both: matches(rule.targetMatchers, a.labels)});
			sources.set(key, list);
		}
		if (sources.size === 0) continue;
		for (const target of firing) {
			if (muted.has(target.id) || !matches(rule.targetMatchers, target.labels)) continue;
			const candidates = sources.get(equalKey(target, rule.equal));
			if (candidates === undefined) continue;
			const targetBoth = matches(rule.sourceMatchers, target.labels);
			const by = candidates.find((s) => s.alert.id !== target.id && !(targetBoth && s.both));
			if (by !== undefined) muted.set(target.id, by.alert.id);
		}
	}
	return muted;
}

/** Row states that are a firing alert to inhibition (acknowledged and silenced ones still fire; nodata too). */
const FIRING_STATES: ReadonlySet<AlertRow['state']> = new Set(['firing', 'acknowledged', 'silenced', 'nodata']);

/**
`inhibitedBy` over the alert pane's rows: which rows are muted, by which row's id, for the log's "inhibited by X".
Labels get `alertname` and `severity` as notifications see them.
*/
export function inhibitedRows(rows: ReadonlyArray<Pick<AlertRow, 'id' | 'rule' | 'severity' | 'labels' | 'state' | 'sinceMs'>>, rules: readonly InhibitRule[]): Map<string, string> {
	const alerts: NotifyAlert[] = rows
		.filter((r) => FIRING_STATES.has(r.state))
		.map((r) => ({id: r.id, rule: r.rule, severity: r.severity, labels: {...r.labels, alertname: r.rule, severity: r.severity}, annotations: {}, status: 'firing', startsAtMs: r.sinceMs}));
	return inhibitedBy(alerts, rules);
}
