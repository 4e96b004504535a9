/** Runtime.stop() while a part is still starting: the part is stopped once its start is done, so nothing keeps running. */
import {describe, expect, it} from 'vitest';
import {Runtime} from '../../src/runtime.js';
import {type GpuSourcePart} from '../../src/parts.js';
import {type GpuSnapshot} from '../../src/gpu/gpu-snapshot.js';

/** A part whose start waits (like the rules' first read of a frozen Redis) and only then starts a timer (in the GPU part's place). */
class SlowPart implements GpuSourcePart {
	readonly gpu = (): GpuSnapshot => ({state: 'starting', gpus: []});
	timer: NodeJS.Timeout | undefined;
	ticks = 0;
	private release: () => void = () => {};

	async start(): Promise<void> {
		await new Promise<void>((resolve) => (this.release = resolve));
		this.timer = setInterval(() => (this.ticks += 1), 10);
	}

	stop(): void {
		clearInterval(this.timer);
		this.timer = undefined;
	}

	finishStarting(): void {
		this.release();
	}
}

describe('Runtime.stop during a part start', () => {
	it('stops the part when its start finishes after stop()', async () => {
		const part = new SlowPart();
		const runtime = new Runtime({redisUrl: undefined, readOnly: false, demo: false}, () => ({gpu: part}));
		await runtime.start(0, {waitForParts: false});
		await runtime.stop(100);
		part.finishStarting();
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(part.timer).toBeUndefined();
		const ticks = part.ticks;
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(part.ticks).toBe(ticks);
	});
});
