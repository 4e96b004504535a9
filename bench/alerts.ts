/**
bench:alerts: alert quality and evaluation cost.

1. A labelled suite of scenarios played in accelerated time (1 s evaluations, no sleeping) through the default
   rule set and through the seed's variants. Each scenario says which incidents it contains (rule, start, end,
   and the inherent delay of the rule's window); every other firing is a false positive. Reported per scenario:
   detections, false positives, detection latency against its budget (`for` + 2 evaluation intervals + the
   window's inherent delay), and notifications (firing messages sent) per incident.
2. 200 user rules over 1,000 series (500 loss series, 125 GPUs x 4 readings), plus the built-in rules: time per
   evaluation tick (wall, and CPU), with every series receiving a new point each tick.
3. The training trend over 10,000-point rings (analyzeTrend against trendOfTail), per project per tick.

  npm run bench:alerts [-- --json] [-- --ticks 300] [-- --case "each over" | "1/10" | trend]
*/
import {parseArgs} from 'node:util';
import {builtinRule, defaultRules} from '../src/rules/builtin-rules.js';
import {RuleEngine, type AlertTransition} from '../src/rules/engine.js';
import {type Rule} from '../src/rules/rule-types.js';
import {compileRules} from '../src/rules/user-rules.js';
import {SeriesWorld, type WorldSeriesName} from '../src/rules/world.js';
import {TimeRing} from '../src/rules/time-ring.js';
import {type GpuInput, type ProjectInput, type RuleInput} from '../src/rules/rule-types.js';
import {gaussian as gauss, seededRandom as rng} from '../src/demo/seeded-random.js';
import {analyzeTrend} from '../src/analysis/training-trend.js';
import {trendOfTail} from '../src/analysis/trend-window.js';
import {NumericRing} from '../src/store/ring-buffer.js';

const S = 1000;
const MIN = 60_000;

// ---------------------------------------------------------------- deterministic noise



// ---------------------------------------------------------------- scenarios

interface Incident {
	readonly rule: string;
	readonly startMs: number;
	readonly endMs: number;
	/** Delay inherent to the rule's window (filling a 5-minute fit, a 1-hour error ratio...), on top of for + 2 evaluations. */
	readonly inherentMs: number;
	/** Scored on the nodata transition instead of firing (stale data). */
	readonly expect?: 'firing' | 'nodata';
}

interface Scenario {
	readonly name: string;
	readonly durationMs: number;
	readonly stepMs: number;
	readonly incidents: readonly Incident[];
	readonly build: (w: SeriesWorld) => void;
	readonly staleAfterMs?: number;
}

function fill(w: SeriesWorld, metric: WorldSeriesName, labels: Record<string, string>, from: number, to: number, step: number, fn: (t: number, i: number) => number): void {
	let i = 0;
	for (let t = from; t <= to; t += step) w.add(metric, labels, t, fn(t, i++));
}

const G = {gpu: '0'};
const P = {project: 'run'};

function baseGpu(w: SeriesWorld, to: number, temp: (t: number) => number, seed = 1, memory: (t: number) => number = () => 40_000): void {
	const r = rng(seed);
	fill(w, 'gpu_temperature_celsius', G, 0, to, S, (t) => temp(t) + 0.4 * gauss(r));
	fill(w, 'gpu_memory_total_mb', G, 0, to, 10 * S, () => 81_920);
	fill(w, 'gpu_memory_used_mb', G, 0, to, S, memory);
	fill(w, 'gpu_utilization_percent', G, 0, to, S, () => 95);
}

