import {describe, expect, it} from 'vitest';
import {builtinRule} from '../../src/rules/builtin-rules.js';
import {RuleEngine} from '../../src/rules/engine.js';
import {type Ack, type Silence} from '../../src/rules/ack-silence.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {drive, fill} from './helpers.js';

const S = 1000;
const G = {gpu: '0'};
const ID = 'high_temperature{gpu="0",uuid="GPU-0"}';

function engineAt(temps: (t: number) => number, until: number): {engine: RuleEngine; world: SeriesWorld; advance: (to: number) => void} {
	const world = new SeriesWorld();
	fill(world, 'gpu_temperature_celsius', G, 0, 600 * S, S, temps);
	const run = drive(world, [builtinRule('high_temperature')!], {stepMs: S}).until(until);
	return {engine: run.engine, world, advance: (to) => void run.until(to)};
}

describe('engine rows: acknowledgement and silences', () => {
	it('an ack covers the episode until the alert escalates; then it re-opens', () => {
		const {engine, advance} = engineAt((t) => (t < 100 * S ? 87 : 93), 60 * S);
		const row = engine.rows(60 * S, new Map(), new Map()).find((r) => r.id === ID)!;
		expect(row).toMatchObject({state: 'firing', severity: 'warning'});
		const ack: Ack = {alertId: ID, by: 'me@box', atMs: 61 * S, severity: 'warning', episodeMs: row.firedMs!};
		const acks = new Map([[ID, ack]]);
		expect(engine.rows(61 * S, acks, new Map())[0]).toMatchObject({state: 'acknowledged', acknowledgedBy: 'me@box'});
		advance(110 * S);
		expect(engine.rows(110 * S, acks, new Map())[0]).toMatchObject({state: 'firing', severity: 'critical'});
	});

	it('an ack does not cover the next episode after a resolve', () => {
		const {engine, advance} = engineAt((t) => (t < 100 * S ? 87 : t < 120 * S ? 70 : 87), 60 * S);
		const row = engine.rows(60 * S, new Map(), new Map())[0]!;
		const acks = new Map([[ID, {alertId: ID, by: 'me@box', atMs: 61 * S, severity: 'warning', episodeMs: row.firedMs!} satisfies Ack]]);
		advance(110 * S);
		expect(engine.rows(110 * S, acks, new Map())[0]!.state).toBe('resolved');
		advance(200 * S);
		expect(engine.rows(200 * S, acks, new Map())[0]!.state).toBe('firing');
	});

	it('a matching active silence shows as silenced and suppresses the notification; an expired one does not', () => {
		const world = new SeriesWorld();
		fill(world, 'gpu_temperature_celsius', G, 0, 100 * S, S, () => 88);
		const engine = new RuleEngine([builtinRule('high_temperature')!]);
		const silence: Silence = {id: 's1', matchers: [{name: 'alertname', value: 'high_temperature', isRegex: false, isEqual: true}, {name: 'gpu', value: '0|1', isRegex: true, isEqual: true}], startsMs: 0, endsMs: 50 * S, createdBy: 'me', comment: 'maintenance'};
		const sent: boolean[] = [];
		for (let t = 0; t <= 40 * S; t += S) {
			world.advance(t);
			for (const tr of engine.evaluate(world.input(t), (rule, labels) => (t < silence.endsMs && rule === 'high_temperature' && ['0', '1'].includes(labels['gpu'] ?? '') ? silence : undefined)))
				if (tr.kind === 'firing') sent.push(tr.send);
		}
		expect(sent).toEqual([false]);
		const silences = new Map([['s1', silence]]);
		expect(engine.rows(40 * S, new Map(), silences)[0]).toMatchObject({state: 'silenced', silencedBy: 's1'});
		expect(engine.rows(60 * S, new Map(), silences)[0]!.state).toBe('firing');
		expect(engine.snapshot(60 * S, new Map(), silences).silences).toHaveLength(0);
	});

	it('restores a firing alert from the log with its firing time and without announcing it again', () => {
		const {engine} = engineAt(() => 88, 60 * S);
		const log = engine.transitions();
		const fired = log.find((t) => t.kind === 'firing')!;
		const restored = new RuleEngine([builtinRule('high_temperature')!]);
		restored.restore(log, 61 * S);
		const world = new SeriesWorld();
		fill(world, 'gpu_temperature_celsius', G, 0, 100 * S, S, () => 88);
		world.advance(62 * S);
		expect(restored.evaluate(world.input(62 * S))).toEqual([]);
		expect(restored.rows(62 * S, new Map(), new Map())[0]).toMatchObject({state: 'firing', firedMs: fired.timeMs});
	});
});
