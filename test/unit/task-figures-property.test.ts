/**
The task figures' faster paths against what they replaced, on random completions: taskAggregates (typed-array sort,
one pass) against the array sort it had, and buildSnapshot's one scan of the completions for both windows against
the two scans (systemFigures over the store, slaBudget over the SLA window's completions).
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {quantileSorted} from 'simple-statistics';
import {taskAggregates, type TaskAggregates} from '../../src/analysis/task-aggregates.js';
import {systemFigures} from '../../src/analysis/system-figures.js';
import {slaBudget, slaBudgetOfColumns} from '../../src/analysis/sla-budget.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {buildSnapshot} from '../../src/store/snapshot.js';
import {DEFAULT_FORECASTS} from '../../src/analysis/forecast-settings.js';
import {type BusStatus} from '../../src/bus/bus-manager.js';
import {CompletionRing} from '../../src/store/completion-ring.js';
import {SortedDurations} from '../../src/analysis/sorted-durations.js';
import {storeInput} from '../../src/rules/store-input.js';
import {completionColumns} from '../../src/rules/completion-scan.js';
import {builtinRule} from '../../src/rules/builtin-rules.js';
import {type RuleInput, type RuleSample} from '../../src/rules/rule-types.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const HOUR = 3_600_000;
const bus = (): BusStatus => ({kind: 'embedded', url: undefined, connection: undefined, role: 'standalone', hostWriter: true, reconnects: 0, takeovers: 0, summary: 'embedded'});

/** taskAggregates as it was before the typed-array sort (the reference). */
function referenceAggregates(recent: ReadonlyArray<{durationSeconds: number; timeMs: number}>, now: number, slaSeconds = 1800): TaskAggregates {
	const hourAgo = now - HOUR;
	const durations: number[] = [];
	let completions = 0;
	for (const c of recent) {
		if (c.timeMs <= hourAgo || c.timeMs > now + 60_000) continue;
		completions += 1;
		if (Number.isFinite(c.durationSeconds)) durations.push(c.durationSeconds);
	}
	const n = durations.length;
	if (n === 0) return {throughputPerHour: completions, avgDurationSeconds: 0, slaCompliancePercent: 100, p50Seconds: 0, p95Seconds: 0, p99Seconds: 0, slaViolations: 0};
	durations.sort((a, b) => a - b);
	const violations = durations.filter((d) => d > slaSeconds).length;
	return {
		throughputPerHour: completions,
		avgDurationSeconds: durations.reduce((s, d) => s + d, 0) / n,
		slaCompliancePercent: ((n - violations) / n) * 100,
		p50Seconds: quantileSorted(durations, 0.5),
		p95Seconds: quantileSorted(durations, 0.95),
		p99Seconds: quantileSorted(durations, 0.99),
		slaViolations: violations,
	};
}

/**
Durations: fractional, integer, around the SLA, huge, NaN and ±Infinity (no -0: a typed array sorts -0 before 0,
an array's stable sort keeps them in arrival order; equal values either way).
*/
const duration = fc.oneof(
	fc.double({min: 0, max: 1e6, noNaN: true}).map((d) => (Object.is(d, -0) ? 0 : d)),
	fc.integer({min: 0, max: 4000}),
	// Millisecond durations: their sum depends on the order of addition (the mean must be summed in ascending order).
	fc.integer({min: 0, max: 10_000_000}).map((ms) => ms / 1000),
	fc.integer({min: 0, max: 10_000_000}).map((ms) => ms / 1000),
	fc.constantFrom(1799.999, 1800, 1800.001, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300),
);
/** Times from two days back to two minutes ahead, with the window's edges. */
const time = fc.oneof(fc.integer({min: NOW - 2 * 24 * HOUR, max: NOW + 120_000}), fc.constantFrom(NOW - HOUR, NOW - HOUR + 1, NOW + 60_000, NOW + 60_001, NOW - 24 * HOUR));
const completion = fc.record({durationSeconds: duration, timeMs: time});

