/**
`mycotop backtest --since 7d`: replay the history kept in Redis through the rules and report what would have
fired and when ("validate alert rules with historical data before deploying"). History read: training loss
lists, task completion times, workflow step durations, GPU lists (per GPU when the GPU part wrote them, else the
box-wide seed lists). Agent load and critical errors are not kept as history by the seed, so their rules have
nothing to replay.
*/
import {keys} from '../contract/names.js';
import {timestampMs} from '../contract/validate.js';
import {type KvReader} from '../bus/kv.js';
import {RuleEngine, type AlertTransition} from './engine.js';
import {type Rule} from './rule-types.js';
import {SeriesWorld} from './world.js';
import {compareIds} from '../format/id-order.js';

export interface BacktestOptions {
	readonly sinceMs: number;
	readonly untilMs: number;
	/** Evaluation step. Default 10 s. */
	readonly stepMs?: number;
	readonly staleAfterMs?: number;
}

interface RuleReport {
	readonly rule: string;
	readonly fired: number;
	readonly notifications: number;
	readonly firingMs: number;
	/** Re-fired within 10 minutes of resolving. */
	readonly flaps: number;
	readonly episodes: ReadonlyArray<{readonly id: string; readonly firedAtMs: number; readonly resolvedAtMs?: number; readonly severity: string; readonly message: string}>;
}

export interface BacktestReport {
	readonly sinceMs: number;
	readonly untilMs: number;
	readonly stepMs: number;
	readonly evaluations: number;
	readonly loaded: {readonly lossPoints: number; readonly completions: number; readonly gpuPoints: number; readonly workflowPoints: number};
	readonly rules: readonly RuleReport[];
}

