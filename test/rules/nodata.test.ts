/** Stale training series and lost GPUs put a firing alert in nodata: no silent resolve on missing data. */
import {describe, expect, it} from 'vitest';
import {builtinRule, TRAINING_STALE_MS} from '../../src/rules/builtin-rules.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {drive, fill, kinds} from './helpers.js';

const S = 1000;

describe('nodata for training series', () => {
	it('a firing training alert whose series stops goes to nodata after the stale period, not resolved', () => {
		const w = new SeriesWorld();
		fill(w, 'training_loss', {project: 'p'}, 0, 60 * S, S, () => 9);
		const run = drive(w, [builtinRule('high_training_loss')!]).until(60 * S + TRAINING_STALE_MS + 20 * 60_000);
		const out = kinds(run.transitions);
		expect(out.slice(0, 2)).toEqual(['pending@0', 'firing@10']);
		expect(out.slice(2)).toEqual([`nodata@${(60 * S + TRAINING_STALE_MS + S) / 1000}`]);
		expect(run.engine.rows(60 * S + TRAINING_STALE_MS + 20 * 60_000, new Map(), new Map())[0]).toMatchObject({state: 'nodata', rule: 'high_training_loss'});
	});

	it('returns to firing when points arrive again still breaching, and resolves when they are clear', () => {
		const w = new SeriesWorld();
		const back = 60 * S + TRAINING_STALE_MS + 60 * S;
		fill(w, 'training_loss', {project: 'p'}, 0, 60 * S, S, () => 9);
		fill(w, 'training_loss', {project: 'p'}, back, back + 20 * S, S, () => 9);
		fill(w, 'training_loss', {project: 'p'}, back + 21 * S, back + 60 * S, S, () => 1);
		const out = kinds(drive(w, [builtinRule('high_training_loss')!]).until(back + 60 * S).transitions);
		expect(out.map((k) => k.split('@')[0])).toEqual(['pending', 'firing', 'nodata', 'firing', 'resolved']);
		expect(out[3]).toBe(`firing@${back / 1000}`);
	});

	it('a stale series does not start a new alert', () => {
		const w = new SeriesWorld();
		fill(w, 'training_loss', {project: 'p'}, 0, 5 * S, S, () => 1);
		w.add('training_loss', {project: 'p'}, 6 * S, 9);
		// The breaching point is only ever seen after the stale period.
		const run = drive(w, [builtinRule('high_training_loss', 'seed')!], {from: 6 * S + TRAINING_STALE_MS + S, stepMs: 10 * S}).until(6 * S + TRAINING_STALE_MS + 120 * S);
		expect(run.transitions).toEqual([]);
	});
});

describe('nodata for a lost GPU', () => {
	it('GPU alerts go to nodata while the GPU is lost (gpu_lost fires), and fire again when it is back', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_temperature_celsius', {gpu: '0'}, 0, 120 * S, S, () => 87);
		fill(w, 'gpu_lost', {gpu: '0'}, 0, 120 * S, S, (t) => (t >= 50 * S && t < 80 * S ? 1 : 0));
		const run = drive(w, [builtinRule('high_temperature')!, builtinRule('gpu_lost')!]).until(120 * S);
		expect(kinds(run.transitions, 'high_temperature')).toEqual(['pending@0', 'firing@30', 'nodata@50', 'firing@80']);
		expect(kinds(run.transitions, 'gpu_lost')).toEqual(['firing@50', 'resolved@80']);
	});
});
