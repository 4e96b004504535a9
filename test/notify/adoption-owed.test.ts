/**
What a restarted (or newly writing) instance owes for the alerts it adopts from the alert log (grouping.ts
adoptedKnowledge), scenario by scenario against the same run without a restart: a resolve owed is never lost, a
resolve never owed is not sent, PagerDuty's trigger, acknowledge and resolve keep their order, and inhibition
covers adopted alerts. The pure grouping on an accelerated clock, with the receivers' real payloads.
*/
import {describe, expect, it} from 'vitest';
import {compileNotify, type NotifyConfig} from '../../src/notify/notify-config.js';
import {adoptedKnowledge, EMPTY_GROUPING, groupingStep, type AdoptedFacts, type GroupingState} from '../../src/notify/grouping.js';
import {deliveryFor} from '../../src/notify/payloads.js';
import {type NotifyAck, type NotifyAlert} from '../../src/notify/notify-types.js';
import {adoptedFactsOf} from '../../src/notify/notify-part.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';

const S = 1000;

function config(type: 'pd' | 'slack'): NotifyConfig {
	const receivers = type === 'pd' ? [{name: 'r', pagerduty: {routing_key: 'k'.repeat(32), url: 'http://127.0.0.1:1/pd'}}] : [{name: 'r', slack: {url: 'http://127.0.0.1:1/hook'}}];
	const c = compileNotify({receivers, route: {receiver: 'r', group_wait: '30s', group_interval: '5m', repeat_interval: '4h'}}, {});
	if (!c.ok) throw new Error(JSON.stringify(c.issues));
	return c.config;
}

function alert(gpu: string, severity: NotifyAlert['severity'], startsAtMs: number, rule = 'high_temperature'): NotifyAlert {
	return {id: `${rule}{gpu="${gpu}"}`, rule, severity, labels: {gpu, alertname: rule, severity}, annotations: {summary: 'hot'}, status: 'firing', startsAtMs};
}
const resolved = (a: NotifyAlert, t: number): NotifyAlert => ({...a, status: 'resolved', endsAtMs: t});

interface Input {
	alerts?: NotifyAlert[];
	acks?: Map<string, NotifyAck>;
	silenced?: Set<string>;
	adopted?: NotifyAlert[];
	adoptedFacts?: Map<string, AdoptedFacts>;
}

/** One instance from `from` to `to` (each second): what it sends, as [second, event or Slack text]. */
function run(c: NotifyConfig, from: number, to: number, script: (t: number) => Input): Array<[number, string]> {
	let state: GroupingState = EMPTY_GROUPING;
	const out: Array<[number, string]> = [];
	const receiver = c.receivers.get('r')!;
	for (let t = from; t <= to; t += S) {
		const i = script(t);
		const step = groupingStep(state, {alerts: i.alerts ?? [], acks: i.acks ?? new Map(), silenced: i.silenced ?? new Set(), ...(i.adopted ? {adopted: i.adopted} : {}), ...(i.adoptedFacts ? {adoptedFacts: i.adoptedFacts} : {})}, t, c);
		state = step.state;
		for (const n of step.notifications) {
			const d = deliveryFor(receiver, n, {nowMs: t, externalUrl: '', source: 'box'});
			if (d.type !== 'http') continue;
			for (const r of d.requests) {
				const body = JSON.parse(r.body) as {event_action?: string; text?: string};
				out.push([t / S, body.event_action ?? (body.text ?? '').split(' — ')[0]!]);
			}
		}
	}
	return out;
}

