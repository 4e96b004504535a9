/**
bench:ingest: the full pipeline (validate, store, write) against the seed's own collector code and a bare
subscriber that only parses JSON, in one run, on a private redis-server. A separate publisher process sends the
mixed seed events.

  npm run bench:ingest [-- --events 200000 --seed-events 10000 --rate 5000 --seconds 10 --rounds 5 --per-trip 1000]
  node dist/bench/ingest.js --only burst [--events 200000 --rounds 5]   (the burst case alone)
  node dist/bench/ingest.js --only steady                              (the steady case alone, with the references)
  node --cpu-prof dist/bench/ingest.js --only burst-full               (mycotop's burst runs alone, to profile them)
  node dist/bench/ingest.js --only burst --writer-elsewhere            (the writer's work posted to a worker that drops it)

Two publishers: the steady case (ioredis pipelines of 500, one in flight: about 90,000 events/s on the 2-core VM, so
the bare subscriber there measures the publisher as much as itself) and the burst case (PUBLISH commands encoded before
the clock starts and sent 1,000 per round trip on a raw socket: a backlog replayed, many agents at once; the bare
subscriber is then the bound, not the publisher). Each prints the per-round ratios and mycotop's CPU per event.

The throughput runs alternate (bare, mycotop, bare, mycotop, ...) for `--rounds` rounds and report medians: on a
shared 2-core VM the machine's speed drifts by tens of percent within a minute, and a single pair can land on
either side of a drift.
*/
import {spawn} from 'node:child_process';
import {Worker} from 'node:worker_threads';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {Redis} from 'ioredis';
import {startRedis, type TestRedis} from '../test/helpers/redis-server.js';
import {Runtime} from '../src/runtime.js';
import {SUBSCRIBED_CHANNELS} from '../src/contract/names.js';
import {PlainCollector, seedHandle} from './seed-reference.js';
import {warnBusyNeighbours} from './busy-neighbours.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

function publish(url: string, ...args: string[]): Promise<{sent: number; ms: number; receivers: number}> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [join(here, 'publisher.js'), url, ...args], {stdio: ['ignore', 'pipe', 'inherit']});
		let out = '';
		child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
		child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`publisher exited ${code}`))));
	});
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) return false;
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
	return true;
}

interface Throughput {
	readonly received: number;
	readonly ms: number;
	readonly perSecond: number;
	readonly dropped: boolean;
}

type BurstMode = 'burst' | 'burst-single' | 'pipelined';

/** Events per round trip of the burst case's publisher (`--per-trip`). */
let perTrip = 1000;
const publishArgs = (mode: BurstMode, events: number): string[] => (mode === 'pipelined' ? [mode, String(events), String(perTrip)] : [mode, String(events)]);

/** A subscriber that only parses JSON. */
async function bare(redis: TestRedis, events: number, mode: BurstMode = 'burst'): Promise<Throughput & {cpuUsPerEvent: number}> {
	const sub = new Redis(redis.url);
	let received = 0;
	let first = 0;
	let last = 0;
	let closed = false;
	sub.on('close', () => (closed = true));
	sub.on('message', (_channel: string, message: string) => {
		JSON.parse(message);
		if (received === 0) first = now();
		received += 1;
		last = now();
	});
	await sub.subscribe(...SUBSCRIBED_CHANNELS);
	const cpuBefore = process.cpuUsage();
	await publish(redis.url, ...publishArgs(mode, events));
	await waitUntil(() => received >= events, 30_000);
	const cpu = process.cpuUsage(cpuBefore);
	sub.disconnect();
	const ms = last - first;
	return {received, ms, perSecond: (received / ms) * 1000, dropped: closed && received < events, cpuUsPerEvent: (cpu.user + cpu.system) / received};
}

