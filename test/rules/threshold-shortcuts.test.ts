/**
The threshold rule's shortcuts under the engine, against the same rules with none of them: the engine's instance
keys read once per evaluation as flags by series index (tracked-flags.ts), one sample object refilled for every
series (RuleContext.samplesReused), condition values read from the column's arrays. The reference engine's rules see
a context without `tracked`, `samplesReused` and shared columns, so they emit a fresh sample for every selected series,
as the rule did before the shortcuts. Random GPUs (repeated labels, so two series may share a key; lost, appearing
and vanishing GPUs; readings that stop), random rules (every function, operator, recovery, for, keep_firing_for,
stale_after, matchers): the same transitions, field for field and in the same key order, the same instances and rows.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {RuleEngine, type AlertTransition} from '../../src/rules/engine.js';
import {compileRules} from '../../src/rules/user-rules.js';
import {keyIndex, TrackedFlags} from '../../src/rules/tracked-flags.js';
import {type GpuInput, type LabelledSeries, type Rule} from '../../src/rules/rule-types.js';
import {gpuShape} from '../../src/rules/rule-types.js';
import {TimeRing} from '../../src/rules/time-ring.js';
import {gpuRuleInput} from './helpers.js';

/** The rule as it runs without the engine's shortcuts: no instance keys, fresh samples, its own columns. */
function plain(rule: Rule): Rule {
	return {...rule, evaluate: (ctx, emit) => rule.evaluate({input: ctx.input, series: ctx.series, staleAfterMs: ctx.staleAfterMs}, emit)};
}

/** A transition's keys in the order the stream stores them (JSON): every defined one, none undefined. */
const ORDER = ['id', 'rule', 'group', 'key', 'labels', 'kind', 'from', 'to', 'severity', 'value', 'message', 'timeMs', 'activeAtMs', 'firedAtMs', 'send', 'reason', 'recommendation'];
function keysInOrder(tr: AlertTransition): void {
	const record = tr as unknown as Record<string, unknown>;
	expect(Object.keys(tr)).toEqual(ORDER.filter((k) => Object.hasOwn(tr, k)));
	for (const k of Object.keys(tr)) expect(record[k]).not.toBeUndefined();
}

interface Gpu {
	readonly index: number;
	readonly id: string;
	readonly temperatureC: TimeRing;
	readonly memoryUsedMb: TimeRing;
	readonly utilizationPercent: TimeRing;
}

const metric = fc.constantFrom('gpu_temperature_celsius', 'gpu_utilization_percent', 'gpu_memory_used_mb', 'gpu_memory_percent');
const fnText = fc.oneof(
	{weight: 4, arbitrary: fc.constant('value')},
	{weight: 3, arbitrary: fc.tuple(fc.constantFrom('avg', 'min', 'max', 'rate', 'increase', 'robust_z'), fc.constantFrom('3s', '5s', '10s')).map(([f, w]) => `${f}(${w})`)},
);
const op = fc.constantFrom('>', '>=', '<', '<=', '==', '!=');
const userRule = fc.record(
	{
		metric,
		matcher: fc.constantFrom('', '{gpu=~"[01]"}', '{gpu!="2"}', '{uuid="GPU-a"}'),
		fn: fnText,
		op,
		threshold: fc.integer({min: 0, max: 6}),
		recovery: fc.option(fc.oneof(fc.integer({min: 0, max: 6}), fc.tuple(fnText, op, fc.integer({min: 0, max: 6})).map(([f, o, t]) => `${f} ${o} ${t}`))),
		forText: fc.constantFrom('0s', '1s', '3s'),
		keep: fc.constantFrom('0s', '2s'),
		staleAfter: fc.option(fc.constantFrom('2s', '4s', 'gpu')),
		severity: fc.constantFrom('info', 'warning', 'critical'),
		message: fc.constantFrom(undefined, 'GPU {{gpu}} at {{value | round 1}}', 'no placeholders'),
	},
	{requiredKeys: ['metric', 'matcher', 'fn', 'op', 'threshold', 'recovery', 'forText', 'keep', 'staleAfter', 'severity']},
);

/** One tick: which GPUs are present (by slot), which are lost, and each present GPU's readings (undefined: none this tick). */
const tick = fc.record({
	present: fc.array(fc.boolean(), {minLength: 4, maxLength: 4}),
	lost: fc.array(fc.integer({min: 0, max: 9}).map((x) => x === 0), {minLength: 4, maxLength: 4}),
	readings: fc.array(fc.option(fc.oneof({weight: 12, arbitrary: fc.integer({min: 0, max: 7})}, {weight: 1, arbitrary: fc.constant(Number.NaN)}), {freq: 5}), {minLength: 12, maxLength: 12}),
});