describe('adopted alerts: what the instance before may have sent', () => {
	it('PagerDuty: triggered, then silenced, adopted while silenced, resolved in the silence: the resolve is sent (as without a restart)', () => {
		const c = config('pd');
		const A = alert('0', 'critical', 0);
		const silenced = (t: number) => (t >= 60 * S ? new Set([A.id]) : new Set<string>());
		const facts = new Map([[A.id, {changedMs: 0, silencedSinceMs: 60 * S}]]);
		expect(run(c, 0, 1000 * S, (t) => ({alerts: t === 0 ? [A] : t === 500 * S ? [resolved(A, t)] : [], silenced: silenced(t)}))).toEqual([[30, 'trigger'], [630, 'resolve']]);
		expect(run(c, 0, 399 * S, (t) => ({alerts: t === 0 ? [A] : [], silenced: silenced(t)}))).toEqual([[30, 'trigger']]);
		const after = run(c, 400 * S, 1000 * S, (t) => ({adopted: t === 400 * S ? [A] : undefined, adoptedFacts: facts, alerts: t === 500 * S ? [resolved(A, t)] : [], silenced: silenced(t)}));
		expect(after.map(([, e]) => e)).toEqual(['resolve']);
	});

	it('Slack: an alert that fired inside the silence and resolves there gets no RESOLVED after a restart; one announced before it does', () => {
		const c = config('slack');
		const A = alert('0', 'warning', 100 * S);
		const silenced = new Set([A.id]);
		const inside = new Map([[A.id, {changedMs: 100 * S, silencedSinceMs: 60 * S}]]);
		expect(run(c, 400 * S, 1000 * S, (t) => ({adopted: t === 400 * S ? [A] : undefined, adoptedFacts: inside, alerts: t === 500 * S ? [resolved(A, t)] : [], silenced}))).toEqual([]);
		const before = new Map([[A.id, {changedMs: 100 * S, silencedSinceMs: 200 * S}]]);
		const sent = run(c, 400 * S, 1000 * S, (t) => ({adopted: t === 400 * S ? [A] : undefined, adoptedFacts: before, alerts: t === 500 * S ? [resolved(A, t)] : [], silenced}));
		expect(sent.map(([, e]) => e)).toEqual([':white_check_mark: [RESOLVED] high_temperature']);
	});

	it('PagerDuty: acknowledged before its first message, restart: no acknowledge, and the trigger owed when the ack ends is sent', () => {
		const c = config('pd');
		const A = alert('0', 'critical', 0);
		const ack = {by: 'bob', atMs: 10 * S, untilMs: 1000 * S};
		const acks = (t: number) => (t >= 10 * S && t < 1000 * S ? new Map([[A.id, ack]]) : new Map<string, NotifyAck>());
		const without = run(c, 0, 2000 * S, (t) => ({alerts: t === 0 ? [A] : [], acks: acks(t)}));
		expect(without.map(([, e]) => e)).toEqual(['trigger']);
		expect(without[0]![0]).toBeGreaterThanOrEqual(1000);
		const after = run(c, 400 * S, 2000 * S, (t) => ({adopted: t === 400 * S ? [{...A, ack}] : undefined, adoptedFacts: new Map([[A.id, {changedMs: 0}]]), acks: acks(t)}));
		expect(after.map(([, e]) => e)).toEqual(['trigger']);
		expect(after[0]![0]).toBeGreaterThanOrEqual(1000);
	});

	it('PagerDuty: triggered, then acknowledged, restart before the acknowledge went out: the acknowledge is sent', () => {
		const c = config('pd');
		const A = alert('0', 'critical', 0);
		const ack = {by: 'bob', atMs: 390 * S};
		const after = run(c, 400 * S, 500 * S, (t) => ({adopted: t === 400 * S ? [A] : undefined, adoptedFacts: new Map([[A.id, {changedMs: 0}]]), acks: new Map([[A.id, ack]])}));
		expect(after).toEqual([[400, 'acknowledge']]);
	});

	it('an alert muted by inhibition since before it fired gets no resolve after a restart (Slack)', () => {
		const c = config('slack');
		const C = alert('0', 'critical', 0, 'gpu_xid');
		const A = alert('0', 'warning', 0);
		const facts = new Map([[C.id, {changedMs: 0}], [A.id, {changedMs: 0}]]);
		expect(run(c, 0, 1000 * S, (t) => ({alerts: t === 0 ? [C, A] : t === 500 * S ? [resolved(A, t)] : []})).map(([, e]) => e)).toEqual([':rotating_light: [FIRING:1] gpu_xid']);
		expect(run(c, 400 * S, 1000 * S, (t) => ({adopted: t === 400 * S ? [C, A] : undefined, adoptedFacts: facts, alerts: t === 500 * S ? [resolved(A, t)] : []}))).toEqual([[430, ':rotating_light: [FIRING:1] gpu_xid']]);
	});

	it('an alert that fired before its inhibitor escalated was announced: its resolve is owed', () => {
		const c = config('slack');
		const C = alert('0', 'critical', 0, 'gpu_xid');
		const A = alert('0', 'warning', 100 * S);
		const facts = new Map([[C.id, {changedMs: 200 * S}], [A.id, {changedMs: 100 * S}]]);
		const sent = run(c, 400 * S, 1000 * S, (t) => ({adopted: t === 400 * S ? [C, A] : undefined, adoptedFacts: facts, alerts: t === 500 * S ? [resolved(A, t)] : []}));
		expect(sent.map(([, e]) => e)).toEqual([':rotating_light: [FIRING:1] gpu_xid', ':white_check_mark: [RESOLVED] high_temperature']);
	});

	it('alerts adopted after an earlier step are checked against inhibition', () => {
		const c = config('slack');
		const C = alert('0', 'critical', 0, 'gpu_xid');
		const A = alert('0', 'warning', 0);
		const first = groupingStep(EMPTY_GROUPING, {alerts: []}, 400 * S, c);
		const adopted = groupingStep(first.state, {alerts: [], adopted: [C, A]}, 401 * S, c);
		expect([...adopted.inhibited]).toEqual([[A.id, C.id]]);
		let state = adopted.state;
		const ids: string[] = [];
		for (let t = 402 * S; t <= 460 * S; t += S) {
			const step = groupingStep(state, {alerts: []}, t, c);
			state = step.state;
			ids.push(...step.notifications.flatMap((n) => n.alerts.map((a) => a.id)));
		}
		expect(ids).toEqual([C.id]);
	});

	it('adoptedKnowledge: in doubt, PagerDuty owes the resolve; a chat receiver only when a firing could have been sent', () => {
		const base = {startsAtMs: 100 * S, groupWaitMs: 30 * S, silenced: true, inhibited: false, mutedSinceMs: undefined};
		expect(adoptedKnowledge({...base, pagerDuty: false, silencedSinceMs: 100 * S}).announced).toBe(false);
		expect(adoptedKnowledge({...base, pagerDuty: true, silencedSinceMs: 100 * S}).announced).toBe(true);
		expect(adoptedKnowledge({...base, pagerDuty: true, silencedSinceMs: 90 * S}).announced).toBe(false);
		expect(adoptedKnowledge({...base, pagerDuty: false, silencedSinceMs: undefined}).announced).toBe(true);
		expect(adoptedKnowledge({...base, pagerDuty: false, silencedSinceMs: 101 * S}).announced).toBe(true);
	});

	it('PagerDuty in doubt (third review): inhibition never proves a firing unsent (inhibit_rules may have changed across the restart)', () => {
		const base = {startsAtMs: 100 * S, groupWaitMs: 30 * S, silenced: false, silencedSinceMs: undefined};
		// Muted since long before it fired: a chat receiver owes no RESOLVED, PagerDuty still owes the resolve.
		expect(adoptedKnowledge({...base, pagerDuty: false, inhibited: true, mutedSinceMs: 10 * S}).announced).toBe(false);
		expect(adoptedKnowledge({...base, pagerDuty: true, inhibited: true, mutedSinceMs: 10 * S}).announced).toBe(true);
	});

	it('adoptedFactsOf: the live rules rows\' last transition, and a silenced one\'s silence start', () => {
		const row = (id: string, extra: Partial<AlertRow>): AlertRow => ({id, rule: 'r', severity: 'warning', state: 'firing', message: 'm', labels: {}, sinceMs: 1, updatedMs: 7 * S, origin: 'rules', phase: 'firing', ...extra});
		const facts = adoptedFactsOf([row('a', {}), row('b', {state: 'silenced', silencedBy: 's', silencedSinceMs: 3 * S}), row('c', {phase: 'resolved', state: 'resolved'}), row('d', {origin: 'external'})]);
		expect([...facts]).toEqual([['a', {changedMs: 7 * S}], ['b', {changedMs: 7 * S, silencedSinceMs: 3 * S}]]);
	});
});