function parse(raw: string): Record<string, unknown> | undefined {
	try {
		const v: unknown = JSON.parse(raw);
		return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function num(v: unknown): number | undefined {
	if (typeof v === 'number') return v;
	if (v === 'NaN') return Number.NaN;
	if (v === 'Infinity') return Number.POSITIVE_INFINITY;
	if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
	if (typeof v === 'string' && v.trim() !== '') {
		const n = Number(v);
		return Number.isNaN(n) ? undefined : n;
	}
	return undefined;
}

/** Load Redis history into a world of series. */
async function loadHistory(kv: KvReader, sinceMs: number): Promise<{world: SeriesWorld; loaded: BacktestReport['loaded']}> {
	const world = new SeriesWorld(100_000);
	const loaded = {lossPoints: 0, completions: 0, gpuPoints: 0, workflowPoints: 0};
	for (const key of await kv.scan('metrics:training:*:loss')) {
		const project = key.slice('metrics:training:'.length, -':loss'.length);
		for (const raw of await kv.lrange(key, 0, -1)) {
			const e = parse(raw);
			const t = timestampMs(e?.['timestamp']);
			const v = num(e?.['value']);
			if (t === undefined || v === undefined || t < sinceMs) continue;
			world.add('training_loss', {project}, t, v);
			loaded.lossPoints += 1;
		}
	}
	for (const raw of await kv.lrange(keys.tasksCompletionTimes, 0, -1)) {
		const e = parse(raw);
		const t = timestampMs(e?.['timestamp']);
		const d = num(e?.['duration']);
		if (t === undefined || d === undefined || t < sinceMs - 6 * 3_600_000) continue;
		world.add('task_duration_seconds', {}, t, d);
		loaded.completions += 1;
	}
	for (const key of await kv.scan('metrics:workflow:*:step:*:durations')) {
		const m = /^metrics:workflow:(.+):step:(.+):durations$/.exec(key);
		if (!m) continue;
		for (const raw of await kv.lrange(key, 0, -1)) {
			const e = parse(raw);
			const t = timestampMs(e?.['timestamp']);
			const d = num(e?.['duration']);
			if (t === undefined || d === undefined || t < sinceMs) continue;
			world.add('workflow_step_duration_seconds', {workflow: m[1]!, step: m[2]!}, t, d);
			loaded.workflowPoints += 1;
		}
	}
	const series = [
		['temperature', 'gpu_temperature_celsius'],
		['utilization', 'gpu_utilization_percent'],
		['memory_used_mb', 'gpu_memory_used_mb'],
	] as const;
	const perGpu = await kv.scan('metrics:gpu:*:*:temperature');
	const sources: Array<{gpu: string; uuid: string; key: (s: string) => string}> =
		perGpu.length > 0
			? perGpu.map((k, i) => {
					const base = k.slice(0, -':temperature'.length);
					return {gpu: String(i), uuid: base.split(':').at(-1) ?? String(i), key: (s: string) => `${base}:${s}`};
				})
			: [{gpu: '0', uuid: 'box', key: (s: string) => `metrics:gpu:${s}`}];
	for (const src of sources) {
		for (const [suffix, metric] of series) {
			for (const raw of await kv.lrange(src.key(suffix), 0, -1)) {
				const e = parse(raw);
				const t = timestampMs(e?.['timestamp']);
				const v = num(e?.['value']);
				if (t === undefined || v === undefined || t < sinceMs) continue;
				world.add(metric, {gpu: src.gpu, uuid: src.uuid}, t, v);
				loaded.gpuPoints += 1;
			}
		}
	}
	return {world, loaded};
}

/** Replay a world through the rules from `sinceMs` to `untilMs`. Pure apart from the world it advances. */
function replay(world: SeriesWorld, rules: readonly Rule[], options: BacktestOptions): {transitions: AlertTransition[]; evaluations: number} {
	const step = options.stepMs ?? 10_000;
	const engine = new RuleEngine(rules, {staleAfterMs: options.staleAfterMs ?? Math.max(30_000, 3 * step)});
	const transitions: AlertTransition[] = [];
	let evaluations = 0;
	for (let t = options.sinceMs; t <= options.untilMs; t += step) {
		world.advance(t);
		transitions.push(...engine.evaluate(world.input(t)));
		evaluations += 1;
	}
	return {transitions, evaluations};
}

function summarize(transitions: readonly AlertTransition[], untilMs: number): RuleReport[] {
	const byRule = new Map<string, {fired: number; notifications: number; firingMs: number; flaps: number; episodes: Array<{id: string; firedAtMs: number; resolvedAtMs?: number; severity: string; message: string}>}>();
	const open = new Map<string, {firedAtMs: number; index: number}>();
	const lastResolved = new Map<string, number>();
	for (const t of transitions) {
		const r = byRule.get(t.rule) ?? {fired: 0, notifications: 0, firingMs: 0, flaps: 0, episodes: []};
		byRule.set(t.rule, r);
		if (t.send) r.notifications += 1;
		if (t.kind === 'firing' && !open.has(t.id)) {
			r.fired += 1;
			const resolvedAt = lastResolved.get(t.id);
			if (resolvedAt !== undefined && t.timeMs - resolvedAt < 10 * 60_000) r.flaps += 1;
			open.set(t.id, {firedAtMs: t.timeMs, index: r.episodes.length});
			r.episodes.push({id: t.id, firedAtMs: t.timeMs, severity: t.severity, message: t.message});
		} else if (t.kind === 'resolved' && open.has(t.id)) {
			const o = open.get(t.id)!;
			open.delete(t.id);
			lastResolved.set(t.id, t.timeMs);
			r.firingMs += t.timeMs - o.firedAtMs;
			r.episodes[o.index] = {...r.episodes[o.index]!, resolvedAtMs: t.timeMs};
		}
	}
	for (const [id, o] of open) {
		const rule = transitions.find((t) => t.id === id)!.rule;
		byRule.get(rule)!.firingMs += untilMs - o.firedAtMs;
	}
	return [...byRule].map(([rule, r]) => ({rule, ...r})).filter((r) => r.fired > 0).sort((a, b) => b.fired - a.fired || compareIds(a.rule, b.rule));
}

export async function backtest(kv: KvReader, rules: readonly Rule[], options: BacktestOptions): Promise<BacktestReport> {
	const {world, loaded} = await loadHistory(kv, options.sinceMs);
	const {transitions, evaluations} = replay(world, rules, options);
	return {sinceMs: options.sinceMs, untilMs: options.untilMs, stepMs: options.stepMs ?? 10_000, evaluations, loaded, rules: summarize(transitions, options.untilMs)};
}
