/**
Invariants of the grouping step over random histories (fast-check): alerts firing, escalating, resolving, being
acknowledged and unacknowledged at random times, the step driven every 10 s in between.
  - no message is empty; an acknowledge goes only to PagerDuty and only for acknowledged alerts;
  - a resolved alert is sent only to a group that was sent its firing, and once;
  - no message lists a firing alert that is inhibited at that moment;
  - two messages of one group are at least group_interval apart (unless the earlier emptied the group);
  - once things are quiet, every group's last message says exactly what is firing and not muted (nothing is lost).
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../src/config/config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingState} from '../../src/notify/grouping.js';
import {type Notification, type NotifyAck, type NotifyAlert} from '../../src/notify/notify-types.js';
import {alertId} from '../../src/rules/labels.js';

const S = 1000;
const GROUP_INTERVAL = 5 * 60 * S;

const parsed = parseConfig(
	`notify:
  receivers:
    - {name: team, slack: {url: "http://127.0.0.1:1/s"}}
    - {name: oncall, pagerduty: {routing_key: k}}
  route:
    receiver: team
    group_interval: 5m
    repeat_interval: 1h
    routes:
      - {severity: critical, receiver: oncall, continue: true}
      - {receiver: team}
`,
	'c.yaml',
	{},
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const CONFIG = parsed.config.notify!;

const RULES = ['high_temperature', 'low_utilization', 'gpu_lost'] as const;
const GPUS = ['0', '1', '2'] as const;
type Severity = NotifyAlert['severity'];

type Event =
	| {readonly dt: number; readonly kind: 'fire'; readonly rule: number; readonly gpu: number; readonly severity: Severity}
	| {readonly dt: number; readonly kind: 'resolve' | 'ack' | 'unack'; readonly rule: number; readonly gpu: number};

const event: fc.Arbitrary<Event> = fc.oneof(
	fc.record({dt: fc.integer({min: 0, max: 400}), kind: fc.constant('fire' as const), rule: fc.integer({min: 0, max: 2}), gpu: fc.integer({min: 0, max: 2}), severity: fc.constantFrom<Severity>('info', 'warning', 'critical')}),
	fc.record({dt: fc.integer({min: 0, max: 400}), kind: fc.constantFrom('resolve' as const, 'ack' as const, 'unack' as const), rule: fc.integer({min: 0, max: 2}), gpu: fc.integer({min: 0, max: 2})}),
);

function alertOf(rule: string, gpu: string, status: 'firing' | 'resolved', severity: Severity, t: number): NotifyAlert {
	const labels = {gpu};
	return {
		id: alertId(rule, labels),
		rule,
		severity,
		labels: {...labels, alertname: rule, severity},
		annotations: {summary: `${rule} on ${gpu}`},
		status,
		startsAtMs: t,
		...(status === 'resolved' ? {endsAtMs: t} : {}),
	};
}

function run(events: readonly Event[]): void {
	let state: GroupingState = EMPTY_GROUPING;
	let t = 0;
	const firing = new Map<string, {rule: string; gpu: string; severity: Severity}>();
	const acks = new Map<string, NotifyAck>();
	const sentFiring = new Map<string, Set<string>>();
	const last = new Map<string, Notification & {at: number}>();

	const step = (changes: NotifyAlert[]) => {
		const r = groupingStep(state, {alerts: changes, acks: new Map(acks)}, t, CONFIG);
		state = r.state;
		for (const n of r.notifications) {
			const key = `${n.receiver} ${n.groupKey}`;
			expect(n.alerts.length).toBeGreaterThan(0);
			if (n.action === 'acknowledge') {
				expect(n.receiver).toBe('oncall');
				for (const a of n.alerts) expect(a.ack).toBeDefined();
				continue;
			}
			const sent = sentFiring.get(key) ?? new Set<string>();
			for (const a of n.alerts) {
				if (a.status === 'resolved') {
					expect(sent.has(a.id)).toBe(true);
					sent.delete(a.id);
				} else {
					expect(r.inhibited.has(a.id)).toBe(false);
					sent.add(a.id);
				}
			}
			sentFiring.set(key, sent);
			const previous = last.get(key);
			if (previous !== undefined && previous.status === 'firing') expect(t - previous.at).toBeGreaterThanOrEqual(GROUP_INTERVAL);
			last.set(key, {...n, at: t});
		}
		return r;
	};

	for (const e of events) {
		const target = t + e.dt * S;
		for (t += 10 * S; t < target; t += 10 * S) step([]);
		t = target;
		const rule = RULES[e.rule]!;
		const gpu = GPUS[e.gpu]!;
		const id = alertId(rule, {gpu});
		const changes: NotifyAlert[] = [];
		if (e.kind === 'fire') {
			firing.set(id, {rule, gpu, severity: e.severity});
			changes.push(alertOf(rule, gpu, 'firing', e.severity, t));
		} else if (e.kind === 'resolve') {
			if (firing.has(id)) changes.push(alertOf(rule, gpu, 'resolved', firing.get(id)!.severity, t));
			firing.delete(id);
			acks.delete(id);
		} else if (e.kind === 'ack') {
			if (firing.has(id)) acks.set(id, {by: 'ana@box', atMs: t});
		} else acks.delete(id);
		step(changes);
	}
	// Quiet for two hours: every team group's last message says what fires now (inhibited alerts aside).
	let inhibited: ReadonlyMap<string, string> = new Map();
	const end = t + 2 * 3_600_000;
	for (t += 10 * S; t <= end; t += 10 * S) inhibited = step([]).inhibited;
	// PagerDuty's groups hold the critical ones (an alert whose severity fell has ended there).
	for (const rule of RULES)
		for (const [key, only] of [[`team {}/{}:{alertname="${rule}"}`, () => true], [`oncall {}/{severity="critical"}:{alertname="${rule}"}`, (f: {severity: Severity}) => f.severity === 'critical']] as const) {
			const expected = [...firing].filter(([id, f]) => f.rule === rule && only(f) && !inhibited.has(id)).map(([id, f]) => `${id} ${f.severity}`).sort();
			const lastSent = last.get(key);
			const said = lastSent === undefined ? [] : lastSent.alerts.filter((a) => a.status === 'firing').map((a) => `${a.id} ${a.severity}`).sort();
			// A group whose firing alerts are all muted now says nothing more (Alertmanager's way): its last message may
			// still list them.
			if (expected.length > 0) expect(said).toEqual(expected);
			else for (const line of said) expect(inhibited.has(line.split(' ')[0]!)).toBe(true);
		}
}

describe('grouping invariants', () => {
	it('hold over random histories', () => {
		fc.assert(
			fc.property(fc.array(event, {minLength: 1, maxLength: 40}), (events) => run(events)),
			{numRuns: 150},
		);
	});
});
