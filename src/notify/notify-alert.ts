/**
AlertTransitions (the rules part's state changes) as NotifyAlerts: Alertmanager's alert object in our names. Labels
are the rule's plus `alertname` and `severity`; annotations are `summary` (the alert's message), `description` (what
the rule checks), `recommendation`, `runbook_url` (when the rule has a `runbook:`) and `value`. Pure.

What is notified: firing, escalated and nodata (still firing: the data went away, the problem may not have) as
`firing`; resolved as `resolved`. Pending and cancelled never are. A transition the rules part silenced is still an
alert: a silence mutes messages, not alerts (Alertmanager's mute stage), so the grouping holds it, leaves it out of
messages while the silence lasts (GroupingInput.silenced, read from the alert log at every step) and announces it
when the silence ends, with its resolve after. The seed's 5-minute cooldown (a transition's `send`) is not
consulted either: for notifications the grouping's group_interval and repeat_interval do that job
(src/notify/grouping.ts).
*/
import {type AlertTransition} from '../rules/engine.js';
import {type InstanceState} from '../rules/alert-state.js';
import {type AlertRow} from '../rules/alert-snapshot.js';
import {type Rule} from '../rules/rule-types.js';
import {type NotifyAck, type NotifyAlert} from './notify-types.js';

/** A number as an annotation: up to 3 decimals, trailing zeros dropped; NaN and infinities as words. */
function valueText(value: number): string {
	return Number.isFinite(value) ? String(Number(value.toFixed(3))) : String(value);
}

/** The NotifyAlert a transition stands for, or undefined when it is not notified. `rule` adds description and runbook. */
export function notifyAlertOf(t: AlertTransition, rule?: Pick<Rule, 'description' | 'runbook'>): NotifyAlert | undefined {
	let status: NotifyAlert['status'];
	switch (t.kind) {
		case 'firing':
		case 'escalated':
		case 'nodata':
			status = 'firing';
			break;
		case 'resolved':
			status = 'resolved';
			break;
		default:
			return undefined;
	}
	const annotations: Record<string, string> = {summary: t.message};
	if (rule?.description !== undefined) annotations['description'] = rule.description;
	if (t.recommendation !== undefined) annotations['recommendation'] = t.recommendation;
	if (rule?.runbook !== undefined) annotations['runbook_url'] = rule.runbook;
	annotations['value'] = valueText(t.value);
	if (t.kind === 'nodata') annotations['state'] = 'nodata';
	return {
		id: t.id,
		rule: t.rule,
		severity: t.severity,
		labels: {...t.labels, alertname: t.rule, severity: t.severity},
		annotations,
		status,
		startsAtMs: t.firedAtMs ?? t.activeAtMs,
		...(status === 'resolved' ? {endsAtMs: t.timeMs} : {}),
	};
}

/**
A live instance (RuleEngine.instances()) as a NotifyAlert: how the grouping learns, at start or when notifications
are turned on, of the alerts already firing (restored from the stream, they make no transition). Firing,
recovering (still firing, as in Prometheus's keep_firing_for) and nodata instances are alerts; pending and
resolved ones are not.
*/
export function notifyAlertOfInstance(instance: {readonly id: string; readonly rule: Rule; readonly state: InstanceState}): NotifyAlert | undefined {
	const {id, rule, state} = instance;
	if (state.phase === 'pending' || state.phase === 'resolved') return undefined;
	return notifyAlertOf(
		{
			id,
			rule: rule.name,
			group: rule.group,
			key: '',
			labels: state.labels,
			kind: state.phase === 'nodata' ? 'nodata' : 'firing',
			from: 'none',
			to: state.phase,
			severity: state.severity,
			value: state.value,
			message: state.message,
			timeMs: state.changedAtMs,
			activeAtMs: state.activeAtMs,
			...(state.firedAtMs !== undefined ? {firedAtMs: state.firedAtMs} : {}),
			send: false,
			...(rule.recommendation !== undefined ? {recommendation: rule.recommendation} : {}),
		},
		rule,
	);
}

/**
An alert-log row (RuleEngine.rows) as a NotifyAlert when it stands for an alert firing now, as
notifyAlertOfInstance: how the notify part adopts the alerts that fired before it knew of them (restored from the
stream at a restart, or found by an instance started after they fired that becomes the writer). The rules part's
rows only (external alerts are not notified); firing, recovering and nodata phases.
*/
export function notifyAlertOfRow(row: AlertRow, rule?: Pick<Rule, 'description' | 'runbook' | 'recommendation'>): NotifyAlert | undefined {
	const phase = row.phase;
	if (row.origin !== 'rules' || (phase !== 'firing' && phase !== 'recovering' && phase !== 'nodata')) return undefined;
	return notifyAlertOf(
		{
			id: row.id,
			rule: row.rule,
			group: row.group ?? 'system',
			key: '',
			labels: row.labels,
			kind: phase === 'nodata' ? 'nodata' : 'firing',
			from: 'none',
			to: phase,
			severity: row.severity,
			value: row.value ?? Number.NaN,
			message: row.message,
			timeMs: row.updatedMs,
			activeAtMs: row.activeMs ?? row.sinceMs,
			...(row.firedMs !== undefined ? {firedAtMs: row.firedMs} : {}),
			send: false,
			...(rule?.recommendation !== undefined ? {recommendation: rule.recommendation} : {}),
		},
		rule,
	);
}

/**
The alert with `ack` applied as of `nowMs`: an ack past its `untilMs` is gone (the alert is unacknowledged again),
a resolved alert carries none.
*/
export function withAck(alert: NotifyAlert, ack: NotifyAck | undefined, nowMs: number): NotifyAlert {
	const live = ack !== undefined && alert.status === 'firing' && (ack.untilMs === undefined || nowMs < ack.untilMs) ? ack : undefined;
	if (sameAck(alert.ack, live)) return alert;
	const {ack: _old, ...rest} = alert;
	return live === undefined ? rest : {...rest, ack: live};
}

export function sameAck(a: NotifyAck | undefined, b: NotifyAck | undefined): boolean {
	if (a === undefined || b === undefined) return a === b;
	return a.by === b.by && a.atMs === b.atMs && a.comment === b.comment && a.untilMs === b.untilMs;
}