export const SCENARIOS: readonly Scenario[] = [
	{
		name: 'overheating (70 -> 93 °C for 3 min)',
		durationMs: 10 * MIN,
		stepMs: S,
		incidents: [
			{rule: 'high_temperature', startMs: 2 * MIN, endMs: 5 * MIN, inherentMs: 0},
			{rule: 'gpu_temperature_critical', startMs: 2 * MIN, endMs: 5 * MIN, inherentMs: 0},
		],
		build: (w) => baseGpu(w, 10 * MIN, (t) => (t >= 2 * MIN && t < 5 * MIN ? 93 : 70)),
	},
	{
		name: 'hovering at the threshold (92 °C, then 88-91 °C for 6 min)',
		durationMs: 12 * MIN,
		stepMs: S,
		incidents: [
			{rule: 'high_temperature', startMs: 1 * MIN, endMs: 8 * MIN, inherentMs: 0},
			{rule: 'gpu_temperature_critical', startMs: 1 * MIN, endMs: 8 * MIN, inherentMs: 0},
		],
		build: (w) => {
			const r = rng(7);
			baseGpu(w, 12 * MIN, (t) => (t < 1 * MIN ? 70 : t < 2 * MIN ? 92 : t < 8 * MIN ? 89.5 + 1.5 * Math.sin(t / 7000) + 0.5 * gauss(r) : 70), 8);
		},
	},
	{
		name: 'memory leak ramp (4 MiB/s for 12 min)',
		durationMs: 20 * MIN,
		stepMs: S,
		incidents: [{rule: 'memory_leak_detection', startMs: 3 * MIN, endMs: 15 * MIN, inherentMs: 250 * S}],
		build: (w) => baseGpu(w, 20 * MIN, () => 70, 2, (t) => 20_000 + (t < 3 * MIN ? 0 : Math.floor(((Math.min(t, 15 * MIN) - 3 * MIN) / 1000) * 4))),
	},
	{
		name: 'caching allocator ratchet (4 steps of 900 MiB, then flat)',
		durationMs: 20 * MIN,
		stepMs: S,
		incidents: [],
		build: (w) => baseGpu(w, 20 * MIN, () => 70, 3, (t) => 20_000 + 900 * Math.min(4, Math.floor(t / (90 * S)))),
	},
	{
		name: 'NaN loss (3 steps)',
		durationMs: 5 * MIN,
		stepMs: S,
		incidents: [{rule: 'non_finite_loss', startMs: 120 * S, endMs: 125 * S, inherentMs: 0}],
		build: (w) => {
			const r = rng(3);
			fill(w, 'training_loss', P, 0, 5 * MIN, S, (t, i) => (t >= 120 * S && t < 123 * S ? Number.NaN : 2 * Math.exp(-0.002 * i) + 0.04 * gauss(r)));
		},
	},
	{
		name: 'loss spike (2.5x for 15 steps)',
		durationMs: 8 * MIN,
		stepMs: S,
		incidents: [{rule: 'loss_spike', startMs: 200 * S, endMs: 215 * S, inherentMs: 2 * S}],
		build: (w) => {
			const r = rng(4);
			fill(w, 'training_loss', P, 0, 8 * MIN, S, (t, i) => {
				const base = 2 * Math.exp(-0.001 * i) + 0.05 * gauss(r);
				return t >= 200 * S && t < 215 * S ? base * 2.5 : base;
			});
		},
	},
	{
		name: 'noisy loss with single outliers (no incident)',
		durationMs: 15 * MIN,
		stepMs: S,
		incidents: [],
		build: (w) => {
			const r = rng(5);
			fill(w, 'training_loss', P, 0, 15 * MIN, S, (_, i) => (i % 97 === 50 ? 5 : 2 * Math.exp(-0.001 * i) + 0.08 * gauss(r)));
		},
	},
	{
		name: 'plateau after a decay',
		durationMs: 15 * MIN,
		stepMs: S,
		incidents: [
			{rule: 'loss_plateau', startMs: 300 * S, endMs: 15 * MIN, inherentMs: 240 * S},
			{rule: 'convergence_detected', startMs: 300 * S, endMs: 15 * MIN, inherentMs: 300 * S},
		],
		build: (w) => {
			const r = rng(6);
			fill(w, 'training_loss', P, 0, 15 * MIN, S, (t, i) => (t < 300 * S ? 0.3 + 2.7 * Math.exp(-0.015 * i) : 0.3 + 2.7 * Math.exp(-4.5)) + 0.01 * gauss(r));
		},
	},
	{
		name: 'slow steady improvement (no incident)',
		durationMs: 15 * MIN,
		stepMs: S,
		incidents: [],
		build: (w) => {
			const r = rng(9);
			fill(w, 'training_loss', P, 0, 15 * MIN, S, (_, i) => 3 * Math.exp(-0.0005 * i) + 0.03 * gauss(r));
		},
	},
	{
		name: 'SLA burn (3 of 5 tasks over 30 min for 1 h)',
		durationMs: 4 * 60 * MIN,
		stepMs: 10 * S,
		// A windowed error ratio needs W * burn * (1 - SLO) / e to cross: 60 min * 2 * 0.1 / 0.6 = 20 min (the 1 h page pair).
		incidents: [{rule: 'sla_breach', startMs: 90 * MIN, endMs: 150 * MIN, inherentMs: 20 * MIN}],
		build: (w) => {
			const r = rng(10);
			fill(w, 'task_duration_seconds', {}, 0, 4 * 60 * MIN, 30 * S, (t, i) => (t >= 90 * MIN && t < 150 * MIN && i % 5 < 3 ? 2400 : 600 + 300 * r()));
		},
	},
	{
		name: 'SLA blip (5 min of slow tasks, no incident)',
		durationMs: 3 * 60 * MIN,
		stepMs: 10 * S,
		incidents: [],
		build: (w) => {
			const r = rng(11);
			fill(w, 'task_duration_seconds', {}, 0, 3 * 60 * MIN, 30 * S, (t) => (t >= 90 * MIN && t < 95 * MIN ? 2400 : 600 + 300 * r()));
		},
	},
	{
		name: 'lost GPU',
		durationMs: 5 * MIN,
		stepMs: S,
		incidents: [{rule: 'gpu_lost', startMs: 2 * MIN, endMs: 4 * MIN, inherentMs: 0}],
		build: (w) => {
			baseGpu(w, 2 * MIN, () => 70);
			fill(w, 'gpu_lost', G, 0, 5 * MIN, S, (t) => (t >= 2 * MIN && t < 4 * MIN ? 1 : 0));
		},
	},
	{
		name: 'stale data while firing (telemetry stops at 93 °C)',
		durationMs: 6 * MIN,
		stepMs: S,
		staleAfterMs: 15 * S,
		incidents: [
			{rule: 'gpu_temperature_critical', startMs: 1 * MIN, endMs: 6 * MIN, inherentMs: 0},
			{rule: 'high_temperature', startMs: 1 * MIN, endMs: 6 * MIN, inherentMs: 0},
			{rule: 'gpu_temperature_critical', startMs: 3 * MIN, endMs: 6 * MIN, inherentMs: 15 * S, expect: 'nodata'},
		],
		build: (w) => {
			const r = rng(12);
			fill(w, 'gpu_temperature_celsius', G, 0, 3 * MIN, S, (t) => (t < 1 * MIN ? 70 : 93) + 0.3 * gauss(r));
		},
	},
	{
		name: 'low utilization while training',
		durationMs: 10 * MIN,
		stepMs: S,
		// The 1-minute mean of 90% -> 20% crosses 30% after ~52 s.
		incidents: [{rule: 'low_utilization', startMs: 3 * MIN, endMs: 7 * MIN, inherentMs: 55 * S}],
		build: (w) => {
			const r = rng(13);
			fill(w, 'project_status', P, 0, 10 * MIN, 5 * S, () => 1);
			fill(w, 'training_loss', P, 0, 10 * MIN, S, (_, i) => 2 * Math.exp(-0.002 * i) + 0.02 * gauss(r));
			fill(w, 'gpu_temperature_celsius', G, 0, 10 * MIN, S, () => 65);
			fill(w, 'gpu_utilization_percent', G, 0, 10 * MIN, S, (t) => (t >= 3 * MIN && t < 7 * MIN ? 15 + 10 * r() : 85 + 10 * r()));
		},
	},
	{
		name: 'unbalanced agents',
		durationMs: 10 * MIN,
		stepMs: S,
		incidents: [{rule: 'unbalanced_load', startMs: 3 * MIN, endMs: 7 * MIN, inherentMs: 0}],
		build: (w) => {
			for (const [agent, n] of [['a', 4], ['b', 4], ['c', 4], ['d', 4]] as const)
				fill(w, 'agent_tasks', {agent}, 0, 10 * MIN, 5 * S, (t) => (t >= 3 * MIN && t < 7 * MIN ? (agent === 'd' ? 12 : 2) : n));
		},
	},
];

