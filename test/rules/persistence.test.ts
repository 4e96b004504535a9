/**
Acks, silences and the transition log against a real redis-server: two instances, a restart, the seed's channels.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Redis} from 'ioredis';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';
import {RulesPart} from '../../src/rules/rules-part.js';
import {rulesDeps} from '../../src/rules/attach.js';
import {compileRules} from '../../src/rules/user-rules.js';
import {ALERT_KEYS} from '../../src/rules/alert-storage.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';

const enabled = redisAvailable();
const ID = 'loss_high{project="p"}';

const rules = compileRules([{alert: 'loss_high', series: 'training_loss', condition: 'value > 5', severity: 'warning'}]).filter((r) => r.name === 'loss_high');

async function instance(url: string, user: string): Promise<{runtime: Runtime; part: RulesPart}> {
	const runtime = new Runtime({redisUrl: url, readOnly: false, demo: false}, (core) => ({
		rules: new RulesPart(rulesDeps(core), {rules, evaluationIntervalMs: 100, pollMs: 100, repeatIntervalMs: 0, user}),
	}));
	const part = runtime.rules as RulesPart;
	await runtime.start(3000);
	return {runtime, part};
}

function row(part: RulesPart): AlertRow | undefined {
	return part.snapshot().rows.find((r) => r.id === ID);
}

describe.runIf(enabled)('acks, silences and history in Redis', () => {
	let redis: TestRedis;
	let client: Redis;
	let sub: Redis;
	const messages: Array<Record<string, unknown>> = [];
	let step = Date.now();
	const publishLoss = (loss: number) => client.publish('events:training:progress', JSON.stringify({projectId: 'p', step: ++step, loss, timestamp: Date.now()}));

	beforeAll(async () => {
		redis = await startRedis();
		client = redis.client();
		sub = redis.client();
		await sub.subscribe('events:alerts:training');
		sub.on('message', (_channel: string, message: string) => messages.push(JSON.parse(message) as Record<string, unknown>));
	});

	afterAll(async () => {
		await redis?.stop();
	});

	it('an ack made on one instance is seen by the other within a second, survives a restart, and re-opens on a new episode', async () => {
		const a = await instance(redis.url, 'alice@box');
		await waitFor(() => a.runtime.bus.canWrite(), 5000, 'A to be the writer');
		const b = await instance(redis.url, 'bob@box');
		expect(b.runtime.bus.role).toBe('viewer');

		await publishLoss(9);
		await waitFor(() => row(a.part)?.state === 'firing' && row(b.part)?.state === 'firing', 5000, 'firing on both');
		await waitFor(() => messages.length >= 1, 3000, 'one message');
		await new Promise((resolve) => setTimeout(resolve, 500));
		// Exactly one message for the transition, from the writer only, marked as ours.
		expect(messages.filter((m) => m['state'] === 'firing')).toHaveLength(1);
		expect(messages[0]).toMatchObject({rule: 'loss_high', type: 'loss_high', severity: 'warning', projectId: 'p', source: `mycotop:${a.runtime.instanceId}`});
		expect(await client.hget('metrics:alerts:counters', 'loss_high')).toBe('1');
		expect(Number(await client.hget('metrics:alerts:state', 'loss_high'))).toBeGreaterThan(0);

		await a.part.acknowledge(ID);
		const acked = Date.now();
		await waitFor(() => row(b.part)?.state === 'acknowledged', 2000, 'B to see the ack');
		expect(Date.now() - acked).toBeLessThan(1000);
		expect(row(b.part)?.acknowledgedBy).toBe('alice@box');

		// Restart everything: the ack and the firing alert come back; nothing is announced again.
		await b.runtime.stop();
		await a.runtime.stop();
		const before = messages.length;
		const c = await instance(redis.url, 'carol@box');
		await waitFor(() => row(c.part)?.state === 'acknowledged', 3000, 'C to restore the acknowledged alert');
		await publishLoss(9);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(messages.length).toBe(before);
		expect(c.part.snapshot().recent?.some((t) => t.id === ID && t.kind === 'firing')).toBe(true);

		// Resolve, then fire again: a new episode, so the old ack no longer covers it.
		await publishLoss(1);
		await waitFor(() => row(c.part)?.state === 'resolved', 3000, 'resolved');
		await publishLoss(9);
		await waitFor(() => row(c.part)?.state === 'firing', 3000, 're-opened');
		await waitFor(() => messages.filter((m) => m['state'] === 'firing').length === 2, 3000, 'the second firing message');
		expect(messages.filter((m) => m['state'] === 'resolved')).toHaveLength(1);

		// The log entry goes through the writer's batch (up to 200 ms at a trickle), the message straight out: wait for it.
		const kindsLogged = async () => (await client.xrange(ALERT_KEYS.log, '-', '+')).map(([, fields]) => (JSON.parse(fields[1]!) as {kind: string}).kind);
		await waitFor(async () => (await kindsLogged()).length >= 3, 3000, 'the third log entry');
		expect(await kindsLogged()).toEqual(['firing', 'resolved', 'firing']);
		await c.runtime.stop();
	}, 30_000);

	it('a silence is shared, persisted across a restart, and expires', async () => {
		const a = await instance(redis.url, 'alice@box');
		const b = await instance(redis.url, 'bob@box');
		await publishLoss(9);
		await waitFor(() => row(b.part)?.state === 'firing' || row(b.part)?.state === 'acknowledged', 5000, 'firing');
		await a.part.silence('loss_high', 2 * 3_600_000, {comment: 'known issue'});
		await waitFor(() => row(b.part)?.state === 'silenced', 1500, 'B to see the silence');
		expect(b.part.snapshot().silences).toMatchObject([{matcher: 'alertname="loss_high"', author: 'alice@box', comment: 'known issue'}]);
		await a.runtime.stop();
		await b.runtime.stop();
		const c = await instance(redis.url, 'carol@box');
		await waitFor(() => row(c.part)?.state === 'silenced', 3000, 'the silence after a restart');
		const id = c.part.snapshot().silences[0]!.id;
		await c.part.expireSilence(id);
		await waitFor(() => c.part.snapshot().silences.length === 0, 2000, 'expired');
		expect(row(c.part)?.state).not.toBe('silenced');
		await c.runtime.stop();
	}, 30_000);

	it('undo takes back the last ack (restoring the one it replaced)', async () => {
		const a = await instance(redis.url, 'alice@box');
		// The alert log of the tests above already says firing: wait until both points are in, so the 1 cannot be
		// evaluated after the ack.
		const points = () => a.runtime.store.projects.get('p')?.loss.length ?? 0;
		const before = points();
		await publishLoss(1);
		await publishLoss(9);
		await waitFor(() => points() >= before + 2, 5000, 'both points stored');
		await waitFor(() => row(a.part)?.state === 'firing', 5000, 'firing');
		const previous = await client.hget(ALERT_KEYS.acks, ID);
		await a.part.acknowledge(ID);
		expect(row(a.part)?.state).toBe('acknowledged');
		expect(await client.hget(ALERT_KEYS.acks, ID)).not.toBe(previous);
		await a.part.undo();
		expect(row(a.part)?.state).toBe('firing');
		expect(await client.hget(ALERT_KEYS.acks, ID)).toBe(previous);
		await a.runtime.stop();
	}, 20_000);
});

describe.runIf(enabled)('transitions Redis refuses', () => {
	let redis: TestRedis;

	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		await redis?.stop();
	});

	it('are counted and shown, not lost silently', async () => {
		const client = redis.client();
		const a = await instance(redis.url, 'alice@box');
		try {
			await waitFor(() => a.runtime.bus.canWrite(), 5000, 'the writer');
			expect(a.part.snapshot().unwrittenTransitions).toBeUndefined();
			// Every write is refused (-NOREPLICAS) from now on; the lease, renewed earlier, is still held.
			await client.config('SET', 'min-replicas-to-write', '1');
			await client.publish('events:training:progress', JSON.stringify({projectId: 'p', step: 1, loss: 9}));
			await waitFor(() => (a.part.snapshot().unwrittenTransitions ?? 0) >= 1, 3000, 'the refused transition counted');
			expect(await client.xlen(ALERT_KEYS.log)).toBe(0);
		} finally {
			await client.config('SET', 'min-replicas-to-write', '0');
			await a.runtime.stop();
		}
	});
});
