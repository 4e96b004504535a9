/**
bench:ingest's pipeline in one process, without the network: validate + store + the writer's projection, batching and
command encoding (a Kv that encodes each transaction as the Redis one does and answers at once). What it isolates is
mycotop's own CPU per event, without Redis, the publisher or the scheduler's noise; `--history` alternates runs without
and with the history rollups and prints the per-round ratio (the issue's "at most +10 % per event").

  node dist/bench/ingest-inproc.js [--events 200000 --rounds 7] [--compare OTHER/dist] [--slow-strings]

`--compare` loads a second build's pipeline (another worktree's dist/, built with this same bench file) into the same
process and alternates the two builds round by round as well: before/after with the least drift between them.

The process loads ioredis (through publisher.js), as mycotop always does, and then puts String.prototype back in V8's
fast mode as mycotop's redis-client.ts does (src/bus/string-prototype.ts); `--slow-strings` leaves it as ioredis
leaves it, the state of every build before that module. That state is the whole process's: with `--compare` both
builds run in it, so the fix's own effect is measured by running each build in its own process.
*/
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';
import {join, resolve} from 'node:path';
import {type Kv, type KvCommand} from '../src/bus/kv.js';
import * as resp from '../src/bus/resp-encode.js';
import * as metricsStore from '../src/store/metrics-store.js';
import * as seedWriter from '../src/writer/seed-writer.js';
import * as ingestModule from '../src/ingest/ingest.js';
import {restoreFastStringPrototype} from '../src/bus/string-prototype.js';
import {mixedEvent} from './publisher.js';

/** The parts of one build's pipeline this bench drives. */
interface Build {
	readonly name: string;
	readonly MetricsStore: typeof metricsStore.MetricsStore;
	readonly SeedWriter: typeof seedWriter.SeedWriter;
	readonly Ingest: typeof ingestModule.Ingest;
	readonly encodeCommand: typeof resp.encodeCommand;
}

const thisBuild: Build = {
	name: 'this build',
	MetricsStore: metricsStore.MetricsStore,
	SeedWriter: seedWriter.SeedWriter,
	Ingest: ingestModule.Ingest,
	encodeCommand: resp.encodeCommand,
};

/** Another build's pipeline, from its dist/ directory. */
async function loadBuild(dist: string): Promise<Build> {
	const at = (path: string) => `file://${join(resolve(dist), path)}`;
	const [m, w, i, r] = await Promise.all([import(at('src/store/metrics-store.js')), import(at('src/writer/seed-writer.js')), import(at('src/ingest/ingest.js')), import(at('src/bus/resp-encode.js'))]);
	return {
		name: dist,
		MetricsStore: (m as typeof metricsStore).MetricsStore,
		SeedWriter: (w as typeof seedWriter).SeedWriter,
		Ingest: (i as typeof ingestModule).Ingest,
		encodeCommand: (r as typeof resp).encodeCommand,
	};
}