describe('threshold rules with the engine’s shortcuts', () => {
	it('give the same transitions, instances and rows as the same rules without them', () => {
		fc.assert(
			fc.property(
				fc.array(userRule, {minLength: 1, maxLength: 6}),
				// Four GPU slots with their (index, uuid): repeats give two series the same key.
				fc.array(fc.tuple(fc.integer({min: 0, max: 2}), fc.constantFrom('GPU-a', 'GPU-b', 'GPU-c')), {minLength: 4, maxLength: 4}),
				fc.array(tick, {minLength: 1, maxLength: 40}),
				fc.constantFrom(undefined, 'box'),
				(specs, slots, ticks, host) => {
					const entries = specs.map((s, i) => ({
						alert: `r${i}`,
						series: `${s.metric}${s.matcher}`,
						condition: `${s.fn} ${s.op} ${s.threshold}`,
						...(s.recovery !== null ? {recovery: s.recovery} : {}),
						for: s.forText,
						keep_firing_for: s.keep,
						...(s.staleAfter !== null ? {stale_after: s.staleAfter} : {}),
						severity: s.severity,
						...(s.message !== undefined ? {message: s.message} : {}),
					}));
					const options = {staleAfterMs: 3000, resolvedRetentionMs: 5000, host};
					const fast = new RuleEngine(compileRules(entries), options);
					const reference = new RuleEngine(compileRules(entries).map(plain), options);
					expect(fast.rules.filter((r) => r.variant === 'user')).toHaveLength(specs.length);
					const gpus: Gpu[] = slots.map(([index, id]) => ({index, id, temperatureC: new TimeRing(64), memoryUsedMb: new TimeRing(64), utilizationPercent: new TimeRing(64)}));
					const inputs = new Map<string, GpuInput>();
					ticks.forEach((t, n) => {
						const now = n * 1000;
						const present: GpuInput[] = [];
						gpus.forEach((g, k) => {
							const rings = [g.temperatureC, g.memoryUsedMb, g.utilizationPercent];
							rings.forEach((ring, r) => {
								const v = t.readings[k * 3 + r];
								if (v !== null && v !== undefined) ring.push(now, v);
							});
							if (!t.present[k]) return;
							const lost = t.lost[k]!;
							// The same object while nothing changes (as the store hands them out), a new one when lost flips.
							const cacheKey = `${k}${lost ? '!' : ''}`;
							let input = inputs.get(cacheKey);
							if (input === undefined) {
								input = {id: g.id, index: g.index, name: 'test', lost, temperatureC: g.temperatureC, memoryUsedMb: g.memoryUsedMb, memoryTotalMb: 8, utilizationPercent: g.utilizationPercent};
								inputs.set(cacheKey, input);
							}
							present.push(input);
						});
						const input = gpuRuleInput(now, present, `0|0|${present.map((g) => `${gpus.findIndex((x) => x.temperatureC === g.temperatureC)}/${gpuShape(g)}`).join(',')}`);
						const got = fast.evaluate(input);
						const want = reference.evaluate(input);
						expect(got).toEqual(want);
						expect(JSON.stringify(got)).toBe(JSON.stringify(want));
						for (const tr of got) keysInOrder(tr);
						if (n % 7 === 3) expect(fast.rows(now, new Map(), new Map())).toEqual(reference.rows(now, new Map(), new Map()));
					});
					const end = ticks.length * 1000;
					expect(fast.instances().map((x) => [x.id, x.state])).toEqual(reference.instances().map((x) => [x.id, x.state]));
					expect(fast.rows(end, new Map(), new Map())).toEqual(reference.rows(end, new Map(), new Map()));
					expect(fast.transitions()).toEqual(reference.transitions());
				},
			),
			{numRuns: 300},
		);
	});

	it('with two series under one key: a quiet one before a breaching one still cancels the pending instance', () => {
		// GPU 0 appears twice with the same uuid (two series, one key). The first is quiet, the second breaches: from the
		// second evaluation on, asking the engine per series, the first sees the pending instance the second made and
		// cancels it, and the second starts another, as without the shortcut.
		const hot = new TimeRing(8);
		const cold = new TimeRing(8);
		const gpu = (temperatureC: TimeRing): GpuInput => ({id: 'GPU-a', index: 0, name: 'test', lost: false, temperatureC, memoryUsedMb: new TimeRing(1), memoryTotalMb: undefined, utilizationPercent: new TimeRing(1)});
		const gpus = [gpu(cold), gpu(hot)];
		const rules = compileRules([{alert: 'hot', series: 'gpu_temperature_celsius', condition: 'value > 90', for: '5s'}]).filter((r) => r.variant === 'user');
		const fast = new RuleEngine(rules);
		const reference = new RuleEngine(rules.map(plain));
		for (let n = 0; n < 3; n++) {
			hot.push(n * 1000, 95);
			cold.push(n * 1000, 50);
			const input = gpuRuleInput(n * 1000, gpus, 'two');
			const got = fast.evaluate(input).map((t) => t.kind);
			expect(got).toEqual(reference.evaluate(input).map((t) => t.kind));
			expect(got).toEqual(n === 0 ? ['pending'] : ['cancelled', 'pending']);
		}
	});
});

describe('tracked flags', () => {
	const series = (keys: readonly string[]): LabelledSeries[] => keys.map((key) => ({key, labels: {}, points: new TimeRing(1)}));

	it('mark exactly the indices of the tracked keys that the list holds, and start over each time', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.string({maxLength: 3}), {maxLength: 12}), fc.array(fc.array(fc.string({maxLength: 3}), {maxLength: 12}), {minLength: 1, maxLength: 4}), (keys, rounds) => {
				const list = series(keys);
				const flags = new TrackedFlags();
				for (const tracked of rounds) {
					const marks = flags.mark(list, new Set(tracked))!;
					keys.forEach((k, i) => expect(marks[i]).toBe(tracked.includes(k) ? 1 : 0));
				}
			}),
		);
	});

	it('say nothing for a list whose keys repeat (the rule then asks per series)', () => {
		const list = series(['a', 'b', 'a']);
		expect(keyIndex(list)).toBeUndefined();
		expect(new TrackedFlags().mark(list, new Set(['a']))).toBeUndefined();
		expect(keyIndex(series(['a', 'b']))?.get('b')).toBe(1);
	});
});