// ---------------------------------------------------------------- scoring

interface ScenarioResult {
	readonly name: string;
	readonly incidents: number;
	readonly detected: number;
	readonly falsePositives: number;
	readonly fpRules: readonly string[];
	readonly latencies: ReadonlyArray<{readonly rule: string; readonly latencyMs: number | undefined; readonly budgetMs: number; readonly within: boolean}>;
	/** Firing notifications per incident (max over the incidents). */
	readonly maxNotificationsPerIncident: number;
	readonly escalations: number;
}

function run(scenario: Scenario, rules: readonly Rule[]): AlertTransition[] {
	const w = new SeriesWorld();
	scenario.build(w);
	const engine = new RuleEngine(rules, {staleAfterMs: scenario.staleAfterMs ?? 15 * S});
	const out: AlertTransition[] = [];
	for (let t = 0; t <= scenario.durationMs; t += scenario.stepMs) {
		w.advance(t);
		out.push(...engine.evaluate(w.input(t)));
	}
	return out;
}

function forOf(rules: readonly Rule[], name: string): number {
	return rules.find((r) => r.name === name)?.forMs ?? 0;
}

function score(scenario: Scenario, rules: readonly Rule[]): ScenarioResult {
	const transitions = run(scenario, rules);
	const used = new Set<AlertTransition>();
	const latencies: Array<{rule: string; latencyMs: number | undefined; budgetMs: number; within: boolean}> = [];
	let detected = 0;
	let maxNotes = 0;
	for (const inc of scenario.incidents) {
		const kind = inc.expect ?? 'firing';
		const budget = forOf(rules, inc.rule) * (kind === 'firing' ? 1 : 0) + 2 * scenario.stepMs + inc.inherentMs;
		const hit = transitions.find((t) => t.rule === inc.rule && t.kind === kind && t.timeMs >= inc.startMs && t.timeMs <= inc.endMs + budget);
		const alreadyFiring = kind === 'firing' && hit === undefined && transitions.some((t) => t.rule === inc.rule && t.kind === 'firing' && t.timeMs < inc.startMs && !transitions.some((r) => r.rule === inc.rule && r.kind === 'resolved' && r.timeMs > t.timeMs && r.timeMs < inc.startMs));
		if (hit !== undefined || alreadyFiring) detected += 1;
		if (hit !== undefined) used.add(hit);
		const latency = hit === undefined ? undefined : hit.timeMs - inc.startMs;
		latencies.push({rule: `${inc.rule}${kind === 'nodata' ? ' (nodata)' : ''}`, latencyMs: latency, budgetMs: budget, within: latency !== undefined && latency <= budget});
		if (kind === 'firing') {
			const notes = transitions.filter((t) => t.rule === inc.rule && t.kind === 'firing' && t.send && t.timeMs >= inc.startMs && t.timeMs <= inc.endMs + budget).length;
			maxNotes = Math.max(maxNotes, notes);
			for (const t of transitions) if (t.rule === inc.rule && t.kind === 'firing' && t.timeMs >= inc.startMs && t.timeMs <= inc.endMs + budget) used.add(t);
		}
	}
	const fps = transitions.filter((t) => t.kind === 'firing' && !used.has(t) && !scenario.incidents.some((i) => i.rule === t.rule && t.timeMs >= i.startMs && t.timeMs <= i.endMs + 10 * MIN));
	return {
		name: scenario.name,
		incidents: scenario.incidents.length,
		detected,
		falsePositives: fps.length,
		fpRules: fps.map((t) => `${t.rule}@${Math.round(t.timeMs / 1000)}s`),
		latencies,
		maxNotificationsPerIncident: maxNotes,
		escalations: transitions.filter((t) => t.kind === 'escalated').length,
	};
}