/** The seed's code: one awaited call at a time, messages queued in order. */
async function seed(redis: TestRedis, events: number): Promise<Throughput> {
	const sub = new Redis(redis.url);
	const writer = new Redis(redis.url);
	let received = 0;
	let processed = 0;
	let first = 0;
	let last = 0;
	let chain = Promise.resolve();
	sub.on('message', (channel: string, message: string) => {
		if (received === 0) first = now();
		received += 1;
		chain = chain.then(() => seedHandle(writer, channel, message)).then(() => {
			processed += 1;
			last = now();
		});
	});
	await sub.subscribe(...SUBSCRIBED_CHANNELS);
	await publish(redis.url, 'burst', String(events));
	await waitUntil(() => processed >= events, 300_000);
	sub.disconnect();
	writer.disconnect();
	const ms = last - first;
	return {received: processed, ms, perSecond: (processed / ms) * 1000, dropped: false};
}

/** A plain collector (the seed's writes batched into pipelines), until everything it queued is written. */
async function plain(redis: TestRedis, events: number): Promise<Throughput> {
	const sub = new Redis(redis.url);
	const writer = new Redis(redis.url);
	const collector = new PlainCollector(writer);
	let received = 0;
	let first = 0;
	sub.on('message', (channel: string, message: string) => {
		if (received === 0) first = now();
		received += 1;
		collector.handle(channel, message);
	});
	await sub.subscribe(...SUBSCRIBED_CHANNELS);
	await publish(redis.url, 'burst', String(events));
	await waitUntil(() => collector.processed >= events, 60_000);
	const ms = now() - first;
	sub.disconnect();
	writer.disconnect();
	return {received: collector.processed, ms, perSecond: (collector.processed / ms) * 1000, dropped: false};
}

async function pipelineRuntime(redis: TestRedis, history = true): Promise<Runtime> {
	const runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, history});
	await runtime.start();
	await waitUntil(() => runtime.bus.role === 'writer', 10_000);
	return runtime;
}

/** mycotop's pipeline: validate, store and write (until the writer has committed everything). */
/**
`--writer-elsewhere`: what the main thread would cost with the writer (projection, encoding, Redis writes) moved to a
worker thread, for the design of one: each stored event is packed (numbers into a Float64Array, strings into an array)
and posted in batches of up to 1,000 to a worker that drops them. The store is filled, nothing is written to Redis:
a prototype's ceiling, not a pipeline.
*/
let writerElsewhere = false;
let sinkWorker: Worker | undefined;

function postToWorker(runtime: Runtime): void {
	sinkWorker ??= new Worker('require("node:worker_threads").parentPort.on("message", () => {});', {eval: true});
	const worker = sinkWorker;
	let numbers = new Float64Array(4000);
	let strings: unknown[] = [];
	let count = 0;
	const post = () => {
		if (count === 0) return;
		worker.postMessage({numbers, strings, count}, [numbers.buffer]);
		numbers = new Float64Array(4000);
		strings = [];
		count = 0;
	};
	runtime.writer.onEvent = (event) => {
		if (event.kind === 'training') {
			const at = count * 4;
			numbers[at] = event.step;
			numbers[at + 1] = event.loss;
			numbers[at + 2] = event.wer ?? Number.NaN;
			numbers[at + 3] = event.timeMs;
			strings.push(event.projectId, event.timestamp);
		} else strings.push(event);
		count += 1;
		if (count === 1000) post();
		else if (count === 1) setImmediate(post);
	};
}

/** The main thread's own CPU time (µs), from /proc (Linux, 10 ms resolution); the process's counts the encoding worker's too. */
function mainThreadCpuUs(): number {
	return processCpuUs(process.pid, `/proc/self/task/${process.pid}/stat`);
}

