import {describe, expect, it} from 'vitest';
import {analyzeTrend, linearSlope} from '../../src/analysis/training-trend.js';
import {continueEma, debiasedEma, emaWeight, type EmaState} from '../../src/analysis/smoothing.js';
import {durationHistogram, taskAggregates} from '../../src/analysis/task-aggregates.js';
import {loadBalance, rankAgents} from '../../src/analysis/load-balance.js';

describe('trend analysis (the seed formula)', () => {
	it('needs 10 finite points', () => {
		expect(analyzeTrend([1, 2, 3]).trend).toBe('insufficient_data');
		expect(analyzeTrend([...Array(9).fill(1), Number.NaN, Number.NaN]).trend).toBe('insufficient_data');
	});

	it('classifies improving, degrading and stable by slope', () => {
		expect(analyzeTrend(Array.from({length: 20}, (_, i) => 5 - i * 0.1)).trend).toBe('improving');
		expect(analyzeTrend(Array.from({length: 20}, (_, i) => 1 + i * 0.1)).trend).toBe('degrading');
		expect(analyzeTrend(Array.from({length: 20}, () => 2)).trend).toBe('stable');
	});

	it('reports convergence when the last 10% moved less than 1%', () => {
		const flat = analyzeTrend([...Array.from({length: 90}, (_, i) => 5 - i * 0.05), ...Array(10).fill(0.5)]);
		expect(flat.converged).toBe(true);
		const moving = analyzeTrend(Array.from({length: 100}, (_, i) => 5 - i * 0.05));
		expect(moving.converged).toBe(false);
	});

	it('computes the least-squares slope and volatility', () => {
		expect(linearSlope([1, 3, 5, 7])).toBeCloseTo(2);
		expect(analyzeTrend(Array.from({length: 10}, (_, i) => (i % 2 === 0 ? 1 : 3))).volatility).toBeCloseTo(1);
	});
});

describe('debiased EMA', () => {
	it('starts at the first value (no pull towards zero) and smooths after', () => {
		const out = debiasedEma([10, 10, 10], 0.6);
		expect(out[0]).toBeCloseTo(10);
		expect(out[2]).toBeCloseTo(10);
		const step = debiasedEma([0, 0, 10], 0.5);
		expect(step[2]).toBeGreaterThan(0);
		expect(step[2]).toBeLessThan(10);
	});

	it('passes non-finite values through without disturbing the average', () => {
		const out = debiasedEma([1, Number.NaN, 1], 0.6);
		expect(Number.isNaN(out[1])).toBe(true);
		expect(out[2]).toBeCloseTo(1);
	});

	it('weight 0 is the raw series', () => {
		expect(debiasedEma([1, 5, 2], 0)).toEqual([1, 5, 2]);
	});

	it('continued in parts from its state, the recurrence gives the whole average to the bit', () => {
		const values = [3, 1, Number.NaN, 4, 1, 5, Number.POSITIVE_INFINITY, 9, 2, 6];
		const whole = debiasedEma(values, 0.7);
		const out = new Float64Array(values.length);
		const state: EmaState = {last: 0, power: 1};
		expect(continueEma(values, 0, 4, emaWeight(0.7), out, state)).toBe(-1);
		expect(state.power).toBeCloseTo(0.7 ** 3, 15);
		continueEma(values, 4, values.length, emaWeight(0.7), out, state);
		expect([...out]).toEqual(whole);
	});

	it('stops right after the first finite value `until` accepts, and says where', () => {
		const values = [2, Number.NaN, 2, 8, 8];
		const out = new Float64Array(values.length).fill(-1);
		const state: EmaState = {last: 0, power: 1};
		const seen: number[] = [];
		const at = continueEma(values, 0, values.length, 0.5, out, state, (i, s) => {
			seen.push(i);
			return s.last > 3;
		});
		// Index 1 (NaN) is written through but never asked about; the state passes 3 at index 3.
		expect(seen).toEqual([0, 2, 3]);
		expect(at).toBe(3);
		expect(out[4]).toBe(-1);
		expect([...out.subarray(0, 4)]).toEqual(debiasedEma(values.slice(0, 4), 0.5));
	});

	it('clamps the weight to [0, 0.999]', () => {
		expect([emaWeight(-1), emaWeight(0.6), emaWeight(1), emaWeight(5)]).toEqual([0, 0.6, 0.999, 0.999]);
	});
});

describe('task aggregates', () => {
	const now = 10_000_000;
	const c = (durationSeconds: number, ago: number) => ({taskId: 't', agent: 'a', durationSeconds, timeMs: now - ago});

	it('counts the last hour only and applies the 30-minute SLA', () => {
		const agg = taskAggregates([c(600, 1000), c(1900, 2000), c(1000, 3_700_000)], now);
		expect(agg.throughputPerHour).toBe(2);
		expect(agg.avgDurationSeconds).toBe(1250);
		expect(agg.slaCompliancePercent).toBe(50);
		expect(agg.slaViolations).toBe(1);
	});

	it('is 100% compliant and 0/h with nothing (never NaN)', () => {
		expect(taskAggregates([], now)).toMatchObject({throughputPerHour: 0, avgDurationSeconds: 0, slaCompliancePercent: 100});
	});

	it('computes percentiles', () => {
		const agg = taskAggregates(Array.from({length: 100}, (_, i) => c(i + 1, 10)), now);
		expect(agg.p50Seconds).toBe(50.5);
		expect(agg.p99Seconds).toBeCloseTo(99, 0);
	});

	it('buckets durations', () => {
		expect(durationHistogram([1, 5, 10, 11, 100], [5, 10])).toEqual([2, 1, 2]);
	});
});

describe('load balance (the seed formula)', () => {
	it('is max deviation over mean, in percent', () => {
		expect(loadBalance([2, 4, 6])).toEqual({variancePercent: 50, avgTasksPerAgent: 4, agentCount: 3});
	});

	it('is 0 for no agents or an all-zero load (never NaN)', () => {
		expect(loadBalance([]).variancePercent).toBe(0);
		expect(loadBalance([0, 0]).variancePercent).toBe(0);
	});

	it('ranks agents by the seed score', () => {
		const ranked = rankAgents([
			{agentType: 'slow', tasksCompleted: 10, avgDurationSeconds: 3000, errorRatePercent: 0},
			{agentType: 'fast', tasksCompleted: 10, avgDurationSeconds: 100, errorRatePercent: 0},
		]);
		expect(ranked.map((r) => r.agentType)).toEqual(['fast', 'slow']);
		expect(ranked[0]!.score).toBe(90);
	});
});

describe('completions without a duration', () => {
	it('count toward throughput but not toward the average, percentiles or the SLA', () => {
		const now = 10_000_000;
		const agg = taskAggregates(
			[
				{taskId: 'a', agent: 'x', durationSeconds: 100, timeMs: now - 10},
				{taskId: 'b', agent: 'x', durationSeconds: Number.NaN, timeMs: now - 10},
			],
			now,
		);
		expect(agg).toMatchObject({throughputPerHour: 2, avgDurationSeconds: 100, slaCompliancePercent: 100, p50Seconds: 100});
	});
});
