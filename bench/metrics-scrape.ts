/**
bench:metrics: what one Prometheus scrape costs at the default cardinality caps, the worst case: 1,000 projects
(500 losses each, WER too), 1,000 agents, 8 GPUs with health readings, 2,000 firing alerts, plus prom-client's
process metrics. A scrape reads the store (metricsSnapshot) and renders the registry to text on the event loop,
metric by metric with the event loop free in between. Measured per round: the first scrape after every project
changed (figures rebuilt), then steady scrapes (nothing changed since the last): the wall time of each (median and
largest), and the longest the event loop was held at once during the scrapes (what a frame or an input waits at
worst; perf_hooks.monitorEventLoopDelay, 1 ms resolution), beside the same measure over an idle wait of the same
length after each round (the machine's own pauses). Beside it, alternating round by round, the reference: the
same text made in one piece (mycotop's families and ALERTS by the same formatter, then prom-client's own metrics by
`registry.metrics()`, all without yielding), so its whole time is one stall of the event loop: what a scrape would
hold the dashboard for without the slices.

  npm run bench:metrics [-- --rounds 5] [-- --scrapes 20] [-- --projects 1000 --agents 1000 --alerts 2000] [-- --json]
*/
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import {Exposition} from '../src/metrics/exposition.js';
import {FAMILIES, type MetricsView} from '../src/metrics/families.js';
import {alertSeries} from '../src/metrics/alert-series.js';
import {formatFamily} from '../src/metrics/text-format.js';
import {MetricsStore} from '../src/store/metrics-store.js';
import {metricsSnapshot} from '../src/metrics/metrics-view.js';
import {type GpuRow, type GpuSnapshot, type Reading} from '../src/gpu/gpu-snapshot.js';
import {type AlertRow} from '../src/rules/alert-snapshot.js';

const {values} = parseArgs({
	options: {
		rounds: {type: 'string', default: '5'},
		scrapes: {type: 'string', default: '20'},
		projects: {type: 'string', default: '1000'},
		agents: {type: 'string', default: '1000'},
		alerts: {type: 'string', default: '2000'},
		json: {type: 'boolean', default: false},
	},
});
const rounds = Math.max(1, Number(values.rounds));
const scrapes = Math.max(2, Number(values.scrapes));

const PROJECTS = Math.max(1, Number(values.projects));
const AGENTS = Math.max(1, Number(values.agents));
const GPUS = 8;
const ALERTS = Math.max(0, Number(values.alerts));
const POINTS = 500;

const r = (value: number): Reading => ({value});

function gpuRow(index: number): GpuRow {
	return {
		index,
		uuid: `GPU-${index.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`,
		name: 'NVIDIA H100 80GB HBM3',
		utilizationPercent: r(90),
		memoryUtilizationPercent: r(40),
		memoryUsedMb: r(60_000),
		memoryTotalMb: r(81_559),
		temperatureC: r(70),
		powerDrawW: r(600),
		powerLimitW: r(700),
		fanPercent: {value: undefined, reason: 'not supported'},
		smClockMhz: r(1980),
		pstate: 'P0',
		utilizationHistory: [],
		lost: false,
		processes: [],
		health: {
			readings: {
				throttleSwPowerCap: r(0), throttleHwSlowdown: r(0), throttleHwThermal: r(0), throttleHwPowerBrake: r(0), throttleSwThermal: r(0), throttleSyncBoost: r(0),
				eccCorrectedVolatile: r(0), eccUncorrectedVolatile: r(0), eccCorrectedAggregate: r(3), eccUncorrectedAggregate: r(0),
			},
			throttles: [],
			link: {degraded: false},
			ecc: {pending: false, level: 'ok'},
			xidCount: 0,
		},
		energy: {todayKwh: 1, sinceStartKwh: 1, todayGpuHours: 1, resets: 0},
	};
}

function alertRow(i: number): AlertRow {
	return {id: `a${i}`, rule: 'high_training_loss', severity: 'warning', state: 'firing', phase: 'firing', message: '', labels: {project: `project-${i}`}, sinceMs: 0, updatedMs: 0, origin: 'rules'};
}

function setup(): {store: MetricsStore; view: () => MetricsView} {
	const store = new MetricsStore();
	const now = Date.now();
	for (let p = 0; p < PROJECTS; p++)
		for (let s = 0; s < POINTS; s++) store.apply({kind: 'training', projectId: `project-${p}`, step: s, loss: 2 / (1 + s / 100), wer: 0.3, timestamp: now, timeMs: now}, now);
	for (let a = 0; a < AGENTS; a++) store.apply({kind: 'agent', agentType: `agent-${a}`, status: a % 2 === 0 ? 'busy' : 'idle', taskCount: a % 7, timeMs: now}, now);
	for (let t = 0; t < 2000; t++) store.apply({kind: 'task', taskId: `t${t}`, status: 'completed', agent: `agent-${t % AGENTS}`, durationSeconds: (t * 37) % 3600, timestamp: now, timeMs: now - t * 1000}, now);
	const gpu: GpuSnapshot = {state: 'ok', gpus: Array.from({length: GPUS}, (_, i) => gpuRow(i)), lastFrameMs: now};
	const rows = Array.from({length: ALERTS}, (_, i) => alertRow(i));
	const bus = {kind: 'redis', url: 'redis://127.0.0.1:6379', connection: {kind: 'connected', sinceMs: now}, role: 'writer', hostWriter: true, reconnects: 0, takeovers: 0, summary: ''} as const;
	return {
		store,
		view: () => ({
			snapshot: metricsSnapshot({store, host: 'bench', bus: () => bus, writer: () => undefined, gpu: () => gpu, alerts: () => ({rows, silences: [], unacknowledgedCritical: 0})}, Date.now()),
			smoothing: 0.6,
			version: 'bench',
		}),
	};
}

