/**
Soak: mycotop's runtime (subscriber, ingest, store, writer, snapshots) on a private redis-server, fed by a separate
publisher process at a steady rate (training 70 %, finished tasks 20 %, agent status 9 %, invalid 1 %), for a while.

  npm run soak                      10 minutes at 2,000 events/s
  npm run soak -- 60                60 seconds (the CI variant, run by test/faults/soak-ci.test.ts)
  node dist/bench/soak.js 60 --rate 2000 --json

Verdict (exit 1 when any fails):
- RSS flat: the mean RSS of the last third minus the mean of the first third after a warm-up (20 %, at least
  10 s) stays under 30 MB, and so does heap;
- no event-loop stall: the largest event-loop delay (perf_hooks histogram, 10 ms resolution) stays under 100 ms;
- every event accounted for: what Redis delivered = received = stored + rejected (+ refused), the invalid ones are
  exactly the rejected ones, and the writer wrote (or counted as dropped) one list entry per stored list event.
*/
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {Redis} from 'ioredis';
import {Runtime} from '../src/runtime.js';
import {startRedis} from '../test/helpers/redis-server.js';

const PROJECTS = 20;
const AGENTS = 10;

/** Event `i` of the soak: [channel, message, kind]. Deterministic. */
export function soakEvent(i: number): [channel: string, message: string, kind: 'training' | 'task' | 'agent' | 'invalid'] {
	const k = i % 100;
	if (k === 99) return ['events:training:progress', `{"projectId": "broken", "step": ${i}, `, 'invalid'];
	if (k < 70) return ['events:training:progress', JSON.stringify({projectId: `soak-${i % PROJECTS}`, step: i, loss: 1 + Math.sin(i / 500) / 2}), 'training'];
	if (k < 90) return ['events:tasks:updates', JSON.stringify({taskId: `t-${i}`, status: 'done', agent: `agent-${i % AGENTS}`, duration_seconds: 60 + (i % 3000)}), 'task'];
	return ['events:agents:status', JSON.stringify({agentType: `agent-${i % AGENTS}`, status: i % 3 === 0 ? 'idle' : 'busy', taskCount: i % 5}), 'agent'];
}

interface PublisherReport {
	sent: number;
	delivered: number;
	deliveredByKind: Record<string, number>;
}

