/**
The host reading on the GPU frame's tick (gpu/frame-ticks.ts, HostSampler.frameTick): while frames come, the
sampler's timer reads nothing of its own (one reading per frame, not two a period); when they stop, the timer reads
again within two periods.
*/
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {frameTicksCover} from '../../src/gpu/frame-ticks.js';
import {HostSampler} from '../../src/host/host-sampler.js';

const PROC = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'proc', 'a');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('frame ticks', () => {
	it('cover a timer while the last came within one and a half periods', () => {
		expect(frameTicksCover(Number.NEGATIVE_INFINITY, 0, 1000)).toBe(false);
		expect(frameTicksCover(0, 1000, 1000)).toBe(true);
		expect(frameTicksCover(0, 1500, 1000)).toBe(true);
		expect(frameTicksCover(0, 1501, 1000)).toBe(false);
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
			// No more frames: the timer reads again (within 2 periods), about one a period.
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
});