/** Encodes every command as RedisKv does, keeps nothing; step rollups read back as absent. */
class EncodingKv implements Kv {
	bytes = 0;
	constructor(private readonly encode: Build['encodeCommand']) {}
	async exec(commands: readonly KvCommand[]): Promise<void> {
		for (const command of commands) this.bytes += this.encode(command).length;
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

/**
The main thread's own CPU time (µs), from /proc (Linux; 10 ms resolution): the process's CPU time counts the encoding
worker's too (entry-encoder.ts), and the main thread is what keeps up with the socket. NaN where it cannot be read.
*/
function mainThreadCpuUs(): number {
	try {
		const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
	} catch {
		return Number.NaN;
	}
}

/** The main thread's CPU per event of the last run (µs). */
let lastMainUs = Number.NaN;

/** One run: `messages` through a fresh pipeline, in slices of 1,000 per event-loop turn (as socket reads come). Returns CPU µs per event. */
async function run(build: Build, messages: ReadonlyArray<readonly [string, string]>, history: boolean): Promise<number> {
	const store = new build.MetricsStore();
	const kv = new EncodingKv(build.encodeCommand);
	const writer = new build.SeedWriter(
		store,
		{kv: () => kv, canWrite: () => true, canWriteHost: () => true, shouldQueue: () => false, isReady: () => true, publish: () => {}, instanceId: 'bench'},
		{history, flushDelayMs: 50},
	);
	const ingest = new build.Ingest(store, writer);
	const before = process.cpuUsage();
	const mainBefore = mainThreadCpuUs();
	for (let start = 0; start < messages.length; start += 1000) {
		const end = Math.min(messages.length, start + 1000);
		for (let i = start; i < end; i++) ingest.handle(messages[i]![0], messages[i]![1]);
		await new Promise<void>((resolve) => setImmediate(resolve));
	}
	await writer.drain(10_000);
	const cpu = process.cpuUsage(before);
	lastMainUs = (mainThreadCpuUs() - mainBefore) / messages.length;
	writer.stop();
	if (store.counters.stored !== messages.length) throw new Error(`stored ${store.counters.stored} of ${messages.length}`);
	return (cpu.user + cpu.system) / messages.length;
}

async function main(): Promise<void> {
	const {values} = parseArgs({options: {events: {type: 'string', default: '200000'}, rounds: {type: 'string', default: '7'}, compare: {type: 'string'}, 'slow-strings': {type: 'boolean', default: false}}});
	if (!values['slow-strings']) restoreFastStringPrototype();
	const events = Number(values.events);
	const rounds = Number(values.rounds);
	const builds = values.compare === undefined ? [thisBuild] : [await loadBuild(values.compare), thisBuild];
	const started = Date.now();
	// Stamped over the last `events` ms (as a burst replayed), in order.
	const messages = Array.from({length: events}, (_, i) => mixedEvent(i, started - events + i));
	const off = builds.map((): number[] => []);
	const on = builds.map((): number[] => []);
	const mainOff = builds.map((): number[] => []);
	const mainOn = builds.map((): number[] => []);
	for (const build of builds) await run(build, messages.slice(0, 20_000), true);
	for (let round = 0; round < rounds; round++) {
		// Alternating the order each round, so neither build nor side always goes first.
		const order = round % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => builds.length - 1 - i);
		for (const b of order) {
			const sides = round % 2 === 0 ? [false, true] : [true, false];
			for (const history of sides) {
				(history ? on : off)[b]!.push(await run(builds[b]!, messages, history));
				(history ? mainOn : mainOff)[b]!.push(lastMainUs);
			}
		}
	}
	const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
	const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
	console.log(
		`bench ingest-inproc on ${process.version}: ${events} mixed events per run, ${rounds} alternating rounds; String.prototype ${values['slow-strings'] ? 'left as ioredis leaves it (--slow-strings)' : 'restored (as the runtime does)'}`,
	);
	console.log(`| build | CPU per event without rollups, median (per round) | with rollups | per-round cost of the rollups, median (per round) |\n|---|---|---|---|`);
	for (const [b, build] of builds.entries()) {
		const ratios = on[b]!.map((v, i) => v / off[b]![i]! - 1);
		console.log(`| ${build.name} | ${median(off[b]!).toFixed(2)} µs (${list(off[b]!)}) | ${median(on[b]!).toFixed(2)} µs (${list(on[b]!)}) | ${pct(median(ratios))} (${ratios.map((r) => (r * 100).toFixed(1)).join(', ')}) |`);
	}
	console.log(`\nThe main thread alone (/proc, 10 ms resolution; the process's figures above include the encoding worker's CPU):\n| build | main thread CPU per event without rollups, median (per round) | with rollups |\n|---|---|---|`);
	for (const [b, build] of builds.entries()) console.log(`| ${build.name} | ${median(mainOff[b]!).toFixed(2)} µs (${list(mainOff[b]!)}) | ${median(mainOn[b]!).toFixed(2)} µs (${list(mainOn[b]!)}) |`);
	console.log('\nrollups target: at most +10 % per event');
	if (builds.length === 2) {
		const ratio = (side: number[][]) => median(side[1]!.map((v, i) => v / side[0]![i]!));
		console.log(`this build / ${builds[0]!.name}, per-round ratio (median): without rollups ${pct(ratio(off))}, with rollups ${pct(ratio(on))}; main thread: without ${pct(ratio(mainOff))}, with ${pct(ratio(mainOn))}`);
	}
}

await main();
