import {describe, expect, it} from 'vitest';
import {backoffMs, giveUpAfterMs, retryAfterMs, verdict} from '../../src/notify/retry-policy.js';

const policy = {baseMs: 1000, capMs: 60_000};
const now = Date.UTC(2026, 11, 6, 12, 0, 0);

describe('retry policy', () => {
	it('backs off exponentially with full jitter, capped', () => {
		expect(backoffMs(1, policy, 0.999)).toBe(999);
		expect(backoffMs(3, policy, 0.5)).toBe(2000);
		expect(backoffMs(30, policy, 0.5)).toBe(30_000);
		expect(backoffMs(10_000, policy, 0.999999)).toBeLessThanOrEqual(60_000);
		expect(backoffMs(2, policy, 0)).toBe(0);
	});

	it('reads Retry-After as seconds or as an HTTP date, and nothing else', () => {
		expect(retryAfterMs('7', now)).toBe(7000);
		expect(retryAfterMs('Sun, 06 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
		expect(retryAfterMs('Sun, 06 Dec 2026 11:00:00 GMT', now)).toBe(0);
		expect(retryAfterMs('soon', now)).toBeUndefined();
		expect(retryAfterMs('-5', now)).toBeUndefined();
		expect(retryAfterMs('1e9', now)).toBeUndefined();
		expect(retryAfterMs(undefined, now)).toBeUndefined();
	});

	it('delivers on 2xx and exit 0', () => {
		expect(verdict({kind: 'http', status: 202, excerpt: ''}, 1, policy, now, 0.5)).toEqual({action: 'delivered'});
		expect(verdict({kind: 'exit', code: 0, excerpt: ''}, 1, policy, now, 0.5)).toEqual({action: 'delivered'});
	});

	it('retries 5xx, timeouts, refused connections and failed commands with backoff', () => {
		for (const outcome of [
			{kind: 'http', status: 503, excerpt: 'down'},
			{kind: 'timeout', afterMs: 5000},
			{kind: 'network', reason: 'connection refused'},
			{kind: 'exit', code: 1, excerpt: 'smtp down'},
		] as const) {
			const v = verdict(outcome, 2, policy, now, 0.5);
			expect(v).toMatchObject({action: 'retry', delayMs: 1000});
		}
	});

	it('honours 429 Retry-After (bounded by the cap) and backs off without one', () => {
		expect(verdict({kind: 'http', status: 429, retryAfter: '3', excerpt: ''}, 1, policy, now, 0.5)).toMatchObject({action: 'retry', delayMs: 3000});
		expect(verdict({kind: 'http', status: 429, retryAfter: '86400', excerpt: ''}, 1, policy, now, 0.5)).toMatchObject({action: 'retry', delayMs: 60_000});
		expect(verdict({kind: 'http', status: 429, excerpt: ''}, 3, policy, now, 0.25)).toMatchObject({action: 'retry', delayMs: 1000});
	});

	it('reports 4xx other than 408/429 as a configuration problem, not retried', () => {
		for (const status of [400, 401, 403, 404, 410]) {
			const v = verdict({kind: 'http', status, excerpt: 'invalid_token'}, 1, policy, now, 0.5);
			expect(v).toMatchObject({action: 'give-up', misconfigured: true});
		}
		expect(verdict({kind: 'http', status: 408, excerpt: ''}, 1, policy, now, 0.5).action).toBe('retry');
		expect(verdict({kind: 'http', status: 307, excerpt: ''}, 1, policy, now, 0.5)).toMatchObject({action: 'give-up', misconfigured: true});
	});

	it('retries until the notification is older than its route\'s repeat interval, then abandons it, not as misconfigured', () => {
		const H = 3_600_000;
		expect(verdict({kind: 'http', status: 500, excerpt: ''}, 60, policy, now, 0.5, 4 * H - 1, 4 * H).action).toBe('retry');
		expect(verdict({kind: 'timeout', afterMs: 10_000}, 61, policy, now, 0.5, 4 * H, 4 * H)).toEqual({
			action: 'give-up',
			error: "no answer within 10 s (abandoned after 61 attempts over 4 h: older than its route's repeat interval, 4 h)",
			misconfigured: false,
		});
		expect(giveUpAfterMs(30 * 60_000)).toBe(30 * 60_000);
		expect(giveUpAfterMs(Number.NaN)).toBe(4 * H);
	});
});
