/** Grouping, inhibition and the transition -> alert conversion, in accelerated time. */
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../src/config/config.js';
import {compileNotify, type NotifyConfig} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, GROUPING_LIMITS, groupingStep, type GroupingInput, type GroupingState} from '../../src/notify/grouping.js';
import {inhibitedBy, inhibitedRows} from '../../src/notify/inhibit.js';
import {notifyAlertOf, notifyAlertOfInstance, withAck} from '../../src/notify/notify-alert.js';
import {type Notification, type NotifyAck, type NotifyAlert} from '../../src/notify/notify-types.js';
import {compileRules, validateRules} from '../../src/rules/user-rules.js';
import {RuleEngine, type AlertTransition} from '../../src/rules/engine.js';
import {alertId} from '../../src/rules/labels.js';
import {SeriesWorld} from '../../src/rules/world.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

function config(yaml: string): NotifyConfig {
	const parsed = parseConfig(yaml, 'c.yaml', {});
	if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
	return parsed.config.notify!;
}

const SLACK_ONLY = config(`notify:
  receivers:
    - name: team
      slack: {url: "http://127.0.0.1:1/slack"}
`);

const PD_AND_SLACK = config(`notify:
  receivers:
    - name: team
      slack: {url: "http://127.0.0.1:1/slack"}
    - name: oncall
      pagerduty: {routing_key: k, url: "http://127.0.0.1:1/pd"}
  route:
    receiver: team
    routes:
      - severity: critical
        receiver: oncall
        continue: true
      - receiver: team
`);

function alert(rule: string, labels: Record<string, string>, status: 'firing' | 'resolved' = 'firing', severity: NotifyAlert['severity'] = 'warning', extra: Partial<NotifyAlert> = {}): NotifyAlert {
	return {
		id: alertId(rule, labels),
		rule,
		severity,
		labels: {...labels, alertname: rule, severity},
		annotations: {summary: `${rule} ${JSON.stringify(labels)}`},
		status,
		startsAtMs: 0,
		...(status === 'resolved' ? {endsAtMs: 1} : {}),
		...extra,
	};
}

/** Drives the step function; `at(t, input)` returns what was sent at t. */
class Clock {
	state: GroupingState = EMPTY_GROUPING;
	sent: Array<Notification & {at: number}> = [];
	inhibited: ReadonlyMap<string, string> = new Map();
	constructor(readonly cfg: NotifyConfig) {}
	at(t: number, input: Partial<GroupingInput> = {}): Notification[] {
		const r = groupingStep(this.state, {alerts: [], ...input}, t, this.cfg);
		this.state = r.state;
		this.inhibited = r.inhibited;
		this.sent.push(...r.notifications.map((n) => ({...n, at: t})));
		return [...r.notifications];
	}
	/** Step every second from `from` to `to` with no input. */
	run(from: number, to: number): void {
		for (let t = from; t <= to; t += S) this.at(t);
	}
}

