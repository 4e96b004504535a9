/**
The repeat of an unchanged firing group is sent one repeat_interval after the message it repeats, however late
that message was delivered: a repeat is a message of its own (its hash names the repeat interval it falls in), so
the sent-record of the message it repeats, kept for a repeat interval from when it was settled, does not swallow
it. The grouping, delivery and the sent-record, in accelerated time; the receiver answers 503 for 3.5 minutes.
*/
import {describe, expect, it} from 'vitest';
import {compileNotify} from '../../src/notify/notify-config.js';
import {EMPTY_GROUPING, groupingStep, type GroupingState} from '../../src/notify/grouping.js';
import {Delivery} from '../../src/notify/delivery.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {type NotifyAlert} from '../../src/notify/notify-types.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('a repeat after a late delivery', () => {
	it('is sent at its time, not swallowed by the late message\'s record', async () => {
		const compiled = compileNotify({receivers: [{name: 'team', slack: {url: 'http://127.0.0.1:1/slack'}}]}, {});
		if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
		const config = compiled.config;
		let now = 0;
		const records = memorySentRecords('me', () => true, () => now);
		const delivered: Array<{reason: string; atMs: number}> = [];
		const delivery = new Delivery({
			receivers: [{name: 'team', type: 'slack'}],
			requestsFor: (n) => [{url: 'http://127.0.0.1:1/slack', headers: {}, body: n.reason, key: 'slack'}],
			send: async (request) => {
				if (now < 3.5 * M) return {kind: 'http', status: 503, excerpt: 'down'};
				delivered.push({reason: (request as {body: string}).body, atMs: now});
				return {kind: 'http', status: 200, excerpt: 'ok'};
			},
			records: () => records,
			isWriter: () => true,
			now: () => now,
			random: () => 0.5,
		});
		const alert: NotifyAlert = {id: 'high_temperature{gpu="0"}', rule: 'high_temperature', severity: 'warning', labels: {alertname: 'high_temperature', severity: 'warning', gpu: '0'}, annotations: {summary: 'hot'}, status: 'firing', startsAtMs: 0};
		let state: GroupingState = EMPTY_GROUPING;
		for (now = 0; now <= 9 * H; now += S) {
			const step = groupingStep(state, {alerts: now === 0 ? [alert] : []}, now, config);
			state = step.state;
			if (step.notifications.length > 0) delivery.enqueue(step.notifications);
			await delivery.tick();
		}
		expect(delivered.map((d) => d.reason)).toEqual(['new', 'repeat', 'repeat']);
		// The first, late (the receiver was down); each repeat at its time: 30 s + 4 h, 30 s + 8 h.
		expect(delivered[0]!.atMs).toBeGreaterThan(3.5 * M);
		expect(delivered.slice(1).map((d) => d.atMs)).toEqual([30 * S + 4 * H, 30 * S + 8 * H]);
	});
});
