/**
bench:history-memory: Redis memory for 90 days of history rollups, on a private redis-server.

  npm run bench:history-memory [-- --gpus 8 --projects 20 --agents 10 --days 90 --steps 1000000]

Fills the rollups through the writer's own paths (RollupBatch -> the Lua merge, one EVAL per simulated 10 minutes;
the step rollups through StepSeries and its writes)
with the worst case for memory: every bucket of every tier filled for the whole 90 days (a sample every 10 s for the
last day, every minute for the last week, every hour before), stamped in the past from now, so the chunk keys carry their real TTLs and the tiers keep exactly what they
would keep after 90 days of running. Series: per GPU util, mem, temp, power; per project loss and WER, each also by
step (a run of --steps steps); tasks throughput, sla, duration; per agent load. Memory does not depend on how many
samples a bucket holds (a chunk key is allocated whole), so 1 sample per 10 s measures the same as 1 per second.

Prints INFO memory's used_memory (the filled server minus the empty one), the keys per kind with MEMORY USAGE of one
of each, and the bytes per bucket.
*/
import {parseArgs} from 'node:util';
import {startRedis} from '../test/helpers/redis-server.js';
import {RollupBatch} from '../src/history/rollup-batch.js';
import {seriesName} from '../src/history/history-source.js';
import {TIERS} from '../src/history/rollup-layout.js';
import {RedisHistorySource} from '../src/history/redis-history-source.js';
import {StepSeries} from '../src/history/step-rollups.js';
import {HISTORY_KEYS} from '../src/contract/names.js';

const {values} = parseArgs({
	options: {
		gpus: {type: 'string', default: '8'},
		projects: {type: 'string', default: '20'},
		agents: {type: 'string', default: '10'},
		days: {type: 'string', default: '90'},
		steps: {type: 'string', default: '1000000'},
	},
});
const gpus = Number(values.gpus);
const projects = Number(values.projects);
const agents = Number(values.agents);
const days = Number(values.days);
const totalSteps = Number(values.steps);

const DAY = 86_400_000;
const BATCH_MS = 10 * 60_000;

async function usedMemory(redis: ReturnType<Awaited<ReturnType<typeof startRedis>>['client']>): Promise<number> {
	const info = await redis.info('memory');
	return Number(/used_memory:(\d+)/.exec(info)![1]);
}

