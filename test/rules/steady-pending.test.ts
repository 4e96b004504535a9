/**
The engine's other two shortcuts, pinned against the pure step: a pending instance that stays pending is refreshed
in place (steadyPending), and a sample that cancels a pending instance is never rendered (cancelsPending).
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {cancelsPending, step, steadyPending, type InstanceState, type Observation, type Severity} from '../../src/rules/alert-state.js';
import {type Labels} from '../../src/rules/labels.js';

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const severity = fc.constantFrom(...SEVERITIES);
const sample = fc.record({
	kind: fc.constant('sample' as const),
	labels: fc.constantFrom<Labels>({gpu: '0'}, {gpu: '0', host: 'a'}),
	breach: fc.boolean(),
	clear: fc.boolean(),
	severity,
	value: fc.double(),
	message: fc.string({maxLength: 6}),
});
const defined = (s: InstanceState) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));

describe('steadyPending and cancelsPending', () => {
	it('hold only where step gives what the engine does instead', () => {
		fc.assert(
			fc.property(severity, fc.integer({min: 0, max: 10_000}), sample, fc.integer({min: 0, max: 20_000}), fc.constantFrom(0, 1000, 3000, 30_000), (current, activeAtMs, obs, later, forMs) => {
				const state: InstanceState = {phase: 'pending', labels: {gpu: '0'}, activeAtMs, severity: current, value: 1, message: 'm', changedAtMs: activeAtMs};
				const now = activeAtMs + later;
				const r = step(state, obs as Observation, now, {forMs, keepFiringForMs: 0});
				if (steadyPending(state.phase, state.severity, state.activeAtMs, obs.breach, obs.severity, now, forMs)) {
					expect(r.transition).toBeUndefined();
					expect(defined(r.state!)).toEqual(defined({...state, value: obs.value, labels: obs.labels, message: obs.message}));
				}
				if (cancelsPending(state.phase, obs.breach)) {
					expect(r).toEqual({state: undefined, transition: 'cancelled'});
					expect(step(state, {kind: 'absent'}, now, {forMs, keepFiringForMs: 0})).toEqual(r);
				}
			}),
			{numRuns: 1000},
		);
	});

	it('are false outside pending', () => {
		for (const phase of ['firing', 'recovering', 'nodata', 'resolved'] as const) {
			expect(steadyPending(phase, 'warning', 0, true, 'warning', 0, 1000)).toBe(false);
			expect(cancelsPending(phase, false)).toBe(false);
		}
	});
});
