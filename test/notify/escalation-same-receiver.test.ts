/**
An alert whose severity moves it to another group (severity in group_by, or routes on severity): the old group
does not announce it resolved to a receiver that hears it from the new group (PagerDuty: the same dedup_key, so a
`resolve` would close the incident of an alert still critical; a chat or webhook receiver would read "resolved"
for an alert still firing); the new group owes its resolve even if it never sent its firing. A receiver that no
longer hears of it is told it resolved there, as Alertmanager tells the old label set's receiver. The grouping and
the real PagerDuty payload builder, in accelerated time.
*/
import {describe, expect, it} from 'vitest';
import {compileNotify, type NotifyConfig} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingInput, type GroupingState} from '../../src/notify/grouping.js';
import {deliveryFor} from '../../src/notify/payloads.js';
import {type Notification, type NotifyAlert} from '../../src/notify/notify-types.js';

const S = 1000;
const M = 60 * S;

function compile(raw: unknown): NotifyConfig {
	const compiled = compileNotify(raw, {});
	if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
	return compiled.config;
}

const PD = {name: 'oncall', pagerduty: {routing_key: 'R'.repeat(32), url: 'http://127.0.0.1:1/pd'}};
const SLACK = {name: 'team', slack: {url: 'http://127.0.0.1:1/slack'}};

function hot(severity: NotifyAlert['severity'], status: 'firing' | 'resolved' = 'firing', atMs = 0): NotifyAlert {
	return {
		id: 'high_temperature{gpu="0"}',
		rule: 'high_temperature',
		severity,
		labels: {alertname: 'high_temperature', severity, gpu: '0'},
		annotations: {summary: 'hot'},
		status,
		startsAtMs: 0,
		...(status === 'resolved' ? {endsAtMs: atMs} : {}),
	};
}

/** Steps the grouping every second to `untilMs`, with `inputs` at their times; returns the notifications. */
function run(config: NotifyConfig, inputs: ReadonlyMap<number, Partial<GroupingInput>>, untilMs: number): Notification[] {
	let state: GroupingState = EMPTY_GROUPING;
	const out: Notification[] = [];
	for (let t = 0; t <= untilMs; t += S) {
		const step = groupingStep(state, {alerts: [], ...inputs.get(t)}, t, config);
		state = step.state;
		out.push(...step.notifications);
	}
	return out;
}

/** What PagerDuty hears: `<s> <action> [severity]`. */
function pagerDuty(config: NotifyConfig, sent: readonly Notification[]): string[] {
	return sent
		.filter((n) => n.receiver === 'oncall')
		.flatMap((n) => {
			const delivery = deliveryFor(config.receivers.get('oncall')!, n, {nowMs: n.timeMs, externalUrl: '', source: 'box'});
			return (delivery.type === 'http' ? delivery.requests : []).map((r) => {
				const body = JSON.parse(r.body) as {event_action: string; payload?: {severity: string}};
				return `${n.timeMs / S} ${body.event_action}${body.payload ? ` ${body.payload.severity}` : ''}`;
			});
		});
}

describe('an alert that escalates into another group of the same receiver', () => {
	it('PagerDuty, grouped by severity: the escalation triggers again, and nothing resolves until the alert does', () => {
		const config = compile({receivers: [PD], route: {receiver: 'oncall', group_by: ['alertname', 'severity']}});
		const sent = run(config, new Map([[0, {alerts: [hot('warning')]}], [100 * S, {alerts: [hot('critical')]}], [30 * M, {alerts: [hot('critical', 'resolved', 30 * M)]}]]), 45 * M);
		expect(pagerDuty(config, sent)).toEqual(['30 trigger warning', '130 trigger critical', '1930 resolve']);
	});

	it('PagerDuty, severity routes to the same receiver: the same', () => {
		const config = compile({
			receivers: [PD],
			route: {receiver: 'oncall', routes: [{severity: 'critical', receiver: 'oncall', group_wait: '10s'}, {receiver: 'oncall'}]},
		});
		const sent = run(config, new Map([[0, {alerts: [hot('warning')]}], [100 * S, {alerts: [hot('critical')]}], [30 * M, {alerts: [hot('critical', 'resolved', 30 * M)]}]]), 45 * M);
		const events = pagerDuty(config, sent);
		expect(events.filter((e) => e.endsWith('resolve'))).toHaveLength(1);
		expect(events.at(-1)).toMatch(/^\d+ resolve$/);
		expect(Number(events.at(-1)!.split(' ')[0])).toBeGreaterThanOrEqual(30 * 60);
		expect(events.slice(0, 2)).toEqual(['30 trigger warning', '110 trigger critical']);
	});

	it('the resolve is sent when the alert resolves before its new group was ever sent', () => {
		const config = compile({receivers: [PD], route: {receiver: 'oncall', group_by: ['alertname', 'severity']}});
		// Escalates at 100 s (the new group waits until 130 s), resolves at 110 s.
		const sent = run(config, new Map([[0, {alerts: [hot('warning')]}], [100 * S, {alerts: [hot('critical')]}], [110 * S, {alerts: [hot('critical', 'resolved', 110 * S)]}]]), 20 * M);
		expect(pagerDuty(config, sent)).toEqual(['30 trigger warning', '130 resolve']);
	});

	it('a chat receiver hears the alert firing at its new severity, not resolved', () => {
		const config = compile({receivers: [SLACK], route: {receiver: 'team', group_by: ['alertname', 'severity']}});
		const sent = run(config, new Map([[0, {alerts: [hot('warning')]}], [100 * S, {alerts: [hot('critical')]}]]), 20 * M);
		expect(sent.map((n) => [n.timeMs / S, n.groupLabels['severity'], n.alerts.map((a) => `${a.status}:${a.severity}`).join(',')])).toEqual([
			[30, 'warning', 'firing:warning'],
			[130, 'critical', 'firing:critical'],
		]);
	});

	it('a receiver the alert no longer reaches is told it resolved there (Alertmanager: the old label set resolves)', () => {
		const config = compile({receivers: [SLACK, PD], route: {receiver: 'team', routes: [{severity: 'critical', receiver: 'oncall'}]}});
		const sent = run(config, new Map([[0, {alerts: [hot('warning')]}], [100 * S, {alerts: [hot('critical')]}]]), 20 * M);
		expect(sent.map((n) => [n.receiver, n.alerts.map((a) => `${a.status}:${a.severity}`).join(',')])).toEqual([
			['team', 'firing:warning'],
			['oncall', 'firing:critical'],
			['team', 'resolved:warning'],
		]);
	});
});
