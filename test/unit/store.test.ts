import {describe, expect, it, vi} from 'vitest';
import {NumericRing, ObjectRing} from '../../src/store/ring-buffer.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {buildSnapshot, SnapshotPublisher, snapshotToJson} from '../../src/store/snapshot.js';
import {type BusStatus} from '../../src/bus/bus-manager.js';

const T = Date.parse('2026-11-29T12:00:00Z');
const bus = (): BusStatus => ({kind: 'embedded', url: undefined, connection: undefined, role: 'standalone', hostWriter: true, reconnects: 0, takeovers: 0, summary: 'embedded'});

describe('NumericRing', () => {
	it('keeps the newest points, oldest first, within its capacity', () => {
		const ring = new NumericRing(3);
		for (let i = 1; i <= 5; i++) ring.push(i, i * 10, T + i);
		expect(ring.length).toBe(3);
		expect(ring.tailValues(10)).toEqual([30, 40, 50]);
		expect(ring.tail(2)).toEqual([
			{x: 4, value: 40, timeMs: T + 4},
			{x: 5, value: 50, timeMs: T + 5},
		]);
		expect(ring.lastValue()).toBe(50);
		expect(ring.valuesSince(T + 4)).toEqual([40, 50]);
	});

	it('keeps NaN as data', () => {
		const ring = new NumericRing(2);
		ring.push(1, Number.NaN, T);
		expect(Number.isNaN(ring.lastValue())).toBe(true);
	});

	it('refuses a nonsense capacity', () => {
		expect(() => new NumericRing(0)).toThrow(RangeError);
	});
});

describe('ObjectRing', () => {
	it('returns newest first and scans back while a condition holds', () => {
		const ring = new ObjectRing<number>(4);
		for (let i = 1; i <= 6; i++) ring.push(i);
		expect(ring.newest(2)).toEqual([6, 5]);
		expect(ring.toArray()).toEqual([3, 4, 5, 6]);
		expect(ring.newestWhile((n) => n > 4)).toEqual([6, 5]);
	});
});

describe('MetricsStore', () => {
	it('stores training, tasks and agents, and counts completions per day', () => {
		const store = new MetricsStore();
		store.apply({kind: 'training', projectId: 'p', step: 1, loss: 2, wer: 0.5, timestamp: T, timeMs: T});
		store.apply({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 100, timestamp: T, timeMs: T});
		store.apply({kind: 'task', taskId: 't2', status: 'failed', agent: 'a', timestamp: T, timeMs: T});
		store.apply({kind: 'agent', agentType: 'a', status: 'busy', taskCount: 3, timeMs: T});
		expect(store.projects.get('p')?.loss.lastValue()).toBe(2);
		expect(store.projects.get('p')?.wer?.lastValue()).toBe(0.5);
		expect(store.agents.get('a')).toMatchObject({status: 'busy', currentTasks: 3, completed: 1, failed: 1, totalDurationSeconds: 100});
		expect(store.completedToday).toBe(1);
		expect(store.counters).toMatchObject({received: 4, stored: 4, rejected: 0});
	});

	it('refuses new names beyond the cardinality cap and counts them while every name is live', () => {
		const store = new MetricsStore({maxProjects: 2, seriesCapacity: 4}, () => T);
		for (let i = 0; i < 5; i++) store.apply({kind: 'training', projectId: `p${i}`, step: 1, loss: 1, timestamp: T, timeMs: T});
		expect(store.projects.size).toBe(2);
		expect(store.counters.refused).toBe(3);
		expect(store.counters.refusedBy.projects).toBe(3);
		// A known name still gets through.
		expect(store.apply({kind: 'training', projectId: 'p0', step: 2, loss: 1, timestamp: T, timeMs: T})).toBe('stored');
	});

	it('counts rejects by reason', () => {
		const store = new MetricsStore();
		store.recordReject('c', 'not JSON', T);
		store.recordReject('c', 'not JSON', T);
		expect(store.counters.rejected).toBe(2);
		expect(store.counters.rejectReasons.get('not JSON')).toBe(2);
		expect(store.recentRejects.newest(1)[0]).toEqual({timeMs: T, channel: 'c', reason: 'not JSON'});
	});
});

