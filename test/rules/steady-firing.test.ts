/**
The engine keeps a steady firing instance's latest sample and folds it into the state only when the state is read
(isSteadyFiring). These properties hold it to the pure state machine: the same transitions, phases, values and
messages as stepping every instance every evaluation, and messages rendered only when read.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {isSteadyFiring, step, type InstanceState, type Observation, type Severity, type Timing} from '../../src/rules/alert-state.js';
import {RuleEngine} from '../../src/rules/engine.js';
import {type Labels} from '../../src/rules/labels.js';
import {type Rule, type RuleInput, type RuleSample} from '../../src/rules/rule-types.js';
import {SeriesWorld} from '../../src/rules/world.js';

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** Drop keys whose value is undefined, so `{a: undefined}` and `{}` compare equal. */
function defined<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const severity = fc.constantFrom(...SEVERITIES);
const sampleObs = fc.record({
	kind: fc.constant('sample' as const),
	labels: fc.constantFrom<Labels>({gpu: '0'}, {gpu: '0', host: 'a'}),
	breach: fc.boolean(),
	clear: fc.boolean(),
	severity,
	value: fc.double({noNaN: false}),
	message: fc.string({maxLength: 8}),
});
const observation: fc.Arbitrary<Observation> = fc.oneof({weight: 6, arbitrary: sampleObs}, {weight: 1, arbitrary: fc.constant({kind: 'stale' as const})}, {weight: 1, arbitrary: fc.constant({kind: 'absent' as const})});
const timing: fc.Arbitrary<Timing> = fc.record({forMs: fc.constantFrom(0, 1000, 3000), keepFiringForMs: fc.constantFrom(0, 2000)});

describe('isSteadyFiring', () => {
	it('holds only where step makes no transition and refreshes nothing but value, labels and message', () => {
		fc.assert(
			fc.property(fc.array(observation, {minLength: 1, maxLength: 40}), timing, (observations, t) => {
				let state: InstanceState | undefined;
				observations.forEach((obs, i) => {
					const now = i * 1000;
					const r = step(state, obs, now, t);
					if (state !== undefined && isSteadyFiring(state, obs) && obs.kind === 'sample') {
						expect(r.transition).toBeUndefined();
						expect(defined(r.state!)).toEqual(defined({...state, value: obs.value, labels: obs.labels, message: obs.message}));
					}
					state = r.state;
				});
			}),
			{numRuns: 500},
		);
	});

	it('is false for an escalation, a non-breach, and a phase other than firing', () => {
		const firing: InstanceState = {phase: 'firing', labels: {}, activeAtMs: 0, firedAtMs: 0, severity: 'warning', value: 1, message: 'm', changedAtMs: 0};
		const obs = (breach: boolean, s: Severity): Observation => ({kind: 'sample', labels: {}, breach, clear: !breach, severity: s, value: 2, message: 'n'});
		expect(isSteadyFiring(firing, obs(true, 'warning'))).toBe(true);
		expect(isSteadyFiring(firing, obs(true, 'info'))).toBe(true);
		expect(isSteadyFiring(firing, obs(true, 'critical'))).toBe(false);
		expect(isSteadyFiring(firing, obs(false, 'warning'))).toBe(false);
		expect(isSteadyFiring({...firing, phase: 'recovering'}, obs(true, 'warning'))).toBe(false);
		expect(isSteadyFiring({...firing, phase: 'nodata'}, obs(true, 'warning'))).toBe(false);
		expect(isSteadyFiring(firing, {kind: 'stale'})).toBe(false);
	});
});

/** One rule that emits, each evaluation, the scripted samples of that tick (per instance key). */
function scriptedRule(script: ReadonlyArray<ReadonlyArray<RuleSample | undefined>>, t: Timing, rendered: {count: number}): Rule {
	let tick = 0;
	return {
		name: 'scripted',
		group: 'gpu',
		severity: 'warning',
		forMs: t.forMs,
		keepFiringForMs: t.keepFiringForMs,
		variant: 'user',
		description: 'scripted',
		evaluate(_ctx, emit) {
			for (const s of script[tick] ?? []) {
				if (s === undefined) continue;
				const text = s.message as string;
				emit({
					...s,
					message: () => {
						rendered.count += 1;
						return text;
					},
				});
			}
			tick += 1;
		},
	};
}

