/**
The host reading on the GPU frame's tick (gpu/frame-ticks.ts, HostSampler.frameTick): while frames come, the
sampler's timer reads nothing of its own (one reading per frame, not two a period); when they stop, the timer reads
again within two and a half periods; and the timer itself (FrameCoveredTimer) is a job on the shared schedule
(periodic.ts), so it wakes the process only when the whole-second work does.
*/
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {FrameCoveredTimer} from '../../src/gpu/frame-ticks.js';
import {HostSampler} from '../../src/host/host-sampler.js';

const PROC = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'proc', 'a');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('frame ticks', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	it('run the timer\'s work every period without frames, never while frames come, and again within two and a half periods once they stop', () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance']});
		const runs: number[] = [];
		const timer = new FrameCoveredTimer(1000, () => runs.push(Date.now()));
		const t0 = Date.now();
		timer.start();
		vi.advanceTimersByTime(3000);
		expect(runs.map((t) => t - t0)).toEqual([1000, 2000, 3000]);
		// Frames every period (some late, up to 1.4 periods apart) for 20 s: the timer runs nothing.
		runs.length = 0;
		for (let i = 0; i < 20; i++) {
			timer.frame();
			vi.advanceTimersByTime(i % 5 === 0 ? 1400 : 1000);
		}
		expect(runs).toEqual([]);
		expect(vi.getTimerCount()).toBe(1);
		// The frames stop: at its first tick one and a half periods or more after the last (within two and a half), then
		// every period.
		timer.frame();
		const lastFrame = Date.now();
		vi.advanceTimersByTime(4600);
		const after = runs.map((t) => t - lastFrame);
		expect(after[0]).toBeGreaterThanOrEqual(1500);
		expect(after[0]).toBeLessThanOrEqual(2500);
		expect(after.slice(1)).toEqual(after.slice(1).map((_, i) => after[0]! + 1000 * (i + 1)));
		expect(after.length).toBeGreaterThanOrEqual(3);
		// Frames again: it stands back again.
		runs.length = 0;
		for (let i = 0; i < 5; i++) {
			timer.frame();
			vi.advanceTimersByTime(1000);
		}
		expect(runs).toEqual([]);
		timer.stop();
		expect(vi.getTimerCount()).toBe(0);
		// Stopped: a frame arms nothing.
		timer.frame();
		vi.advanceTimersByTime(5000);
		expect(runs).toEqual([]);
		expect(vi.getTimerCount()).toBe(0);
	});

	it('the host sampler reads on frames, its timer standing back, and on its own once frames stop', {retry: 2}, async () => {
		const sampler = new HostSampler({procRoot: PROC, paths: [], intervalMs: 250});
		await sampler.start(10);
		try {
			const atStart = sampler.stats.readings;
			// Frames every 250 ms for 2 s: 8 readings, the timer's none (a reading for each would make 16).
			for (let i = 0; i < 8; i++) {
				sampler.frameTick();
				await sleep(250);
			}
			const duringFrames = sampler.stats.readings - atStart;
			expect(duringFrames).toBeGreaterThanOrEqual(7);
			expect(duringFrames).toBeLessThanOrEqual(10);
			// No more frames: the timer reads again (within 2.5 periods), about one a period.
			const stopped = sampler.stats.readings;
			await sleep(1500);
			const after = sampler.stats.readings - stopped;
			expect(after).toBeGreaterThanOrEqual(3);
			expect(after).toBeLessThanOrEqual(6);
		} finally {
			sampler.stop();
		}
		// Stopped: a frame tick reads nothing.
		const readings = sampler.stats.readings;
		sampler.frameTick();
		await sleep(20);
		expect(sampler.stats.readings).toBe(readings);
	});

	it('on the shared schedule its job and the whole-second work wake the process together: one timer for both', async () => {
		const {every, phasePeriodicTimers} = await import('../../src/periodic.js');
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance']});
		vi.setSystemTime(2_000_000_300);
		phasePeriodicTimers(true);
		try {
			const rules = every(1000, () => undefined);
			const runs: number[] = [];
			const timer = new FrameCoveredTimer(1000, () => runs.push(Date.now()));
			timer.start();
			expect(vi.getTimerCount()).toBe(1);
			vi.advanceTimersByTime(2000);
			// On the whole seconds.
			expect(runs).toEqual([2_000_001_000, 2_000_002_000]);
			for (let i = 0; i < 5; i++) {
				timer.frame();
				vi.advanceTimersByTime(1000);
				expect(vi.getTimerCount()).toBe(1);
			}
			expect(runs).toHaveLength(2);
			timer.stop();
			rules.stop();
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			phasePeriodicTimers(false);
		}
	});

	it('on the shared schedule its first run is at least half a period after start, not at a grid point a millisecond away', async () => {
		const {phasePeriodicTimers} = await import('../../src/periodic.js');
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance']});
		vi.setSystemTime(3_000_000_999);
		phasePeriodicTimers(true);
		try {
			const runs: number[] = [];
			const timer = new FrameCoveredTimer(1000, () => runs.push(Date.now()));
			timer.start();
			vi.advanceTimersByTime(2100);
			// The grid point 1 ms after start is skipped (a host reading there would take rates over 1 ms).
			expect(runs).toEqual([3_000_002_000, 3_000_003_000]);
			timer.stop();
		} finally {
			phasePeriodicTimers(false);
		}
	});
});
