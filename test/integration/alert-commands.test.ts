/**
The alert subcommands end to end (built CLI, private redis-server): `ack ID`, `unack ID`, `silence RULE --for
--comment`, `silences`, `silence expire ID`, `backtest --since`, and `--once` listing alert ids.
*/
import {describe, expect} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, type TestRedis} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {runCli} from '../helpers/cli.js';
import {ALERT_KEYS, encodeTransition} from '../../src/rules/alert-storage.js';
import {type AlertTransition} from '../../src/rules/engine.js';

const enabled = redisAvailable();
const ID = 'high_training_loss{project="p"}';

function transition(kind: AlertTransition['kind'], timeMs: number, activeAtMs: number, firedAtMs?: number): AlertTransition {
	return {
		id: ID,
		rule: 'high_training_loss',
		group: 'training',
		key: 'project="p"',
		labels: {project: 'p'},
		kind,
		from: kind === 'pending' ? 'none' : 'pending',
		to: kind,
		severity: 'warning',
		value: 9,
		message: 'Training loss is unusually high (smoothed 9 > 5)',
		timeMs,
		activeAtMs,
		...(firedAtMs !== undefined ? {firedAtMs} : {}),
		send: kind === 'firing',
	} as AlertTransition;
}

describe.runIf(enabled)('alert subcommands', () => {
	let redis: TestRedis;
	let client: Redis;
	const cli = (args: readonly string[]) => runCli([...args, '--redis-url', redis.url], {REDIS_URL: ''});

	it.beforeAll(async ({redis: fileRedis}) => {
		redis = fileRedis;
		client = redis.client();
	});

	it('ack records who, the severity and the episode start; unack removes it; an unknown id lists the known ones', async () => {
		const now = Date.now();
		await client.del(ALERT_KEYS.log, ALERT_KEYS.acks);
		await client.xadd(ALERT_KEYS.log, '*', 't', encodeTransition(transition('pending', now - 20_000, now - 20_000), 'test'));
		await client.xadd(ALERT_KEYS.log, '*', 't', encodeTransition(transition('firing', now - 10_000, now - 20_000, now - 10_000), 'test'));

		const ack = await cli(['ack', ID, '--comment', 'looking into it', '--author', 'alice@box']);
		expect(ack.stderr).toBe('');
		expect(ack.code).toBe(0);
		expect(ack.stdout).toContain(`acknowledged ${ID} (warning) as alice@box`);
		const stored = JSON.parse((await client.hget(ALERT_KEYS.acks, ID))!) as Record<string, unknown>;
		expect(stored).toMatchObject({alertId: ID, by: 'alice@box', severity: 'warning', comment: 'looking into it', episodeMs: now - 20_000});
		expect(Math.abs((stored['atMs'] as number) - Date.now())).toBeLessThan(20_000);

		const unknown = await cli(['ack', 'nope{}']);
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toContain('no alert "nope{}" in the alert log; recent ones:');
		expect(unknown.stderr).toContain(ID);

		const unack = await cli(['unack', ID]);
		expect(unack.code).toBe(0);
		expect(unack.stdout).toContain(`unacknowledged ${ID}`);
		expect(await client.hexists(ALERT_KEYS.acks, ID)).toBe(0);

		expect((await cli(['ack'])).code).toBe(2);
	}, 60_000);

	it('silence creates a shared silence, silences lists it, silence expire ends it', async () => {
		await client.del(ALERT_KEYS.silences);
		const made = await cli(['silence', 'high_temperature', 'gpu=0', '--for', '2h', '--comment', 'fan replaced', '--author', 'bob@box']);
		expect(made.stderr).toBe('');
		expect(made.code).toBe(0);
		const match = /^silence ([0-9a-f]{8}): alertname="high_temperature",gpu="0" until (\S+) \(2h\) by bob@box/m.exec(made.stdout);
		expect(match).not.toBeNull();
		const id = match![1]!;
		const stored = JSON.parse((await client.hget(ALERT_KEYS.silences, id))!) as {endsMs: number; startsMs: number; comment: string; createdBy: string};
		expect(stored.endsMs - stored.startsMs).toBe(2 * 3_600_000);
		expect(stored).toMatchObject({comment: 'fan replaced', createdBy: 'bob@box'});
		expect(new Date(match![2]!).getTime()).toBe(stored.endsMs);

		const listed = await cli(['silences']);
		expect(listed.code).toBe(0);
		expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+active\\s+alertname="high_temperature",gpu="0"\\s+until .* bob@box: fan replaced$`, 'm'));

		const expired = await cli(['silence', 'expire', id]);
		expect(expired.code).toBe(0);
		expect(expired.stdout).toContain(`expired silence ${id}`);
		const after = JSON.parse((await client.hget(ALERT_KEYS.silences, id))!) as {endsMs: number};
		expect(after.endsMs).toBeLessThanOrEqual(Date.now());
		expect((await cli(['silences'])).stdout.trim()).toBe('no silences');
		expect((await cli(['silences', '--all'])).stdout).toMatch(new RegExp(`^${id}\\s+expired`, 'm'));

		expect((await cli(['silence', 'expire', 'ffffffff'])).code).toBe(1);
		const noComment = await cli(['silence', 'high_temperature', '--for', '1h']);
		expect(noComment.code).toBe(2);
		expect(noComment.stderr).toContain('--comment');
		expect((await cli(['silence', 'high_temperature', '--for', 'soon', '--comment', 'x'])).code).toBe(2);
	}, 60_000);

	it('backtest replays the loss history kept in Redis and reports what would have fired', async () => {
		const now = Date.now();
		const key = 'metrics:training:bt:loss';
		await client.del(key);
		// 30 min of losses every 10 s: fine for 10 min, then high.
		const entries: string[] = [];
		for (let t = now - 30 * 60_000, i = 0; t <= now; t += 10_000, i++)
			entries.push(JSON.stringify({step: i, value: t < now - 20 * 60_000 ? 1 - i / 1000 : 9, timestamp: new Date(t).toISOString()}));
		await client.rpush(key, ...entries);

		const r = await cli(['backtest', '--since', '1h', '--step', '10s']);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toMatch(new RegExp(`Replayed 1h \\(\\d+ evaluations every 10s\\): ${entries.length} loss points`));
		expect(r.stdout).toMatch(/^high_training_loss: fired 1x/m);
		expect(r.stdout).toContain('high_training_loss{project="bt"}');

		const json = await cli(['backtest', '--since', '1h', '--json']);
		expect(json.code).toBe(0);
		const report = JSON.parse(json.stdout) as {loaded: {lossPoints: number}; rules: Array<{rule: string; fired: number; episodes: Array<{firedAtMs: number}>}>};
		expect(report.loaded.lossPoints).toBe(entries.length);
		const high = report.rules.find((x) => x.rule === 'high_training_loss')!;
		expect(high.fired).toBe(1);
		// It fired after the losses went high (20 min ago), not before.
		expect(high.episodes[0]!.firedAtMs).toBeGreaterThanOrEqual(now - 20 * 60_000);
		expect((await cli(['backtest', '--since', 'forever'])).code).toBe(2);
	}, 60_000);

	it('--once lists the alerts with their ids (the ones `ack` takes)', async () => {
		const now = Date.now();
		await client.del(ALERT_KEYS.log);
		await client.xadd(ALERT_KEYS.log, '*', 't', encodeTransition(transition('firing', now - 5000, now - 5000, now - 5000), 'test'));
		const r = await cli(['--once']);
		expect(r.code).toBe(0);
		const section = r.stdout.slice(r.stdout.indexOf('alerts:'));
		expect(section).toMatch(/^alerts: [1-9]\d* /m);
		// Restored from the log; with no loss series behind it, it may already have resolved.
		expect(section).toMatch(/^ {2}high_training_loss\{project="p"\} {2}(firing|resolved) warning high_training_loss: Training loss is unusually high/m);
	}, 60_000);
});
