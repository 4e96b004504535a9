#!/usr/bin/env node
/**
An nvidia-smi stand-in for `--demo` on machines without an NVIDIA driver (the bundle ships it as
dist/bundle/demo-nvidia-smi.js). It answers the queries mycotop's sampler makes, `--query-gpu=...` (once, or every
`-lms` milliseconds), `--query-compute-apps=...` and `dmon -s t` (PCIe throughput), with the simulated GPUs of demo-gpus.ts.
*/
import {demoAppRows, demoDmonLines, demoGpuRows} from './demo-gpus.js';

const args = process.argv.slice(2);
const value = (prefix: string) => args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
const gpuFields = value('--query-gpu=')?.split(',');
const appFields = value('--query-compute-apps=')?.split(',');
const idText = value('--id=') ?? (args.includes('-i') ? args[args.indexOf('-i') + 1] : undefined);
const ids = idText?.split(',').map(Number);
const loopIndex = args.indexOf('-lms');
const loopMs = loopIndex >= 0 ? Math.max(50, Number(args[loopIndex + 1])) : undefined;
const startMs = Date.now() - 60_000;

const print = (rows: readonly string[]) => process.stdout.write(rows.length > 0 ? `${rows.join('\n')}\n` : '');

if (args[0] === 'dmon') {
	// `dmon -s t [-c N] [-d S]`: PCIe throughput, a tick every S seconds (N ticks, then exit).
	const count = args.includes('-c') ? Number(args[args.indexOf('-c') + 1]) : undefined;
	const seconds = args.includes('-d') ? Math.max(1, Number(args[args.indexOf('-d') + 1])) : 1;
	let ticks = 0;
	const tick = () => {
		print(demoDmonLines(Date.now(), startMs, ticks === 0, ids));
		ticks += 1;
		if (count !== undefined && ticks >= count) process.exit(0);
	};
	tick();
	setInterval(tick, seconds * 1000);
} else if (appFields !== undefined) {
	print(demoAppRows(appFields, Date.now(), startMs));
} else if (gpuFields !== undefined) {
	print(demoGpuRows(gpuFields, Date.now(), startMs, ids));
	if (loopMs !== undefined) setInterval(() => print(demoGpuRows(gpuFields, Date.now(), startMs, ids)), loopMs);
} else {
	process.stdout.write('mycotop demo nvidia-smi: simulated GPUs for --demo (supports --query-gpu and --query-compute-apps)\n');
}