async function full(
	redis: TestRedis,
	events: number,
	mode: BurstMode = 'burst',
	history = true,
): Promise<Throughput & {cpuPercent: number; batches: number; cpuUsPerEvent: number; mainUsPerEvent: number; workerBatches: number; entriesDropped: number}> {
	const runtime = await pipelineRuntime(redis, history);
	if (writerElsewhere) postToWorker(runtime);
	const handle = runtime.ingest.handle.bind(runtime.ingest);
	let received = 0;
	let first = 0;
	runtime.ingest.handle = (channel: string, message: string) => {
		if (received === 0) first = now();
		received += 1;
		handle(channel, message);
	};
	const cpuBefore = process.cpuUsage();
	const mainBefore = mainThreadCpuUs();
	const batchesBefore = runtime.writer.stats.batches;
	const droppedBefore = runtime.writer.stats.dropped;
	await publish(redis.url, ...publishArgs(mode, events));
	await waitUntil(() => received >= events, 60_000);
	await waitUntil(() => runtime.writer.stats.pendingEntries === 0 && runtime.store.counters.received >= events, 60_000);
	await runtime.writer.drain(10_000);
	const last = now();
	const cpu = process.cpuUsage(cpuBefore);
	const mainUs = mainThreadCpuUs() - mainBefore;
	const ms = last - first;
	const reconnects = runtime.bus.link?.reconnects ?? 0;
	const batches = runtime.writer.stats.batches - batchesBefore;
	// List entries the writer gave up (its pending batch full while a transaction was in flight): counted, not written.
	const entriesDropped = runtime.writer.stats.dropped - droppedBefore;
	if (reconnects > 0 || received < events) console.error(`mycotop run: ${received}/${events} received, ${reconnects} reconnects of its subscriber (output-buffer limit?)`);
	await runtime.stop();
	return {
		received,
		ms,
		perSecond: (received / ms) * 1000,
		dropped: reconnects > 0 || received < events,
		cpuPercent: ((cpu.user + cpu.system) / 1000 / ms) * 100,
		batches,
		cpuUsPerEvent: (cpu.user + cpu.system) / received,
		mainUsPerEvent: mainUs / received,
		workerBatches: runtime.writer.stats.encoder.workerBatches,
		entriesDropped,
	};
}

/** Publish-to-store latency at a steady rate. */
async function latency(redis: TestRedis, rate: number, seconds: number): Promise<{p50: number; p99: number; max: number; count: number; dropped: boolean}> {
	const runtime = await pipelineRuntime(redis);
	const handle = runtime.ingest.handle.bind(runtime.ingest);
	const samples: number[] = [];
	runtime.ingest.handle = (channel: string, message: string) => {
		handle(channel, message);
		const t = now();
		const match = /"sentAt":([\d.]+)/.exec(message);
		if (match) samples.push(t - Number(match[1]));
	};
	const sent = await publish(redis.url, 'rate', String(rate), String(seconds));
	await waitUntil(() => samples.length >= sent.sent, 10_000);
	const reconnects = runtime.bus.link?.reconnects ?? 0;
	await runtime.stop();
	samples.sort((a, b) => a - b);
	const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? Number.NaN;
	return {p50: q(0.5), p99: q(0.99), max: samples.at(-1) ?? Number.NaN, count: samples.length, dropped: reconnects > 0 || samples.length < sent.sent};
}