function summarize(results: readonly ScenarioResult[]) {
	const incidents = results.reduce((s, r) => s + r.incidents, 0);
	const detected = results.reduce((s, r) => s + r.detected, 0);
	const fp = results.reduce((s, r) => s + r.falsePositives, 0);
	return {
		incidents,
		detected,
		falsePositives: fp,
		precision: detected + fp === 0 ? 1 : detected / (detected + fp),
		recall: incidents === 0 ? 1 : detected / incidents,
		withinBudget: results.flatMap((r) => r.latencies).filter((l) => l.within).length,
		latencyChecks: results.flatMap((r) => r.latencies).length,
		maxNotificationsPerIncident: Math.max(...results.map((r) => r.maxNotificationsPerIncident)),
	};
}

// ---------------------------------------------------------------- evaluation cost

function costBench(ticks: number, filtered: boolean, which: 'user' | 'builtin' | 'all'): {rules: number; series: number; instancesEvaluated: number; medianMs: number; p99Ms: number; maxMs: number; cpuMeanMs: number} {
	const projects: ProjectInput[] = [];
	const lossRings: TimeRing[] = [];
	for (let i = 0; i < 500; i++) {
		const ring = new TimeRing(2000);
		lossRings.push(ring);
		projects.push({id: `p${i}`, loss: ring});
	}
	const gpus: GpuInput[] = [];
	const gpuRings: TimeRing[] = [];
	for (let i = 0; i < 125; i++) {
		const t = new TimeRing(600);
		const m = new TimeRing(600);
		const u = new TimeRing(600);
		gpuRings.push(t, m, u);
		gpus.push({id: `GPU-${i}`, index: i, name: 'bench', lost: false, temperatureC: t, memoryUsedMb: m, memoryTotalMb: 81_920, utilizationPercent: u});
	}
	const r = rng(42);
	const userRules: unknown[] = [];
	const metrics = ['training_loss', 'gpu_temperature_celsius', 'gpu_utilization_percent', 'gpu_memory_used_mb', 'gpu_memory_percent'];
	for (let i = 0; i < 200; i++) {
		const metric = metrics[i % metrics.length]!;
		const label = metric === 'training_loss' ? 'project' : 'gpu';
		const selector = filtered ? `${metric}{${label}=~"${label === 'project' ? 'p' : ''}${i % 10}.*"}` : metric;
		const kind = i % 10;
		const condition = kind < 7 ? `value > ${metric === 'training_loss' ? 4 : 90}` : kind < 9 ? `avg(1m) > ${metric === 'training_loss' ? 4 : 90}` : 'robust_z(5m) > 6';
		userRules.push({alert: `user_${i}`, series: selector, condition, for: '30s', recovery: condition.startsWith('robust') ? undefined : undefined});
	}
	const rules = compileRules(userRules).filter((x) => which === 'all' || (which === 'user') === (x.variant === 'user'));
	// With the box's host name, as the running collector always has (main.ts): GPU alerts carry a host label.
	const engine = new RuleEngine(rules, {host: 'bench-box'});
	const input: RuleInput = {
		nowMs: 0,
		projects,
		completionsSince: () => [],
		lastCompletionMs: undefined,
		busyAgents: [],
		workflowSteps: [],
		criticalErrorsSince: () => [],
		gpus,
		shape: 'bench',
	};
	const times: number[] = [];
	// CPU time of the evaluations (this process's, GC threads included): steadier than wall time on a loaded machine.
	let cpuMicros = 0;
	const warm = 360;
	for (let tick = 0; tick < warm + ticks; tick++) {
		const now = tick * 1000;
		for (const ring of lossRings) ring.push(now, 3 + 0.5 * gauss(r) + (r() < 0.01 ? 3 : 0));
		for (let i = 0; i < gpuRings.length; i += 3) {
			gpuRings[i]!.push(now, 70 + 10 * gauss(r));
			gpuRings[i + 1]!.push(now, 40_000 + 1000 * r());
			gpuRings[i + 2]!.push(now, 80 + 15 * r());
		}
		const cpuBefore = process.cpuUsage();
		const started = performance.now();
		engine.evaluate({...input, nowMs: now});
		const ms = performance.now() - started;
		if (tick >= warm) {
			times.push(ms);
			const cpu = process.cpuUsage(cpuBefore);
			cpuMicros += cpu.user + cpu.system;
		}
	}
	times.sort((a, b) => a - b);
	const userCount = rules.filter((x) => x.variant === 'user').length;
	let instances = 0;
	for (const rule of rules.filter((x) => x.variant === 'user' && which !== 'builtin')) {
		const metric = (userRules[Number(rule.name.slice(5))] as {series: string}).series.split('{')[0]!;
		const all = metric === 'training_loss' ? 500 : 125;
		instances += filtered ? Math.round(all / 10) : all;
	}
	return {
		rules: rules.length,
		series: 500 + 125 * 4,
		instancesEvaluated: instances,
		medianMs: times[Math.floor(times.length / 2)]!,
		p99Ms: times[Math.floor(times.length * 0.99)]!,
		maxMs: times.at(-1)!,
		cpuMeanMs: cpuMicros / 1000 / ticks,
		...{userRules: userCount},
	};
}

