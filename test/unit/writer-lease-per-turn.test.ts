/**
The writer asks its shared lease once per turn of the event loop for the bus events' writes (a socket read's messages
share the answer): a lease lost is seen by the events of the next turn, and an event refused there writes nothing.
*/
import {describe, expect, it} from 'vitest';
import {MemoryKv} from '../../src/bus/kv.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';

const training = (step: number) => ({kind: 'training', projectId: 'p', step, loss: 1, timestamp: 1_764_000_000_000 + step, timeMs: 1_764_000_000_000 + step}) as const;

describe('the shared lease, once per turn', () => {
	it('is asked once for the events of a turn, again in the next turn, and a lost lease refuses them there', async () => {
		const kv = new MemoryKv();
		const lease = {held: true, asked: 0};
		const target: WriterTarget = {
			kv: () => kv,
			canWrite: () => {
				lease.asked += 1;
				return lease.held;
			},
			canWriteHost: () => true,
			shouldQueue: () => false,
			isReady: () => true,
			publish: () => {},
			instanceId: 'test',
		};
		const writer = new SeedWriter(new MetricsStore(), target, {flushDelayMs: 60_000});
		for (let step = 0; step < 100; step++) writer.onEvent(training(step));
		expect(lease.asked).toBe(1);
		await Promise.resolve();
		lease.held = false;
		// The next turn (here: once the microtasks queued so far ran) asks again and is refused.
		writer.onEvent(training(100));
		expect(lease.asked).toBe(2);
		lease.held = true;
		await writer.flush();
		expect(await kv.lrange('metrics:training:p:loss', 0, -1)).toHaveLength(100);
		expect(writer.stats.dropped).toBe(0);
	});
});
