/**
A silence mutes an alert's messages, not the alert (Alertmanager's mute stage): an alert that fires, or escalates,
while silenced is held by its group and announced when the silence ends (at the group's next interval), and its
resolve follows. The real rule engine, its alert log (silences read from its rows, as the notify part does) and
the grouping, in accelerated time.
*/
import {describe, expect, it} from 'vitest';
import {compileNotify, type NotifyConfig} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingState} from '../../src/notify/grouping.js';
import {notifyAlertOf} from '../../src/notify/notify-alert.js';
import {silencedOf} from '../../src/notify/notify-part.js';
import {type Notification} from '../../src/notify/notify-types.js';
import {compileRules} from '../../src/rules/user-rules.js';
import {RuleEngine} from '../../src/rules/engine.js';
import {silencedBy, type Silence} from '../../src/rules/ack-silence.js';
import {SeriesWorld} from '../../src/rules/world.js';

const S = 1000;

function notifyConfig(): NotifyConfig {
	const compiled = compileNotify({receivers: [{name: 'oncall', pagerduty: {routing_key: 'k'.repeat(32), url: 'http://127.0.0.1:1/pd'}}], route: {receiver: 'oncall', group_wait: '1s', group_interval: '10s'}}, {});
	if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
	return compiled.config;
}

/** GPU 0's temperature over time (°C): `temp(t)`. Runs engine + grouping every second from 0 to `untilMs`. */
function run(temp: (t: number) => number, silence: Silence, untilMs: number): Array<Notification & {at: number}> {
	const config = notifyConfig();
	const world = new SeriesWorld();
	for (let t = 0; t <= untilMs; t += S) world.add('gpu_temperature_celsius', {gpu: '0'}, t, temp(t));
	const engine = new RuleEngine(compileRules([]));
	const silences = new Map([[silence.id, silence]]);
	let state: GroupingState = EMPTY_GROUPING;
	const sent: Array<Notification & {at: number}> = [];
	for (let t = 0; t <= untilMs; t += S) {
		world.advance(t);
		const transitions = engine.evaluate(world.input(t), (rule, labels) => silencedBy(silences.values(), rule, labels, t));
		const silenced = silencedOf(engine.rows(t, new Map(), silences));
		const step = groupingStep(state, {alerts: transitions.flatMap((tr) => notifyAlertOf(tr) ?? []), silenced}, t, config);
		state = step.state;
		// The alert under test (at 96 °C the built-in gpu_temperature_critical fires too, in its own group).
		sent.push(...step.notifications.filter((n) => n.groupLabels['alertname'] === 'high_temperature').map((n) => ({...n, at: t})));
	}
	return sent;
}

const maintenance: Silence = {id: 's1', matchers: [{name: 'gpu', value: '0', isRegex: false, isEqual: true}], startsMs: 0, endsMs: 50 * S, createdBy: 'ana', comment: 'maintenance'};
const said = (sent: ReadonlyArray<Notification & {at: number}>) => sent.map((n) => [n.at / S, n.reason, n.alerts.map((a) => `${a.status}:${a.severity}`).join(',')]);

describe('an alert silenced when it fired', () => {
	it('is announced when the silence ends, and its resolve is sent', () => {
		// Hot (88 °C, a warning) from the start until 200 s; the silence ends at 50 s.
		const sent = run((t) => (t < 200 * S ? 88 : 60), maintenance, 300 * S);
		expect(sent.length).toBe(2);
		const [fired, resolved] = sent;
		// Not before the silence ends; at the group's first interval after it.
		expect(fired!.at).toBeGreaterThanOrEqual(50 * S);
		expect(fired!.at).toBeLessThanOrEqual(61 * S);
		expect(said([fired!])).toEqual([[fired!.at / S, 'new', 'firing:warning']]);
		expect(resolved).toMatchObject({status: 'resolved'});
		expect(resolved!.at).toBeGreaterThanOrEqual(200 * S);
	});

	it('an escalation during the silence is announced, at its new severity, when the silence ends', () => {
		// Sent at 31 s as a warning; silenced from 60 s to 200 s; critical (96 °C) from 100 s to 400 s.
		const silence: Silence = {...maintenance, startsMs: 60 * S, endsMs: 200 * S};
		const sent = run((t) => (t < 100 * S ? 88 : t < 400 * S ? 96 : 60), silence, 500 * S);
		const during = sent.filter((n) => n.at >= 60 * S && n.at < 200 * S);
		expect(during).toEqual([]);
		const after = sent.filter((n) => n.at >= 200 * S && n.at < 400 * S);
		expect(after.length).toBe(1);
		expect(after[0]!.at).toBeLessThanOrEqual(211 * S);
		expect(after[0]!.alerts.map((a) => [a.status, a.severity])).toEqual([['firing', 'critical']]);
		expect(sent.at(-1)).toMatchObject({status: 'resolved'});
	});

	it('one that fires and resolves inside the silence is never announced', () => {
		const silence: Silence = {...maintenance, endsMs: 120 * S};
		expect(run((t) => (t < 80 * S ? 88 : 60), silence, 300 * S)).toEqual([]);
	});
});
