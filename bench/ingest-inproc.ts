/**
bench:ingest's pipeline in one process, without the network: validate + store + the writer's projection, batching and
command encoding (a Kv that encodes each transaction as the Redis one does and answers at once). What it isolates is
mycotop's own CPU per event, without Redis, the publisher or the scheduler's noise; `--history` alternates runs without
and with the history rollups and prints the per-round ratio (the issue's "at most +10 % per event").

  node dist/bench/ingest-inproc.js [--events 200000 --rounds 7]
*/
import {parseArgs} from 'node:util';
import {type Kv, type KvCommand} from '../src/bus/kv.js';
import {encodeCommand} from '../src/bus/resp-encode.js';
import {MetricsStore} from '../src/store/metrics-store.js';
import {SeedWriter} from '../src/writer/seed-writer.js';
import {Ingest} from '../src/ingest/ingest.js';
import {mixedEvent} from './publisher.js';

/** Encodes every command as RedisKv does, keeps nothing; step rollups read back as absent. */
class EncodingKv implements Kv {
	bytes = 0;
	async exec(commands: readonly KvCommand[]): Promise<void> {
		for (const command of commands) this.bytes += encodeCommand(command).length;
	}
	async getBuffer(): Promise<Buffer | null> {
		return null;
	}
	async scan(): Promise<string[]> {
		return [];
	}
	async lrange(): Promise<string[]> {
		return [];
	}
	async hgetall(): Promise<Record<string, string>> {
		return {};
	}
	async smembers(): Promise<string[]> {
		return [];
	}
	async get(): Promise<string | null> {
		return null;
	}
}

const median = (values: readonly number[]): number => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One run: `messages` through a fresh pipeline, in slices of 1,000 per event-loop turn (as socket reads come). Returns CPU µs per event. */
async function run(messages: ReadonlyArray<readonly [string, string]>, history: boolean): Promise<number> {
	const store = new MetricsStore();
	const kv = new EncodingKv();
	const writer = new SeedWriter(
		store,
		{kv: () => kv, canWrite: () => true, canWriteHost: () => true, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'bench'},
		{history, flushDelayMs: 50},
	);
	const ingest = new Ingest(store, writer);
	const before = process.cpuUsage();
	for (let start = 0; start < messages.length; start += 1000) {
		const end = Math.min(messages.length, start + 1000);
		for (let i = start; i < end; i++) ingest.handle(messages[i]![0], messages[i]![1]);
		await new Promise<void>((resolve) => setImmediate(resolve));
	}
	await writer.drain(10_000);
	const cpu = process.cpuUsage(before);
	writer.stop();
	if (store.counters.stored !== messages.length) throw new Error(`stored ${store.counters.stored} of ${messages.length}`);
	return (cpu.user + cpu.system) / messages.length;
}

async function main(): Promise<void> {
	const {values} = parseArgs({options: {events: {type: 'string', default: '200000'}, rounds: {type: 'string', default: '7'}}});
	const events = Number(values.events);
	const rounds = Number(values.rounds);
	const started = Date.now();
	// Stamped over the last `events` ms (as a burst replayed), in order.
	const messages = Array.from({length: events}, (_, i) => mixedEvent(i, started - events + i));
	const off: number[] = [];
	const on: number[] = [];
	await run(messages.slice(0, 20_000), true);
	for (let round = 0; round < rounds; round++) {
		off.push(await run(messages, false));
		on.push(await run(messages, true));
	}
	const ratios = on.map((v, i) => v / off[i]!);
	const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
	console.log(`bench ingest-inproc on ${process.version}: ${events} mixed events per run, ${rounds} alternating rounds`);
	console.log(`| pipeline | CPU per event, median (per round) |\n|---|---|`);
	console.log(`| without history rollups | ${median(off).toFixed(2)} µs (${list(off)}) |`);
	console.log(`| with history rollups | ${median(on).toFixed(2)} µs (${list(on)}) |`);
	console.log(`\nper-round ratio with / without: ${ratios.map((r) => `${((r - 1) * 100).toFixed(1)} %`).join(', ')} (median ${((median(ratios) - 1) * 100).toFixed(1)} %; target at most +10 %)`);
}

await main();
