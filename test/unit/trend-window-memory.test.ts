/**
Memory of the incremental training trend (trend-window.ts): a window keeps a copy of the values it holds (it must, to
take them out of its running sums once the ring has overwritten them), and nothing more. A window of 10,000 points
(the convergence rule's and the writer's, the default ring) holds at most 10,000 values (80 KB), not the next power of
two (16,384: 131 KB per project, 6.5 MB over bench:memory's 50 projects). Measured as the ArrayBuffer bytes the
windows leave allocated after a full collection (Float64Arrays are ArrayBuffers).
*/
import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import {describe, expect, it} from 'vitest';
import {analyzeTrend} from '../../src/analysis/training-trend.js';
import {trendOfTail} from '../../src/analysis/trend-window.js';
import {NumericRing} from '../../src/store/ring-buffer.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function arrayBufferBytes(): number {
	gc();
	gc();
	return process.memoryUsage().arrayBuffers;
}

describe('trend window memory', () => {
	it('a window of n points holds n values (8 bytes each), for the rule/writer window and the snapshot window', () => {
		const rings: NumericRing[] = [];
		for (let r = 0; r < 20; r++) {
			const ring = new NumericRing(10_000);
			for (let i = 0; i < 10_000; i++) ring.push(i, 3 + Math.sin(i / 50 + r), i);
			rings.push(ring);
		}
		const before = arrayBufferBytes();
		for (const ring of rings) {
			trendOfTail(ring, 10_000);
			trendOfTail(ring, 2000);
		}
		const perRing = (arrayBufferBytes() - before) / rings.length;
		// 10,000 + 2,000 values of 8 bytes, with 5 % of slack for headers.
		expect(perRing).toBeLessThan(12_000 * 8 * 1.05);
		// Still the same answers after the windows move on (the window wraps inside its own bound).
		for (const ring of rings) {
			for (let i = 10_000; i < 10_500; i++) ring.push(i, 3 + Math.cos(i / 40), i);
			expect(trendOfTail(ring, 10_000).trend).toBe(analyzeTrend(ring.tailValues(10_000)).trend);
			expect(trendOfTail(ring, 2000).converged).toBe(analyzeTrend(ring.tailValues(2000)).converged);
		}
	});
});
