/**
Regex silences end to end: the built `mycotop --headless` against a private redis-server, with an alert pending.
A stored silence `alertname=~"(["` (written straight to Redis) made every instance exit 1 with `SyntaxError:
Invalid regular expression` from silencedBy within seconds, on every restart; the silence `project=~(a+)+`
(accepted by `mycotop silence`) froze the event loop, SIGTERM included, once a 40-character project id went
non-finite. Now the first is skipped and reported by `mycotop silences`, the second matches in linear time.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {runCli, startCli, type RunningCli} from '../helpers/cli.js';
import {ALERT_KEYS, INPUT_CHANNELS} from '../../src/contract/names.js';
import {requireBuild} from '../faults/harness.js';

const enabled = redisAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(enabled)('regex silences: a stored bad pattern is skipped, a backtracking-prone one is linear', () => {
	let redis: TestRedis;
	let client: Redis;
	const running: RunningCli[] = [];
	const cli = (args: readonly string[]) => runCli([...args, '--redis-url', redis.url], {REDIS_URL: ''});
	/** The rules (and projects) with a transition in the alert log. */
	const logged = async (): Promise<string[]> =>
		(await client.xrange(ALERT_KEYS.log, '-', '+')).map(([, fields]) => {
			const t = JSON.parse(fields[fields.indexOf('t') + 1] ?? '{}') as {rule?: string; labels?: Record<string, string>};
			return `${t.rule}${t.labels?.['project'] ? ` ${t.labels['project']}` : ''}`;
		});
	const headless = async (): Promise<RunningCli> => {
		const run = startCli(['--headless', '--no-gpu', '--redis-url', redis.url], {REDIS_URL: ''});
		running.push(run);
		await waitFor(() => run.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 15_000, 'writer role');
		return run;
	};
	const nanLoss = (projectId: string) => client.publish(INPUT_CHANNELS.trainingProgress, `{"projectId":"${projectId}","step":1,"loss":NaN}`);

	beforeAll(async () => {
		requireBuild();
		redis = await startRedis();
		client = redis.client();
	});
	afterAll(async () => {
		for (const run of running) run.kill('SIGKILL');
		await redis?.stop();
	});

	it('a stored silence alertname=~"([" : the runtime stays up with the alert pending; `silences` reports it skipped', {timeout: 60_000}, async () => {
		const now = Date.now();
		const matchers = [{name: 'alertname', value: '([', isRegex: true, isEqual: true}];
		await client.hset(ALERT_KEYS.silences, 'badre', JSON.stringify({id: 'badre', matchers, startsMs: now, endsMs: now + 3_600_000, createdBy: 'a', comment: 'c'}));

		const run = await headless();
		await nanLoss('p');
		await waitFor(async () => run.child.exitCode !== null || (await logged()).includes('non_finite_loss p'), 15_000, 'the non_finite_loss alert in the log (or an exit)');
		expect(run.child.exitCode, run.stderr()).toBeNull();
		// Rules run every second and the dashboard snapshot every few: the old code had exited 1 by now.
		await sleep(5000);
		expect(run.child.exitCode).toBeNull();
		expect(run.stderr()).not.toMatch(/SyntaxError|Invalid regular expression/);

		const list = await cli(['silences']);
		expect(list.code).toBe(0);
		expect(list.stderr).toContain('1 stored silence skipped: badre (matcher alertname=~"([": bad regular expression: missing closing ]: `[`)');
		expect(list.stdout).toBe('no silences\n');

		run.kill('SIGTERM');
		expect(await run.exited()).toBe(0);
		await client.del(ALERT_KEYS.silences, ALERT_KEYS.log);
	});

	it('mycotop silence project=~(a+)+: a 40-character project id does not freeze the runtime; the silence still works', {timeout: 60_000}, async () => {
		const refused = await cli(['silence', 'non_finite_loss', 'project=~([', '--for=2h', '--comment', 'x']);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain('bad regular expression in matcher "project=~(["');
		const made = await cli(['silence', 'non_finite_loss', 'project=~(a+)+', '--for=2h', '--comment', 'x']);
		expect(made.stderr).toBe('');
		expect(made.code).toBe(0);

		const run = await headless();
		await sleep(1500); // the silence is read back from Redis
		const hostile = `${'a'.repeat(40)}!`;
		await nanLoss(hostile);
		await nanLoss('a'.repeat(40));
		type Logged = {kind?: string; labels?: Record<string, string>; send?: boolean; reason?: string};
		const firing = async (project: string): Promise<Logged | undefined> =>
			(await client.xrange(ALERT_KEYS.log, '-', '+'))
				.map(([, fields]) => JSON.parse(fields[fields.indexOf('t') + 1] ?? '{}') as Logged)
				.find((t) => t.kind === 'firing' && t.labels?.['project'] === project);
		await waitFor(async () => (await firing(hostile)) !== undefined && (await firing('a'.repeat(40))) !== undefined, 15_000, 'both alerts firing in the log');
		expect(run.child.exitCode).toBeNull();
		// The id the pattern does not match fires and is sent; the one it matches is silenced.
		expect(await firing(hostile)).toMatchObject({send: true});
		expect(await firing('a'.repeat(40))).toMatchObject({send: false, reason: expect.stringMatching(/^silenced \(/) as unknown});

		const t0 = Date.now();
		run.kill('SIGTERM');
		expect(await run.exited()).toBe(0);
		expect(Date.now() - t0).toBeLessThan(10_000);
	});
});
