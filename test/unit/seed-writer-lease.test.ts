/** The writer counts every entry it will not write when its shared lease goes in the middle of a flush. */
import {describe, expect, it} from 'vitest';
import {MemoryKv} from '../../src/bus/kv.js';
import {type ExecOptions, type KvCommand} from '../../src/bus/kv.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {type LeaseState, retryVerdict, SeedWriter, type WriteScope, type WriterTarget} from '../../src/writer/seed-writer.js';
import {workerSource} from '../../src/writer/entry-encoder.js';
import {ourKeys} from '../../src/contract/names.js';

/** A key space whose transactions wait until the test lets them through. */
class GatedKv extends MemoryKv {
	private release: (() => void) | undefined;
	waiting = false;

	override async exec(commands: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		this.waiting = true;
		await new Promise<void>((resolve) => (this.release = resolve));
		this.waiting = false;
		await super.exec(commands, options);
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

/** A key space whose next transaction fails like a connection lost mid-EXEC, after (or without) being applied. */
class FailingKv extends MemoryKv {
	failNext: 'applied' | 'not-applied' | undefined;
	execs = 0;

	override async exec(commands: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		this.execs += 1;
		const fail = this.failNext;
		this.failNext = undefined;
		if (fail === 'applied') await super.exec(commands, options);
		if (fail !== undefined) throw new Error('Connection is closed.');
		await super.exec(commands, options);
	}
}

describe('SeedWriter: a batch whose EXEC failed with an unknown outcome', () => {
	const setup = () => {
		const kv = new FailingKv();
		const lease = {held: true, retaking: false};
		const target: WriterTarget = {
			kv: () => kv,
			canWrite: () => lease.held,
			canWriteHost: () => false,
			shouldQueue: (scope) => scope === 'shared' && lease.retaking,
			isReady: () => true,
			publish: () => {},
			instanceId: 'test',
		};
		const writer = new SeedWriter(new MetricsStore(), target, {flushDelayMs: 60_000});
		return {kv, lease, writer};
	};

	it('waits while the lease is being retaken, then sends it once the lease is held', async () => {
		const {kv, lease, writer} = setup();
		kv.failNext = 'not-applied';
		for (let i = 0; i < 3; i++) writer.enqueueList('l', `e${i}`, 60);
		await writer.flush();
		expect(writer.stats.failures).toBe(1);
		lease.held = false;
		lease.retaking = true;
		await writer.flush();
		expect(kv.execs).toBe(1);
		expect(writer.stats.pendingEntries).toBe(3);
		lease.held = true;
		lease.retaking = false;
		await writer.flush();
		expect(await kv.lrange('l', 0, -1)).toEqual(['e2', 'e1', 'e0']);
		expect(writer.stats).toMatchObject({entriesWritten: 3, dropped: 0, pendingEntries: 0});
	});

	it('never sends it once the lease is another instance’s: counted as dropped if it was not applied', async () => {
		const {kv, lease, writer} = setup();
		kv.failNext = 'not-applied';
		for (let i = 0; i < 3; i++) writer.enqueueList('l', `e${i}`, 60);
		await writer.flush();
		lease.held = false;
		await writer.flush();
		expect(kv.execs).toBe(1);
		expect(await kv.lrange('l', 0, -1)).toEqual([]);
		expect(writer.stats).toMatchObject({entriesWritten: 0, dropped: 3, pendingEntries: 0});
		expect(await writer.drain(100)).toBe(true);
	});

	it('…and counted as written if Redis says it was applied', async () => {
		const {kv, lease, writer} = setup();
		kv.failNext = 'applied';
		for (let i = 0; i < 3; i++) writer.enqueueList('l', `e${i}`, 60);
		await writer.flush();
		lease.held = false;
		await writer.flush();
		expect(kv.execs).toBe(1);
		expect(await kv.lrange('l', 0, -1)).toEqual(['e2', 'e1', 'e0']);
		expect(writer.stats).toMatchObject({entriesWritten: 3, dropped: 0, retriesSkipped: 1});
	});

	it('drain waits for writes queued while the lease is being retaken instead of reporting done', async () => {
		const {lease, writer} = setup();
		lease.held = false;
		lease.retaking = true;
		writer.enqueueList('l', 'e0', 60);
		const started = Date.now();
		expect(await writer.drain(300)).toBe(false);
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		expect(writer.stats.pendingEntries).toBe(1);
	});
});

/** The real worker program (entry-encoder.ts), answering `delayMs` late: a worker slow to start, or starved of CPU. */
function slowWorkerSource(delayMs: number): string {
	return workerSource().replace('parentPort.on("message", (message) => {', `parentPort.on("message", (message) => setTimeout(() => {`).replace(/\}\);$/, `}, ${delayMs}));`);
}