const server = await startRedis();
const client = server.client();
try {
	const empty = await usedMemory(client);
	const timeSeries: string[] = [];
	for (let g = 0; g < gpus; g++) for (const m of ['util', 'mem', 'temp', 'power']) timeSeries.push(seriesName('gpu', 'box-1', g, m));
	const trainingSeries: string[] = [];
	for (let p = 0; p < projects; p++) for (const m of ['loss', 'wer']) trainingSeries.push(seriesName('training', `project-${p}`, m));
	timeSeries.push(...trainingSeries, seriesName('tasks', 'throughput'), seriesName('tasks', 'sla'), seriesName('tasks', 'duration'));
	for (let a = 0; a < agents; a++) timeSeries.push(seriesName('agent', `agent-${a}`, 'load'));

	const now = Date.now();
	const from = now - days * DAY;
	const stepStates = new Map(trainingSeries.map((series) => [series, StepSeries.fromBytes(null)]));
	const started = performance.now();
	let evals = 0;
	let samples = 0;
	for (let t0 = from; t0 < now; t0 += BATCH_MS) {
		const batch = new RollupBatch();
		const stepBase = Math.floor(((t0 - from) / (now - from)) * totalSteps);
		// One sample per bucket of the finest tier that keeps the time: the same keys and buckets as a sample every
		// 10 s throughout (the coarser tiers get a sample in every bucket either way), in far less time.
		const every = t0 < now - 7 * DAY - BATCH_MS ? 3_600_000 : t0 < now - DAY - BATCH_MS ? 60_000 : 10_000;
		for (let t = t0 - (t0 % every) + every; t < Math.min(now, t0 + BATCH_MS); t += every) {
			const phase = (t - from) / DAY;
			for (const [i, series] of timeSeries.entries()) {
				batch.sample(series, t, 50 + 40 * Math.sin(phase * 6.283 + i) + (i % 7));
				samples += 1;
			}
		}
		// Training by step: this batch's share of the run, one sample per 100 steps, into the writer's step state.
		const stepEnd = Math.floor(((Math.min(now, t0 + BATCH_MS) - from) / (now - from)) * totalSteps);
		for (let step = stepBase; step < stepEnd; step += 100) for (const state of stepStates.values()) state.add(step, 3 * Math.exp(-step / 2e5) + (step % 9973 === 0 ? 5 : 0));
		for (const command of batch.toCommands(now)) {
			await client.call('EVAL', ...command.slice(1));
			evals += 1;
		}
	}
	// The step rollups as the writer writes them (step-rollups.ts): the whole state, with its TTL.
	for (const [series, state] of stepStates) for (const command of state.takeWrites(HISTORY_KEYS.steps(series))) await client.call(command[0], ...(command.slice(1) as Array<string | number | Buffer>));
	const fillSeconds = (performance.now() - started) / 1000;
	const filled = await usedMemory(client);
	const kinds = new Map<string, {keys: number; sample: string}>();
	let cursor = '0';
	do {
		const [next, found] = await client.scan(cursor, 'MATCH', 'mycotop:history:*', 'COUNT', 1000);
		cursor = next;
		for (const key of found) {
			const kind = key === 'mycotop:history:index' ? 'index' : key.split(':')[2]!;
			const entry = kinds.get(kind);
			if (entry === undefined) kinds.set(kind, {keys: 1, sample: key});
			else entry.keys += 1;
		}
	} while (cursor !== '0');
	const buckets = timeSeries.length * TIERS.reduce((n, tier) => n + Math.min(days * DAY, tier.retentionMs) / tier.widthMs, 0);
	const lines = [
		`history memory: ${gpus} GPUs x 4 + ${projects} projects x 2 (also by step, ${totalSteps} steps) + 3 task + ${agents} agent series = ${timeSeries.length} series, ${days} days`,
		`filled with ${samples.toLocaleString('en')} samples in ${evals} EVALs, ${fillSeconds.toFixed(1)} s`,
		'',
		'| kind | keys | MEMORY USAGE of one | all (approx.) |',
		'|---|---|---|---|',
	];
	for (const [kind, {keys, sample}] of [...kinds].sort()) {
		const one = Number(await client.call('MEMORY', 'USAGE', sample, 'SAMPLES', '0'));
		lines.push(`| ${kind} | ${keys} | ${one.toLocaleString('en')} B | ${((keys * one) / 1_048_576).toFixed(2)} MiB |`);
	}
	const used = filled - empty;
	lines.push(
		'',
		`used_memory: ${(empty / 1_048_576).toFixed(2)} MiB empty, ${(filled / 1_048_576).toFixed(2)} MiB filled: **${(used / 1_048_576).toFixed(2)} MiB for the rollups** (target < 64 MB = 61.04 MiB)`,
		`time buckets kept: ${buckets.toLocaleString('en')} (${(used / buckets).toFixed(1)} bytes each, step rollups included)`,
	);
	// A read of the whole 90 days of one series, as the 90d window does.
	const source = new RedisHistorySource(() => client);
	const readStart = performance.now();
	const answer = await source.timeBuckets({series: timeSeries[0]!, fromMs: now - days * DAY, toMs: now});
	const steps = await source.stepBuckets(trainingSeries[0]!);
	lines.push(`read back: ${answer.buckets.length} buckets of ${answer.resolution / 60_000} min over ${days} d and ${steps.buckets.length} step buckets of ${steps.resolution} steps in ${(performance.now() - readStart).toFixed(1)} ms`);
	process.stdout.write(`${lines.join('\n')}\n`);
} finally {
	client.disconnect();
	await server.stop();
}
