/**
Periodic timers in step (src/periodic.ts): with phasing on, timers asked for at different moments begin together on
their grid within one period and then wake the process on the same passes; off, each is a plain setInterval.
*/
import {afterEach, describe, expect, it, vi} from 'vitest';
import {every, onEachPass, periodicTimersPhased, phasePeriodicTimers} from '../../src/periodic.js';

afterEach(() => {
	phasePeriodicTimers(false);
	vi.useRealTimers();
});

/** Fake timers whose clock starts at `now` (ms since the epoch), with periodic timers phased (on) or plain (off). */
function fakeClock(now: number, phased: boolean): void {
	vi.useFakeTimers({now});
	phasePeriodicTimers(phased);
}

/** A job every `periodMs` that records the times it ran. */
function recordedJob(periodMs: number): {readonly runs: number[]; stop(): void} {
	const runs: number[] = [];
	const timer = every(periodMs, () => runs.push(Date.now()));
	return {runs, stop: () => timer.stop()};
}

/** The time between each two runs in a row. */
function gaps(runs: readonly number[]): number[] {
	return runs.slice(1).map((r, i) => r - runs[i]!);
}

describe('every', () => {
	it('off: a plain interval from the moment it is asked for', () => {
		fakeClock(10_300, false);
		const {runs, stop} = recordedJob(1000);
		vi.advanceTimersByTime(3000);
		expect(runs).toEqual([11_300, 12_300, 13_300]);
		stop();
		vi.advanceTimersByTime(3000);
		expect(runs).toHaveLength(3);
	});

	it('on: timers asked for at different moments run in the same wake-ups, on their periods\' grid, the first within one period', () => {
		fakeClock(10_300, true);
		const runs: Array<[string, number]> = [];
		const a = every(1000, () => runs.push(['a', Date.now()]));
		vi.advanceTimersByTime(170);
		const b = every(250, () => runs.push(['b', Date.now()]));
		vi.advanceTimersByTime(290);
		const c = every(500, () => runs.push(['c', Date.now()]), false);
		// One timer for all of them, whatever their number.
		expect(vi.getTimerCount()).toBe(1);
		vi.advanceTimersByTime(13_000 - Date.now());
		const at = (name: string) => runs.filter(([n]) => n === name).map(([, t]) => t);
		expect(at('a')).toEqual([11_000, 12_000, 13_000]);
		expect(at('b')).toEqual([10_500, 10_750, 11_000, 11_250, 11_500, 11_750, 12_000, 12_250, 12_500, 12_750, 13_000]);
		expect(at('c')).toEqual([11_000, 11_500, 12_000, 12_500, 13_000]);
		expect(vi.getTimerCount()).toBe(1);
		b.stop();
		// Without the 250 ms one, the process wakes only on the half seconds.
		runs.length = 0;
		vi.advanceTimersByTime(2000);
		expect(runs.map(([, t]) => t)).toEqual([13_500, 14_000, 14_000, 14_500, 15_000, 15_000]);
		a.stop();
		c.stop();
		expect(vi.getTimerCount()).toBe(0);
	});

	it('on: a timer stopped before it began never runs, and the others still begin', () => {
		fakeClock(20_900, true);
		let stoppedRuns = 0;
		let runs = 0;
		every(1000, () => stoppedRuns++).stop();
		const kept = every(1000, () => runs++);
		vi.advanceTimersByTime(5000);
		expect(stoppedRuns).toBe(0);
		expect(runs).toBe(5);
		kept.stop();
		expect(vi.getTimerCount()).toBe(0);
	});
});

// A reviewer's cases: periods off the one-second grid, a late pass, the first run of a long period, and the
// first heartbeat (the bus line said "data stale" at start when it came a period late).
describe('every, on: each job keeps its own period', () => {
	it('a 300 ms job runs every 300 ms (alerting.evaluationInterval: 300ms)', () => {
		fakeClock(10_000, true);
		const {runs, stop} = recordedJob(300);
		vi.advanceTimersByTime(3000);
		stop();
		// a plain setInterval gives 10 runs in 3 s
		expect(runs.length).toBeGreaterThanOrEqual(8);
	});

	it('a 1500 ms job runs every 1500 ms, not every 1000 ms', () => {
		fakeClock(10_000, true);
		const {runs, stop} = recordedJob(1500);
		vi.advanceTimersByTime(9000);
		stop();
		expect(gaps(runs).every((g) => g >= 1500)).toBe(true);
	});

	it('a late pass does not run a job twice back to back (doc: "A run that comes late does not run twice")', () => {
		fakeClock(10_000, true);
		const slow = every(1000, () => vi.setSystemTime(Date.now() + 600)); // a 600 ms synchronous job (rules evaluate)
		const beat = recordedJob(250);
		vi.advanceTimersByTime(1200);
		slow.stop();
		beat.stop();
		expect(gaps(beat.runs).filter((g) => g < 50)).toEqual([]);
	});

	it('a 5 min job (seed-writer rankings) first runs within one period of start', () => {
		fakeClock(1_000, true);
		const {runs, stop} = recordedJob(300_000);
		vi.advanceTimersByTime(300_000);
		stop();
		expect(runs).toEqual([301_000]);
	});
});

describe('every, on: a job asked to run last', () => {
	it('runs after the other jobs due in the same pass, whichever was asked for first', () => {
		fakeClock(20_000_250, true);
		const order: string[] = [];
		const frame = every(1000, () => order.push('frame'), true, true);
		const rules = every(1000, () => order.push('rules'));
		const poll = every(500, () => order.push('poll'));
		vi.advanceTimersByTime(1000);
		// 20_000_500: the poll alone; 20_001_000: all three, the others in the order asked for, the frame last.
		expect(order).toEqual(['poll', 'rules', 'poll', 'frame']);
		frame.stop();
		rules.stop();
		poll.stop();
	});
});

describe('onEachPass (the nvidia-smi children read at the passes: gpu/stream-on-passes.ts)', () => {
	it('runs first in each pass, before the jobs due, with a pass every second while it is on even without jobs', () => {
		fakeClock(10_300, true);
		expect(periodicTimersPhased()).toBe(true);
		const order: Array<[string, number]> = [];
		const stopOpen = onEachPass(() => order.push(['open', Date.now()]));
		vi.advanceTimersByTime(2000 - 300);
		// No job of its own asked for: still a pass on each whole second.
		expect(order).toEqual([
			['open', 11_000],
			['open', 12_000],
		]);
		order.length = 0;
		const job = every(1000, () => order.push(['job', Date.now()]));
		vi.advanceTimersByTime(2000);
		expect(order).toEqual([
			['open', 13_000],
			['job', 13_000],
			['open', 14_000],
			['job', 14_000],
		]);
		order.length = 0;
		stopOpen();
		vi.advanceTimersByTime(1000);
		expect(order).toEqual([['job', 15_000]]);
		job.stop();
		// Stopped, it leaves nothing on the schedule: no timer left.
		expect(vi.getTimerCount()).toBe(0);
	});

	it('an opener that throws does not stop the pass\'s jobs', () => {
		fakeClock(10_300, true);
		const runs: number[] = [];
		const errors: unknown[] = [];
		const stopOpen = onEachPass(() => {
			throw new Error('read failed');
		});
		const job = every(1000, () => runs.push(Date.now()));
		const queued = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
			try {
				fn();
			} catch (error) {
				errors.push(error);
			}
		});
		vi.advanceTimersByTime(700);
		queued.mockRestore();
		expect(runs).toEqual([11_000]);
		expect(errors).toHaveLength(1);
		stopOpen();
		job.stop();
	});
});
