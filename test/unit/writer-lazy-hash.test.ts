/**
Hash writes that may wait for another write's transaction (write-batcher.ts enqueueHashWithin): the host's figures
ride with the GPU frame's transaction instead of one of their own, go on their own when nothing else comes, are
not flushed early by the writer's 250 ms tick, and a drain writes them.
*/
import {describe, expect, it} from 'vitest';
import {MemoryKv, type ExecOptions, type KvCommand} from '../../src/bus/kv.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';

class RecordingKv extends MemoryKv {
	readonly transactions: Array<{at: number; keys: string[]}> = [];

	override async exec(commands: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		this.transactions.push({at: performance.now(), keys: commands.map((c) => c[1])});
		await super.exec(commands, options);
	}
}

function writerOn(kv: RecordingKv): SeedWriter {
	const target: WriterTarget = {kv: () => kv, canWrite: () => true, canWriteHost: () => true, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'lazy'};
	return new SeedWriter(new MetricsStore(), target);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('hash writes that wait for another transaction', () => {
	it('rides with the next write\'s transaction', async () => {
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		writer.start();
		try {
			writer.enqueueHashWithin('metrics:host:h:current', {cpu_percent: '5'}, 1000, 'host');
			await sleep(80);
			writer.enqueueHash('metrics:gpu:h:u:current', {utilization_percent: '90'}, 'host');
			// The urgent write waits up to the writer's 200 ms batching delay.
			await sleep(400);
			expect(kv.transactions).toHaveLength(1);
			expect(kv.transactions[0]!.keys).toEqual(expect.arrayContaining(['metrics:host:h:current', 'metrics:gpu:h:u:current']));
			expect(await kv.hgetall('metrics:host:h:current')).toEqual({cpu_percent: '5'});
			// Nothing left waiting: no other transaction with these keys later (the seed's own aggregates go every second).
			await sleep(1000);
			expect(kv.transactions.filter((t) => t.keys.some((k) => k.startsWith('metrics:host:') || k.startsWith('metrics:gpu:')))).toHaveLength(1);
		} finally {
			writer.stop();
		}
	});

	it('goes on its own after the wait when nothing else comes, not earlier (the 250 ms tick leaves it)', {retry: 2}, async () => {
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		writer.start();
		try {
			const t0 = performance.now();
			writer.enqueueHashWithin('metrics:host:h:current', {cpu_percent: '5'}, 600, 'host');
			const hostOnes = () => kv.transactions.filter((t) => t.keys.includes('metrics:host:h:current'));
			await sleep(450);
			expect(hostOnes()).toHaveLength(0);
			await sleep(600);
			expect(hostOnes()).toHaveLength(1);
			expect(hostOnes()[0]!.at - t0).toBeGreaterThanOrEqual(590);
			expect(await kv.hgetall('metrics:host:h:current')).toEqual({cpu_percent: '5'});
		} finally {
			writer.stop();
		}
	});

	it('a drain writes it at once', async () => {
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		writer.start();
		writer.enqueueHashWithin('metrics:host:h:current', {cpu_percent: '7'}, 10_000, 'host');
		expect(await writer.drain(1000)).toBe(true);
		writer.stop();
		expect(await kv.hgetall('metrics:host:h:current')).toEqual({cpu_percent: '7'});
	});

	it('nothing is written without the scope\'s lease', async () => {
		const kv = new RecordingKv();
		const target: WriterTarget = {kv: () => kv, canWrite: () => true, canWriteHost: () => false, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'lazy'};
		const writer = new SeedWriter(new MetricsStore(), target);
		writer.enqueueHashWithin('metrics:host:h:current', {cpu_percent: '7'}, 10, 'host');
		await sleep(100);
		expect(kv.transactions).toHaveLength(0);
		writer.stop();
	});
});
