/**
`mycotop notify test RECEIVER`: one test message through the receiver's own payload builder and sender, without
grouping, the sent-record or the lease (it is a person's action, like `mycotop ack`), and the answer in words:
status, a short excerpt of the body, never the URL, key or token. A PagerDuty receiver gets a trigger and then
its resolve, so the test leaves no open incident.
*/
import {type Notification, type NotifyAlert} from './notify-types.js';
import {type AttemptOutcome, isMisconfigured, isSuccess, outcomeText} from './retry-policy.js';

/** The test alert and its notifications (firing; resolved too for PagerDuty). Pure. */
export function testNotifications(receiver: string, type: string, nowMs: number, host: string): Notification[] {
	const alert: NotifyAlert = {
		id: `mycotop_test:${host}`,
		rule: 'mycotop_test',
		severity: 'info',
		labels: {alertname: 'mycotop_test', severity: 'info', host},
		annotations: {summary: `Test notification from mycotop on ${host}`, description: 'Sent by `mycotop notify test`: if you read this, the receiver works.'},
		status: 'firing',
		startsAtMs: nowMs,
	};
	const base = {receiver, groupKey: `{}:{alertname="mycotop_test"}`, groupLabels: {alertname: 'mycotop_test'}, repeatIntervalMs: 0, timeMs: nowMs};
	const firing: Notification = {...base, status: 'firing', alerts: [alert], contentHash: `test-${nowMs}`, reason: 'new'};
	if (type !== 'pagerduty') return [firing];
	const resolved: Notification = {...base, status: 'resolved', alerts: [{...alert, status: 'resolved', endsAtMs: nowMs}], contentHash: `test-${nowMs}-resolved`, reason: 'changed'};
	return [firing, resolved];
}

/** One line per answer: "HTTP 202: {"status":"success"...}", "no answer within 10 s", a 4xx said to be a configuration problem. */
export function testAnswerText(outcome: AttemptOutcome): string {
	const text = outcomeText(outcome);
	return isMisconfigured(outcome) ? `${text} (a configuration problem: check the receiver's URL, key or token; not retried in delivery)` : text;
}

/** Whether the answer says the receiver took the message. */
export function accepted(outcome: AttemptOutcome): boolean {
	return isSuccess(outcome);
}
