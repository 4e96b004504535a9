/**
PagerDuty acks through the grouping, pinned after a review: an ack that arrives in the very step its group is due to
send (another alert joined) still sends `acknowledge`; an alert acknowledged before its first page is triggered when
its ack expires (within a group interval), not a repeat interval later; nothing is acknowledged that was never
triggered.
*/
import {describe, expect, it} from 'vitest';
import {parseConfig} from '../../src/config/config.js';
import {type NotifyConfig} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingState} from '../../src/notify/grouping.js';
import {type NotifyAck, type NotifyAlert} from '../../src/notify/notify-types.js';
import {alertId} from '../../src/rules/labels.js';
import {deliveryFor} from '../../src/notify/payloads.js';

const S = 1000;
const M = 60 * S;

function pagerDutyConfig(): NotifyConfig {
	const parsed = parseConfig(['notify:', '  receivers:', '    - name: oncall', '      pagerduty: {routing_key: k, url: "http://127.0.0.1:1/pd"}'].join('\n'), 'c.yaml', {});
	if (!parsed.ok || parsed.config.notify === undefined) throw new Error(JSON.stringify(parsed));
	return parsed.config.notify;
}

function alert(labels: Record<string, string>): NotifyAlert {
	return {id: alertId('hot', labels), rule: 'hot', severity: 'critical', labels: {...labels, alertname: 'hot', severity: 'critical'}, annotations: {summary: 'x'}, status: 'firing', startsAtMs: 0};
}

/** Steps the grouping and records each PagerDuty event as `action:dedup@seconds`. */
function recorder(config: NotifyConfig) {
	let state: GroupingState = EMPTY_GROUPING;
	const events: string[] = [];
	return {
		events,
		step(t: number, alerts: NotifyAlert[], acks?: ReadonlyMap<string, NotifyAck>) {
			const r = groupingStep(state, {alerts, ...(acks ? {acks} : {})}, t, config);
			state = r.state;
			for (const n of r.notifications) {
				const d = deliveryFor(config.receivers.get('oncall')!, n, {nowMs: t, externalUrl: '', source: 'box'});
				if (d.type === 'http')
					for (const q of d.requests) {
						const body = JSON.parse(q.body) as {event_action: string; dedup_key: string};
						events.push(`${body.event_action}:${body.dedup_key}@${t / S}`);
					}
			}
		},
	};
}

describe('PagerDuty acks', () => {
	it('sends acknowledge when the ack comes in the step the group sends for another alert', () => {
		const config = pagerDutyConfig();
		const a = alert({gpu: '0'});
		const b = alert({gpu: '1'});
		const pd = recorder(config);
		pd.step(0, [a]);
		pd.step(30 * S, []);
		pd.step(330 * S, [b], new Map([[a.id, {by: 'me', atMs: 329 * S}]]));
		pd.step(331 * S, []);
		pd.step(20 * M, []);
		expect(pd.events).toEqual([`trigger:${a.id}@30`, `trigger:${b.id}@330`, `acknowledge:${a.id}@330`]);
	});

	it('triggers an alert acknowledged before its first page once the ack expires, and never acknowledges it before', () => {
		const config = pagerDutyConfig();
		const a = alert({gpu: '0'});
		const pd = recorder(config);
		const acks = new Map([[a.id, {by: 'me', atMs: 10 * S, untilMs: 30 * M}]]);
		pd.step(0, [a], acks);
		// Two hours: past the expiry, short of the 4 h repeat interval (a repeat would trigger again, as it should).
		for (let t = 10 * S; t <= 2 * 60 * M; t += 30 * S) pd.step(t, [], acks);
		expect(pd.events).toHaveLength(1);
		const [action, at] = pd.events[0]!.split('@');
		expect(action).toBe(`trigger:${a.id}`);
		expect(Number(at)).toBeGreaterThanOrEqual(30 * 60);
		expect(Number(at)).toBeLessThanOrEqual(35 * 60 + 30);
	});
});