function quantile(values: number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const {store, view} = setup();
const exposition = new Exposition();
let bytes = 0;
let series = 0;
const cold: number[] = [];
const warm: number[] = [];
const whole: number[] = [];
/** Event-loop delay per phase (a fresh monitor each: one re-enabled would count its pause as a delay). */
const scrapeStalls: Array<{max: number; p99: number}> = [];
// The same monitor over an idle wait as long as each round's scrapes: on a loaded machine the OS's own pauses show
// here too, so the difference is the scrape's.
const idleStalls: Array<{max: number; p99: number}> = [];
function monitor(): () => {max: number; p99: number} {
	const h = monitorEventLoopDelay({resolution: 1});
	h.enable();
	return () => {
		h.disable();
		return {max: h.max / 1e6, p99: h.percentile(99) / 1e6};
	};
}
/** The reference: the scrape's text made in one piece, the event loop held for all of it. */
async function renderWhole(v: MetricsView): Promise<string> {
	const parts = FAMILIES.map((family) => formatFamily(family.name, family.type, family.help, family.samples(v)));
	const {series} = alertSeries(v.snapshot.alerts, v.snapshot.host);
	parts.push(formatFamily('ALERTS', 'gauge', 'Alerts pending or firing.', series.map((labels) => ({labels, value: 1}))));
	parts.push(await exposition.registry.metrics());
	return `${parts.join('\n\n')}\n`;
}

// Warm up (JIT) before measuring.
for (let i = 0; i < 3; i++) await exposition.render(view());
for (let round = 0; round < rounds; round++) {
	// Every project changes: the snapshot re-summarises all of them on the next scrape.
	const now = Date.now();
	for (let p = 0; p < PROJECTS; p++) store.apply({kind: 'training', projectId: `project-${p}`, step: POINTS + round, loss: 1, timestamp: now, timeMs: now}, now);
	const roundStart = performance.now();
	const stopScrape = monitor();
	let start = performance.now();
	let text = await exposition.render(view());
	cold.push(performance.now() - start);
	for (let i = 0; i < scrapes; i++) {
		start = performance.now();
		text = await exposition.render(view());
		warm.push(performance.now() - start);
	}
	// The reference, between the rounds (the loop monitor paused: its stall is measured directly).
	scrapeStalls.push(stopScrape());
	const roundMs = performance.now() - roundStart;
	const stopIdle = monitor();
	await new Promise((resolve) => setTimeout(resolve, roundMs));
	idleStalls.push(stopIdle());
	for (let i = 0; i < 3; i++) {
		const t = performance.now();
		await renderWhole(view());
		whole.push(performance.now() - t);
	}
	bytes = Buffer.byteLength(text);
	series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

const result = {
	longestLoopStallMs: Number(Math.max(...scrapeStalls.map((x) => x.max)).toFixed(1)),
	loopStallP99Ms: Number(quantile(scrapeStalls.map((x) => x.p99), 0.5).toFixed(1)),
	idleLongestStallMs: Number(Math.max(...idleStalls.map((x) => x.max)).toFixed(1)),
	idleStallP99Ms: Number(quantile(idleStalls.map((x) => x.p99), 0.5).toFixed(1)),
	projects: PROJECTS,
	agents: AGENTS,
	gpus: GPUS,
	alerts: ALERTS,
	series,
	kib: Math.round(bytes / 1024),
	coldMedianMs: Number(quantile(cold, 0.5).toFixed(1)),
	coldMaxMs: Number(Math.max(...cold).toFixed(1)),
	steadyMedianMs: Number(quantile(warm, 0.5).toFixed(1)),
	steadyMaxMs: Number(Math.max(...warm).toFixed(1)),
	wholeMedianMs: Number(quantile(whole, 0.5).toFixed(1)),
	wholeMaxMs: Number(Math.max(...whole).toFixed(1)),
	rounds,
	scrapesPerRound: scrapes,
};
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
	process.stdout.write(`bench:metrics  ${PROJECTS} projects, ${AGENTS} agents, ${GPUS} GPUs, ${ALERTS} alerts: ${series} series, ${result.kib} KiB a scrape\n`);
	process.stdout.write(`  first scrape after every project changed: median ${result.coldMedianMs} ms, max ${result.coldMaxMs} ms (${rounds} rounds)\n`);
	process.stdout.write(`  steady scrapes:                           median ${result.steadyMedianMs} ms, max ${result.steadyMaxMs} ms (${rounds * scrapes} scrapes)\n`);
	process.stdout.write(`  event loop held at once while scraping:   longest ${result.longestLoopStallMs} ms, p99 ${result.loopStallP99Ms} ms (median of the rounds' p99; idle, as long: longest ${result.idleLongestStallMs} ms, p99 ${result.idleStallP99Ms} ms)\n`);
	process.stdout.write(`  reference, the same text in one piece: median ${result.wholeMedianMs} ms, max ${result.wholeMaxMs} ms (${whole.length} runs, one stall each)\n`);
}