describe('SeedWriter: a lease that goes while the worker encodes a transaction', () => {
	it('does not send it: settled by its batch id like a batch not sent, its entries counted as dropped', async () => {
		const kv = new MemoryKv();
		const lease = {held: true};
		const target: WriterTarget = {
			kv: () => kv,
			canWrite: () => lease.held,
			canWriteHost: () => false,
			shouldQueue: () => false,
			isReady: () => true,
			publish: () => {},
			instanceId: 'test',
		};
		const writer = new SeedWriter(new MetricsStore(), target, {flushDelayMs: 60_000, encodeWorker: {minEntries: 1, workerSource: slowWorkerSource(400)}});
		try {
			for (let i = 0; i < 5; i++) writer.onEvent({kind: 'training', projectId: 'p', step: i, loss: 1 / (i + 1), timestamp: 1_764_000_000_000 + i, timeMs: 1_764_000_000_000 + i});
			const flushing = writer.flush();
			await new Promise((resolve) => setTimeout(resolve, 100));
			// The lease goes to another instance while the worker still encodes the batch's entries.
			lease.held = false;
			await flushing;
			await writer.flush();
			expect(await kv.lrange('metrics:training:p:loss', 0, -1)).toEqual([]);
			expect(await kv.get(ourKeys.writerLastBatch('test'))).toBeNull();
			expect(writer.stats).toMatchObject({entriesWritten: 0, dropped: 5, pendingEntries: 0});
			// The worker did answer (the entries were encoded there): only the sending was withheld.
			expect(writer.stats.encoder).toMatchObject({workerBatches: 1, failures: 0});
		} finally {
			writer.stop();
		}
	});

	it('sends it when the lease is still held once the worker answered', async () => {
		const kv = new MemoryKv();
		const target: WriterTarget = {kv: () => kv, canWrite: () => true, canWriteHost: () => false, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'test'};
		const writer = new SeedWriter(new MetricsStore(), target, {flushDelayMs: 60_000, encodeWorker: {minEntries: 1, workerSource: slowWorkerSource(100)}});
		try {
			for (let i = 0; i < 5; i++) writer.onEvent({kind: 'training', projectId: 'p', step: i, loss: 1 / (i + 1), timestamp: 1_764_000_000_000 + i, timeMs: 1_764_000_000_000 + i});
			await writer.flush();
			expect(await kv.lrange('metrics:training:p:loss', 0, -1)).toHaveLength(5);
			expect(writer.stats).toMatchObject({entriesWritten: 5, dropped: 0, failures: 0, pendingEntries: 0});
			expect(writer.stats.encoder.workerBatches).toBe(1);
		} finally {
			writer.stop();
		}
	});
});

describe('retryVerdict', () => {
	it('sends when every scope is held, waits while one is retaken, abandons when one is lost', () => {
		const states = {shared: 'held', host: 'held'} as Record<WriteScope, LeaseState>;
		const verdict = (scopes: WriteScope[]) => retryVerdict(scopes, (s) => states[s]);
		expect(verdict(['shared', 'host'])).toBe('send');
		states.host = 'waiting';
		expect(verdict(['shared', 'host'])).toBe('wait');
		expect(verdict(['shared'])).toBe('send');
		states.shared = 'lost';
		expect(verdict(['shared', 'host'])).toBe('abandon');
		expect(verdict(['host'])).toBe('wait');
	});
});