describe('task figures, fast paths against the old computation', () => {
	it('taskAggregates equals the array-sort version', () => {
		fc.assert(
			fc.property(fc.array(completion, {maxLength: 300}), fc.constantFrom(1800, 600, 0.5), (recent, sla) => {
				expect(taskAggregates(recent, NOW, sla)).toEqual(referenceAggregates(recent, NOW, sla));
			}),
			{numRuns: 400},
		);
	});

	it('buildSnapshot: one scan for both windows equals systemFigures and slaBudget over their own scans', () => {
		fc.assert(
			fc.property(
				fc.array(completion, {maxLength: 200}),
				fc.constantFrom(24 * HOUR, HOUR, HOUR / 2, 60_000, 7 * 24 * HOUR),
				fc.array(fc.record({agent: fc.constantFrom('a', 'b', 'c'), busy: fc.boolean(), tasks: fc.integer({min: 0, max: 9})}), {maxLength: 6}),
				(completions, windowMs, agents) => {
					const store = new MetricsStore({completionsCapacity: 150}, () => NOW);
					for (const [i, c] of completions.entries()) {
						store.apply({kind: 'task', taskId: `t${i}`, status: 'done', agent: 'a', ...(Number.isNaN(c.durationSeconds) ? {} : {durationSeconds: c.durationSeconds}), timestamp: c.timeMs, timeMs: c.timeMs}, NOW);
					}
					for (const a of agents) store.apply({kind: 'agent', agentType: a.agent, status: a.busy ? 'busy' : 'idle', taskCount: a.tasks, timeMs: NOW}, NOW);
					const forecasts = {...DEFAULT_FORECASTS, sla: {...DEFAULT_FORECASTS.sla, windowMs, burnWindowMs: Math.min(windowMs, HOUR)}};
					const snap = buildSnapshot({store, host: 'h', instanceId: 'i', bus, forecasts}, NOW);
					// The plain path: records copied and sorted, no fast path of the store's ring.
					const figures = systemFigures({completionsSince: (since) => store.completionsSince(since), busyAgents: () => store.busyAgents()}, NOW);
					const budget = slaBudget(store.completionsSince(NOW - windowMs), NOW, forecasts.sla);
					expect(snap.tasks).toEqual({
						...figures.tasks,
						completedToday: store.completedToday,
						recent: store.completions.newest(50),
						lastHourDurations: figures.lastHourDurations,
						...(budget !== undefined ? {budget} : {}),
					});
					expect(snap.loadBalance).toEqual(figures.loadBalance);
				},
			),
			{numRuns: 200},
		);
	});

	it('the completion ring: its kept order gives the figures of a copy and a sort, through evictions, at any now', () => {
		fc.assert(
			fc.property(
				fc.array(completion, {maxLength: 300}),
				fc.constantFrom(1, 2, 7, 50, 400),
				fc.constantFrom(NOW, NOW - HOUR, NOW - 3 * HOUR, NOW - 24 * HOUR, NOW + 2 * HOUR),
				fc.constantFrom(1800, 600, 0.5),
				fc.boolean(),
				(completions, capacity, now, sla, timedOnly) => {
					const ring = new CompletionRing(capacity);
					for (const [i, c] of completions.entries()) ring.push({taskId: `t${i}`, agent: 'a', ...c});
					const kept = ring.toArray();
					const finite = kept.map((c) => c.durationSeconds).filter((d) => Number.isFinite(d));
					expect([...ring.columns().sorted]).toEqual([...Float64Array.from(finite).sort()]);
					const plain = referenceAggregates(timedOnly ? kept.filter((c) => Number.isFinite(c.durationSeconds)) : kept, now, sla);
					expect(ring.aggregates(now, sla, timedOnly)).toEqual(plain);
				},
			),
			{numRuns: 500},
		);
	});

	it('the completion ring against the plain path (typed-array sort) with -0 durations and NaN times: NaN times are in no window', () => {
		const signedDuration = fc.oneof(duration, fc.constantFrom(-0, 0, -0, 0));
		const ringTime = fc.oneof(time, fc.constant(Number.NaN));
		fc.assert(
			fc.property(
				fc.array(fc.record({durationSeconds: signedDuration, timeMs: ringTime}), {maxLength: 200}),
				fc.constantFrom(1, 3, 50, 400),
				fc.constantFrom(NOW, NOW - 3 * HOUR, NOW - 24 * HOUR),
				fc.boolean(),
				(completions, capacity, now, timedOnly) => {
					const ring = new CompletionRing(capacity);
					for (const [i, c] of completions.entries()) ring.push({taskId: `t${i}`, agent: 'a', ...c});
					// What completionsSince gave the plain path: never a NaN time (time >= since is false for it).
					const records = ring.toArray().filter((c) => c.timeMs >= Number.NEGATIVE_INFINITY && (!timedOnly || Number.isFinite(c.durationSeconds)));
					expect(ring.aggregates(now, 1800, timedOnly)).toEqual(taskAggregates(records, now, 1800));
					expect([...ring.columns().sorted]).toEqual([...Float64Array.from(ring.toArray().map((c) => c.durationSeconds).filter((d) => Number.isFinite(d))).sort()]);
				},
			),
			{numRuns: 400},
		);
	});

	it("the rules' input and the store give the figures the plain path gives (timed completions only for the rules)", () => {
		fc.assert(
			fc.property(fc.array(completion, {maxLength: 200}), fc.constantFrom(NOW, NOW - HOUR, NOW + HOUR), (completions, now) => {
				const store = new MetricsStore({completionsCapacity: 120}, () => NOW);
				for (const [i, c] of completions.entries()) {
					store.apply({kind: 'task', taskId: `t${i}`, status: 'done', agent: 'a', ...(Number.isNaN(c.durationSeconds) ? {} : {durationSeconds: c.durationSeconds}), timestamp: c.timeMs, timeMs: c.timeMs}, NOW);
				}
				const input = storeInput(store, now, new Map(), undefined);
				expect(systemFigures(input, now).tasks).toEqual(systemFigures({completionsSince: input.completionsSince, busyAgents: input.busyAgents}, now).tasks);
				expect(systemFigures(store, now).tasks).toEqual(referenceAggregates(store.completionsSince(-Infinity), now));
			}),
			{numRuns: 300},
		);
	});

	it('SortedDurations: adds and removes keep ascending order; removing a value not held changes nothing', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({min: 0, max: 20})), {maxLength: 200}), (ops) => {
				const sorted = new SortedDurations(1);
				const model: number[] = [];
				for (const [add, value] of ops) {
					if (add) {
						sorted.add(value);
						model.push(value);
					} else {
						const at = model.indexOf(value);
						expect(sorted.remove(value)).toBe(at >= 0);
						if (at >= 0) model.splice(at, 1);
					}
					expect([...sorted.sorted()]).toEqual([...model].sort((a, b) => a - b));
				}
			}),
			{numRuns: 300},
		);
	});

	it("the SLA rules read the store's columns as they read its records: sla_breach's samples, the budget forecast", () => {
		const rule = builtinRule('sla_breach')!;
		const samples = (input: RuleInput) => {
			const out: Array<Omit<RuleSample, 'message'> & {message: string}> = [];
			rule.evaluate({input, series: undefined as never, staleAfterMs: 0}, (sample) => out.push({...sample, message: typeof sample.message === 'function' ? sample.message() : sample.message}));
			return out;
		};
		fc.assert(
			fc.property(fc.array(completion, {maxLength: 200}), fc.constantFrom(NOW, NOW - 3 * HOUR, NOW + HOUR), fc.constantFrom(HOUR, 24 * HOUR), (completions, now, windowMs) => {
				const store = new MetricsStore({completionsCapacity: 150}, () => NOW);
				for (const [i, c] of completions.entries()) {
					store.apply({kind: 'task', taskId: `t${i}`, status: 'done', agent: 'a', ...(Number.isNaN(c.durationSeconds) ? {} : {durationSeconds: c.durationSeconds}), timestamp: c.timeMs, timeMs: c.timeMs}, NOW);
				}
				const input = storeInput(store, now, new Map(), undefined);
				const {completionColumns: _columns, taskAggregates: _aggregates, ...records} = input;
				expect(samples(input)).toEqual(samples(records));
				const sla = {...DEFAULT_FORECASTS.sla, windowMs};
				expect(slaBudgetOfColumns(completionColumns(input, now - windowMs), now, sla)).toEqual(slaBudget(input.completionsSince(now - windowMs), now, sla));
			}),
			{numRuns: 300},
		);
	});
});
