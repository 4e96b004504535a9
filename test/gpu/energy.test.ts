/** Energy: the trapezoid on a known power profile, the driver's counter with a reset, gaps, days, the box and its cost. */
import {describe, expect, it} from 'vitest';
import {addSample, boxEnergy, EMPTY_ENERGY, energyText, gpuEnergy, localDay, type EnergyState} from '../../src/gpu/energy.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {parseGpuLine, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {gpuCurrentFields} from '../../src/gpu/redis-entries.js';
import {recording} from './fixtures.js';

const S = 1000;
const DAY = '2026-12-06';

function feed(samples: ReadonlyArray<[number, number | undefined, number | undefined]>, day = () => DAY): EnergyState {
	return samples.reduce((state, [t, counter, power]) => addSample(state, t, counter, power, day()), EMPTY_ENERGY);
}

describe('from power draw (an estimate)', () => {
	it('a ramp from 0 to 600 W over an hour is 0.3 kWh exactly (trapezoid), an hour of GPU time', () => {
		const samples: Array<[number, undefined, number]> = [];
		for (let t = 0; t <= 3600; t++) samples.push([t * S, undefined, (600 * t) / 3600]);
		const e = gpuEnergy(feed(samples));
		expect(e.todayKwh).toBeCloseTo(0.3, 9);
		expect(e.todayGpuHours).toBeCloseTo(1, 9);
		expect(e.source).toBe('estimate');
	});

	it('a square wave sampled at its edges: 300 W and 100 W alternating each minute for 2 h is 0.4 kWh', () => {
		const samples: Array<[number, undefined, number]> = [];
		for (let t = 0; t <= 7200; t += 60) samples.push([t * S, undefined, Math.floor(t / 60) % 2 === 0 ? 300 : 100]);
		// Trapezoid over 60 s steps between 300 and 100: 200 W mean each step.
		expect(gpuEnergy(feed(samples)).todayKwh).toBeCloseTo(0.4, 9);
	});

	it('an unknown power reading is a hole, and a gap over 5 min is not bridged', () => {
		const withHole = feed([
			[0, undefined, 100],
			[60 * S, undefined, undefined],
			[120 * S, undefined, 100],
			[180 * S, undefined, 100],
		]);
		// Only 120 -> 180 s counts: the hole breaks the pair on both sides.
		expect(withHole.joules).toBe(6000);
		const gap = feed([
			[0, undefined, 500],
			[10 * 60 * S, undefined, 500],
			[10 * 60 * S + 10 * S, undefined, 500],
		]);
		expect(gap.joules).toBe(5000);
		expect(gap.seconds).toBe(10);
	});
});

describe('from the driver counter', () => {
	it('uses the counter (mJ) over the power draw, and says so', () => {
		const e = feed([
			[0, 1_000_000, 999],
			[S, 1_700_000, 999],
			[2 * S, 2_400_000, 999],
		]);
		expect(e.joules).toBe(1400);
		expect(gpuEnergy(e).source).toBe('counter');
	});

	it('a counter reset (driver reloaded) restarts from the new value: counted once, as a lower bound, never negative', () => {
		const e = feed([
			[0, 5_000_000_000, 700],
			[S, 5_000_700_000, 700],
			[2 * S, 300_000, 700], // reloaded: the counter restarted at 0 and reached 300 J
			[3 * S, 1_000_000, 700],
		]);
		expect(e.joules).toBe(700 + 300 + 700);
		expect(e.resets).toBe(1);
		expect(gpuEnergy(e).resets).toBe(1);
	});

	it('today restarts at local midnight; since-start does not', () => {
		let day = '2026-12-05';
		const samples: Array<[number, number, undefined]> = [
			[0, 0, undefined],
			[60 * S, 360_000_000, undefined],
		];
		let e = feed(samples, () => day);
		day = '2026-12-06';
		e = addSample(e, 120 * S, 720_000_000, undefined, day);
		expect(gpuEnergy(e).sinceStartKwh).toBeCloseTo(0.2, 9);
		expect(gpuEnergy(e).todayKwh).toBeCloseTo(0.1, 9);
		expect(localDay(Date.UTC(2026, 0, 15, 12))).toMatch(/^2026-01-1[45]$/);
	});
});