// ---------------------------------------------------------------- training trend per tick

/**
The training trend as the rules, the snapshot and the writer ask for it every tick: 20 projects whose loss rings
hold 10,000 points (full, so every new point pushes one out), one new point per project per tick. The seed's
analyzeTrend over the tail (the reference) and trendOfTail (kept up to date), alternated in the same run: CPU
microseconds per project per tick.
*/
function trendBench(ticks: number): {projects: number; points: number; plainUs: number; incrementalUs: number} {
	const projects = 20;
	const points = 10_000;
	const r = rng(5);
	const rings = Array.from({length: projects}, () => new NumericRing(points));
	let step = 0;
	for (; step < points; step++) for (const ring of rings) ring.push(step, 3 * Math.exp(-step / 4000) + 0.05 * gauss(r), step * 1000);
	let plain = 0;
	let incremental = 0;
	let sink = 0;
	for (let tick = 0; tick < ticks; tick++, step++) {
		for (const ring of rings) ring.push(step, 3 * Math.exp(-step / 4000) + 0.05 * gauss(r), step * 1000);
		const a = process.cpuUsage();
		for (const ring of rings) sink += analyzeTrend(ring.tailValues(points)).slope;
		const b = process.cpuUsage();
		for (const ring of rings) sink += trendOfTail(ring, points).slope;
		const c = process.cpuUsage();
		if (tick >= 10) {
			plain += b.user + b.system - a.user - a.system;
			incremental += c.user + c.system - b.user - b.system;
		}
	}
	if (Number.isNaN(sink)) process.stdout.write('');
	const measured = (ticks - 10) * projects;
	return {projects, points, plainUs: plain / measured, incrementalUs: incremental / measured};
}

