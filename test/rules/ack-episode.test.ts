/**
An acknowledgement covers one episode, keyed by the episode's start (when it first went pending): an ack given
while pending holds when the alert fires; an escalation or a new episode re-opens it. `A` is one undo step.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Redis} from 'ioredis';
import {builtinRule} from '../../src/rules/builtin-rules.js';
import {ackCovers, type Ack} from '../../src/rules/ack-silence.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';
import {Runtime} from '../../src/runtime.js';
import {NOTHING_TO_UNDO, RulesPart} from '../../src/rules/rules-part.js';
import {rulesDeps} from '../../src/rules/attach.js';
import {compileRules} from '../../src/rules/user-rules.js';
import {ALERT_KEYS} from '../../src/rules/alert-storage.js';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {drive, fill} from './helpers.js';

const S = 1000;
const ID = 'high_temperature{gpu="0",uuid="GPU-0"}';

/** high_temperature (sound): pending at > 85 °C, fires after 30 s, critical above 90 °C, clears below 80 °C. */
function engineOver(temps: (t: number) => number) {
	const world = new SeriesWorld();
	fill(world, 'gpu_temperature_celsius', {gpu: '0'}, 0, 600 * S, S, temps);
	const run = drive(world, [builtinRule('high_temperature')!], {stepMs: S});
	const engine = run.engine;
	const advance = (to: number) => void run.until(to);
	const row = (at: number, acks: ReadonlyMap<string, Ack> = new Map()): AlertRow => engine.rows(at, acks, new Map()).find((r) => r.id === ID)!;
	/** The ack RulesPart writes for a row: the episode start, at the row's severity. */
	const ackFor = (r: AlertRow, atMs: number): Map<string, Ack> => new Map([[ID, {alertId: ID, by: 'me@box', atMs, severity: r.severity, episodeMs: r.activeMs!}]]);
	return {advance, row, ackFor};
}

describe('acknowledging a pending alert', () => {
	it('shows it as acknowledged while pending, and it stays acknowledged when it fires', () => {
		const e = engineOver(() => 87);
		e.advance(10 * S);
		const pending = e.row(10 * S);
		expect(pending).toMatchObject({state: 'pending', phase: 'pending', activeMs: 0});
		const acks = e.ackFor(pending, 10 * S);
		expect(e.row(10 * S, acks)).toMatchObject({state: 'acknowledged', phase: 'pending', acknowledgedBy: 'me@box'});
		e.advance(60 * S);
		const fired = e.row(60 * S, acks);
		expect(fired.phase).toBe('firing');
		expect(fired.firedMs).toBe(30 * S);
		expect(fired.state).toBe('acknowledged');
	});

	it('an escalation re-opens an ack given while pending', () => {
		const e = engineOver((t) => (t < 100 * S ? 87 : 93));
		e.advance(10 * S);
		const acks = e.ackFor(e.row(10 * S), 10 * S);
		e.advance(60 * S);
		expect(e.row(60 * S, acks).state).toBe('acknowledged');
		e.advance(110 * S);
		expect(e.row(110 * S, acks)).toMatchObject({state: 'firing', severity: 'critical'});
	});

	it('a new episode (resolve, then fire again) re-opens it', () => {
		const e = engineOver((t) => (t < 100 * S ? 87 : t < 120 * S ? 70 : 87));
		e.advance(10 * S);
		const acks = e.ackFor(e.row(10 * S), 10 * S);
		e.advance(110 * S);
		expect(e.row(110 * S, acks).state).toBe('resolved');
		e.advance(125 * S);
		expect(e.row(125 * S, acks)).toMatchObject({state: 'pending'});
		e.advance(200 * S);
		expect(e.row(200 * S, acks)).toMatchObject({state: 'firing', phase: 'firing'});
	});
});

describe('ackCovers', () => {
	const ack: Ack = {alertId: 'x', by: 'me', atMs: 5000, severity: 'warning', episodeMs: 1000};
	it('matches the episode start within the tolerance (another instance evaluates on its own clock)', () => {
		expect(ackCovers(ack, 1900, 'warning', 1250, 31_900)).toBe(true);
		expect(ackCovers(ack, 3000, 'warning', 1250, 33_000)).toBe(false);
	});
	it('still honours an ack that recorded the firing time', () => {
		expect(ackCovers({...ack, episodeMs: 31_000}, 1000, 'warning', 1250, 31_000)).toBe(true);
	});
	it('lapses on a higher severity', () => {
		expect(ackCovers(ack, 1000, 'critical', 1250, 31_000)).toBe(false);
	});
});

const enabled = redisAvailable();

describe.runIf(enabled)('RulesPart: ack while pending, acknowledge all and undo (Redis)', () => {
	let redis: TestRedis;
	let client: Redis;
	const rules = compileRules([{alert: 'loss_high', series: 'training_loss', condition: 'value > 5', severity: 'warning', for: '2s'}]).filter((r) => r.name === 'loss_high');
	const idOf = (project: string) => `loss_high{project="${project}"}`;
	const publishLoss = (projectId: string, loss: number) => client.publish('events:training:progress', JSON.stringify({projectId, step: Date.now(), loss, timestamp: Date.now()}));

	beforeAll(async () => {
		redis = await startRedis();
		client = redis.client();
	});
	afterAll(async () => {
		await redis?.stop();
	});

	async function instance(): Promise<{runtime: Runtime; part: RulesPart; row: (id: string) => AlertRow | undefined}> {
		const runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false}, (core) => ({
			rules: new RulesPart(rulesDeps(core), {rules, evaluationIntervalMs: 100, pollMs: 100, repeatIntervalMs: 0, user: 'alice@box'}),
		}));
		const part = runtime.rules as RulesPart;
		await runtime.start(3000);
		return {runtime, part, row: (id) => part.snapshot().rows.find((r) => r.id === id)};
	}

	it('an ack given while pending is kept when the alert fires', async () => {
		const a = await instance();
		await publishLoss('p', 9);
		await waitFor(() => a.row(idOf('p'))?.state === 'pending', 5000, 'pending');
		await a.part.acknowledge(idOf('p'));
		expect(a.row(idOf('p'))).toMatchObject({state: 'acknowledged', phase: 'pending'});
		await waitFor(() => a.row(idOf('p'))?.phase === 'firing', 5000, 'firing');
		expect(a.row(idOf('p'))?.state).toBe('acknowledged');
		await a.runtime.stop();
	}, 20_000);

	it('undo after acknowledging all takes back every ack; with nothing left it says so', async () => {
		const a = await instance();
		await publishLoss('q', 9);
		await publishLoss('r', 9);
		await waitFor(() => a.row(idOf('q'))?.state === 'firing' && a.row(idOf('r'))?.state === 'firing', 6000, 'both firing');
		await a.part.acknowledgeAll([idOf('q'), idOf('r')]);
		expect([a.row(idOf('q'))?.state, a.row(idOf('r'))?.state]).toEqual(['acknowledged', 'acknowledged']);
		expect(await client.hexists(ALERT_KEYS.acks, idOf('q'))).toBe(1);
		await a.part.undo();
		expect([a.row(idOf('q'))?.state, a.row(idOf('r'))?.state]).toEqual(['firing', 'firing']);
		expect(await client.hexists(ALERT_KEYS.acks, idOf('q'))).toBe(0);
		expect(await client.hexists(ALERT_KEYS.acks, idOf('r'))).toBe(0);
		await expect(a.part.undo()).rejects.toThrow(NOTHING_TO_UNDO);
		expect(a.part.lastError()).toBe(NOTHING_TO_UNDO);
		await a.runtime.stop();
	}, 20_000);
});