describe('the box, its cost and footprint', () => {
	it('sums its GPUs; cost and CO2e at the meter with the PUE; the source says counter, estimate or mixed', () => {
		const a = {todayKwh: 10, sinceStartKwh: 12, todayGpuHours: 8, source: 'counter' as const, resets: 0};
		const b = {todayKwh: 2, sinceStartKwh: 2, todayGpuHours: 8, source: 'estimate' as const, resets: 0};
		const box = boxEnergy([a, b], {pricePerKwh: 0.25, currency: 'EUR', pue: 1.2, gridGramsPerKwh: 400});
		expect(box).toEqual({todayKwh: 12, sinceStartKwh: 14, todayGpuHours: 16, source: 'mixed', todayCost: 12 * 1.2 * 0.25, currency: 'EUR', todayCo2eKg: (12 * 1.2 * 400) / 1000});
		expect(energyText(box)).toBe('energy today: 12.0 kWh (counters and estimates), 16.0 GPU-h, 3.60 EUR, 5.8 kg CO2e');
		expect(boxEnergy([a]).source).toBe('counter');
		expect(boxEnergy([]).source).toBe('none');
		expect(boxEnergy([b], {pue: 0.5}).todayKwh).toBe(2);
	});

	it('from recorded frames: the counter where the driver has it (health), an estimate where not (old-driver)', () => {
		const frames = (scenario: string) => {
			const rec = recording(scenario);
			const byTs = new Map<string, ParsedGpuRow[]>();
			for (const l of rec.lines) {
				const r = parseGpuLine(l, rec.fields);
				if (r.kind === 'row') byTs.set(r.row.timestamp!, [...(byTs.get(r.row.timestamp!) ?? []), r.row]);
			}
			return [...byTs.values()];
		};
		const counter = new GpuStore();
		counter.setPricing({pricePerKwh: 0.3});
		frames('health').forEach((f, i) => counter.applyFrame(f, i * S));
		const [gpu0] = counter.rows();
		// GPU 0's counter rises 600,000 mJ per frame: 5 intervals, 3,000 J.
		expect(gpu0!.energy!.source).toBe('counter');
		expect(gpu0!.energy!.sinceStartKwh * 3_600_000).toBeCloseTo(3000, 6);
		expect(gpuCurrentFields(gpu0!, 'T')).toMatchObject({energy_source: 'counter', energy_kwh_since_start: (3000 / 3_600_000).toFixed(4)});
		expect(counter.snapshot().energy).toMatchObject({source: 'counter', todayCost: expect.any(Number)});
		const estimate = new GpuStore();
		frames('old-driver').forEach((f, i) => estimate.applyFrame(f, i * S));
		// 210.5 W, 211.5 W, 212.5 W one second apart: (210.5 + 211.5) / 2 + (211.5 + 212.5) / 2 = 423 J.
		expect(estimate.rows()[0]!.energy).toMatchObject({source: 'estimate'});
		expect(estimate.rows()[0]!.energy!.sinceStartKwh * 3_600_000).toBeCloseTo(423, 6);
	});
});

describe('the GPU memory forecast on a row', () => {
	it('memory growing steadily: full in the time the fit says, in the row and the --once health line', async () => {
		const {gpuHealthLine} = await import('../../src/gpu/gpu-text.js');
		const rec = recording('health');
		const first = parseGpuLine(rec.lines[0]!, rec.fields);
		if (first.kind !== 'row') throw new Error('fixture');
		const store = new GpuStore();
		// 61,250 of 81,559 MiB, growing 100 MiB every 10 s: 20,309 MiB to go at 600 MiB/min = 33.8 min (after the last point).
		for (let i = 0; i <= 30; i++) {
			const used = {value: 61_250 + 100 * i};
			store.applyFrame([{...first.row, readings: {...first.row.readings, memoryUsedMb: used}}], i * 10 * S);
		}
		const row = store.rows()[0]!;
		expect(row.memoryFullInMs! / 60_000).toBeCloseTo((81_559 - 64_250) / 600, 6);
		expect(gpuHealthLine(row, 300 * S)).toContain('memory full in ~28m at this rate');
		// Flat memory: no forecast.
		const flat = new GpuStore();
		for (let i = 0; i <= 30; i++) flat.applyFrame([first.row], i * 10 * S);
		expect(flat.rows()[0]!.memoryFullInMs).toBeUndefined();
	});
});
