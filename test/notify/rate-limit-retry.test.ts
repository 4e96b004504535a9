/**
A 429 is a rate limit, not a failure: it never retries at once (`Retry-After: 0`, a date in the past), the ordinary
backoff is its floor, and however many 429s come they are retried (until the notification's age limit). Pure verdicts, then real
delivery to a local HTTP server that rate-limits five times.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {backoffMs, verdict} from '../../src/notify/retry-policy.js';
import {Delivery, sendBy} from '../../src/notify/delivery.js';
import {sendHttp} from '../../src/notify/http-sender.js';
import {runCommand} from '../../src/notify/command-runner.js';
import {memorySentRecords} from '../../src/writer/sent-records.js';
import {type Notification} from '../../src/notify/notify-types.js';
import {decodeReceiverState, failing, initialState, receiverStateText, withError, withRateLimit} from '../../src/notify/receiver-state.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {waitFor} from '../helpers/redis-server.js';

const policy = {baseMs: 1000, capMs: 60_000};
const now = Date.parse('2026-03-01T12:00:00Z');

describe('429 verdicts', () => {
	it('waits at least the ordinary backoff (and the base wait) when Retry-After is 0 or in the past', () => {
		for (const retryAfter of ['0', 'Wed, 21 Oct 2015 07:28:00 GMT']) {
			for (const [attempt, random] of [[1, 0], [3, 0.9], [6, 0.5]] as const) {
				const v = verdict({kind: 'http', status: 429, retryAfter, excerpt: ''}, attempt, policy, now, random);
				expect(v.action).toBe('retry');
				const delay = v.action === 'retry' ? v.delayMs : 0;
				expect(delay).toBeGreaterThanOrEqual(Math.max(policy.baseMs, backoffMs(attempt, policy, random)));
			}
		}
	});

	it('is retried however many came before', () => {
		expect(verdict({kind: 'http', status: 429, excerpt: ''}, 40, policy, now, 0.5, 60_000, 3_600_000).action).toBe('retry');
	});
});

let receiver: FakeReceiver | undefined;
let timer: NodeJS.Timeout | undefined;
afterEach(async () => {
	clearInterval(timer);
	await receiver?.close();
});

describe('429s in delivery', () => {
	it('delivers after five 429s, none of them retried at once', async () => {
		receiver = await startFakeReceiver();
		receiver.script(Array.from({length: 5}, () => ({status: 429, headers: {'retry-after': '0'}})), {status: 200, body: 'ok'});
		const records = memorySentRecords('me', () => true);
		const url = receiver.url;
		const d = new Delivery({
			receivers: [{name: 'hook', type: 'webhook', timeoutMs: 1000}],
			requestsFor: () => [{url, headers: {}, body: '{}'}],
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => true,
			policy: {baseMs: 40, capMs: 80},
		});
		timer = setInterval(() => void d.tick(), 5);
		const n: Notification = {receiver: 'hook', groupKey: 'g', groupLabels: {}, status: 'firing', alerts: [], contentHash: 'g', repeatIntervalMs: 3_600_000, reason: 'new', timeMs: Date.now()};
		d.enqueue([n]);
		await waitFor(() => d.receiverStates()[0]!.lastSuccessMs !== undefined, 10_000, 'delivered');
		const times = receiver.requests.map((r) => r.atMs);
		expect(times).toHaveLength(6);
		for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(35);
	});
});

describe('a 429 in the receiver state (hostile review, eighteenth session)', () => {
	it('shows the receiver rate limited, not failing, with when it tries again; a success clears it', async () => {
		receiver = await startFakeReceiver();
		receiver.script([{status: 429, headers: {'retry-after': '30'}, body: 'rate_limited'}], {status: 200, body: 'ok'});
		const records = memorySentRecords('me', () => true);
		const url = receiver.url;
		let clock = now;
		const d = new Delivery({
			receivers: [{name: 'team', type: 'slack', timeoutMs: 1000}],
			requestsFor: () => [{url, headers: {}, body: '{}'}],
			send: sendBy(sendHttp, runCommand),
			records: () => records,
			isWriter: () => true,
			now: () => clock,
			policy,
		});
		d.enqueue([{receiver: 'team', groupKey: 'g', groupLabels: {}, status: 'firing', alerts: [], contentHash: 'g', repeatIntervalMs: 3_600_000, reason: 'new', timeMs: clock}]);
		await d.tick();
		const limited = d.receiverStates()[0]!;
		expect(failing(limited)).toBe(false);
		expect(limited.rateLimitedUntilMs).toBe(now + 30_000);
		expect(receiverStateText(limited, now, (ms) => `${ms / 1000}s`)).toBe('team (slack)  nothing sent yet, rate limited: retrying in 30 s  1 queued');
		// Read back as a viewer reads the writer's state from Redis.
		expect(decodeReceiverState(JSON.stringify(limited))).toEqual(limited);
		clock = now + 31_000;
		await d.tick();
		const after = d.receiverStates()[0]!;
		expect(after.lastSuccessMs).toBe(clock);
		expect(after.rateLimitedUntilMs).toBeUndefined();
		expect(receiverStateText(after, clock, (ms) => `${ms / 1000}s`)).toBe('team (slack)  ok, last sent 0s ago');
	});
});

describe('a 429 after an error (second review, eighteenth session)', () => {
	it('is rate limited, not failing: the 429 answered after the error', () => {
		const errored = withError(initialState('team', 'slack'), 'HTTP 503: down; retrying in 4 s', now, false);
		expect(failing(errored)).toBe(true);
		const limited = withRateLimit(errored, now + 60_000, now + 90_000);
		expect(failing(limited)).toBe(false);
		expect(receiverStateText(limited, now + 60_000, (ms) => `${ms / 1000}s`)).toBe('team (slack)  nothing sent yet, rate limited: retrying in 30 s');
		expect(decodeReceiverState(JSON.stringify(limited))).toEqual(limited);
		// A later error is failing again.
		expect(failing(withError(limited, 'HTTP 500', now + 120_000, false))).toBe(true);
	});
});