function trendLine(t: ReturnType<typeof trendBench>, ticks: number): string {
	return `Training trend, ${t.projects} projects x ${t.points} points, one new point each per tick: analyzeTrend over the tail ${t.plainUs.toFixed(1)} us, trendOfTail ${t.incrementalUs.toFixed(1)} us CPU per project per tick (${(t.plainUs / t.incrementalUs).toFixed(1)}x; ${ticks} ticks)`;
}

// ---------------------------------------------------------------- main

const {values} = parseArgs({options: {json: {type: 'boolean'}, ticks: {type: 'string'}, case: {type: 'string'}}});
const ticks = Number(values.ticks ?? 300);
const COST_CASES: Record<string, () => ReturnType<typeof costBench>> = {
	'200 user rules, each selecting 1/10 of its metric': () => costBench(ticks, true, 'user'),
	'200 user rules, each over every series of its metric': () => costBench(ticks, false, 'user'),
	'built-in rules alone (500 projects logging every second, 125 GPUs)': () => costBench(ticks, true, 'builtin'),
	'built-in + 200 filtered user rules': () => costBench(ticks, true, 'all'),
};

function costLine(name: string, c: ReturnType<typeof costBench>): string {
	return `Evaluation cost, ${name}: ${c.rules} rules over ${c.series} series (${c.instancesEvaluated} user rule-series pairs): median ${c.medianMs.toFixed(2)} ms, p99 ${c.p99Ms.toFixed(2)} ms, max ${c.maxMs.toFixed(2)} ms per tick, CPU ${c.cpuMeanMs.toFixed(2)} ms per tick (mean; ${ticks} ticks)`;
}