describe('grouping', () => {
	it('waits group_wait before the first message, then sends changes at group_interval', () => {
		const c = new Clock(SLACK_ONLY);
		expect(c.at(0, {alerts: [alert('high_temperature', {gpu: '0'})]})).toEqual([]);
		c.run(1 * S, 29 * S);
		expect(c.sent).toEqual([]);
		const [first] = c.at(30 * S);
		expect(first).toMatchObject({receiver: 'team', reason: 'new', status: 'firing', groupKey: '{}:{alertname="high_temperature"}', groupLabels: {alertname: 'high_temperature'}, repeatIntervalMs: 4 * H});
		expect(first!.alerts.map((a) => a.id)).toEqual(['high_temperature{gpu="0"}']);
		// A second alert of the same rule joins: sent at the next interval (30 s + 5 min), not before.
		c.at(40 * S, {alerts: [alert('high_temperature', {gpu: '1'})]});
		c.run(41 * S, 329 * S);
		expect(c.sent).toHaveLength(1);
		const [second] = c.at(330 * S);
		expect(second).toMatchObject({reason: 'changed'});
		expect(second!.alerts.map((a) => a.labels['gpu'])).toEqual(['0', '1']);
	});

	it('repeats an unchanged firing group every repeat_interval (at the first interval tick after it)', () => {
		const c = new Clock(SLACK_ONLY);
		c.at(0, {alerts: [alert('high_temperature', {gpu: '0'})]});
		for (let t = 30 * S; t <= 9 * H; t += M) c.at(t);
		const times = c.sent.map((n) => [n.reason, n.at]);
		// Ticks are 30 s + k * 5 min; the repeat falls on the first tick at least 4 h after the last send.
		expect(times).toEqual([
			['new', 30 * S],
			['repeat', 30 * S + 4 * H],
			['repeat', 30 * S + 8 * H],
		]);
		// Each repeat is a message of its own (the hash names the repeat interval it falls in): the record of the one
		// before, however late it was delivered, does not swallow it (test/notify/repeat-after-late-delivery.test.ts).
		expect(new Set(c.sent.map((n) => n.contentHash)).size).toBe(3);
	});

	it('sends a resolved alert once, then drops it and the empty group', () => {
		const c = new Clock(SLACK_ONLY);
		c.at(0, {alerts: [alert('high_temperature', {gpu: '0'}), alert('high_temperature', {gpu: '1'})]});
		c.at(30 * S);
		c.at(60 * S, {alerts: [alert('high_temperature', {gpu: '0'}, 'resolved')]});
		const [changed] = c.at(330 * S);
		expect(changed!.status).toBe('firing');
		expect(changed!.alerts.map((a) => `${a.labels['gpu']}:${a.status}`)).toEqual(['1:firing', '0:resolved']);
		c.at(400 * S, {alerts: [alert('high_temperature', {gpu: '1'}, 'resolved')]});
		const [last] = c.at(630 * S);
		expect(last).toMatchObject({status: 'resolved', reason: 'changed'});
		expect(last!.alerts.map((a) => a.labels['gpu'])).toEqual(['1']);
		expect(c.state.groups.size).toBe(0);
		c.run(631 * S, 2000 * S);
		expect(c.sent).toHaveLength(3);
	});

	it('after announcing a resolve, does not send the rest of the group again as a change (Alertmanager neither)', () => {
		const c = new Clock(SLACK_ONLY);
		c.at(0, {alerts: [alert('high_temperature', {gpu: '0'}), alert('high_temperature', {gpu: '1'})]});
		c.run(1 * S, 59 * S);
		c.at(60 * S, {alerts: [alert('high_temperature', {gpu: '1'}, 'resolved')]});
		c.run(61 * S, 3 * H);
		expect(c.sent.map((n) => [n.at / S, n.reason, n.alerts.map((a) => `${a.labels['gpu']}:${a.status}`).join(',')])).toEqual([
			[30, 'new', '0:firing,1:firing'],
			[330, 'changed', '0:firing,1:resolved'],
		]);
	});

	it('owes the resolve of an adopted alert (firing at a restart) even if it resolves before its group is sent, unless it was silenced since before it fired', () => {
		const c = new Clock(SLACK_ONLY);
		const hot0 = alert('high_temperature', {gpu: '0'});
		const hot1 = alert('high_temperature', {gpu: '1'});
		c.at(0, {adopted: [hot0, hot1], silenced: new Set([hot1.id]), adoptedFacts: new Map([[hot1.id, {changedMs: 0, silencedSinceMs: 0}]])});
		c.at(10 * S, {alerts: [{...hot0, status: 'resolved', endsAtMs: 10 * S}, {...hot1, status: 'resolved', endsAtMs: 10 * S}]});
		c.run(11 * S, 20 * M);
		expect(c.sent.map((n) => [n.at / S, n.status, n.alerts.map((a) => `${a.labels['gpu']}:${a.status}`).join(',')])).toEqual([[30, 'resolved', '0:resolved']]);
		expect(c.state.groups.size).toBe(0);
	});

	it('never announces an alert that resolves within group_wait', () => {
		const c = new Clock(SLACK_ONLY);
		c.at(0, {alerts: [alert('high_temperature', {gpu: '0'})]});
		c.at(10 * S, {alerts: [alert('high_temperature', {gpu: '0'}, 'resolved')]});
		c.run(11 * S, 20 * M);
		expect(c.sent).toEqual([]);
		expect(c.state.groups.size).toBe(0);
	});

	it('folds the seed cooldown in: an alert that flaps between two ticks is not announced again', () => {
		const c = new Clock(SLACK_ONLY);
		c.at(0, {alerts: [alert('high_temperature', {gpu: '0'})]});
		c.at(30 * S);
		c.at(40 * S, {alerts: [alert('high_temperature', {gpu: '0'}, 'resolved')]});
		c.at(50 * S, {alerts: [alert('high_temperature', {gpu: '0'})]});
		c.at(100 * S, {alerts: [alert('high_temperature', {gpu: '0'}, 'resolved')]});
		c.at(110 * S, {alerts: [alert('high_temperature', {gpu: '0'})]});
		c.run(111 * S, 30 * M);
		expect(c.sent.map((n) => n.reason)).toEqual(['new']);
	});

	it('sends an escalation as a change', () => {
		const c = new Clock(SLACK_ONLY);
		c.at(0, {alerts: [alert('high_temperature', {gpu: '0'})]});
		c.at(30 * S);
		c.at(31 * S, {alerts: [alert('high_temperature', {gpu: '0'}, 'firing', 'critical')]});
		const [n] = c.at(330 * S);
		expect(n).toMatchObject({reason: 'changed'});
		expect(n!.alerts[0]!.severity).toBe('critical');
	});

	it('ends an alert in the groups its new severity no longer routes to (as Alertmanager sees the old label set resolve)', () => {
		const c = new Clock(config(`notify:
  receivers:
    - {name: team, slack: {url: "http://127.0.0.1:1/slack"}}
    - {name: warn, slack: {url: "http://127.0.0.1:1/warn"}}
    - {name: oncall, pagerduty: {routing_key: k}}
  route:
    receiver: team
    routes:
      - {severity: warning, receiver: warn}
      - {severity: critical, receiver: oncall}
`));
		const a = alert('high_temperature', {gpu: '0'});
		c.at(0, {alerts: [a]});
		c.at(30 * S);
		c.at(60 * S, {alerts: [{...a, severity: 'critical', labels: {...a.labels, severity: 'critical'}}]});
		c.run(61 * S, 20 * M);
		c.at(21 * M, {alerts: [{...a, severity: 'critical', labels: {...a.labels, severity: 'critical'}, status: 'resolved', endsAtMs: 21 * M}]});
		c.run(21 * M + S, 6 * H);
		expect(c.sent.map((n) => `${n.receiver} ${n.status} ${n.alerts.map((x) => x.severity).join()} @${n.at / S}`)).toEqual([
			'warn firing warning @30',
			'oncall firing critical @90',
			'warn resolved warning @330',
			'oncall resolved critical @1290',
		]);
		expect(c.state.groups.size).toBe(0);
	});

	it('routes to several receivers with continue (as Alertmanager: a later sibling must match too), each with its own group', () => {
		const onlyPd = new Clock(config(`notify:
  receivers:
    - {name: team, slack: {url: "http://127.0.0.1:1/slack"}}
    - {name: oncall, pagerduty: {routing_key: k}}
  route:
    receiver: team
    routes:
      - {severity: critical, receiver: oncall, continue: true}
`));
		onlyPd.at(0, {alerts: [alert('gpu_temperature_critical', {gpu: '0'}, 'firing', 'critical')]});
		expect(onlyPd.at(30 * S).map((n) => n.receiver)).toEqual(['oncall']);
		const c = new Clock(PD_AND_SLACK);
		c.at(0, {alerts: [alert('gpu_temperature_critical', {gpu: '0'}, 'firing', 'critical'), alert('high_temperature', {gpu: '1'})]});
		const out = c.at(30 * S);
		expect(out.map((n) => `${n.receiver} ${n.groupKey} ${n.alerts.length}`).sort()).toEqual([
			'oncall {}/{severity="critical"}:{alertname="gpu_temperature_critical"} 1',
			'team {}/{}:{alertname="gpu_temperature_critical"} 1',
			'team {}/{}:{alertname="high_temperature"} 1',
		]);
	});

	it('leaves inhibited and silenced alerts out, and says what inhibits what', () => {
		const c = new Clock(SLACK_ONLY);
		const critical = alert('gpu_temperature_critical', {gpu: '0'}, 'firing', 'critical');
		const warning0 = alert('low_utilization', {gpu: '0'});
		const warning1 = alert('low_utilization', {gpu: '1'});
		const loss = alert('loss_spike', {project: 'p'});
		c.at(0, {alerts: [critical, warning0, warning1, loss], silenced: new Set([loss.id])});
		const out = c.at(30 * S, {silenced: new Set([loss.id])});
		expect(c.inhibited).toEqual(new Map([[warning0.id, critical.id]]));
		expect(out.map((n) => n.alerts.map((a) => a.id)).flat().sort()).toEqual([critical.id, warning1.id].sort());
		// The critical alert resolves: the warning it muted is announced at the next tick.
		c.at(40 * S, {alerts: [{...critical, status: 'resolved'}], silenced: new Set([loss.id])});
		const next = c.at(330 * S, {silenced: new Set([loss.id])});
		expect(c.inhibited.size).toBe(0);
		expect(next.map((n) => n.alerts.map((a) => `${a.id}:${a.status}`)).flat().sort()).toEqual([`${critical.id}:resolved`, `${warning0.id}:firing`, `${warning1.id}:firing`].sort());
	});

	it('the storm: 8 GPUs overheating at once, evaluated by the real rules, is one message listing 8 alerts', () => {
		const world = new SeriesWorld();
		for (let g = 0; g < 8; g++) for (let t = 0; t <= 200 * S; t += S) world.add('gpu_temperature_celsius', {gpu: String(g)}, t, 88);
		const engine = new RuleEngine(compileRules([]));
		const rules = new Map(engine.rules.map((r) => [r.name, r]));
		const c = new Clock(SLACK_ONLY);
		for (let t = 0; t <= 200 * S; t += S) {
			world.advance(t);
			const transitions = engine.evaluate(world.input(t));
			c.at(t, {alerts: transitions.flatMap((tr) => notifyAlertOf(tr, rules.get(tr.rule)) ?? [])});
		}
		expect(c.sent).toHaveLength(1);
		const [n] = c.sent;
		expect(n!.groupKey).toBe('{}:{alertname="high_temperature"}');
		expect(n!.alerts).toHaveLength(8);
		expect(new Set(n!.alerts.map((a) => a.labels['gpu']))).toEqual(new Set(['0', '1', '2', '3', '4', '5', '6', '7']));
		// high_temperature fires after its 30 s `for`; the group waits its 30 s.
		expect(n!.at).toBe(60 * S);
		expect(n!.alerts[0]!.annotations).toMatchObject({summary: 'GPU 0 temperature 88 °C', recommendation: 'Check cooling system and reduce load', value: '88'});
	});

	it('the storm at 92 °C: one message per rule, each listing 8 alerts', () => {
		const world = new SeriesWorld();
		for (let g = 0; g < 8; g++) for (let t = 0; t <= 120 * S; t += S) world.add('gpu_temperature_celsius', {gpu: String(g)}, t, 92);
		const engine = new RuleEngine(compileRules([]));
		const c = new Clock(SLACK_ONLY);
		for (let t = 0; t <= 120 * S; t += S) {
			world.advance(t);
			c.at(t, {alerts: engine.evaluate(world.input(t)).flatMap((tr) => notifyAlertOf(tr) ?? [])});
		}
		expect(c.sent.map((n) => `${n.groupLabels['alertname']} ${n.alerts.length}`).sort()).toEqual(['gpu_temperature_critical 8', 'high_temperature 8']);
	});

	it('PagerDuty: trigger, an ack sent at once, no repeat of it, then resolve', () => {
		const c = new Clock(PD_AND_SLACK);
		const a = alert('gpu_lost', {gpu: '2'}, 'firing', 'critical');
		c.at(0, {alerts: [a]});
		c.at(30 * S);
		const ack: NotifyAck = {by: 'ana@box', atMs: 45 * S, comment: 'on it'};
		const acked = c.at(45 * S, {acks: new Map([[a.id, ack]])});
		expect(acked).toHaveLength(1);
		expect(acked[0]).toMatchObject({receiver: 'oncall', action: 'acknowledge', reason: 'acknowledge'});
		expect(acked[0]!.alerts[0]!.ack).toEqual(ack);
		c.run(46 * S, 20 * M);
		c.at(21 * M, {alerts: [{...a, status: 'resolved', endsAtMs: 21 * M}]});
		c.run(21 * M + S, 40 * M);
		const pd = c.sent.filter((n) => n.receiver === 'oncall').map((n) => `${n.action ?? n.status}@${n.at / S}`);
		// The resolve waits for the group's next tick: 30 s + 4 x 5 min = 1230 s had not been stepped, so it goes at 1260.
		expect(pd).toEqual(['firing@30', 'acknowledge@45', 'resolved@1260']);
		// Slack hears of the ack at its next tick, as a change.
		const team = c.sent.filter((n) => n.receiver === 'team').map((n) => `${n.reason}@${n.at / S}`);
		expect(team).toEqual(['new@30', 'changed@330', 'changed@1260']);
	});

	it('an expired ack is gone: the alert is unacknowledged again', () => {
		const c = new Clock(SLACK_ONLY);
		const a = alert('high_temperature', {gpu: '0'});
		const acks = new Map([[a.id, {by: 'ana@box', atMs: 10 * S, untilMs: 10 * M}]]);
		c.at(0, {alerts: [a], acks});
		const [first] = c.at(30 * S, {acks});
		expect(first!.alerts[0]!.ack?.by).toBe('ana@box');
		c.run(31 * S, 629 * S);
		const [after] = c.at(630 * S);
		expect(after).toMatchObject({reason: 'changed'});
		expect(after!.alerts[0]!.ack).toBeUndefined();
		expect(after!.contentHash).not.toBe(first!.contentHash);
	});

	it('is pure: the same state and input give the same result, and the state passed in is not changed', () => {
		const c = new Clock(SLACK_ONLY);
		c.at(0, {alerts: [alert('high_temperature', {gpu: '0'})]});
		const before = c.state;
		const snapshot = JSON.stringify([...before.groups.values()].map((g) => ({...g, alerts: [...g.alerts], sentFiring: [...g.sentFiring]})));
		const a = groupingStep(before, {alerts: [alert('high_temperature', {gpu: '1'})]}, 30 * S, SLACK_ONLY);
		const b = groupingStep(before, {alerts: [alert('high_temperature', {gpu: '1'})]}, 30 * S, SLACK_ONLY);
		expect(a.notifications).toEqual(b.notifications);
		expect(JSON.stringify([...before.groups.values()].map((g) => ({...g, alerts: [...g.alerts], sentFiring: [...g.sentFiring]})))).toBe(snapshot);
		expect(a.nextWakeMs).toBe(30 * S + 5 * M);
	});

	it('gives two instances that group the same alerts at different times the same group key and content hash', () => {
		const x = new Clock(SLACK_ONLY);
		const y = new Clock(SLACK_ONLY);
		// The same episode, its start put 700 ms apart by the two instances' evaluations, seen 700 ms apart.
		x.at(0, {alerts: [alert('high_temperature', {gpu: '0'})]});
		y.at(700, {alerts: [alert('high_temperature', {gpu: '0'}, 'firing', 'warning', {startsAtMs: 700})]});
		const [nx] = x.at(30 * S);
		const [ny] = y.at(31 * S);
		expect([ny!.groupKey, ny!.contentHash]).toEqual([nx!.groupKey, nx!.contentHash]);
	});

	it('gives a message that says again what an earlier one said (fired, resolved, fired again) a hash of its own, so it is not taken for a duplicate', () => {
		const run = () => {
			const c = new Clock(SLACK_ONLY);
			const a = alert('high_temperature', {gpu: '0'});
			const b = {...a, startsAtMs: 20 * M};
			c.at(0, {alerts: [a]});
			c.at(30 * S);
			c.at(40 * S, {alerts: [{...a, status: 'resolved', endsAtMs: 40 * S}]});
			c.run(41 * S, 330 * S);
			expect(c.state.groups.size).toBe(0);
			// A new episode: a new start, a new hash (every instance computes the same start from the same evaluation).
			c.at(20 * M, {alerts: [b]});
			c.run(20 * M + S, 21 * M);
			c.at(6 * H, {alerts: [{...b, status: 'resolved', endsAtMs: 6 * H}]});
			c.run(6 * H + S, 6 * H + 6 * M);
			// The first episode's start again (only a test can do that), 11 h on: the same alerts, but in another repeat
			// interval (the hash names it, so a repeat is never taken for the message it repeats).
			c.at(11 * H, {alerts: [a]});
			c.run(11 * H + S, 11 * H + M);
			return c.sent;
		};
		const sent = run();
		expect(sent.map((n) => `${n.reason} ${n.status} @${n.at / S}`)).toEqual(['new firing @30', 'changed resolved @330', 'new firing @1230', 'changed resolved @21600', 'new firing @39630']);
		const [first, resolved, again, resolvedAgain, later] = sent.map((n) => n.contentHash);
		expect(new Set([first, resolved, again, resolvedAgain]).size).toBe(4);
		expect(later).not.toBe(first);
		// Another instance with the same history computes the same hashes (what delivery's sent-record relies on).
		expect(run().map((n) => n.contentHash)).toEqual(sent.map((n) => n.contentHash));
	});

	it('refuses alerts beyond its bounds and counts them', () => {
		const every = config('notify:\n  receivers:\n    - name: w\n      webhook: {url: "http://127.0.0.1:1/w"}\n  route:\n    group_by: ["..."]\n');
		const many = Array.from({length: GROUPING_LIMITS.groups + 5}, (_, i) => alert('r', {i: String(i)}));
		const r = groupingStep(EMPTY_GROUPING, {alerts: many}, 0, every);
		expect(r.state.groups.size).toBe(GROUPING_LIMITS.groups);
		expect(r.state.dropped).toBe(5);
	});

	it('sends nothing without a route (no receivers)', () => {
		const none = config('notify:\n  bell: true\n');
		const r = groupingStep(EMPTY_GROUPING, {alerts: [alert('r', {})]}, 0, none);
		expect([r.notifications, r.state.groups.size, r.nextWakeMs]).toEqual([[], 0, undefined]);
	});
});

