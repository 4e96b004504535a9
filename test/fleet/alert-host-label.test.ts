/**
The `host` label (--host) on alerts: the rule engine adds it to alerts about one of this box's GPUs (a `uuid` label),
so their ids, log entries and channel messages name the box; alerts about the shared system get none, so every box
computes the same id for them and an ack made on one box covers them on all.
*/
import {describe, expect, it} from 'vitest';
import {builtinRule} from '../../src/rules/builtin-rules.js';
import {withHost} from '../../src/rules/engine.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {encodeTransition} from '../../src/rules/alert-writes.js';
import {drive, fill} from '../rules/helpers.js';

const S = 1000;

describe('the host label', () => {
	it("a GPU alert carries the box's name, in its id, its labels and its log entry", () => {
		const world = new SeriesWorld();
		fill(world, 'gpu_temperature_celsius', {gpu: '0'}, 0, 120 * S, S, () => 90);
		const run = drive(world, [builtinRule('high_temperature')!], {stepMs: S, host: 'gpu-node-07'}).until(120 * S);
		const fired = run.transitions.find((t) => t.kind === 'firing')!;
		expect(fired.labels).toEqual({gpu: '0', uuid: 'GPU-0', host: 'gpu-node-07'});
		expect(fired.id).toBe('high_temperature{gpu="0",host="gpu-node-07",uuid="GPU-0"}');
		expect(JSON.parse(encodeTransition(fired, 'i1')).labels.host).toBe('gpu-node-07');
		expect(run.engine.rows(120 * S, new Map(), new Map())[0]!.labels['host']).toBe('gpu-node-07');
	});

	it('two boxes with the same GPU index get two alerts; without --host nothing changes', () => {
		const world = new SeriesWorld();
		fill(world, 'gpu_temperature_celsius', {gpu: '0'}, 0, 120 * S, S, () => 90);
		const a = drive(world, [builtinRule('high_temperature')!], {stepMs: S, host: 'a'}).until(60 * S).transitions.find((t) => t.kind === 'firing')!;
		const world2 = new SeriesWorld();
		fill(world2, 'gpu_temperature_celsius', {gpu: '0'}, 0, 120 * S, S, () => 90);
		const b = drive(world2, [builtinRule('high_temperature')!], {stepMs: S, host: 'b'}).until(60 * S).transitions.find((t) => t.kind === 'firing')!;
		expect(a.id).not.toBe(b.id);
		const world3 = new SeriesWorld();
		fill(world3, 'gpu_temperature_celsius', {gpu: '0'}, 0, 120 * S, S, () => 90);
		expect(drive(world3, [builtinRule('high_temperature')!], {stepMs: S}).until(60 * S).transitions.find((t) => t.kind === 'firing')!.id).toBe('high_temperature{gpu="0",uuid="GPU-0"}');
	});

	it('shared alerts get no host label; a label already set is kept', () => {
		expect(withHost({project: 'bert'}, 'box')).toEqual({project: 'bert'});
		expect(withHost({}, 'box')).toEqual({});
		expect(withHost({gpu: '1', uuid: 'GPU-1'}, 'box')).toEqual({gpu: '1', uuid: 'GPU-1', host: 'box'});
		expect(withHost({uuid: 'GPU-1', host: 'other'}, 'box')).toEqual({uuid: 'GPU-1', host: 'other'});
		expect(withHost({uuid: 'GPU-1'}, undefined)).toEqual({uuid: 'GPU-1'});
	});
});