/** The publisher process: `rate` events a second for `seconds`, in 10 ms ticks; prints a JSON report. */
async function runPublisher(url: string, rate: number, seconds: number): Promise<void> {
	const redis = new Redis(url, {maxRetriesPerRequest: 1});
	redis.on('error', () => {});
	const report: PublisherReport = {sent: 0, delivered: 0, deliveredByKind: {training: 0, task: 0, agent: 0, invalid: 0}};
	const start = performance.now();
	const total = Math.round(rate * seconds);
	while (report.sent < total) {
		const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
		if (due > report.sent) {
			const pipeline = redis.pipeline();
			const kinds: string[] = [];
			for (; report.sent < due; report.sent++) {
				const [channel, message, kind] = soakEvent(report.sent);
				pipeline.publish(channel, message);
				kinds.push(kind);
			}
			const results = (await pipeline.exec()) ?? [];
			results.forEach(([error, receivers], index) => {
				if (error === null && Number(receivers) > 0) {
					report.delivered += 1;
					report.deliveredByKind[kinds[index]!]! += 1;
				}
			});
		}
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	process.stdout.write(`${JSON.stringify(report)}\n`);
	redis.disconnect();
}

interface Sample {
	readonly tSeconds: number;
	readonly rssMb: number;
	readonly heapMb: number;
}

export interface SoakResult {
	readonly seconds: number;
	readonly rate: number;
	readonly sent: number;
	readonly delivered: number;
	readonly received: number;
	readonly stored: number;
	readonly rejected: number;
	readonly refused: number;
	readonly invalidDelivered: number;
	readonly listEventsStored: number;
	readonly entriesWritten: number;
	readonly dropped: number;
	readonly maxLoopDelayMs: number;
	readonly p99LoopDelayMs: number;
	readonly rssStartMb: number;
	readonly rssEndMb: number;
	readonly rssGrowthMb: number;
	readonly heapGrowthMb: number;
	readonly samples: readonly Sample[];
	readonly checks: ReadonlyArray<{readonly name: string; readonly ok: boolean; readonly detail: string}>;
	readonly ok: boolean;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** RSS and heap growth: the last third's mean minus the first third's, after the warm-up. Pure. */
export function growth(samples: readonly Sample[], warmupSeconds: number): {rssMb: number; heapMb: number} {
	const steady = samples.filter((s) => s.tSeconds >= warmupSeconds);
	if (steady.length < 3) return {rssMb: 0, heapMb: 0};
	const third = Math.max(1, Math.floor(steady.length / 3));
	const first = steady.slice(0, third);
	const last = steady.slice(-third);
	return {rssMb: mean(last.map((s) => s.rssMb)) - mean(first.map((s) => s.rssMb)), heapMb: mean(last.map((s) => s.heapMb)) - mean(first.map((s) => s.heapMb))};
}

async function runSoak(seconds: number, rate: number, log: (line: string) => void): Promise<SoakResult> {
	const redis = await startRedis();
	const runtime = new Runtime({redisUrl: redis.url, readOnly: false, demo: false, instanceId: 'soak'});
	await runtime.start(3000);
	const deadline = Date.now() + 8000;
	while (runtime.bus.role !== 'writer' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

	const loop = monitorEventLoopDelay({resolution: 10});
	loop.enable();
	// Each stall over 100 ms, with when it happened and what the store held then (for diagnosis).
	const stalls: Array<{atSeconds: number; ms: number}> = [];
	let lastTick = performance.now();
	const stallWatch = setInterval(() => {
		const now = performance.now();
		if (now - lastTick - 20 > 100) stalls.push({atSeconds: Math.round((now - startedAt) / 1000), ms: Math.round(now - lastTick - 20)});
		lastTick = now;
	}, 20);
	const samples: Sample[] = [];
	const startedAt = performance.now();
	const sample = () => {
		const memory = process.memoryUsage();
		samples.push({tSeconds: (performance.now() - startedAt) / 1000, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20});
	};
	sample();
	const sampler = setInterval(sample, Math.min(5000, Math.max(1000, (seconds * 1000) / 60)));
	const progress = setInterval(() => {
		const c = runtime.store.counters;
		const last = samples.at(-1)!;
		log(`  ${Math.round((performance.now() - startedAt) / 1000)} s: received ${c.received}, rss ${last.rssMb.toFixed(0)} MB, heap ${last.heapMb.toFixed(0)} MB, max loop delay ${(loop.max / 1e6).toFixed(0)} ms`);
	}, 30_000);

	const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--publisher', redis.url, String(rate), String(seconds)], {stdio: ['ignore', 'pipe', 'inherit']});
	let out = '';
	child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
	await new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const report = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as PublisherReport;

	const drainDeadline = Date.now() + 10_000;
	while (runtime.store.counters.received < report.delivered && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
	await runtime.writer.drain(5000);
	clearInterval(sampler);
	clearInterval(progress);
	clearInterval(stallWatch);
	sample();
	loop.disable();
	const c = runtime.store.counters;
	const w = runtime.writer.stats;
	await runtime.stop(1000);
	await redis.stop();

	const warmup = Math.max(10, seconds * 0.2);
	const g = growth(samples, warmup);
	const listEventsStored = report.deliveredByKind['training']! + report.deliveredByKind['task']!;
	const maxLoopDelayMs = loop.max / 1e6;
	const checks = [
		{name: 'every delivered event received', ok: c.received === report.delivered, detail: `${c.received} received of ${report.delivered} delivered (${report.sent} sent)`},
		{name: 'received = stored + rejected + refused', ok: c.received === c.stored + c.rejected + c.refused, detail: `${c.received} = ${c.stored} + ${c.rejected} + ${c.refused}`},
		{name: 'invalid = rejected', ok: c.rejected === report.deliveredByKind['invalid'], detail: `${report.deliveredByKind['invalid']} invalid, ${c.rejected} rejected`},
		{name: 'list entries written or counted', ok: w.entriesWritten + w.dropped === listEventsStored, detail: `${w.entriesWritten} written + ${w.dropped} dropped of ${listEventsStored}`},
		{
			name: 'no event-loop stall over 100 ms',
			ok: maxLoopDelayMs < 100,
			detail: `max ${maxLoopDelayMs.toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms${stalls.length > 0 ? `; stalls at ${stalls.map((x) => `${x.atSeconds} s (${x.ms} ms)`).join(', ')}` : ''}`,
		},
		{name: 'RSS flat (< 30 MB growth)', ok: g.rssMb < 30, detail: `${g.rssMb >= 0 ? '+' : ''}${g.rssMb.toFixed(1)} MB after ${warmup.toFixed(0)} s warm-up`},
		{name: 'heap flat (< 30 MB growth)', ok: g.heapMb < 30, detail: `${g.heapMb >= 0 ? '+' : ''}${g.heapMb.toFixed(1)} MB`},
	];
	return {
		seconds,
		rate,
		sent: report.sent,
		delivered: report.delivered,
		received: c.received,
		stored: c.stored,
		rejected: c.rejected,
		refused: c.refused,
		invalidDelivered: report.deliveredByKind['invalid']!,
		listEventsStored,
		entriesWritten: w.entriesWritten,
		dropped: w.dropped,
		maxLoopDelayMs,
		p99LoopDelayMs: loop.percentile(99) / 1e6,
		rssStartMb: samples[0]!.rssMb,
		rssEndMb: samples.at(-1)!.rssMb,
		rssGrowthMb: g.rssMb,
		heapGrowthMb: g.heapMb,
		samples,
		checks,
		ok: checks.every((check) => check.ok),
	};
}

async function main(argv: readonly string[]): Promise<number> {
	if (argv[0] === '--publisher') {
		await runPublisher(argv[1]!, Number(argv[2]), Number(argv[3]));
		return 0;
	}
	const json = argv.includes('--json');
	const rateAt = argv.indexOf('--rate');
	const rate = rateAt >= 0 ? Number(argv[rateAt + 1]) : 2000;
	const positional = argv.find((a, i) => /^\d+$/.test(a) && argv[i - 1] !== '--rate');
	const seconds = positional === undefined ? 600 : Number(positional);
	const log = (line: string) => process.stderr.write(`${line}\n`);
	log(`soak: ${seconds} s at ${rate} events/s on a private redis-server`);
	const result = await runSoak(seconds, rate, log);
	if (json) {
		process.stdout.write(`${JSON.stringify({...result, samples: undefined})}\n`);
	} else {
		process.stdout.write(`\nsoak: ${seconds} s at ${rate} events/s: RSS ${result.rssStartMb.toFixed(0)} -> ${result.rssEndMb.toFixed(0)} MB\n\n`);
		process.stdout.write('| check | result | observed |\n|---|---|---|\n');
		for (const check of result.checks) process.stdout.write(`| ${check.name} | ${check.ok ? 'ok' : 'FAIL'} | ${check.detail} |\n`);
		process.stdout.write(`\nRSS samples (s: MB): ${result.samples.filter((_, i) => i % Math.max(1, Math.floor(result.samples.length / 12)) === 0).map((s) => `${s.tSeconds.toFixed(0)}: ${s.rssMb.toFixed(0)}`).join(', ')}\n`);
	}
	return result.ok ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error: unknown) => {
			process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
			process.exit(2);
		},
	);
}
