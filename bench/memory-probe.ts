/**
bench:memory's probe, loaded into the measured mycotop with `--import` (through NODE_OPTIONS): every second it
appends one JSON line to $MYCOTOP_MEMORY_PROBE with the process's own view of its memory (process.memoryUsage()
and V8's heap spaces), so the bench can say where the resident memory is (JavaScript heap in use, heap V8 holds
but does not use, array buffers and other external memory) and not only how much there is. Its own cost is one
small object a second; the timer never keeps the process alive.
*/
import {appendFileSync} from 'node:fs';
import {getHeapSpaceStatistics, getHeapStatistics} from 'node:v8';

const file = process.env['MYCOTOP_MEMORY_PROBE'];
// bench:memory loads the probe through NODE_OPTIONS: take it out again, so mycotop's children (the fake nvidia-smi)
// do not load it too (the rest of NODE_OPTIONS stays).
const options = process.env['NODE_OPTIONS'];
if (options !== undefined) process.env['NODE_OPTIONS'] = options.replace(/--import=\S*memory-probe\.js\s*/, '').trim();
const MB = 2 ** 20;
const round = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

function probe(): void {
	if (file === undefined) return;
	const usage = process.memoryUsage();
	const spaces: Record<string, {size: number; used: number}> = {};
	for (const space of getHeapSpaceStatistics()) spaces[space.space_name] = {size: round(space.space_size), used: round(space.space_used_size)};
	const heap = getHeapStatistics();
	const cpu = process.cpuUsage();
	const line = {
		t: Date.now(),
		rss: round(usage.rss),
		heapTotal: round(usage.heapTotal),
		heapUsed: round(usage.heapUsed),
		external: round(usage.external),
		arrayBuffers: round(usage.arrayBuffers),
		limit: round(heap.heap_size_limit),
		/** CPU seconds (user + system) since the process started: the bench turns two lines into % of a core. */
		cpu: (cpu.user + cpu.system) / 1e6,
		spaces,
	};
	try {
		appendFileSync(file, `${JSON.stringify(line)}\n`);
	} catch {
		// The bench reads what is there; a failed write costs one sample.
	}
}

if (file !== undefined) setInterval(probe, 1000).unref();
