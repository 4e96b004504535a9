/**
bench:host: what host sampling costs. Each reading reads five /proc files and statfs of the configured paths, parses
them, computes the figures and builds the `metrics:host:{host}:current` hash; at 1 Hz its CPU time per second is its
share of one core. Measured two ways:

1. per reading: N readings back to back (no sleeping), CPU time (user + system, process.cpuUsage) per reading;
   at 1 Hz that is the share of a core, the figure the budget (< 0.2 % of a core) is about;
2. in real time: the sampler running at 1 Hz for D seconds against the same process idling for D seconds
   (noisy on a busy machine: a sanity check of 1, not a replacement).

  npm run bench:host [-- --readings 500] [-- --seconds 20] [-- --json]
*/
import {parseArgs} from 'node:util';
import {HostSampler} from '../src/host/host-sampler.js';
import {hostCurrentFields} from '../src/host/host-part.js';

const {values} = parseArgs({options: {readings: {type: 'string', default: '500'}, seconds: {type: 'string', default: '20'}, json: {type: 'boolean', default: false}}});
const readings = Math.max(10, Number(values.readings));
const seconds = Math.max(2, Number(values.seconds));

function cpuMs(since?: NodeJS.CpuUsage): number {
	const u = process.cpuUsage(since);
	return (u.user + u.system) / 1000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function perReading(): Promise<{cpuMsPerReading: number; wallMsPerReading: number}> {
	const sampler = new HostSampler({paths: [process.cwd()]});
	for (let i = 0; i < 20; i++) await sampler.sample(); // warm up (JIT, file cache)
	const start = process.cpuUsage();
	const wall = performance.now();
	for (let i = 0; i < readings; i++) {
		await sampler.sample();
		hostCurrentFields(sampler.view(), new Date().toISOString());
	}
	return {cpuMsPerReading: cpuMs(start) / readings, wallMsPerReading: (performance.now() - wall) / readings};
}

async function realTime(): Promise<{idleCpuPercent: number; samplingCpuPercent: number}> {
	const idleStart = process.cpuUsage();
	await sleep(seconds * 1000);
	const idle = cpuMs(idleStart);
	const sampler = new HostSampler({intervalMs: 1000, paths: [process.cwd()], onSample: () => undefined});
	const start = process.cpuUsage();
	await sampler.start();
	await sleep(seconds * 1000);
	sampler.stop();
	const busy = cpuMs(start);
	return {idleCpuPercent: (idle / (seconds * 1000)) * 100, samplingCpuPercent: (busy / (seconds * 1000)) * 100};
}

const a = await perReading();
const b = await realTime();
const result = {
	node: process.version,
	readings,
	cpuMsPerReading: Number(a.cpuMsPerReading.toFixed(3)),
	wallMsPerReading: Number(a.wallMsPerReading.toFixed(3)),
	percentOfCoreAt1Hz: Number((a.cpuMsPerReading / 10).toFixed(3)),
	realTimeSeconds: seconds,
	realTimeIdlePercent: Number(b.idleCpuPercent.toFixed(3)),
	realTimeSamplingPercent: Number(b.samplingCpuPercent.toFixed(3)),
	realTimeAddedPercent: Number((b.samplingCpuPercent - b.idleCpuPercent).toFixed(3)),
};
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
	process.stdout.write(`host sampling (${process.version}): ${result.cpuMsPerReading} ms CPU per reading (${result.wallMsPerReading} ms wall), ${readings} readings\n`);
	process.stdout.write(`  at 1 Hz: ${result.percentOfCoreAt1Hz} % of one core (budget: 0.2 %)\n`);
	process.stdout.write(`  real time, ${seconds} s: idle ${result.realTimeIdlePercent} %, sampling ${result.realTimeSamplingPercent} %, added ${result.realTimeAddedPercent} % of a core\n`);
}