describe('snapshots', () => {
	it('summarise projects, tasks and agents; JSON keeps NaN', () => {
		const store = new MetricsStore();
		for (let i = 0; i < 20; i++) store.apply({kind: 'training', projectId: 'p', step: i, loss: 10 - i * 0.5, timestamp: T, timeMs: T});
		store.apply({kind: 'training', projectId: 'q', step: 1, loss: Number.NaN, timestamp: T, timeMs: T});
		for (const d of [600, 1200, 2400]) store.apply({kind: 'task', taskId: `t${d}`, status: 'done', agent: 'a', durationSeconds: d, timestamp: T, timeMs: T - 1000});
		const snap = buildSnapshot({store, host: 'h', instanceId: 'i', bus}, T);
		expect(snap.training.map((p) => p.projectId)).toEqual(['p', 'q']);
		expect(snap.training[0]!.analysis.trend).toBe('improving');
		expect(snap.tasks.throughputPerHour).toBe(3);
		expect(snap.tasks.slaCompliancePercent).toBeCloseTo(66.67, 1);
		expect(JSON.parse(snapshotToJson(snap)).training[1].lastLoss).toBe('NaN');
	});

	it('publishes only when the store changed (or a second passed)', () => {
		const store = new MetricsStore();
		let now = T;
		const publisher = new SnapshotPublisher((n) => buildSnapshot({store, host: 'h', instanceId: 'i', bus}, n), () => store.version, 10, () => now);
		let notified = 0;
		publisher.subscribe(() => notified++);
		publisher.tick();
		expect(notified).toBe(0);
		store.apply({kind: 'training', projectId: 'p', step: 1, loss: 1, timestamp: T, timeMs: T});
		publisher.tick();
		expect(notified).toBe(1);
		now += 1500;
		publisher.tick();
		expect(notified).toBe(2);
	});

	it('ticks on a timer only while started and listened to: with nobody listening (headless) no timer wakes the process', () => {
		vi.useFakeTimers();
		try {
			const store = new MetricsStore();
			const publisher = new SnapshotPublisher((n) => buildSnapshot({store, host: 'h', instanceId: 'i', bus}, n), () => store.version, 10);
			publisher.start();
			expect(vi.getTimerCount()).toBe(0);
			let notified = 0;
			const unsubscribe = publisher.subscribe(() => notified++);
			expect(vi.getTimerCount()).toBe(1);
			store.apply({kind: 'training', projectId: 'p', step: 1, loss: 1, timestamp: T, timeMs: T});
			vi.advanceTimersByTime(100);
			expect(notified).toBe(1);
			// Unchanged: once a second.
			vi.advanceTimersByTime(1000);
			expect(notified).toBe(2);
			unsubscribe();
			expect(vi.getTimerCount()).toBe(0);
			store.apply({kind: 'training', projectId: 'p', step: 2, loss: 1, timestamp: T, timeMs: T});
			vi.advanceTimersByTime(2000);
			expect(notified).toBe(2);
			// Listened to again: ticks again; stopped: no timer, whoever listens.
			publisher.subscribe(() => notified++);
			vi.advanceTimersByTime(100);
			expect(notified).toBe(3);
			publisher.stop();
			expect(vi.getTimerCount()).toBe(0);
			vi.advanceTimersByTime(5000);
			expect(notified).toBe(3);
			// Not started: subscribing starts no timer.
			const idle = new SnapshotPublisher((n) => buildSnapshot({store, host: 'h', instanceId: 'i', bus}, n), () => store.version, 10);
			idle.subscribe(() => notified++);
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			vi.useRealTimers();
		}
	});
});

