/**
The writer's own tick (write-batcher.ts onRetryTick): every 250 ms only while a flush left something waiting (Redis
away, a failed transaction), else once a second on the shared schedule's whole seconds, so an idle collector is not
woken four times a second by a writer with nothing to retry (bench:collector's wake-ups).
*/
import {afterEach, describe, expect, it, vi} from 'vitest';
import {MemoryKv, type ExecOptions, type KvCommand} from '../../src/bus/kv.js';
import {phasePeriodicTimers} from '../../src/periodic.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';

class RecordingKv extends MemoryKv {
	readonly transactions: Array<{at: number; keys: string[]}> = [];

	override async exec(commands: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		this.transactions.push({at: Date.now(), keys: commands.map((c) => c[1])});
		await super.exec(commands, options);
	}
}

/** The moments the shared schedule's timer is armed for (one per wake-up of the process for periodic work). */
function scheduleWakeups(): number[] {
	const moments: number[] = [];
	const original = globalThis.setTimeout;
	vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
		if (fn.name === 'runDue') moments.push(Date.now() + (ms ?? 0));
		return original(fn, ms, ...args);
	}) as typeof setTimeout);
	return moments;
}

afterEach(() => {
	vi.restoreAllMocks();
	phasePeriodicTimers(false);
	vi.useRealTimers();
});

describe("the writer's retry tick", () => {
	it('an idle writer adds no wake-up between whole seconds', async () => {
		vi.useFakeTimers({now: 100_000});
		phasePeriodicTimers(true);
		const wakeups = scheduleWakeups();
		const kv = new RecordingKv();
		const target: WriterTarget = {kv: () => kv, canWrite: () => true, canWriteHost: () => true, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'tick'};
		const writer = new SeedWriter(new MetricsStore(), target);
		writer.start();
		try {
			// A write goes out with its transaction, then nothing is left waiting.
			writer.enqueueHash('metrics:gpu:h:u:current', {utilization_percent: '90'}, 'host');
			await vi.advanceTimersByTimeAsync(10_000);
			expect(kv.transactions.some((t) => t.keys.includes('metrics:gpu:h:u:current'))).toBe(true);
			const later = wakeups.filter((t) => t > 101_000);
			expect(later.length).toBeGreaterThan(0);
			expect(later.filter((t) => t % 1000 !== 0)).toEqual([]);
		} finally {
			writer.stop();
		}
	});

	it('while Redis is away a waiting batch is retried every 250 ms, and the tick slows down once it went', async () => {
		vi.useFakeTimers({now: 200_000});
		phasePeriodicTimers(true);
		const wakeups = scheduleWakeups();
		const kv = new RecordingKv();
		let ready = false;
		const target: WriterTarget = {kv: () => kv, canWrite: () => true, canWriteHost: () => true, shouldQueue: () => true, isReady: () => ready, publish: () => {}, instanceId: 'tick'};
		const writer = new SeedWriter(new MetricsStore(), target);
		writer.start();
		try {
			writer.enqueueList('metrics:gpu:utilization', '{"value":1}', 60);
			await vi.advanceTimersByTimeAsync(1100);
			expect(kv.transactions).toHaveLength(0);
			// Back at 201,100: the batch goes at the next quarter second, not at the next whole one.
			ready = true;
			await vi.advanceTimersByTimeAsync(200);
			const sent = kv.transactions.filter((t) => t.keys.includes('metrics:gpu:utilization'));
			expect(sent).toHaveLength(1);
			expect(sent[0]!.at).toBeLessThanOrEqual(201_250);
			expect(await kv.lrange('metrics:gpu:utilization', 0, -1)).toEqual(['{"value":1}']);
			// Nothing waits any more: from the next whole second on, the schedule wakes only on whole seconds.
			await vi.advanceTimersByTimeAsync(5000);
			expect(wakeups.filter((t) => t > 202_000 && t % 1000 !== 0)).toEqual([]);
		} finally {
			writer.stop();
		}
	});
});
