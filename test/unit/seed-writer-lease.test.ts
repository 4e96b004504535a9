/** The writer counts every entry it will not write when its shared lease goes in the middle of a flush. */
import {describe, expect, it} from 'vitest';
import {MemoryKv} from '../../src/bus/kv.js';
import {type KvCommand} from '../../src/bus/kv.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';

/** A key space whose transactions wait until the test lets them through. */
class GatedKv extends MemoryKv {
	private release: (() => void) | undefined;
	waiting = false;

	override async exec(commands: readonly KvCommand[]): Promise<void> {
		this.waiting = true;
		await new Promise<void>((resolve) => (this.release = resolve));
		this.waiting = false;
		await super.exec(commands);
	}

	open(): void {
		this.release?.();
	}
}

describe('SeedWriter and a lease lost mid-flush', () => {
	it('writes the host batch and counts the shared entries it can no longer write as dropped', async () => {
		const kv = new GatedKv();
		const leases = {shared: true, host: true};
		const target: WriterTarget = {
			kv: () => kv,
			canWrite: () => leases.shared,
			canWriteHost: () => leases.host,
			shouldQueue: () => false,
			isReady: () => true,
			publish: () => {},
			instanceId: 'test',
		};
		const writer = new SeedWriter(new MetricsStore(), target, {flushDelayMs: 60_000});
		for (let i = 0; i < 3; i++) writer.enqueueList('shared:list', `s${i}`, 60);
		writer.enqueueList('host:list', 'h0', 60, 'host');
		const flushing = writer.flush();
		await new Promise((resolve) => setImmediate(resolve));
		expect(kv.waiting).toBe(true);
		// While the first batch is in flight: more writes, then the shared lease goes to another instance.
		writer.enqueueList('shared:list', 's3', 60);
		writer.enqueueList('shared:list', 's4', 60);
		writer.enqueueList('host:list', 'h1', 60, 'host');
		leases.shared = false;
		kv.open();
		await new Promise((resolve) => setImmediate(resolve));
		kv.open();
		await flushing;
		expect(await kv.lrange('shared:list', 0, -1)).toEqual(['s2', 's1', 's0']);
		expect(await kv.lrange('host:list', 0, -1)).toEqual(['h1', 'h0']);
		expect(writer.stats.dropped).toBe(2);
		expect(writer.stats.pendingEntries).toBe(0);
	});

	it('keeps the shared entries while the shared lease is being retaken, even when the host lease answered first', async () => {
		const kv = new MemoryKv();
		const leases = {shared: false, host: true, retakingShared: true};
		const target: WriterTarget = {
			kv: () => kv,
			canWrite: () => leases.shared,
			canWriteHost: () => leases.host,
			shouldQueue: (scope) => scope === 'shared' && leases.retakingShared,
			isReady: () => true,
			publish: () => {},
			instanceId: 'test',
		};
		const writer = new SeedWriter(new MetricsStore(), target, {flushDelayMs: 60_000});
		for (let i = 0; i < 5; i++) writer.enqueueList('shared:list', `s${i}`, 60);
		writer.enqueueList('host:list', 'h0', 60, 'host');
		await writer.flush();
		expect(await kv.lrange('host:list', 0, -1)).toEqual(['h0']);
		expect(await kv.lrange('shared:list', 0, -1)).toEqual([]);
		expect(writer.stats.dropped).toBe(0);
		expect(writer.stats.pendingEntries).toBe(5);
		// The shared lease comes back: the waiting entries are written, none lost.
		leases.shared = true;
		leases.retakingShared = false;
		await writer.flush();
		expect(await kv.lrange('shared:list', 0, -1)).toEqual(['s4', 's3', 's2', 's1', 's0']);
		expect(writer.stats.dropped).toBe(0);
	});
});
