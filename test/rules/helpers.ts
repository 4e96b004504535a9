/** Drive rules in accelerated time over a SeriesWorld. */
import {RuleEngine, type AlertTransition, type EngineOptions} from '../../src/rules/engine.js';
import {type GpuInput, type Rule, type RuleInput} from '../../src/rules/rule-types.js';
import {SeriesWorld} from '../../src/rules/world.js';

export interface Run {
	readonly engine: RuleEngine;
	readonly transitions: AlertTransition[];
	/** Evaluate every `stepMs` from `from` to `to` inclusive. */
	until(to: number): Run;
}

export function drive(world: SeriesWorld, rules: readonly Rule[], options: EngineOptions & {stepMs?: number; from?: number} = {}): Run {
	const engine = new RuleEngine(rules, options);
	const transitions: AlertTransition[] = [];
	const step = options.stepMs ?? 1000;
	let t = options.from ?? 0;
	const run: Run = {
		engine,
		transitions,
		until(to) {
			for (; t <= to; t += step) {
				world.advance(t);
				transitions.push(...engine.evaluate(world.input(t)));
			}
			return run;
		},
	};
	return run;
}

/** A rule input with GPUs only: no projects, completions, agents, workflow steps or errors. */
export function gpuRuleInput(nowMs: number, gpus: readonly GpuInput[], shape?: string): RuleInput {
	return {
		nowMs,
		projects: [],
		completionsSince: () => [],
		lastCompletionMs: undefined,
		busyAgents: [],
		workflowSteps: [],
		criticalErrorsSince: () => [],
		gpus,
		...(shape === undefined ? {} : {shape}),
	};
}

export function kinds(transitions: readonly AlertTransition[], rule?: string): string[] {
	return transitions.filter((t) => rule === undefined || t.rule === rule).map((t) => `${t.kind}@${t.timeMs / 1000}`);
}

export function firstOf(transitions: readonly AlertTransition[], rule: string, kind: string): AlertTransition | undefined {
	return transitions.find((t) => t.rule === rule && t.kind === kind);
}

export {seededRandom as rng} from '../../src/demo/seeded-random.js';

/** Standard normal from a uniform generator (Box-Muller). */
export function gaussian(random: () => number): number {
	return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/** Add points every `stepMs` from `from` to `to` (inclusive) with value `fn(t, i)`. */
export function fill(
	world: SeriesWorld,
	metric: Parameters<SeriesWorld['add']>[0],
	labels: Readonly<Record<string, string>>,
	from: number,
	to: number,
	stepMs: number,
	fn: (t: number, i: number) => number,
): void {
	let i = 0;
	for (let t = from; t <= to; t += stepMs) world.add(metric, labels, t, fn(t, i++));
}