describe('inhibition', () => {
	const rules = compileNotify({}, {}).ok ? (compileNotify({}, {}) as {config: NotifyConfig}).config.inhibitRules : [];

	it('mutes warning and info on the same GPU or project under a critical, not elsewhere, not without the label', () => {
		const crit = alert('gpu_temperature_critical', {gpu: '0'}, 'firing', 'critical');
		const w0 = alert('high_temperature', {gpu: '0'});
		const i0 = alert('low_utilization', {gpu: '0'}, 'firing', 'info');
		const w1 = alert('high_temperature', {gpu: '1'});
		const sys = alert('sla_compliance', {}, 'firing', 'critical');
		const thr = alert('low_throughput', {});
		const pCrit = alert('nan_loss', {project: 'a'}, 'firing', 'critical');
		const pWarn = alert('loss_plateau', {project: 'a'});
		const qWarn = alert('loss_plateau', {project: 'b'});
		const m = inhibitedBy([crit, w0, i0, w1, sys, thr, pCrit, pWarn, qWarn], rules);
		expect(Object.fromEntries(m)).toEqual({[w0.id]: crit.id, [i0.id]: crit.id, [pWarn.id]: pCrit.id});
	});

	it('a lost GPU mutes that GPU\'s other alerts, critical ones too', () => {
		const lost = alert('gpu_lost', {gpu: '3', uuid: 'GPU-3'}, 'firing', 'critical');
		const crit = alert('memory_exhaustion', {gpu: '3', uuid: 'GPU-3'}, 'firing', 'critical');
		const other = alert('memory_exhaustion', {gpu: '4', uuid: 'GPU-4'}, 'firing', 'critical');
		const m = inhibitedBy([lost, crit, other], rules);
		expect(Object.fromEntries(m)).toEqual({[crit.id]: lost.id});
	});

	it('works on the alert pane\'s rows: firing, acknowledged, silenced and nodata rows fire; pending and resolved do not', () => {
		const row = (id: string, rule: string, severity: NotifyAlert['severity'], gpu: string, state: 'firing' | 'acknowledged' | 'silenced' | 'nodata' | 'pending' | 'resolved') => ({id, rule, severity, labels: {gpu}, state, sinceMs: 0});
		const rows = [row('c0', 'gpu_temperature_critical', 'critical', '0', 'acknowledged'), row('w0', 'high_temperature', 'warning', '0', 'firing'), row('c1', 'gpu_temperature_critical', 'critical', '1', 'pending'), row('w1', 'high_temperature', 'warning', '1', 'nodata'), row('l2', 'gpu_lost', 'critical', '2', 'silenced'), row('m2', 'memory_exhaustion', 'critical', '2', 'firing'), row('r2', 'x', 'warning', '2', 'resolved')];
		expect(Object.fromEntries(inhibitedRows(rows, rules))).toEqual({w0: 'c0', m2: 'l2'});
	});

	it('ignores resolved alerts on both sides', () => {
		const crit = alert('gpu_temperature_critical', {gpu: '0'}, 'resolved', 'critical');
		const w0 = alert('high_temperature', {gpu: '0'});
		expect(inhibitedBy([crit, w0], rules).size).toBe(0);
	});

	it('follows Alertmanager: equal labels missing on both count as equal; no mutual muting of alerts matching both sides', () => {
		const cfg = compileNotify({inhibit_rules: [{source_matchers: ['severity=~"critical|warning"'], target_matchers: ['severity=~"critical|warning"'], equal: ['gpu']}]}, {});
		const r = (cfg as {config: NotifyConfig}).config.inhibitRules;
		const a = alert('a', {}, 'firing', 'critical');
		const b = alert('b', {}, 'firing', 'warning');
		expect(inhibitedBy([a, b], r).size).toBe(0);
		const surprise = (compileNotify({inhibit_rules: [{source_matchers: ['alertname="x"'], target_matchers: ['alertname="y"'], equal: ['zone']}]}, {}) as {config: NotifyConfig}).config.inhibitRules;
		expect(Object.fromEntries(inhibitedBy([alert('x', {}), alert('y', {})], surprise))).toEqual({y: 'x'});
	});
});

