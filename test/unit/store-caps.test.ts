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

	it('projects created by hydration (last seen: their newest entry read back) age like the rest', () => {
		const store = new MetricsStore({maxProjects: 1}, () => NOW);
		const old = store.project('hydrated', NOW, false)!;
		old.loss.push(1, 0.3, NOW - 3 * DAY);
		old.readBack(NOW - 3 * DAY, NOW);
		expect(store.apply(training('live', NOW), NOW)).toBe('stored');
		expect([...store.projects.keys()]).toEqual(['live']);
	});

	it('when every project is live, a new one is refused and counted; none is evicted', () => {
		const store = new MetricsStore({maxProjects: 2}, () => NOW);
		store.apply(training('b', NOW - 2000), NOW - 2000);
		store.apply(training('a', NOW - 1000), NOW - 1000);
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
		expect(store.apply(done('a1', NOW), NOW)).toBe('stored');
		for (const a of ['a2', 'a3', 'a4']) expect(store.apply(done(a, NOW), NOW)).toBe('stored-box-wide');
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
		store.apply(status('ghost', 'busy', 7, NOW - DAY), NOW - DAY);
		expect(store.apply(status('new', 'busy', 1, NOW), NOW)).toBe('stored');
		expect([...store.agents.keys()]).toEqual(['new']);
		expect(store.agentLoad.has('ghost')).toBe(false);
		expect(store.counters.evictedBy.agents).toBe(1);
	});
});

describe('idle agents', () => {
	it('an agent whose last status (busy) came a day ago is not busy, nor in the load variance', () => {
		const store = new MetricsStore({}, () => NOW);
		store.apply(status('ghost', 'busy', 7, NOW - DAY), NOW - DAY);
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
						if (outcome === 'refused') refused += 1;
						else stored += 1;
						if (e.kind === 'task' && e.status === 'done') {
							// A completion is never refused: it reaches the box-wide figures.
							expect(outcome).not.toBe('refused');
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

describe('second hostile review', () => {
	it('a completion from an agent over the cap is stored box-wide only: the outcome says so (the writer leaves its keys alone)', () => {
		const store = new MetricsStore({maxAgents: 1}, () => NOW);
		store.apply(status('live', 'busy', 1, NOW), NOW);
		expect(store.apply(done('spam', NOW), NOW)).toBe('stored-box-wide');
		expect(store.apply(done('live', NOW), NOW)).toBe('stored');
		expect(store.counters).toMatchObject({stored: 3, refused: 0});
	});

	it('agents known only from the keys read back at start never keep a live agent out: evicted at once, first', () => {
		const store = new MetricsStore({maxAgents: 3}, () => NOW);
		store.apply(status('heard', 'idle', 0, NOW - 2 * 60 * 60_000), NOW - 2 * 60 * 60_000);
		for (const name of ['left1', 'left2']) {
			const a = store.agent(name, NOW, false)!;
			a.status = 'busy';
			a.currentTasks = 2;
			a.readBackMs = NOW;
		}
		// For the busy figures the read-back time still counts: a restart does not make every busy agent idle.
		expect(store.busyAgents(NOW).map((b) => b.agent)).toEqual(['left1', 'left2']);
		// For eviction it does not: the read-back ones go first (oldest first), before an idle agent heard since start.
		expect(store.apply(status('new1', 'busy', 1, NOW), NOW)).toBe('stored');
		expect([...store.agents.keys()]).toEqual(['heard', 'left2', 'new1']);
		expect(store.apply(status('new2', 'busy', 1, NOW), NOW)).toBe('stored');
		expect([...store.agents.keys()]).toEqual(['heard', 'new1', 'new2']);
		expect(store.apply(status('new3', 'busy', 1, NOW), NOW)).toBe('stored');
		expect([...store.agents.keys()].sort()).toEqual(['new1', 'new2', 'new3']);
		expect(store.counters.evictedBy.agents).toBe(3);
		expect(store.counters.refusedBy.agents).toBe(0);
	});

	it('idle goes by the receive clock: a trainer whose stamps run two hours behind stays live while it sends', () => {
		const store = new MetricsStore({maxProjects: 1}, () => NOW);
		const behind = NOW - 2 * 60 * 60_000;
		store.apply(training('late-clock', behind), NOW);
		expect(store.isLive(store.projects.get('late-clock')!.lastSeenMs, NOW)).toBe(true);
		expect(store.apply(training('other', NOW), NOW)).toBe('refused');
		expect(store.counters.evictedBy.projects).toBe(0);
		store.apply(status('late-agent', 'busy', 1, behind), NOW);
		expect(store.busyAgents(NOW)).toEqual([{agent: 'late-agent', currentTasks: 1}]);
	});

	it("a project's last-seen time never moves backwards, whatever the path: messages, read back, a clock stepped back (property)", () => {
		const step = fc.oneof(
			fc.record({kind: fc.constant('message' as const), stampAgo: fc.integer({min: -60_000, max: 3 * DAY}), receivedDelta: fc.integer({min: -DAY, max: DAY})}),
			fc.record({kind: fc.constant('readBack' as const), stampAgo: fc.integer({min: -60_000, max: 3 * DAY})}),
		);
		fc.assert(
			fc.property(fc.array(step, {minLength: 1, maxLength: 40}), (steps) => {
				let now = NOW;
				const store = new MetricsStore({}, () => now);
				let last = 0;
				for (const s of steps) {
					if (s.kind === 'message') {
						now += s.receivedDelta;
						store.apply(training('p', now - s.stampAgo), now);
					} else store.project('p', now, false)!.readBack(now - s.stampAgo, now);
					const seen = store.projects.get('p')!.lastSeenMs;
					expect(seen).toBeGreaterThanOrEqual(last);
					expect(seen).toBeLessThanOrEqual(Math.max(last, now));
					last = seen;
				}
			}),
			{numRuns: 300},
		);
	});

	it('a project read back at start is not made idle by a later message stamped earlier (then evicted)', () => {
		let now = NOW;
		const store = new MetricsStore({maxProjects: 1}, () => now);
		store.project('restored', NOW, false)!.readBack(NOW - 60_000, NOW);
		now += 60_000;
		store.apply(training('restored', NOW - 2 * 60 * 60_000), now);
		expect(store.apply(training('newcomer', now), now)).toBe('refused');
		expect([...store.projects.keys()]).toEqual(['restored']);
	});

	it('the generation changes when an id is added or evicted, even with the counts unchanged', () => {
		const store = new MetricsStore({maxProjects: 1}, () => NOW);
		store.apply(training('old', NOW - DAY), NOW - DAY);
		const before = store.generation;
		store.apply(training('old', NOW - DAY, 2), NOW - DAY);
		expect(store.generation).toBe(before);
		store.apply(training('fresh', NOW), NOW);
		expect(store.projects.size).toBe(1);
		expect(store.generation).not.toBe(before);
	});
});