const median = (values: readonly number[]): number => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** `rounds` alternating pairs of runs; the medians of each side, and the median of the per-round ratios. */
async function alternate(
	rounds: number,
	flush: () => Promise<void>,
	bareRun: () => Promise<Throughput & {cpuUsPerEvent: number}>,
	fullRun: () => Promise<Throughput & {cpuPercent: number; batches: number; cpuUsPerEvent: number}>,
	plainRun?: () => Promise<Throughput>,
	seedRun?: () => Promise<Throughput>,
): Promise<{
	bare: Throughput;
	full: Throughput & {cpuPercent: number; batches: number};
	ratio: number;
	ratios: number[];
	fullCpu: number[];
	bareCpu: number[];
	plain?: Throughput;
	plainRatio?: number;
	seed?: Throughput;
	seedRatios?: number[];
}> {
	const bares: Array<Throughput & {cpuUsPerEvent: number}> = [];
	const fulls: Array<Throughput & {cpuPercent: number; batches: number; cpuUsPerEvent: number}> = [];
	const plains: Throughput[] = [];
	const seeds: Throughput[] = [];
	for (let round = 0; round < rounds; round++) {
		bares.push(await bareRun());
		await flush();
		fulls.push(await fullRun());
		await flush();
		if (plainRun) {
			plains.push(await plainRun());
			await flush();
		}
		if (seedRun) {
			seeds.push(await seedRun());
			await flush();
		}
	}
	const pick = <T extends Throughput>(runs: T[]): T => {
		const m = median(runs.map((r) => r.perSecond));
		const closest = runs.reduce((best, r) => (Math.abs(r.perSecond - m) < Math.abs(best.perSecond - m) ? r : best));
		return {...closest, perSecond: m, dropped: runs.some((r) => r.dropped), received: Math.min(...runs.map((r) => r.received))};
	};
	const ratios = fulls.map((f, i) => f.perSecond / bares[i]!.perSecond);
	const plainRatio = plains.length === 0 ? undefined : median(plains.map((p, i) => p.perSecond / bares[i]!.perSecond));
	return {
		bare: pick(bares),
		full: pick(fulls),
		ratio: median(ratios),
		ratios,
		fullCpu: fulls.map((f) => f.cpuUsPerEvent),
		bareCpu: bares.map((b) => b.cpuUsPerEvent),
		...(plainRun ? {plain: pick(plains), plainRatio} : {}),
		...(seedRun ? {seed: pick(seeds), seedRatios: fulls.map((f, i) => f.perSecond / seeds[i]!.perSecond)} : {}),
	};
}

/**
The rollups' cost per event: `rounds` alternating bursts through the full pipeline without history rollups and with
them, each side's median of wall time and of this process's CPU time per event, and the median per-round ratio.
*/
async function historyAb(redis: TestRedis, events: number, rounds: number, flush: () => Promise<void>): Promise<void> {
	console.log(`bench:ingest --history-ab on ${process.version}, ${events} mixed events per run, ${rounds} alternating rounds (medians)\n`);
	const off: Array<{us: number; cpu: number; redis: number}> = [];
	const on: Array<{us: number; cpu: number; redis: number}> = [];
	const client = redis.client();
	// Redis's own time in the writer's transactions (INFO commandstats, EXEC's usec: the commands and the script in them).
	const execUsec = async () => Number(/cmdstat_exec:calls=\d+,usec=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0);
	// Redis's time in the history's own commands: the merge EVALs and SETRANGEs (the script's nested ones counted
	// in both, so an upper bound). EXEC's time swings with how the same entries fall into transactions.
	const historyUsec = async () => {
		const stats = await client.info('commandstats');
		let usec = 0;
		for (const name of ['eval', 'setrange']) usec += Number(new RegExp(`cmdstat_${name}:calls=\\d+,usec=(\\d+)`).exec(stats)?.[1] ?? 0);
		return usec;
	};
	const historyRedis: number[] = [];
	for (let round = 0; round < rounds; round++) {
		for (const [history, into] of [[false, off], [true, on]] as const) {
			await client.config('RESETSTAT');
			const r = await full(redis, events, 'burst', history);
			into.push({us: (r.ms * 1000) / r.received, cpu: r.cpuUsPerEvent, redis: (await execUsec()) / r.received});
			if (history) historyRedis.push((await historyUsec()) / r.received);
			await flush();
		}
	}
	client.disconnect();
	const cell = (runs: ReadonlyArray<{us: number; cpu: number; redis: number}>, pick: (r: {us: number; cpu: number; redis: number}) => number) =>
		`${median(runs.map(pick)).toFixed(2)} µs (${runs.map((r) => pick(r).toFixed(2)).join(', ')})`;
	const row = (name: string, runs: ReadonlyArray<{us: number; cpu: number; redis: number}>) =>
		`| ${name} | ${cell(runs, (r) => r.us)} | ${cell(runs, (r) => r.cpu)} | ${cell(runs, (r) => r.redis)} | ${cell(runs, (r) => r.cpu + r.redis)} |`;
	console.log('| full pipeline | wall time per event | mycotop CPU per event | Redis EXEC time per event | CPU + Redis per event |');
	console.log('|---|---|---|---|---|');
	console.log(row('without history rollups', off));
	console.log(row('with history rollups', on));
	const ratio = (pick: (r: {us: number; cpu: number; redis: number}) => number) => `${((median(on.map((r, i) => pick(r) / pick(off[i]!))) - 1) * 100).toFixed(1)} %`;
	console.log(
		`\nRedis time in the history's EVAL and SETRANGE per event (upper bound): ${historyRedis.map((u) => u.toFixed(2)).join(', ')} µs; as a share of the CPU per event without rollups: ${historyRedis.map((u, i) => ((u / off[i]!.cpu) * 100).toFixed(1)).join(', ')} %`,
	);
	console.log(
		`\nper-round ratio with / without (median): wall ${ratio((r) => r.us)}, mycotop CPU ${ratio((r) => r.cpu)}, CPU + Redis ${ratio((r) => r.cpu + r.redis)} (target: at most +10 %)`,
	);
}