describe('the snapshot tick on the shared schedule', () => {
	it('an unchanged snapshot is still rebuilt once a second when its tick comes a few milliseconds early', () => {
		const store = new MetricsStore();
		let now = 5_000_000;
		const publisher = new SnapshotPublisher((n) => buildSnapshot({store, host: 'h', instanceId: 'i', bus}, n), () => store.version, 1, () => now);
		let notified = 0;
		publisher.subscribe(() => notified++);
		now += 998;
		publisher.tick();
		expect(notified).toBe(1);
		now += 500;
		publisher.tick();
		expect(notified).toBe(1);
	});

	it('at the default refresh it runs on the whole seconds with the other periodic work: one timer for both', async () => {
		const {every, phasePeriodicTimers} = await import('../../src/periodic.js');
		vi.useFakeTimers();
		vi.setSystemTime(1_000_000_250);
		phasePeriodicTimers(true);
		try {
			const store = new MetricsStore();
			const publisher = new SnapshotPublisher((n) => buildSnapshot({store, host: 'h', instanceId: 'i', bus}, n), () => store.version, 1);
			publisher.start();
			const builtAt: number[] = [];
			const order: string[] = [];
			publisher.subscribe(() => {
				builtAt.push(Date.now());
				order.push('snapshot');
			});
			// Asked for after the publisher's tick, as the rules' tick is in the dashboard: it still runs first in the pass.
			const jobTimes: number[] = [];
			const job = every(1000, () => {
				jobTimes.push(Date.now());
				order.push('rules');
				store.apply({kind: 'training', projectId: 'p', step: jobTimes.length + 1, loss: 1, timestamp: T, timeMs: T});
			});
			// The rules' tick and the snapshot's: one timer wakes the process for both.
			expect(vi.getTimerCount()).toBe(1);
			store.apply({kind: 'training', projectId: 'p', step: 1, loss: 1, timestamp: T, timeMs: T});
			vi.advanceTimersByTime(3000);
			expect(jobTimes).toEqual([1_000_001_000, 1_000_002_000, 1_000_003_000]);
			expect(builtAt.length).toBeGreaterThanOrEqual(1);
			for (const t of builtAt) expect(t % 1000).toBe(0);
			expect(order).toEqual(['rules', 'snapshot', 'rules', 'snapshot', 'rules', 'snapshot']);
			job.stop();
			publisher.stop();
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			phasePeriodicTimers(false);
			vi.useRealTimers();
		}
	});
});

describe('completed_today', () => {
	const done = (timeMs: number) => ({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 1, timestamp: timeMs, timeMs}) as const;

	it('counts per local day of the receive clock, resets at midnight, and counts a completion stamped yesterday today', () => {
		const store = new MetricsStore();
		const evening = new Date(2026, 10, 29, 23, 59, 0).getTime();
		const morning = new Date(2026, 10, 30, 0, 1, 0).getTime();
		store.apply(done(evening), evening);
		store.apply(done(evening + 1000), evening + 1000);
		expect(store.completedToday).toBe(2);
		store.apply(done(morning), morning);
		expect(store.completedToday).toBe(1);
		// Received this morning, stamped last night: it is in today's list, so it is in today's count too.
		store.apply(done(evening + 2000), morning + 1000);
		expect(store.completedToday).toBe(2);
		expect(store.counters.time.completionsStampedEarlier).toBe(1);
	});

	it('a completion stamped years ahead never moves the day: later completions still count (issue 10)', () => {
		let clock = new Date(2026, 10, 29, 12, 0, 0).getTime();
		const store = new MetricsStore({}, () => clock);
		store.apply(done(Date.UTC(2031, 0, 1)));
		store.apply(done(clock));
		clock += 60_000;
		store.apply(done(clock));
		expect(store.completedToday).toBe(3);
		expect(store.completedDay).toBe('2026-11-29');
		clock = new Date(2026, 10, 30, 0, 0, 1).getTime();
		store.rollDay(clock);
		expect(store.completedToday).toBe(0);
	});
});

describe('completed_today across restarts and midnight', () => {
	it('keeps the count read back at start and adds to it', () => {
		const store = new MetricsStore();
		const now = new Date(2026, 10, 29, 15, 0, 0).getTime();
		store.hydrateCompletedToday(50, now);
		store.apply({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 1, timestamp: now, timeMs: now}, now + 1000);
		expect(store.completedToday).toBe(51);
	});

	it('starts again at 0 at local midnight by the clock, without waiting for a completion', () => {
		const store = new MetricsStore();
		store.hydrateCompletedToday(7, new Date(2026, 10, 29, 23, 0, 0).getTime());
		store.rollDay(new Date(2026, 10, 29, 23, 59, 0).getTime());
		expect(store.completedToday).toBe(7);
		store.rollDay(new Date(2026, 10, 30, 0, 0, 1).getTime());
		expect(store.completedToday).toBe(0);
	});
});
