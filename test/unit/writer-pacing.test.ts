/**
The writer's pacing under load (write-batcher.ts paceWaitMs): scheduled transactions of small batches start at most
every 20 ms, a big batch goes at once, an explicit flush or a drain writes everything now, and every entry is written
exactly once whatever the pacing does.
*/
import {describe, expect, it} from 'vitest';
import {MemoryKv, type ExecOptions, type KvCommand} from '../../src/bus/kv.js';
import {EncodedEntries} from '../../src/bus/resp-encode.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';

/** A key space that records when each transaction started and how many list entries it carried; `roundTripMs` each. */
class RecordingKv extends MemoryKv {
	readonly transactions: Array<{at: number; entries: number}> = [];
	roundTripMs = 0;
	inFlight = false;

	override async exec(commands: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		const at = performance.now();
		this.inFlight = true;
		let entries = 0;
		for (const command of commands) if (command[0] === 'LPUSH') entries += command.length === 3 && command[2] instanceof EncodedEntries ? command[2].count : command.length - 2;
		if (this.roundTripMs > 0) await sleep(this.roundTripMs);
		await super.exec(commands, options);
		this.inFlight = false;
		this.transactions.push({at, entries});
	}

	get written(): number {
		return this.transactions.reduce((n, t) => n + t.entries, 0);
	}
}

function writerOn(kv: RecordingKv, options: {flushDelayMs?: number; now?: () => number; maxPendingEntries?: number} = {}): SeedWriter {
	const target: WriterTarget = {kv: () => kv, canWrite: () => true, canWriteHost: () => true, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'pacing'};
	return new SeedWriter(new MetricsStore(), target, options);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `perTurn` entries per event-loop turn for `ms` milliseconds: a steady stream the writer keeps up with. */
async function stream(writer: SeedWriter, ms: number, perTurn: number): Promise<number> {
	let sent = 0;
	const until = performance.now() + ms;
	while (performance.now() < until) {
		for (let i = 0; i < perTurn; i++) writer.enqueueList('test:list', `e${sent++}`, 600);
		await sleep(1);
	}
	return sent;
}

describe('writer pacing under load', () => {
	// Timing under a loaded machine: a descheduled process can stretch a gap, so the two timing tests get retries.
	it('starts a transaction of a small batch at most every 20 ms, and writes every entry once', {retry: 2}, async () => {
		const kv = new RecordingKv();
		kv.roundTripMs = 2;
		const writer = writerOn(kv);
		// 1,000 at once (load), then ~200 per millisecond: back to back this was a transaction per round trip.
		for (let i = 0; i < 1000; i++) writer.enqueueList('test:list', `first${i}`, 600);
		const sent = 1000 + (await stream(writer, 150, 200));
		expect(await writer.drain(5000)).toBe(true);
		expect(kv.written).toBe(sent);
		expect(writer.stats.entriesWritten).toBe(sent);
		// Scheduled transactions (all but the drain's last) are 20 ms apart unless their batch was big.
		const scheduled = kv.transactions.slice(0, -1);
		for (let i = 1; i < scheduled.length; i++) if (scheduled[i]!.entries < 5000) expect(scheduled[i]!.at - scheduled[i - 1]!.at).toBeGreaterThanOrEqual(19);
		expect(kv.transactions.length).toBeLessThanOrEqual(Math.ceil(150 / 20) + 3);
		writer.stop();
	});

	it('sends a batch of 5,000 entries or more at once; a smaller one waits its 20 ms', {retry: 2}, async () => {
		for (const [next, waits] of [
			[6000, false],
			[100, true],
		] as const) {
			const kv = new RecordingKv();
			kv.roundTripMs = 5;
			const writer = writerOn(kv);
			// The first transaction, scheduled as usual; more entries arrive while it is in flight.
			for (let i = 0; i < 1000; i++) writer.enqueueList('test:list', `a${i}`, 600);
			while (!kv.inFlight) await sleep(1);
			for (let i = 0; i < next; i++) writer.enqueueList('test:list', `b${i}`, 600);
			for (let waited = 0; kv.transactions.length < 2 && waited < 2000; waited += 5) await sleep(5);
			expect(kv.transactions).toHaveLength(2);
			expect(kv.written).toBe(1000 + next);
			const gap = kv.transactions[1]!.at - kv.transactions[0]!.at;
			if (waits) expect(gap).toBeGreaterThanOrEqual(19);
			else expect(gap).toBeLessThan(19);
			expect(await writer.drain(5000)).toBe(true);
			writer.stop();
		}
	});

	// Every transaction costs about the same whatever it holds: a trickle (200 events/s on the dashboard) is written a
	// transaction per 200 ms, not one per 50 ms (bench:tui, the events' CPU).
	it('at a trickle, writes wait up to 200 ms to share a transaction, and every entry is written once', {retry: 2}, async () => {
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		const started = performance.now();
		let sent = 0;
		while (performance.now() - started < 700) {
			writer.enqueueList('test:list', `e${sent++}`, 600);
			await sleep(10);
		}
		const scheduled = [...kv.transactions];
		expect(await writer.drain(5000)).toBe(true);
		expect(kv.written).toBe(sent);
		expect(scheduled.length).toBeGreaterThanOrEqual(2);
		expect(scheduled.length).toBeLessThanOrEqual(4);
		expect(scheduled[0]!.at - started).toBeGreaterThanOrEqual(195);
		for (let i = 1; i < scheduled.length; i++) expect(scheduled[i]!.at - scheduled[i - 1]!.at).toBeGreaterThanOrEqual(195);
		writer.stop();
	});

	it('an explicit flush writes everything now, paced or not', async () => {
		const kv = new RecordingKv();
		const writer = writerOn(kv);
		for (let i = 0; i < 1500; i++) writer.enqueueList('test:list', `a${i}`, 600);
		await writer.flush();
		for (let i = 0; i < 1500; i++) writer.enqueueList('test:list', `b${i}`, 600);
		await writer.flush();
		expect(kv.written).toBe(3000);
		expect(kv.transactions).toHaveLength(2);
		writer.stop();
	});

	it('a burst faster than Redis: what waits stays bounded, and every entry is written once or counted as dropped', async () => {
		const kv = new RecordingKv();
		kv.roundTripMs = 30;
		const writer = writerOn(kv, {maxPendingEntries: 20_000});
		let sent = 0;
		let mostWaiting = 0;
		// 5,000 entries a millisecond for 200 ms: far more than a transaction every 30 ms carries off.
		const until = performance.now() + 200;
		while (performance.now() < until) {
			for (let i = 0; i < 5000; i++) writer.enqueueList('test:list', `e${sent++}`, 600);
			mostWaiting = Math.max(mostWaiting, writer.stats.pendingEntries);
			await sleep(1);
		}
		expect(await writer.drain(10_000)).toBe(true);
		// The pending batch and the one in flight, each at most maxPendingEntries.
		expect(mostWaiting).toBeLessThanOrEqual(40_000);
		expect(writer.stats.dropped).toBeGreaterThan(0);
		expect(kv.written).toBe(writer.stats.entriesWritten);
		expect(kv.written + writer.stats.dropped).toBe(sent);
		writer.stop();
	});

	it('does not pace with flushDelayMs 0, and a frozen injected clock does not stop it', async () => {
		for (const options of [{flushDelayMs: 0}, {now: () => 1_700_000_000_000}]) {
			const kv = new RecordingKv();
			const writer = writerOn(kv, options);
			const sent = await stream(writer, 80, 1200);
			expect(await writer.drain(5000)).toBe(true);
			expect(kv.written).toBe(sent);
			writer.stop();
		}
	});
});
