import {describe, expect, it} from 'vitest';
import {IDLE_EVICT_MS, MAX_HELD_SERIES, StepRollups} from '../../src/history/step-rollups.js';
import {STEP_SLOTS} from '../../src/history/rollup-layout.js';
import {describeWrites} from '../../src/bus/connection-state.js';
import {type KvCommand} from '../../src/bus/kv.js';

/** A store of step keys applying the writer's SETRANGE writes byte for byte (the loader reads it). */
class StepStore {
	readonly keys = new Map<string, Buffer>();
	reads = 0;
	apply(commands: readonly KvCommand[]): void {
		for (const [name, key, offset, bytes] of commands) {
			if (name !== 'SETRANGE') continue;
			const data = bytes as Buffer;
			const at = Number(offset);
			const old = this.keys.get(key) ?? Buffer.alloc(0);
			const out = Buffer.alloc(Math.max(old.length, at + data.length));
			old.copy(out);
			data.copy(out, at);
			this.keys.set(key, out);
		}
	}
	load = async (key: string): Promise<Buffer | null> => {
		this.reads += 1;
		return this.keys.get(key) ?? null;
	};
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the writer holds a bounded number of training series by step', () => {
	it(`series beyond ${MAX_HELD_SERIES} are refused and their samples counted in dropped`, async () => {
		const store = new StepStore();
		const rollups = new StepRollups(store.load, () => {});
		for (let i = 0; i < MAX_HELD_SERIES + 10; i++) rollups.sample(`training:p${i}:loss`, 1, 0.5);
		rollups.sample(`training:p${MAX_HELD_SERIES + 3}:loss`, 2, 0.5);
		await settle();
		expect(rollups.held).toBe(MAX_HELD_SERIES);
		expect(rollups.counts().dropped).toBe(11);
	});

	it('a series idle for 10 minutes is let go once written, and read back whole at its next sample', async () => {
		const store = new StepStore();
		const rollups = new StepRollups(store.load, () => {});
		let now = 1_000_000;
		for (let step = 0; step < 5000; step++) rollups.sample('training:a:loss', step, step);
		rollups.sample('training:b:loss', 0, 1);
		await settle();
		store.apply(rollups.takeCommands(now));
		// b keeps logging; a goes quiet.
		for (let t = 0; t <= IDLE_EVICT_MS; t += 60_000) {
			now += 60_000;
			rollups.sample('training:b:loss', t, 1);
			store.apply(rollups.takeCommands(now));
		}
		now += 2000;
		store.apply(rollups.takeCommands(now));
		expect(rollups.held).toBe(1);
		expect(store.reads).toBe(2);
		rollups.sample('training:a:loss', 5000, 5000);
		await settle();
		expect(store.reads).toBe(3);
		expect(rollups.held).toBe(2);
		store.apply(rollups.takeCommands(now + 2000, true));
		const bytes = store.keys.get('mycotop:history:steps:training:a:loss')!;
		let count = 0;
		for (let i = 0; i < STEP_SLOTS; i++) count += bytes.readUInt32LE(8 + i * 28 + 16);
		expect(count).toBe(5001);
	});

	it('a series with a change not yet written is not let go', async () => {
		const store = new StepStore();
		const rollups = new StepRollups(store.load, () => {}, 1000);
		rollups.sample('training:a:loss', 0, 1);
		await settle();
		rollups.takeCommands(0);
		rollups.sample('training:a:loss', 1, 1);
		// Idle by the clock, but changed since its last write (Redis does not hold it yet): still held.
		rollups.takeCommands(IDLE_EVICT_MS + 1);
		expect(rollups.held).toBe(1);
	});

	it('the bus line says how many samples and outlying steps the step view left out', () => {
		const line = describeWrites({pendingEntries: 0, dropped: 0, stepDropped: 12, stepOutliers: 1}, true);
		expect(line).toBe(' · 12 samples not in history by step · 1 outlying step left out of history by step');
	});
});
