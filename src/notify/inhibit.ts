/**
Inhibition, as Alertmanager's: a firing alert that matches a rule's source matchers mutes every firing alert that
matches its target matchers and has the same values for the rule's `equal` labels (a label missing on both counts
as equal, as in Alertmanager; the built-in rules guard against that). An alert never mutes itself, and an alert
that matches both sides of a rule cannot be muted through that rule by another alert that matches both sides
(Alertmanager's guard against two alerts muting each other). Pure: the alert log and the grouping both call it.
*/
import {type AlertRow} from '../rules/alert-snapshot.js';
import {matchersMatch, type Labels} from '../rules/labels.js';
import {type InhibitRule} from './notify-config.js';
import {type NotifyAlert} from './notify-types.js';

/** What one rule makes of one alert's labels: source, target, and the values of its `equal` labels. */
interface Facts {
	readonly source: boolean;
	readonly target: boolean;
	readonly key: string;
}

/**
Each label set's facts per rule list (the same label object while an alert is held unchanged; the same rule list
while the config is): the grouping re-runs inhibition over every held alert whenever one changes, and the RE2
matchers and the keys are its cost.
*/
const factsCache = new WeakMap<Labels, Map<readonly InhibitRule[], readonly Facts[]>>();

function factsOf(labels: Labels, rules: readonly InhibitRule[]): readonly Facts[] {
	let byRules = factsCache.get(labels);
	if (byRules === undefined) {
		byRules = new Map();
		factsCache.set(labels, byRules);
	}
	let facts = byRules.get(rules);
	if (facts === undefined) {
		// A missing label counts as empty, as in Alertmanager.
		facts = rules.map((r) => ({source: matchersMatch(r.sourceMatchers, labels), target: matchersMatch(r.targetMatchers, labels), key: JSON.stringify(r.equal.map((name) => labels[name] ?? ''))}));
		byRules.set(rules, facts);
	}
	return facts;
}

/**
Which firing alerts are muted, each with the id of the alert that mutes it (through the first rule that mutes it,
the source with the least id). Resolved alerts neither mute nor are muted. Linear in the alerts per rule (sources
are bucketed by their key).
*/
export function inhibitedBy(alerts: readonly NotifyAlert[], rules: readonly InhibitRule[]): Map<string, string> {
	const muted = new Map<string, string>();
	if (rules.length === 0) return muted;
	const firing = alerts.filter((a) => a.status === 'firing');
	const facts = firing.map((a) => factsOf(a.labels, rules));
	rules.forEach((_, r) => {
		const sources = new Map<string, Array<{readonly id: string; readonly both: boolean}>>();
		firing.forEach((a, i) => {
			const f = facts[i]![r]!;
			if (!f.source) return;
			const list = sources.get(f.key);
			if (list === undefined) sources.set(f.key, [{id: a.id, both: f.target}]);
			else list.push({id: a.id, both: f.target});
		});
		if (sources.size === 0) return;
		firing.forEach((target, i) => {
			const f = facts[i]![r]!;
			if (!f.target || muted.has(target.id)) return;
			const candidates = sources.get(f.key);
			if (candidates === undefined) return;
			let by: string | undefined;
			for (const s of candidates) if (s.id !== target.id && !(f.source && s.both) && (by === undefined || s.id < by)) by = s.id;
			if (by !== undefined) muted.set(target.id, by);
		});
	});
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
