/**
A periodic source's turn (write-batcher.ts turn): the GPU frame's writes, and the host reading's that ride with them,
arm no timer and go in one transaction once the reading is in, in the turn of the event loop that brought the frame,
instead of after the trickle's delay. The writer here waits 5 s before a trickle's transaction (flushDelayMs), so a
transaction within a second can only be the turn's.
*/
import {afterEach, describe, expect, it, vi} from 'vitest';
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

const DELAY_MS = 5000;
const GPU = 'metrics:gpu:h:u:current';
const HOST = 'metrics:host:h:current';

function writerOn(kv: RecordingKv, flushDelayMs = DELAY_MS): SeedWriter {
	const target: WriterTarget = {kv: () => kv, canWrite: () => true, canWriteHost: () => true, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'frame'};
	return new SeedWriter(new MetricsStore(), target, {flushDelayMs});
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `body` with a started writer on a recording store (stopped after, whatever happens). */
async function withWriter(body: (kv: RecordingKv, writer: SeedWriter) => Promise<void>, flushDelayMs = DELAY_MS): Promise<void> {
	const kv = new RecordingKv();
	const writer = writerOn(kv, flushDelayMs);
	writer.start();
	try {
		await body(kv, writer);
	} finally {
		writer.stop();
	}
}

const ours = (kv: RecordingKv) => kv.transactions.filter((t) => t.keys.includes(GPU) || t.keys.includes(HOST));

describe('a frame\'s turn: its writes without the trickle\'s delay', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	it('arms no timer while open; its end sends everything in one transaction, the host figures that wait for another write included', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval']});
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		const end = writer.turn();
		writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
		writer.enqueueList('metrics:gpu:h:u:utilization', '{"v":90}', 3600, 'host');
		writer.enqueueHashWithin(HOST, {cpu_percent: '5'}, 1000, 'host');
		// No timer: an armed one, even cut short later, would wake the process when it was due.
		expect(vi.getTimerCount()).toBe(0);
		end();
		// One immediate: the transaction in this turn of the event loop.
		expect(vi.getTimerCount()).toBe(1);
		await vi.runAllTimersAsync();
		expect(ours(kv)).toHaveLength(1);
		expect(ours(kv)[0]!.keys).toEqual(expect.arrayContaining([GPU, HOST, 'metrics:gpu:h:u:utilization']));
		expect(await kv.hgetall(HOST)).toEqual({cpu_percent: '5'});
		// The same writes without a turn arm the trickle's delay.
		writer.enqueueHash(GPU, {utilization_percent: '91'}, 'host');
		expect(vi.getTimerCount()).toBe(1);
		writer.stop();
	});

	it('waits for the reading it is given and carries what that reading wrote', async () =>
		withWriter(async (kv, writer) => {
			const t0 = performance.now();
			const end = writer.turn();
			writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
			// A host reading whose statfs answers 100 ms later (after this turn of the event loop), then writes its figures.
			end(sleep(100).then(() => writer.enqueueHashWithin(HOST, {cpu_percent: '5'}, 1000, 'host')));
			await sleep(50);
			expect(ours(kv)).toHaveLength(0);
			await sleep(400);
			expect(ours(kv)).toHaveLength(1);
			expect(ours(kv)[0]!.keys).toEqual(expect.arrayContaining([GPU, HOST]));
			expect(ours(kv)[0]!.at - t0).toBeGreaterThanOrEqual(95);
		}));

	it('a reading made in the same turn of the event loop (no statfs) goes in the frame\'s transaction', async () =>
		withWriter(async (kv, writer) => {
			const end = writer.turn();
			writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
			end(Promise.resolve().then(() => writer.enqueueHashWithin(HOST, {cpu_percent: '6'}, 1000, 'host')));
			await sleep(300);
			expect(ours(kv)).toHaveLength(1);
			expect(ours(kv)[0]!.keys).toEqual(expect.arrayContaining([GPU, HOST]));
		}));

	it('a reading that fails sends the writes all the same', async () =>
		withWriter(async (kv, writer) => {
			const end = writer.turn();
			writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
			end(sleep(20).then(() => Promise.reject(new Error('statfs: EIO'))));
			await sleep(400);
			expect(ours(kv)).toHaveLength(1);
		}));

	it('a reading answered later (a statfs) arms no timer meanwhile; its answer sends the frame\'s writes with its own', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval']});
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		let answer: () => void = () => undefined;
		const end = writer.turn();
		writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
		end(new Promise<void>((resolve) => (answer = resolve)).then(() => writer.enqueueHashWithin(HOST, {cpu_percent: '5'}, 1000, 'host')));
		await vi.advanceTimersByTimeAsync(0);
		// The turn of the event loop is over and the reading not in: still nothing armed (no wake-up for nothing).
		expect(vi.getTimerCount()).toBe(0);
		// An event's write meanwhile waits with them.
		writer.enqueueHash('metrics:gpu:h:v:current', {utilization_percent: '10'}, 'host');
		expect(vi.getTimerCount()).toBe(0);
		answer();
		await vi.advanceTimersByTimeAsync(0);
		expect(ours(kv)).toHaveLength(1);
		expect(ours(kv)[0]!.keys).toEqual(expect.arrayContaining([GPU, HOST, 'metrics:gpu:h:v:current']));
		writer.stop();
	});

	it('turns that overlap send when the last ends; ending one twice does not end another', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval']});
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		const first = writer.turn();
		const second = writer.turn();
		writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
		first();
		first();
		// The second turn is still open: nothing armed, nothing sent.
		expect(vi.getTimerCount()).toBe(0);
		await vi.advanceTimersByTimeAsync(0);
		expect(ours(kv)).toHaveLength(0);
		second();
		await vi.advanceTimersByTimeAsync(0);
		expect(ours(kv)).toHaveLength(1);
		// All ended: a write arms the trickle's delay again.
		writer.enqueueHash(GPU, {utilization_percent: '91'}, 'host');
		expect(vi.getTimerCount()).toBe(1);
		writer.stop();
	});

	it('a reading that never settles holds the writes until the writer\'s whole-second tick, and no longer after it', {retry: 2}, async () =>
		withWriter(async (kv, writer) => {
			const end = writer.turn();
			writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
			end(new Promise(() => {}));
			await sleep(150);
			expect(ours(kv)).toHaveLength(0);
			// The writer's tick (every second from start here; on the whole seconds in the long-running modes).
			await sleep(1300);
			expect(ours(kv)).toHaveLength(1);
			// The reading is waited for no longer: later writes are batched as usual (the 300 ms delay here).
			writer.enqueueHash(GPU, {utilization_percent: '92'}, 'host');
			await sleep(700);
			expect(ours(kv)).toHaveLength(2);
		}, 300));

	it('events\' writes already waiting out the trickle\'s delay: the frame\'s writes go with them at its end, one transaction', async () =>
		withWriter(async (kv, writer) => {
			const t0 = performance.now();
			writer.enqueueHash('metrics:gpu:h:v:current', {utilization_percent: '10'}, 'host');
			const end = writer.turn();
			writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
			end(Promise.resolve().then(() => writer.enqueueHashWithin(HOST, {cpu_percent: '5'}, 1000, 'host')));
			await sleep(150);
			// Not cut short: its wake-up comes anyway, and a transaction of the frame's own would be one more.
			expect(ours(kv)).toHaveLength(0);
			await sleep(450);
			expect(ours(kv)).toHaveLength(1);
			expect(ours(kv)[0]!.keys).toEqual(expect.arrayContaining([GPU, HOST, 'metrics:gpu:h:v:current']));
			expect(ours(kv)[0]!.at - t0).toBeGreaterThanOrEqual(290);
		}, 300));

	it('load does not wait for the turn\'s end (1,000 entries go paced); ending it twice sends nothing more', async () =>
		withWriter(async (kv, writer) => {
			const end = writer.turn();
			for (let i = 0; i < 1000; i++) writer.enqueueList('metrics:gpu:h:u:utilization', `{"v":${i}}`, 3600, 'host');
			await sleep(300);
			const listOnes = () => kv.transactions.filter((t) => t.keys.includes('metrics:gpu:h:u:utilization')).length;
			expect(listOnes()).toBe(1);
			const sent = kv.transactions.length;
			end();
			end();
			await sleep(300);
			expect(listOnes()).toBe(1);
			expect(kv.transactions.length - sent).toBeLessThanOrEqual(1);
		}));

	it('the writer\'s tick leaves a reading begun under half a second before it, and sends its writes at the next', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'performance', 'Date']});
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		writer.start();
		try {
			await vi.advanceTimersByTimeAsync(900);
			const end = writer.turn();
			writer.enqueueHash(GPU, {utilization_percent: '90'}, 'host');
			end(new Promise(() => {}));
			// The tick at 1,000 ms: the reading began 100 ms before, it is still waited for.
			await vi.advanceTimersByTimeAsync(200);
			expect(ours(kv)).toHaveLength(0);
			// The tick at 2,000 ms: 1,100 ms, no longer.
			await vi.advanceTimersByTimeAsync(1000);
			expect(ours(kv)).toHaveLength(1);
		} finally {
			writer.stop();
		}
	});

	it('with nothing written its end arms nothing (no flush, no timer)', async () => {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval']});
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		writer.turn()();
		writer.turn()(Promise.resolve());
		await vi.advanceTimersByTimeAsync(0);
		expect(vi.getTimerCount()).toBe(0);
		expect(kv.transactions).toHaveLength(0);
		writer.stop();
	});
});
