/** Forecasts: time to capacity (GPU memory, disk), error budget, training ETA; none made up from poor data. */
import {describe, expect, it} from 'vitest';
import {errorBudget, largestStepShare, timeToCapacity, trainingEta} from '../../src/analysis/forecasts.js';

const S = 1000;
const MIN = 60_000;
const range = (n: number, f: (i: number) => number) => Array.from({length: n}, (_, i) => f(i));

describe('timeToCapacity', () => {
	it('GPU memory growing 100 MiB a minute from 70,000 of 80,000 MiB: full in 100 min', () => {
		const times = range(30, (i) => i * MIN);
		const used = times.map((t) => 70_000 + (100 * t) / MIN - 2900);
		const f = timeToCapacity(times, used, 80_000, 29 * MIN)!;
		expect(f.inMs / MIN).toBeCloseTo(100, 6);
		expect(f.ratePerHour).toBeCloseTo(6000, 6);
		expect(f.r2).toBeCloseTo(1, 9);
	});

	it('a disk filling 1 GB an hour with noise still gives a time; a flat or shrinking one, a noisy one, or few points do not', () => {
		const times = range(60, (i) => i * MIN);
		const jitter = (i: number) => (i % 3 === 0 ? 5e6 : i % 3 === 1 ? -5e6 : 0);
		const disk = times.map((t, i) => 900e9 + (1e9 * t) / 3_600_000 + jitter(i));
		const f = timeToCapacity(times, disk, 1000e9, 59 * MIN)!;
		expect(f.inMs / 3_600_000).toBeGreaterThan(98);
		expect(f.inMs / 3_600_000).toBeLessThan(100);
		expect(timeToCapacity(times, times.map(() => 500), 1000, 59 * MIN)).toBeUndefined();
		expect(timeToCapacity(times, times.map((t) => 900 - t / MIN), 1000, 59 * MIN)).toBeUndefined();
		expect(timeToCapacity(times, times.map((_, i) => (i % 2 === 0 ? 100 : 900) + i), 1000, 59 * MIN)).toBeUndefined();
		expect(timeToCapacity(times.slice(0, 9), disk.slice(0, 9), 1000e9, 8 * MIN)).toBeUndefined();
	});

	it('already at capacity: now', () => {
		const times = range(10, (i) => i * S);
		expect(timeToCapacity(times, times.map(() => 80), 80, 9 * S)!.inMs).toBe(0);
	});
});

describe('errorBudget', () => {
	it('90 % SLO, 1,000 tasks, 40 late: 60 % of the budget left; burning 2x in the last hour spends it in 6 h', () => {
		// Allowed: 100 late. Recent: 100 tasks, 20 late in 1 h (20 % late = 2x the 10 % allowed); those 100 tasks
		// earned 10 of budget, so it shrinks by 10 an hour: the 60 left last 6 h.
		const b = errorBudget({target: 0.9, total: 1000, bad: 40, recentTotal: 100, recentBad: 20, recentMs: 3_600_000})!;
		expect(b.remaining).toBeCloseTo(0.6, 9);
		expect(b.burnRate).toBeCloseTo(2, 9);
		expect(b.spentInMs! / 3_600_000).toBeCloseTo(6, 9);
	});

	it('nothing burning: no time; overspent: negative remaining and no time; no events: undefined', () => {
		expect(errorBudget({target: 0.9, total: 100, bad: 0, recentTotal: 50, recentBad: 0, recentMs: 60_000})).toEqual({remaining: 1, burnRate: 0});
		const over = errorBudget({target: 0.9, total: 100, bad: 20, recentTotal: 10, recentBad: 5, recentMs: 60_000})!;
		expect(over.remaining).toBeCloseTo(-1, 9);
		expect(over.spentInMs).toBeUndefined();
		// Late tasks, but no more than the SLO allows (burn rate 1 or under): the budget is not shrinking.
		const onBudget = errorBudget({target: 0.9, total: 100, bad: 5, recentTotal: 50, recentBad: 5, recentMs: 60_000})!;
		expect(onBudget.burnRate).toBeCloseTo(1, 9);
		expect(onBudget.spentInMs).toBeUndefined();
		expect(errorBudget({target: 0.9, total: 0, bad: 0, recentTotal: 0, recentBad: 0, recentMs: 60_000})).toBeUndefined();
		expect(errorBudget({target: 1, total: 10, bad: 0, recentTotal: 1, recentBad: 0, recentMs: 1})).toBeUndefined();
	});
});

describe('trainingEta', () => {
	it('an exponentially falling loss reaches the target when the fitted decay says, with the steps to go', () => {
		// loss = 2 * exp(-t / 10 min): reaches 0.1 at t = 10 min * ln(20) = 29.96 min.
		const times = range(100, (i) => i * 6 * S); // 10 min of points
		const losses = times.map((t) => 2 * Math.exp(-t / (10 * MIN)));
		const steps = times.map((_, i) => i * 50); // 50 steps per 6 s
		const now = times.at(-1)!;
		const eta = trainingEta(times, losses, 0.1, now, steps)!;
		expect((now + eta.inMs) / MIN).toBeCloseTo(10 * Math.log(20), 6);
		expect(eta.steps).toBe(Math.round((eta.inMs / (6 * S)) * 50));
		expect(eta.r2).toBeCloseTo(1, 9);
	});

	it('no ETA for a rising or flat loss, a NaN or zero loss, few points; 0 once at the target', () => {
		const times = range(20, (i) => i * S);
		expect(trainingEta(times, times.map((t) => 1 + t / 1e5), 0.5, 19 * S)).toBeUndefined();
		expect(trainingEta(times, times.map(() => 1), 0.5, 19 * S)).toBeUndefined();
		expect(trainingEta(times, times.map((t, i) => (i === 5 ? Number.NaN : 1 - t / 1e5)), 0.5, 19 * S)).toBeUndefined();
		expect(trainingEta(times.slice(0, 5), [5, 4, 3, 2, 1], 0.5, 4 * S)).toBeUndefined();
		expect(trainingEta(times, times.map((_, i) => 1 - i * 0.03), 0.5, 19 * S)!.inMs).toBe(0);
	});
});

describe('largestStepShare', () => {
	it('a creep is many small rises, a load one jump; a flat or falling window counts as all jump', () => {
		expect(largestStepShare([0, 1, 2, 3, 4])).toBeCloseTo(0.25, 9);
		expect(largestStepShare([0, 0, 10, 10, 11])).toBeCloseTo(10 / 11, 9);
		expect(largestStepShare([5, 5, 5])).toBe(1);
		expect(largestStepShare([5, 4, 3])).toBe(1);
		expect(largestStepShare([])).toBe(1);
	});
});
