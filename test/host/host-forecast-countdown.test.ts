/**
The disk-full forecast fitted every 10 s and counted down in between (host-sampler.ts countedDownForecast): on a
filesystem filling at a steady rate it says what a fit every second says; a full filesystem is 0 at once; the fit
runs at most once per 10 s.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {countedDownForecast, type HeldForecast} from '../../src/host/host-sampler.js';
import {timeToCapacity} from '../../src/analysis/forecasts.js';

describe('counted-down disk forecast', () => {
	it('equals a fresh fit every second while the filesystem fills steadily', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 10_000}), fc.integer({min: 1_000_000, max: 1e12}), fc.integer({min: 0, max: 1000}), fc.integer({min: 20, max: 120}), (bytesPerSecond, total, startSecond, seconds) => {
				const times: number[] = [];
				const values: number[] = [];
				let held: HeldForecast | undefined;
				let fits = 0;
				for (let i = 0; i < seconds; i++) {
					const now = 1_700_000_000_000 + (startSecond + i) * 1000;
					const used = Math.min(total, (startSecond + i) * bytesPerSecond);
					times.push(now);
					values.push(used);
					const plain = timeToCapacity(times, values, total, now)?.inMs;
					const step = countedDownForecast(held, now, used >= total, () => {
						fits += 1;
						return timeToCapacity(times, values, total, now)?.inMs;
					});
					held = step.held;
					if (plain === undefined || step.inMs === undefined) {
						// Too few points for a fit yet: the countdown waits for the next refit (at most 10 s).
						if (plain !== undefined) expect(now - held.atMs).toBeLessThan(10_000);
						continue;
					}
					expect(Math.abs(step.inMs - plain)).toBeLessThanOrEqual(Math.max(1, plain * 1e-9));
				}
				expect(fits).toBeLessThanOrEqual(Math.ceil(seconds / 10));
			}),
			{numRuns: 200},
		);
	});

	it('a full filesystem is 0 at once, and a clock that went back refits', () => {
		const held = {atMs: 10_000, inMs: 3_600_000};
		expect(countedDownForecast(held, 12_000, true, () => 5).inMs).toBe(0);
		expect(countedDownForecast(held, 12_000, false, () => 5).inMs).toBe(3_598_000);
		expect(countedDownForecast(held, 9_000, false, () => 5)).toEqual({held: {atMs: 9_000, inMs: 5}, inMs: 5});
		expect(countedDownForecast(held, 20_000, false, () => undefined).inMs).toBeUndefined();
	});
});
