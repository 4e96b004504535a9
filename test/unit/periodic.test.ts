/**
Periodic timers in step (src/periodic.ts): with phasing on, timers asked for at different moments begin together at
the next whole second and then wake the process on the same passes; off, each is a plain setInterval.
*/
import {afterEach, describe, expect, it, vi} from 'vitest';
import {every, phasePeriodicTimers} from '../../src/periodic.js';

afterEach(() => {
	phasePeriodicTimers(false);
	vi.useRealTimers();
});

describe('every', () => {
	it('off: a plain interval from the moment it is asked for', () => {
		vi.useFakeTimers({now: 10_300});
		const runs: number[] = [];
		const timer = every(1000, () => runs.push(Date.now()));
		vi.advanceTimersByTime(3000);
		expect(runs).toEqual([11_300, 12_300, 13_300]);
		timer.stop();
		vi.advanceTimersByTime(3000);
		expect(runs).toHaveLength(3);
	});

	it('on: timers asked for at different moments run in the same wake-ups, on their periods\' grid, from a full period on', () => {
		vi.useFakeTimers({now: 10_300});
		phasePeriodicTimers(true);
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
		expect(at('a')).toEqual([12_000, 13_000]);
		expect(at('b')).toEqual([10_750, 11_000, 11_250, 11_500, 11_750, 12_000, 12_250, 12_500, 12_750, 13_000]);
		expect(at('c')).toEqual([11_500, 12_000, 12_500, 13_000]);
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
		vi.useFakeTimers({now: 20_900});
		phasePeriodicTimers(true);
		let stoppedRuns = 0;
		let runs = 0;
		every(1000, () => stoppedRuns++).stop();
		const kept = every(1000, () => runs++);
		vi.advanceTimersByTime(5000);
		expect(stoppedRuns).toBe(0);
		expect(runs).toBe(4);
		kept.stop();
		expect(vi.getTimerCount()).toBe(0);
	});
});