/** CPU time (µs) a process has used, from /proc (Linux); 0 where it cannot be read. */
function processCpuUs(pid: number | undefined, path = `/proc/${pid}/stat`): number {
	try {
		const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
	} catch {
		return 0;
	}
}

/**
The burst case: the raw publisher's 1,000 PUBLISH per round trip, bare subscriber and mycotop alternating. Returns the
median of the per-round ratios.
*/
async function burstCase(redis: TestRedis, events: number, rounds: number, flush: () => Promise<void>): Promise<number> {
	const bares: Array<Throughput & {cpuUsPerEvent: number}> = [];
	const fulls: Array<Throughput & {cpuUsPerEvent: number; batches: number; mainUsPerEvent: number; workerBatches: number; entriesDropped: number}> = [];
	// Redis's own CPU per event in each run (its share of the two cores: what a worker thread would compete with).
	const redisBare: number[] = [];
	const redisFull: number[] = [];
	for (let round = 0; round < rounds; round++) {
		let before = processCpuUs(redis.pid);
		bares.push(await bare(redis, events, 'pipelined'));
		redisBare.push((processCpuUs(redis.pid) - before) / events);
		await flush();
		before = processCpuUs(redis.pid);
		fulls.push(await full(redis, events, 'pipelined'));
		redisFull.push((processCpuUs(redis.pid) - before) / events);
		await flush();
	}
	const ratios = fulls.map((f, i) => f.perSecond / bares[i]!.perSecond);
	const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
	const list = (values: number[], digits = 0) => values.map((v) => v.toFixed(digits)).join(', ');
	console.log(`\nBurst: ${events} events per run, PUBLISH pipelined ${perTrip} per round trip (raw RESP, encoded before the clock starts)\n`);
	console.log('| pipeline | rate, median (per round) | CPU per event, median (per round) | subscriber |');
	console.log('|---|---|---|---|');
	const row = (name: string, runs: Array<Throughput & {cpuUsPerEvent: number}>) =>
		console.log(
			`| ${name} | ${fmt(median(runs.map((r) => r.perSecond)))} ev/s (${runs.map((r) => fmt(r.perSecond)).join(', ')}) | ${median(runs.map((r) => r.cpuUsPerEvent)).toFixed(2)} µs (${list(runs.map((r) => r.cpuUsPerEvent), 2)}) | ${runs.some((r) => r.dropped) ? 'DROPPED' : 'no drop'} |`,
		);
	row('bare subscriber (JSON.parse only)', bares);
	row('mycotop full pipeline (validate, store, write)', fulls);
	console.log(
		`\nmycotop's main thread alone (/proc, 10 ms resolution; the CPU above is the process's, the encoding worker's included): ${median(fulls.map((f) => f.mainUsPerEvent)).toFixed(2)} µs per event (${list(fulls.map((f) => f.mainUsPerEvent), 2)}); transactions encoded in the worker per run: ${fulls.map((f) => f.workerBatches).join(', ')}`,
	);
	console.log(`\nlist entries the writer dropped per run (its pending batch full while a transaction was in flight): ${fulls.map((f) => f.entriesDropped).join(', ')}`);
	console.log(`\nredis-server CPU per event (publish, deliver, and for mycotop its writes): bare ${list(redisBare, 2)} µs; mycotop ${list(redisFull, 2)} µs`);
	const ratio = median(ratios);
	console.log(
		`\nburst: per-round ratio mycotop / bare subscriber: ${list(ratios.map((r) => r * 100))} % (median ${(ratio * 100).toFixed(0)} %; target >= 80 %: ${ratio >= 0.8 ? 'PASS' : 'FAIL'}); write transactions per run ${fmt(median(fulls.map((f) => f.batches)))}`,
	);
	return ratio;
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			events: {type: 'string', default: '200000'},
			'seed-events': {type: 'string', default: '10000'},
			rate: {type: 'string', default: '5000'},
			seconds: {type: 'string', default: '10'},
			rounds: {type: 'string', default: '5'},
			'per-trip': {type: 'string', default: '1000'},
			/** mycotop's runs with the writer's work posted to a worker that drops it (see postToWorker): a worker design's ceiling. */
			'writer-elsewhere': {type: 'boolean', default: false},
			/** Only one case: `burst` (the pipelined publisher) or `steady` (the references, latency and one PUBLISH per write). */
			only: {type: 'string'},
			/** Only the cost of the history rollups: alternating full-pipeline runs without and with them. */
			'history-ab': {type: 'boolean', default: false},
		},
	});
	const rounds = Math.max(1, Number(values.rounds));
	const events = Number(values.events);
	const seedEvents = Number(values['seed-events']);
	perTrip = Math.max(1, Number(values['per-trip']));
	writerElsewhere = values['writer-elsewhere'];
	await warnBusyNeighbours('bench:ingest');
	const redis = await startRedis();
	const flush = async () => {
		const c = redis.client();
		await c.flushall();
		c.disconnect();
	};
	try {
		if (values['history-ab']) {
			await historyAb(redis, events, rounds, flush);
			return;
		}
		if (values.only === 'burst-full') {
			// For a CPU profile of the pipeline alone (node --cpu-prof): only mycotop's runs of the burst case.
			for (let round = 0; round < rounds; round++) {
				const r = await full(redis, events, 'pipelined');
				console.log(
					`mycotop full pipeline: ${Math.round(r.perSecond)} ev/s, ${r.cpuUsPerEvent.toFixed(2)} µs CPU per event (main thread ${r.mainUsPerEvent.toFixed(2)} µs), ${r.batches} transactions (${r.workerBatches} encoded in the worker), ${r.entriesDropped} list entries dropped by the writer`,
				);
				await flush();
			}
			return;
		}
		if (values.only === 'burst') {
			console.log(`bench:ingest --only burst on ${process.version}, ${rounds} alternating rounds`);
			await burstCase(redis, events, rounds, flush);
			return;
		}
		console.log(
			`bench:ingest on ${process.version}, ${events} mixed events (70% training, 20% task, 10% agent) per throughput run, ${rounds} alternating rounds (medians)\n`,
		);
		// Latency first, while the process is fresh; then the throughput rounds, each with the seed's code too.
		const l = await latency(redis, Number(values.rate), Number(values.seconds));
		await flush();
		const burst = await alternate(
			rounds,
			flush,
			() => bare(redis, events),
			() => full(redis, events),
			// The plain collector is slow (about a seventh of the others here): a quarter of the events is enough for its rate.
			() => plain(redis, Math.ceil(events / 4)),
			() => seed(redis, seedEvents),
		);
		const b = burst.bare;
		const f = burst.full;
		const s = burst.seed!;
		const single = await alternate(rounds, flush, () => bare(redis, events, 'burst-single'), () => full(redis, events, 'burst-single'));
		const bs = single.bare;
		const fs = single.full;
		const pct = (ratios: number[]) => ratios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ');
		const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
		const rows = [
			['bare subscriber (JSON.parse only)', `${fmt(b.perSecond)} ev/s`, `${b.received}/${events}`, b.dropped ? 'DROPPED' : 'no drop'],
			["seed's code (one awaited call at a time)", `${fmt(s.perSecond)} ev/s`, `${s.received}/${seedEvents}`, ''],
			['mycotop full pipeline (validate, store, write)', `${fmt(f.perSecond)} ev/s`, `${f.received}/${events}`, f.dropped ? 'DROPPED' : 'no drop'],
			[
				`plain collector (the seed's writes in pipelines; ${((burst.plainRatio ?? 0) * 100).toFixed(0)}% of bare)`,
				`${fmt(burst.plain!.perSecond)} ev/s`,
				`${burst.plain!.received}/${Math.ceil(events / 4)}`,
				'',
			],
		];
		console.log('| pipeline | sustained rate | events | subscriber |');
		console.log('|---|---|---|---|');
		for (const r of rows) console.log(`| ${r.join(' | ')} |`);
		console.log('');
		const vsSeed = median(burst.seedRatios!);
		const vsBare = burst.ratio;
		console.log('| measure | mycotop | reference | target | verdict |');
		console.log('|---|---|---|---|---|');
		console.log(`| rate vs the seed's code | ${vsSeed.toFixed(1)}x | 1x | >= 30x | ${vsSeed >= 30 ? 'PASS' : 'FAIL'} |`);
		console.log(`| rate vs bare subscriber (steady) | ${(vsBare * 100).toFixed(0)}% | 100% | >= 90% | ${vsBare >= 0.9 ? 'PASS' : 'FAIL'} |`);
		console.log(`| subscriber dropped (output-buffer limit) | ${f.dropped || l.dropped ? 'yes' : 'no'} | | no | ${f.dropped || l.dropped ? 'FAIL' : 'PASS'} |`);
		console.log(`| publish-to-store p50 at ${values.rate}/s | ${l.p50.toFixed(2)} ms | | | |`);
		console.log(`| publish-to-store p99 at ${values.rate}/s | ${l.p99.toFixed(2)} ms (max ${l.max.toFixed(1)}) | | < 20 ms | ${l.p99 < 20 ? 'PASS' : 'FAIL'} |`);
		console.log(`\nper-round ratio mycotop / bare subscriber: ${pct(burst.ratios)} (median ${(vsBare * 100).toFixed(0)}%)`);
		console.log(`per-round ratio mycotop / the seed's code: ${burst.seedRatios!.map((r) => `${r.toFixed(1)}x`).join(', ')} (median ${vsSeed.toFixed(1)}x)`);
		console.log(
			`full pipeline: ${f.batches} write transactions, process CPU ${f.cpuPercent.toFixed(0)}% of one core during the run, ${median(burst.fullCpu).toFixed(2)} µs per event (per round ${burst.fullCpu.map((c) => c.toFixed(2)).join(', ')}; bare subscriber ${median(burst.bareCpu).toFixed(2)} µs); latency run: ${l.count} events`,
		);
		console.log('\nThe same with a publisher that sends one PUBLISH per write (up to 500 in flight), as many agents publishing do:\n');
		console.log('| pipeline | sustained rate | events | subscriber |');
		console.log('|---|---|---|---|');
		console.log(`| bare subscriber (JSON.parse only) | ${fmt(bs.perSecond)} ev/s | ${bs.received}/${events} | ${bs.dropped ? 'DROPPED' : 'no drop'} |`);
		console.log(`| mycotop full pipeline | ${fmt(fs.perSecond)} ev/s | ${fs.received}/${events} | ${fs.dropped ? 'DROPPED' : 'no drop'} |`);
		console.log(
			`\nrate vs bare subscriber with this publisher: ${(single.ratio * 100).toFixed(0)}% (per round ${pct(single.ratios)}; target >= 80%: ${single.ratio >= 0.8 ? 'PASS' : 'FAIL'}); vs the seed's code: ${(fs.perSecond / s.perSecond).toFixed(1)}x`,
		);
		if (values.only !== 'steady') await burstCase(redis, events, rounds, flush);
	} finally {
		await redis.stop();
		await sinkWorker?.terminate();
	}
}

await main();
