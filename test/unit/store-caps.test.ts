/**
The store's cardinality caps under a long run: idle ids make room for live ones (never the other way round), a task
completion counts box-wide whatever its agent's place under the agent cap, and an idle agent is not busy. Every
message is accounted for: stored (whole or box-wide only), or refused and counted.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {type BusEvent} from '../../src/contract/events.js';
import {chooseEviction, IDLE_AFTER_MS, isLive} from '../../src/store/liveness.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {systemFigures} from '../../src/analysis/system-figures.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const DAY = 86_400_000;

const training = (projectId: string, timeMs: number, step = 1): BusEvent => ({kind: 'training', projectId, step, loss: 0.5, timestamp: timeMs, timeMs});
const done = (agent: string, timeMs: number, taskId = `t-${agent}-${timeMs}`): BusEvent => ({kind: 'task', taskId, status: 'done', agent, durationSeconds: 10, timestamp: timeMs, timeMs});
const status = (agentType: string, s: 'busy' | 'idle', taskCount: number, timeMs: number): BusEvent => ({kind: 'agent', agentType, status: s, taskCount, timeMs});

describe('liveness and the eviction choice (pure)', () => {
	it('live within the idle age, idle beyond it or never seen', () => {
		expect(isLive(NOW - IDLE_AFTER_MS, NOW)).toBe(true);
		expect(isLive(NOW - IDLE_AFTER_MS - 1, NOW)).toBe(false);
		expect(isLive(0, NOW)).toBe(false);
	});

	it('evicts the least recently seen idle id, never a live one; refuses with the time the answer can change', () => {
		expect(chooseEviction([['a', NOW - 2 * DAY], ['b', NOW - 3 * DAY], ['c', NOW]], NOW)).toEqual({evict: 'b'});
		expect(chooseEviction([['a', NOW - 5000], ['b', NOW - 1000]], NOW)).toEqual({refuseUntilMs: NOW - 5000 + IDLE_AFTER_MS});
		expect(chooseEviction([['x', 0], ['y', NOW - 2 * DAY]], NOW)).toEqual({evict: 'x'});
	});
});

describe('the project cap', () => {
	it('old projects (read back from Redis at start) make room for a live one: it is stored, the oldest evicted', () => {
		const store = new MetricsStore({maxProjects: 2}, () => NOW);
		store.apply(training('oldA', NOW - 3 * DAY), NOW - 3 * DAY);
		store.apply(training('oldB', NOW - 2 * DAY), NOW - 2 * DAY);
		for (let i = 1; i <= 3; i++) expect(store.apply(training('live', NOW, i), NOW)).toBe('stored');
		expect([...store.projects.keys()].sort()).toEqual(['live', 'oldB']);
		expect(store.counters.refusedBy.projects).toBe(0);
		expect(store.counters.evictedBy.projects).toBe(1);
		expect(store.projects.get('live')!.loss.length).toBe(3);
	});

	it('projects created by hydration (lastUpdatedMs set directly) age like the rest', () => {
		const store = new MetricsStore({maxProjects: 1}, () => NOW);
		const old = store.project('hydrated')!;
		old.loss.push(1, 0.3, NOW - 3 * DAY);
		old.lastUpdatedMs = NOW - 3 * DAY;
		expect(store.apply(training('live', NOW), NOW)).toBe('stored');
		expect([...store.projects.keys()]).toEqual(['live']);
	});

	it('when every project is live, a new one is refused and counted; none is evicted', () => {
		const store = new MetricsStore({maxProjects: 2}, () => NOW);
		store.apply(training('a', NOW - 1000), NOW);
		store.apply(training('b', NOW - 2000), NOW);
		expect(store.apply(training('c', NOW), NOW)).toBe('refused');
		expect(store.counters.refusedBy.projects).toBe(1);
		expect(store.counters.evictedBy.projects).toBe(0);
		// An hour later 'b' (the least recently seen) is idle and makes room.
		expect(store.apply(training('a', NOW + IDLE_AFTER_MS - 500), NOW + IDLE_AFTER_MS - 500)).toBe('stored');
		expect(store.apply(training('c', NOW + IDLE_AFTER_MS), NOW + IDLE_AFTER_MS)).toBe('stored');
		expect([...store.projects.keys()].sort()).toEqual(['a', 'c']);
	});

	it('a project that sends out of order keeps its newest time as last seen', () => {
		const store = new MetricsStore({maxProjects: 1}, () => NOW);
		store.apply(training('a', NOW), NOW);
		store.apply(training('a', NOW - 2 * DAY, 2), NOW);
		expect(store.apply(training('b', NOW), NOW)).toBe('refused');
	});
});

describe('the agent cap', () => {
	it('completions from agents over the cap still count box-wide; only their per-agent part is refused', () => {
		const store = new MetricsStore({maxAgents: 2}, () => NOW);
		store.apply(status('stale', 'idle', 0, NOW - 10 * 60_000), NOW);
		for (const a of ['a1', 'a2', 'a3', 'a4']) expect(store.apply(done(a, NOW), NOW)).toBe('stored');
		expect(store.completions.length).toBe(4);
		expect(store.completedToday).toBe(4);
		expect(systemFigures(store, NOW).tasks.throughputPerHour).toBe(4);
		expect(store.agents.size).toBe(2);
		expect(store.counters.partlyRefusedBy.agents).toBe(3);
		expect(store.counters.refusedBy.agents).toBe(0);
		expect(store.counters).toMatchObject({received: 5, stored: 5, refused: 0});
	});

	it('a task event with nothing box-wide (running) from an agent over the cap is refused whole', () => {
		const store = new MetricsStore({maxAgents: 1}, () => NOW);
		store.apply(status('a', 'busy', 1, NOW), NOW);
		expect(store.apply({kind: 'task', taskId: 't', status: 'running', agent: 'b', timestamp: NOW, timeMs: NOW}, NOW)).toBe('refused');
		expect(store.counters.refusedBy.agents).toBe(1);
	});

	it('an idle agent makes room for a new one, its load history going with it', () => {
		const store = new MetricsStore({maxAgents: 1}, () => NOW);
		store.apply(status('ghost', 'busy', 7, NOW - DAY), NOW);
		expect(store.apply(status('new', 'busy', 1, NOW), NOW)).toBe('stored');
		expect([...store.agents.keys()]).toEqual(['new']);
		expect(store.agentLoad.has('ghost')).toBe(false);
		expect(store.counters.evictedBy.agents).toBe(1);
	});
});

describe('idle agents', () => {
	it('an agent whose last status (busy) is a day old is not busy, nor in the load variance', () => {
		const store = new MetricsStore({}, () => NOW);
		store.apply(status('ghost', 'busy', 7, NOW - DAY), NOW);
		store.apply(status('a', 'busy', 2, NOW), NOW);
		store.apply(status('b', 'busy', 2, NOW), NOW);
		expect(store.busyAgents(NOW)).toEqual([
			{agent: 'a', currentTasks: 2},
			{agent: 'b', currentTasks: 2},
		]);
		const figures = systemFigures(store, NOW);
		expect(figures.busyAgents).toBe(2);
		expect(figures.loadBalance.variancePercent).toBe(0);
	});

	it('an agent read back from Redis at start (no time stamp) counts from when it was read, for the idle age', () => {
		const store = new MetricsStore({}, () => NOW);
		const hydrated = store.agent('from-redis')!;
		hydrated.status = 'busy';
		hydrated.currentTasks = 3;
		hydrated.readBackMs = NOW;
		expect(store.busyAgents(NOW + IDLE_AFTER_MS)).toEqual([{agent: 'from-redis', currentTasks: 3}]);
		expect(store.busyAgents(NOW + IDLE_AFTER_MS + 1)).toEqual([]);
	});
});

const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
const arbEvent = fc.oneof(
	fc.record({kind: fc.constant('training' as const), id: fc.constantFrom(...ids), ageMs: fc.integer({min: 0, max: 3 * DAY})}),
	fc.record({kind: fc.constant('agent' as const), id: fc.constantFrom(...ids), ageMs: fc.integer({min: 0, max: 3 * DAY}), busy: fc.boolean()}),
	fc.record({kind: fc.constant('task' as const), id: fc.constantFrom(...ids), ageMs: fc.integer({min: 0, max: 3 * DAY}), status: fc.constantFrom('done', 'failed', 'running')}),
);

describe('every message is accounted for (property)', () => {
	it('stored or refused and counted; box-wide completions whatever the agent cap; caps held; live ids never evicted', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 1, max: 3}),
				fc.integer({min: 1, max: 3}),
				fc.array(fc.tuple(arbEvent, fc.integer({min: 0, max: 2 * IDLE_AFTER_MS})), {maxLength: 80}),
				(maxProjects, maxAgents, steps) => {
					let now = NOW;
					const store = new MetricsStore({maxProjects, maxAgents}, () => now);
					let stored = 0;
					let refused = 0;
					let completions = 0;
					for (const [e, advance] of steps) {
						now += advance;
						const timeMs = now - e.ageMs;
						const event: BusEvent =
							e.kind === 'training'
								? training(e.id, timeMs)
								: e.kind === 'agent'
									? status(e.id, e.busy ? 'busy' : 'idle', 1, timeMs)
									: {kind: 'task', taskId: 't', status: e.status, agent: e.id, durationSeconds: 1, timestamp: timeMs, timeMs};
						const projectsBefore = new Map([...store.projects].map(([id, s]) => [id, s.lastSeenMs]));
						const agentsBefore = new Map([...store.agents].map(([id, a]) => [id, a.lastSeenMs]));
						const outcome = store.apply(event, now);
						if (outcome === 'stored') stored += 1;
						else refused += 1;
						if (e.kind === 'task' && e.status === 'done') {
							// A completion is never refused: it reaches the box-wide figures.
							expect(outcome).toBe('stored');
							completions += 1;
						}
						// An id that went away was idle when the new one came.
						for (const [id, seen] of projectsBefore) if (!store.projects.has(id)) expect(isLive(seen, now)).toBe(false);
						for (const [id, seen] of agentsBefore) if (!store.agents.has(id)) expect(isLive(seen, now)).toBe(false);
						expect(store.projects.size).toBeLessThanOrEqual(maxProjects);
						expect(store.agents.size).toBeLessThanOrEqual(maxAgents);
						expect(store.agentLoad.size).toBeLessThanOrEqual(store.agents.size);
					}
					const c = store.counters;
					expect(c.received).toBe(steps.length);
					expect(c.received).toBe(c.stored + c.rejected + c.refused);
					expect([c.stored, c.refused]).toEqual([stored, refused]);
					expect(c.refused).toBe(c.refusedBy.projects + c.refusedBy.agents + c.refusedBy.workflowSteps);
					expect(store.completions.length).toBe(completions);
				},
			),
			{numRuns: 300},
		);
	});
});