if (values.case !== undefined) {
	// `--case every`: only the evaluation-cost cases whose name contains the text (for profiling one of them).
	const only = values.case;
	for (const [name, run] of Object.entries(COST_CASES)) if (name.includes(only)) process.stdout.write(`${costLine(name, run())}\n`);
	if ('training trend'.includes(only)) process.stdout.write(`${trendLine(trendBench(ticks), ticks)}\n`);
} else fullReport();

function fullReport(): void {
	const sound = defaultRules();
	const seedRules = sound.map((r) => builtinRule(r.name, 'seed') ?? r);
	const soundResults = SCENARIOS.map((s) => score(s, sound));
	const seedResults = SCENARIOS.map((s) => score(s, seedRules));
	const cost = Object.fromEntries(Object.entries(COST_CASES).map(([name, run]) => [name, run()]));
	const report = {sound: {summary: summarize(soundResults), scenarios: soundResults}, seed: {summary: summarize(seedResults), scenarios: seedResults}, cost, node: process.version};

	if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
	else {
		const fmt = (ms: number | undefined) => (ms === undefined ? 'missed' : `${(ms / 1000).toFixed(0)} s`);
		const lines: string[] = [];
		lines.push(`Alert quality: ${SCENARIOS.length} scenarios, accelerated time (Node ${process.version})`, '');
		lines.push('| scenario | incidents | detected | false pos. | latency (budget) | notifications / incident | seed rules: detected / false pos. / max notif. |');
		lines.push('|---|---|---|---|---|---|---|');
		soundResults.forEach((r, i) => {
			const s = seedResults[i]!;
			const lat = r.latencies.map((l) => `${l.rule} ${fmt(l.latencyMs)} (${fmt(l.budgetMs)})${l.within ? '' : ' OVER'}`).join('; ') || '-';
			lines.push(`| ${r.name} | ${r.incidents} | ${r.detected} | ${r.falsePositives}${r.fpRules.length ? ` (${r.fpRules.join(', ')})` : ''} | ${lat} | ${r.incidents ? r.maxNotificationsPerIncident : '-'} | ${s.detected} / ${s.falsePositives} / ${s.incidents ? s.maxNotificationsPerIncident : '-'} |`);
		});
		const a = report.sound.summary;
		const b = report.seed.summary;
		lines.push('');
		lines.push(`Default (sound) rules: precision ${a.precision.toFixed(3)}, recall ${a.recall.toFixed(3)}, ${a.withinBudget}/${a.latencyChecks} detections within budget, at most ${a.maxNotificationsPerIncident} notification(s) per incident.`);
		lines.push(`Seed variants:         precision ${b.precision.toFixed(3)}, recall ${b.recall.toFixed(3)}, ${b.withinBudget}/${b.latencyChecks} within budget, at most ${b.maxNotificationsPerIncident} notification(s) per incident.`);
		lines.push('');
		for (const [name, c] of Object.entries(cost))
			lines.push(costLine(name, c));
		lines.push(trendLine(trendBench(ticks), ticks));
		process.stdout.write(`${lines.join('\n')}\n`);
	}
}
