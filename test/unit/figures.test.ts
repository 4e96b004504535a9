/** Figures over an empty window are "no data", never 0s / 0% / 100% (issue 10). */
import {describe, expect, it} from 'vitest';
import {agentAverage, avgTasksPerBusyAgent, durationFigure, loadVariance, noData, percentFigure, taskFigures} from '../../src/format/figures.js';
import {loadBalance} from '../../src/analysis/load-balance.js';
import {onceText} from '../../src/once.js';
import {agent, completion, makeSnapshot} from '../components/fixtures.js';

describe('taskFigures', () => {
	it('is undefined for every duration and the SLA when no task was timed in the last hour', () => {
		const f = taskFigures(makeSnapshot().tasks);
		expect(f).toMatchObject({throughputPerHour: 0, timed: 0, avgSeconds: undefined, p50Seconds: undefined, p95Seconds: undefined, p99Seconds: undefined, slaPercent: undefined});
	});

	it('keeps throughput for completions without a duration, and their figures stay no data', () => {
		const f = taskFigures(makeSnapshot({completions: [completion('t', 'a', Number.NaN)]}).tasks);
		expect(f.throughputPerHour).toBe(1);
		expect(f.timed).toBe(0);
		expect(f.avgSeconds).toBeUndefined();
		expect(f.slaPercent).toBeUndefined();
	});

	it('passes real figures through, a true 0% compliance included', () => {
		const f = taskFigures(makeSnapshot({completions: [completion('t', 'a', 2400), completion('u', 'a', 3000)]}).tasks);
		expect(f.timed).toBe(2);
		expect(f.avgSeconds).toBe(2700);
		expect(f.slaPercent).toBe(0);
		expect(percentFigure(f.slaPercent)).toBe('0.0%');
	});
});

describe('load balance and agents', () => {
	it('no busy agent is no data; busy agents with equal load are a real 0%', () => {
		expect(loadVariance(loadBalance([]))).toBeUndefined();
		expect(avgTasksPerBusyAgent(loadBalance([]))).toBeUndefined();
		expect(loadVariance(loadBalance([2, 2]))).toBe(0);
		expect(avgTasksPerBusyAgent(loadBalance([2, 2]))).toBe(2);
	});

	it('an agent that completed nothing has no average', () => {
		expect(agentAverage({completed: 0, avgDurationSeconds: 0})).toBeUndefined();
		expect(agentAverage({completed: 3, avgDurationSeconds: 90})).toBe(90);
	});
});

describe('text', () => {
	it('prints an en dash, "-" under --ascii', () => {
		expect(noData()).toBe('–');
		expect(noData(true)).toBe('-');
		expect(durationFigure(undefined)).toBe('–');
		expect(durationFigure(undefined, true)).toBe('-');
		expect(durationFigure(65)).toBe('1m05s');
		expect(percentFigure(undefined, 1, true)).toBe('-');
		expect(percentFigure(97.54)).toBe('97.5%');
	});

	// Regression: --once printed "avg 0s, SLA 100.0%" and "load variance 0.0%" over no task and no busy agent.
	it('--once says "-" for figures over nothing', () => {
		const empty = onceText(makeSnapshot({agents: [agent('idle-one', 'idle', 0)]}));
		expect(empty).toContain('tasks: 0/h, avg -, SLA -, completed today 0');
		expect(empty).toContain('agents: 1, load variance -');
		const busy = onceText(makeSnapshot({completions: [completion('t', 'a', 90)], agents: [agent('x', 'busy', 2), agent('y', 'busy', 2)]}));
		expect(busy).toContain('tasks: 1/h, avg 1m30s, SLA 100.0%, completed today 1');
		expect(busy).toContain('load variance 0.0%');
	});
});