const instanceSample = (key: string) =>
	fc.option(
		fc.record({breach: fc.boolean(), clear: fc.boolean(), severity, value: fc.integer({min: -5, max: 5}), message: fc.string({maxLength: 4}), stale: fc.boolean()}).map(
			(s): RuleSample => ({key, labels: {gpu: key}, breach: s.breach, clear: s.clear, severity: s.severity, value: s.value, message: s.message, ...(s.stale ? {stale: true} : {})}),
		),
		{freq: 4},
	);

describe('the engine with steady firing folded in lazily', () => {
	it('gives the same transitions and states as stepping every instance every evaluation', () => {
		const tickArb = fc.tuple(instanceSample('0'), instanceSample('1'), instanceSample('2')).map((xs) => xs.map((x) => x ?? undefined));
		fc.assert(
			fc.property(fc.array(tickArb, {minLength: 1, maxLength: 30}), timing, fc.array(fc.boolean(), {minLength: 30, maxLength: 30}), (script, t, reads) => {
				const rendered = {count: 0};
				const engine = new RuleEngine([scriptedRule(script, t, rendered)], {resolvedRetentionMs: 5000});
				const world = new SeriesWorld();
				// The reference: the pure step for every instance, as the engine did before the fast path.
				const ref = new Map<string, InstanceState>();
				script.forEach((samples, i) => {
					const now = i * 1000;
					const input: RuleInput = world.input(now);
					const got = engine.evaluate(input).map((tr) => `${tr.key}:${tr.kind}:${tr.value}:${tr.message}`);
					const want: string[] = [];
					const seen = new Set<string>();
					for (const s of samples) {
						if (s === undefined) continue;
						const key = s.key!;
						const before = ref.get(key);
						if (before === undefined && (!s.breach || s.stale)) continue;
						seen.add(key);
						const obs: Observation = s.stale ? {kind: 'stale'} : {kind: 'sample', labels: s.labels, breach: s.breach, clear: s.clear ?? !s.breach, severity: s.severity ?? 'warning', value: s.value, message: s.message as string};
						const r = step(before, obs, now, {...t, resolvedRetentionMs: 5000});
						if (r.state === undefined) ref.delete(key);
						else ref.set(key, r.state);
						const st = r.state ?? before!;
						if (r.transition !== undefined) want.push(`${key}:${r.transition}:${st.value}:${st.message}`);
					}
					for (const [key, before] of [...ref]) {
						if (seen.has(key)) continue;
						const r = step(before, {kind: 'absent'}, now, {...t, resolvedRetentionMs: 5000});
						if (r.state === undefined) ref.delete(key);
						else ref.set(key, r.state);
						if (r.transition !== undefined) want.push(`${key}:${r.transition}:${(r.state ?? before).value}:${(r.state ?? before).message}`);
					}
					expect(got).toEqual(want);
					// Reading the states at random times (as the dashboard and the notifier do) changes nothing.
					if (reads[i] === true) {
						const states = Object.fromEntries(engine.instances().map((x) => [x.state.labels['gpu'], defined(x.state)]));
						expect(states).toEqual(Object.fromEntries([...ref].map(([k, v]) => [k, defined(v)])));
					}
				});
				const final = Object.fromEntries(engine.instances().map((x) => [x.state.labels['gpu'], defined(x.state)]));
				expect(final).toEqual(Object.fromEntries([...ref].map(([k, v]) => [k, defined(v)])));
			}),
			{numRuns: 300},
		);
	});

	it('renders a steady firing alert’s message only when it is read, once per read', () => {
		const script = Array.from({length: 50}, () => [{key: 'g', labels: {gpu: 'g'}, breach: true, value: 95, message: 'hot'} as RuleSample]);
		const rendered = {count: 0};
		const engine = new RuleEngine([scriptedRule(script, {forMs: 0, keepFiringForMs: 0}, rendered)]);
		const world = new SeriesWorld();
		for (let i = 0; i < 50; i++) engine.evaluate(world.input(i * 1000));
		// The first evaluation fires (one render for the transition); the next 49 are steady and render nothing.
		expect(rendered.count).toBe(1);
		expect(engine.instances()[0]!.state.message).toBe('hot');
		expect(rendered.count).toBe(2);
		expect(engine.instances()[0]!.state.message).toBe('hot');
		expect(rendered.count).toBe(2);
	});
});
