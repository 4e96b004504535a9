// A/B helper for bench:tui (not part of any build): where the measured mycotop's garbage comes from and what
// collecting it costs. Used as the measured entry, it loads the real one after it has set up:
//   - every second a JSON line to $GC_PROBE_OUT (default /tmp/gc-probe.jsonl): scavenges (minor collections) and
//     full collections so far with their wall-clock ms (node:perf_hooks 'gc' entries), the heap in use, the young
//     generation's size and the process's CPU ms;
//   - with GC_PROBE_ALLOC=1, V8's sampling heap profiler over seconds $GC_PROBE_START (default 12) to
//     +$GC_PROBE_LEN (default 20), objects collected since included (what became garbage), written as JSON to
//     $GC_PROBE_OUT.alloc.json: bytes allocated by call site.
// Run: GC_PROBE_CLI=/path/to/dist/bundle/cli.js node dist/bench/tui.js --seconds 30 --events-only --cli bench/gc-probe.mjs
// (GC_PROBE_CLI defaults to this checkout's build), then
//   node bench/gc-probe.mjs --report /tmp/gc-probe.jsonl [SKIP]   scavenges/s and their ms/s after SKIP s (default 8)
//   node bench/gc-probe.mjs --alloc /tmp/gc-probe.jsonl.alloc.json [N]   the N (default 30) sites allocating the most, self and inclusive
// GC_PROBE_HEADLESS=1 adds --headless and prints "H100" first (bench:tui waits for that on the pane): the collector's
// own garbage at the same load, for comparison.
import {appendFileSync, readFileSync, writeFileSync} from 'node:fs';
import {Session} from 'node:inspector';
import {constants, PerformanceObserver} from 'node:perf_hooks';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {getHeapSpaceStatistics} from 'node:v8';

const name = (frame) => `${frame.functionName || '(anonymous)'} ${frame.url.split('/').at(-1)}:${frame.lineNumber + 1}`;

if (process.argv[2] === '--report') {
	const rows = readFileSync(process.argv[3], 'utf8').trim().split('\n').map((line) => JSON.parse(line));
	const a = rows[Math.min(rows.length - 1, Number(process.argv[4] ?? 8))];
	const b = rows.at(-1);
	const s = (b.wallMs - a.wallMs) / 1000;
	const rate = (key) => (b[key] - a[key]) / s;
	console.log(
		`window ${s.toFixed(1)} s: process CPU ${(rate('cpuMs') / 10).toFixed(2)} % | scavenges ${rate('minor').toFixed(2)}/s, ${rate('minorMs').toFixed(1)} ms/s (${((b.minorMs - a.minorMs) / Math.max(1, b.minor - a.minor)).toFixed(2)} ms each) | full collections ${rate('major').toFixed(3)}/s, ${rate('majorMs').toFixed(1)} ms/s | young generation ${(b.youngBytes / 2 ** 20).toFixed(1)} MB, heap in use ${(b.heapUsed / 2 ** 20).toFixed(1)} MB`,
	);
	process.exit(0);
}

if (process.argv[2] === '--alloc') {
	const {profile, seconds} = JSON.parse(readFileSync(process.argv[3], 'utf8'));
	const top = Number(process.argv[4] ?? 30);
	const self = new Map();
	const inclusive = new Map();
	let total = 0;
	const walk = (node, above) => {
		const key = name(node.callFrame);
		const stack = above.includes(key) ? above : [...above, key];
		total += node.selfSize;
		self.set(key, (self.get(key) ?? 0) + node.selfSize);
		for (const k of stack) inclusive.set(k, (inclusive.get(k) ?? 0) + node.selfSize);
		for (const child of node.children) walk(child, stack);
	};
	walk(profile.head, []);
	const list = (map) =>
		[...map]
			.sort((x, y) => y[1] - x[1])
			.slice(0, top)
			.map(([k, v]) => `${String(Math.round(v / seconds)).padStart(10)} B/s ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
			.join('\n');
	console.log(`${Math.round(total / seconds)} bytes/s allocated (sampled) over ${seconds} s\n--- self\n${list(self)}\n--- inclusive\n${list(inclusive)}`);
	process.exit(0);
}

const out = process.env.GC_PROBE_OUT ?? '/tmp/gc-probe.jsonl';
const totals = {minor: 0, minorMs: 0, major: 0, majorMs: 0};
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) {
		const kind = entry.detail?.kind;
		if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
			totals.minor += 1;
			totals.minorMs += entry.duration;
		} else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
			totals.major += 1;
			totals.majorMs += entry.duration;
		}
	}
}).observe({entryTypes: ['gc']});
const started = performance.now();
const cpu0 = process.cpuUsage();
setInterval(() => {
	const cpu = process.cpuUsage(cpu0);
	const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
	appendFileSync(out, `${JSON.stringify({...totals, wallMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, heapUsed: process.memoryUsage().heapUsed, youngBytes: young?.space_size ?? 0})}\n`);
}, 1000).unref();

if (process.env.GC_PROBE_ALLOC === '1') {
	const session = new Session();
	session.connect();
	const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
	const seconds = Number(process.env.GC_PROBE_LEN ?? 20);
	setTimeout(
		() => {
			void (async () => {
				await post('HeapProfiler.enable');
				await post('HeapProfiler.startSampling', {samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true});
				setTimeout(() => {
					void post('HeapProfiler.stopSampling').then(({profile}) => writeFileSync(`${out}.alloc.json`, JSON.stringify({seconds, profile})));
				}, seconds * 1000).unref();
			})();
		},
		Number(process.env.GC_PROBE_START ?? 12) * 1000,
	).unref();
}

if (process.env.GC_PROBE_HEADLESS === '1') {
	process.stdout.write('H100\n');
	process.argv.push('--headless');
}
const here = fileURLToPath(new URL('.', import.meta.url));
await import(pathToFileURL(process.env.GC_PROBE_CLI ?? `${here}../dist/bundle/cli.js`).href);
