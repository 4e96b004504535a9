/**
bench fleet: what reading the fleet costs a viewer. A private redis-server holds N simulated hosts of 8 GPUs each
(registry entries, summaries and per-GPU hashes, as their writers write them); a read-only runtime's fleet part reads
them (the registry, N summaries, and the viewed host's 8 GPU hashes and utilization lists) P times back to back. CPU
time (user + system) of this process per read, and wall time per read; at one read a sampling interval (1 s) the CPU
ms per read is thousandths of a core. Rounds alternate the N-host registry with an empty one (the reference: the
read's fixed cost) in the same run.

  npm run build && node dist/bench/fleet.js [--hosts 64] [--reads 200] [--rounds 3]
*/
import {parseArgs} from 'node:util';
import {type Redis} from 'ioredis';
import {startRedis} from '../test/helpers/redis-server.js';
import {Runtime} from '../src/runtime.js';
import {createFleetPart} from '../src/fleet/fleet-part.js';
import {fleetThresholds} from '../src/fleet/host-state.js';
import {summaryFields} from '../src/fleet/host-summary.js';
import {ourKeys} from '../src/contract/names.js';
import {gpuCurrentFields, gpuKeyOf, hostStateFields} from '../src/gpu/redis-entries.js';
import {type GpuRow} from '../src/gpu/gpu-snapshot.js';

const {values} = parseArgs({options: {hosts: {type: 'string', default: '64'}, reads: {type: 'string', default: '200'}, rounds: {type: 'string', default: '3'}}});
const HOSTS = Math.max(1, Number(values.hosts));
const READS = Math.max(10, Number(values.reads));
const ROUNDS = Math.max(1, Number(values.rounds));

function gpu(i: number, host: string): GpuRow {
	const r = (value: number) => ({value});
	return {
		index: i,
		uuid: `GPU-${host}-${i}`,
		name: 'NVIDIA H100 80GB HBM3',
		utilizationPercent: r(90),
		memoryUtilizationPercent: r(40),
		memoryUsedMb: r(60_000),
		memoryTotalMb: r(81_559),
		temperatureC: r(60 + i),
		powerDrawW: r(550),
		powerLimitW: r(700),
		fanPercent: {value: undefined, reason: '[N/A]'},
		smClockMhz: r(1980),
		pstate: 'P0',
		utilizationHistory: [],
		lost: false,
		processes: [{pid: 1000 + i, name: 'python3', usedMemoryMb: 59_000}],
	};
}

async function seed(client: Redis, hosts: number): Promise<void> {
	await client.flushall();
	const now = Date.now();
	const iso = new Date(now).toISOString();
	const batch = client.multi();
	for (let h = 0; h < hosts; h++) {
		const host = `bench-${String(h).padStart(3, '0')}`;
		const rows = Array.from({length: 8}, (_, i) => gpu(i, host));
		batch.zadd(ourKeys.hosts, now, host);
		batch.hset(ourKeys.hostSummary(host), summaryFields({gpuState: 'ok', rows, firingAlerts: 0, version: '0.1.0', intervalMs: 1000, nowMs: now}));
		batch.hset(gpuKeyOf.host(host), hostStateFields('ok', undefined, rows, iso));
		for (const row of rows) {
			batch.hset(gpuKeyOf.current(host, row.uuid), gpuCurrentFields(row, iso));
			for (let k = 0; k < 60; k++) batch.lpush(gpuKeyOf.series(host, row.uuid, 'utilization'), JSON.stringify({value: 90, timestamp: iso}));
		}
	}
	await batch.exec();
}

async function measure(url: string): Promise<{cpuMs: number; wallMs: number; hosts: number}> {
	const runtime = new Runtime({redisUrl: url, readOnly: true, demo: false, host: 'viewer'}, (core) => ({
		fleet: createFleetPart(core, {intervalMs: 3_600_000, thresholds: fleetThresholds(1000), version: 'bench', gpu: () => undefined, firingAlerts: () => 0}),
	}));
	await runtime.start();
	const fleet = runtime.fleet!;
	fleet.watch('bench-000');
	for (let i = 0; i < 20; i++) await fleet.refresh();
	const cpu = process.cpuUsage();
	const wall = performance.now();
	for (let i = 0; i < READS; i++) await fleet.refresh();
	const used = process.cpuUsage(cpu);
	const result = {cpuMs: (used.user + used.system) / 1000 / READS, wallMs: (performance.now() - wall) / READS, hosts: fleet.fleet().hosts.length};
	await runtime.stop();
	return result;
}

const redis = await startRedis();
const url = redis.url;
const client = redis.client();
console.log(`fleet read: ${HOSTS} hosts x 8 GPUs (viewing one host's GPUs) vs an empty registry, ${READS} reads per round`);
console.log('round  registry     hosts  CPU ms/read  wall ms/read');
try {
	for (let round = 1; round <= ROUNDS; round++) {
		for (const hosts of [0, HOSTS]) {
			await seed(client, hosts);
			const r = await measure(url);
			console.log(`${String(round).padEnd(6)} ${(hosts === 0 ? 'empty' : `${hosts} hosts`).padEnd(12)} ${String(r.hosts).padStart(5)}  ${r.cpuMs.toFixed(3).padStart(11)}  ${r.wallMs.toFixed(3).padStart(12)}`);
		}
	}
} finally {
	client.disconnect();
	await redis.stop();
}
