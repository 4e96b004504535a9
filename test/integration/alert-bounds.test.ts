/**
CLI bounds against a private redis-server (issue 10: `mycotop silence RULE --for=99999999d` printed "Invalid time
value" and exited 1, yet stored the silence; from then on every `mycotop silences` failed). Durations past 365d
are usage errors and nothing is stored; stored acks and silences that cannot be shown (junk, times Date cannot
print, huge numbers) are reported and skipped, never the end of a listing.
*/
import {beforeEach, describe, expect} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, type TestRedis} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {runCli} from '../helpers/cli.js';
import {requireBuild} from '../faults/harness.js';
import {ALERT_KEYS} from '../../src/rules/alert-storage.js';

const DAY = 86_400_000;

function silence(id: string, endsMs: unknown, extra: Record<string, unknown> = {}): string {
	return JSON.stringify({id, matchers: [{name: 'alertname', value: 'high_temperature', isRegex: false, isEqual: true}], startsMs: Date.now(), endsMs, createdBy: 'old@box', comment: 'c', ...extra});
}

describe.runIf(redisAvailable())('CLI bounds on durations and stored records', () => {
	let redis: TestRedis;
	let client: Redis;
	const cli = (args: readonly string[]) => runCli([...args, '--redis-url', redis.url], {REDIS_URL: ''});

	it.beforeAll(async ({redis: fileRedis}) => {
		requireBuild();
		redis = fileRedis;
		client = redis.client();
	});
	beforeEach(async () => {
		await client.del(ALERT_KEYS.silences, ALERT_KEYS.acks);
	});

	it('silence --for past 365d is a usage error (exit 2) that names the maximum, and stores nothing', async () => {
		for (const d of ['99999999d', '366d', `${'9'.repeat(400)}d`]) {
			const run = await cli(['silence', 'high_temperature', '--for', d, '--comment', 'too long']);
			expect(run.code, d).toBe(2);
			expect(run.stderr).toContain(`--for: "${d}" is longer than the 365d maximum`);
			expect(run.stderr).not.toMatch(/Invalid time value|\n\s+at /);
		}
		expect(await client.hlen(ALERT_KEYS.silences)).toBe(0);
		const ok = await cli(['silence', 'high_temperature', '--for', '365d', '--comment', 'a year']);
		expect(ok.code).toBe(0);
		expect(ok.stdout).toMatch(/until \d{4}-\d\d-\d\dT.* \(365d\)/);
		const since = await cli(['backtest', '--since', '400d']);
		expect(since.code).toBe(2);
		expect(since.stderr).toContain('--since: "400d" is longer than the 365d maximum');
		const list = await cli(['silences']);
		expect(list.code).toBe(0);
		expect(list.stderr).toBe('');
	}, 60_000);

	it('stored silences that cannot be shown are reported and skipped; the listing goes on; expire removes one', async () => {
		await client.hset(ALERT_KEYS.silences, {
			good: silence('good', Date.now() + DAY),
			far: silence('far', Date.now() + 99_999_999 * DAY),
			huge: silence('huge', 1e300),
			junk: '{not json',
			nan: silence('nan', 'NaN'),
		});
		const list = await cli(['silences']);
		expect(list.code).toBe(0);
		expect(list.stdout).toMatch(/^good\s+active\s+alertname="high_temperature"\s+until /m);
		expect(list.stdout.trim().split('\n')).toHaveLength(1);
		expect(list.stderr).toMatch(/^mycotop: 4 stored silences skipped: /m);
		for (const reason of ['far (endsMs', 'huge (endsMs 1e+300 is not a time mycotop can show)', 'junk (not a JSON object)', 'nan (endsMs is not a number (string))'])
			expect(list.stderr).toContain(reason);
		expect(list.stderr).not.toMatch(/Invalid time value|\n\s+at /);

		const json = await cli(['silences', '--json', '--all']);
		expect(json.code).toBe(0);
		expect((JSON.parse(json.stdout) as Array<{id: string}>).map((s) => s.id)).toEqual(['good']);

		// Kept, not silently deleted by a read (another version may read them); expire removes an unreadable one.
		expect(await client.hlen(ALERT_KEYS.silences)).toBe(5);
		const expired = await cli(['silence', 'expire', 'huge']);
		expect(expired.code).toBe(0);
		expect(expired.stdout).toContain('removed unreadable silence huge');
		expect(await client.hexists(ALERT_KEYS.silences, 'huge')).toBe(0);
		expect((await cli(['silences'])).stderr).toMatch(/3 stored silences skipped/);
	}, 60_000);

	it('--once and the alert commands survive hostile acks and silences', async () => {
		await client.hset(ALERT_KEYS.silences, {far: silence('far', 8.7e15), good: silence('good', Date.now() + DAY)});
		await client.hset(ALERT_KEYS.acks, {
			'x{}': JSON.stringify({alertId: 'x{}', by: 'm', atMs: 1e300, severity: 'warning'}),
			'y{}': 'garbage',
		});
		const once = await runCli(['--once', '--no-gpu', '--redis-url', redis.url], {REDIS_URL: ''});
		expect(once.code).toBe(0);
		expect(once.stderr).not.toMatch(/Invalid time value|\n\s+at /);
		const ack = await cli(['ack', 'nope{}']);
		expect(ack.code).toBe(1);
		expect(ack.stderr).toContain('no alert "nope{}" in the alert log');
		const unack = await cli(['unack', 'x{}']);
		expect(unack.code).toBe(0);
		expect(await client.hexists(ALERT_KEYS.acks, 'x{}')).toBe(0);
	}, 60_000);
});