describe('transitions as alerts', () => {
	const base: AlertTransition = {
		id: 'hot{gpu="0"}',
		rule: 'hot',
		group: 'gpu',
		key: 'gpu="0"',
		labels: {gpu: '0'},
		kind: 'firing',
		from: 'pending',
		to: 'firing',
		severity: 'warning',
		value: 86.12345,
		message: 'GPU 0 hot',
		timeMs: 90_000,
		activeAtMs: 60_000,
		firedAtMs: 90_000,
		send: true,
		recommendation: 'cool it',
	};

	it('carries labels with alertname and severity, the annotations, and the times', () => {
		expect(validateRules([{alert: 'hot', series: 'gpu_temperature_celsius', condition: 'value > 85', runbook: 'https://wiki.example/hot'}])).toEqual([]);
		const rule = compileRules([{alert: 'hot', series: 'gpu_temperature_celsius', condition: 'value > 85', runbook: 'https://wiki.example/hot'}]).find((r) => r.name === 'hot')!;
		expect(rule.runbook).toBe('https://wiki.example/hot');
		expect(notifyAlertOf(base, rule)).toEqual({
			id: 'hot{gpu="0"}',
			rule: 'hot',
			severity: 'warning',
			labels: {gpu: '0', alertname: 'hot', severity: 'warning'},
			annotations: {summary: 'GPU 0 hot', description: rule.description, recommendation: 'cool it', runbook_url: 'https://wiki.example/hot', value: '86.123'},
			status: 'firing',
			startsAtMs: 90_000,
		});
		expect(notifyAlertOf({...base, kind: 'resolved', to: 'resolved', timeMs: 120_000, value: Number.NaN})).toMatchObject({status: 'resolved', endsAtMs: 120_000, annotations: {value: 'NaN'}});
		expect(notifyAlertOf({...base, kind: 'nodata', to: 'nodata'})).toMatchObject({status: 'firing', annotations: {state: 'nodata'}});
		expect(notifyAlertOf({...base, kind: 'escalated', severity: 'critical'})).toMatchObject({severity: 'critical', labels: {severity: 'critical'}});
		// Neither the seed cooldown nor a silence holds the alert back: the grouping mutes a silenced one's messages
		// while the silence lasts (test/notify/silence-then-notify.test.ts).
		expect(notifyAlertOf({...base, send: false, reason: 'cooldown'})).toBeDefined();
		expect(notifyAlertOf({...base, send: false, reason: 'silenced (abc)'})).toMatchObject({status: 'firing'});
		expect(notifyAlertOf({...base, kind: 'pending', to: 'pending'})).toBeUndefined();
		expect(notifyAlertOf({...base, kind: 'cancelled', to: 'none'})).toBeUndefined();
	});

	it('gives the alerts already firing from the engine\'s live instances (as after a restart), the same as their transitions', () => {
		const world = new SeriesWorld();
		for (let g = 0; g < 3; g++) for (let t = 0; t <= 60 * S; t += S) world.add('gpu_temperature_celsius', {gpu: String(g)}, t, g === 2 ? 70 : 88);
		const engine = new RuleEngine(compileRules([]));
		const fromTransitions = new Map<string, NotifyAlert>();
		for (let t = 0; t <= 60 * S; t += S) {
			world.advance(t);
			for (const tr of engine.evaluate(world.input(t))) {
				const a = notifyAlertOf(tr, engine.rules.find((r) => r.name === tr.rule));
				if (a) fromTransitions.set(a.id, a);
			}
		}
		const live = engine.instances().flatMap((i) => notifyAlertOfInstance(i) ?? []);
		expect(live.map((a) => a.id).sort()).toEqual(['high_temperature{gpu="0",uuid="GPU-0"}', 'high_temperature{gpu="1",uuid="GPU-1"}'].sort());
		for (const a of live) expect(a).toEqual(fromTransitions.get(a.id));
	});

	it('refuses a runbook that is not an http(s) URL, on user and built-in rules', () => {
		expect(validateRules([{alert: 'hot', series: 'gpu_temperature_celsius', condition: 'value > 85', runbook: 'javascript:alert(1)'}])).toEqual([[[0, 'runbook'], expect.stringMatching(/expected an http/)]]);
		expect(validateRules([{builtin: 'gpu_lost', runbook: 'https://wiki.example/lost'}])).toEqual([]);
		expect(compileRules([{builtin: 'gpu_lost', runbook: 'https://wiki.example/lost'}]).find((r) => r.name === 'gpu_lost')!.runbook).toBe('https://wiki.example/lost');
	});

	it('applies an ack until it expires, and never to a resolved alert', () => {
		const a = notifyAlertOf(base)!;
		const ack = {by: 'ana@box', atMs: 1, untilMs: 100};
		expect(withAck(a, ack, 99).ack).toEqual(ack);
		expect(withAck(a, ack, 100).ack).toBeUndefined();
		expect(withAck({...a, status: 'resolved'}, ack, 0).ack).toBeUndefined();
		expect(withAck(a, undefined, 0)).toBe(a);
	});
});
