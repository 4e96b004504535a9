import {describe, expect, it} from 'vitest';
import {notifyDecision, step, type InstanceState, type Observation, type Timing} from '../../src/rules/alert-state.js';

const T: Timing = {forMs: 3000, keepFiringForMs: 0};
const sample = (breach: boolean, extra: Partial<Extract<Observation, {kind: 'sample'}>> = {}): Observation => ({
	kind: 'sample',
	labels: {gpu: '0'},
	breach,
	clear: !breach,
	severity: 'warning',
	value: breach ? 1 : 0,
	message: 'm',
	...extra,
});

/** Feed observations one per second from t=0; return phases and transitions. */
function feed(observations: readonly Observation[], timing: Timing = T): Array<{phase: string; transition?: string}> {
	let state: InstanceState | undefined;
	return observations.map((obs, i) => {
		const r = step(state, obs, i * 1000, timing);
		state = r.state;
		return {phase: state?.phase ?? 'none', ...(r.transition ? {transition: r.transition} : {})};
	});
}

describe('alert lifecycle (pure state machine)', () => {
	it('goes pending, then firing once `for` has elapsed, then resolves', () => {
		const out = feed([sample(true), sample(true), sample(true), sample(true), sample(false)]);
		expect(out.map((o) => o.phase)).toEqual(['pending', 'pending', 'pending', 'firing', 'resolved']);
		expect(out.map((o) => o.transition)).toEqual(['pending', undefined, undefined, 'firing', 'resolved']);
	});

	it('fires at once when `for` is 0', () => {
		expect(feed([sample(true)], {forMs: 0, keepFiringForMs: 0})[0]).toEqual({phase: 'firing', transition: 'firing'});
	});

	it('one evaluation without the condition resets a pending alert (Prometheus semantics)', () => {
		const out = feed([sample(true), sample(true), sample(false), sample(true), sample(true), sample(true)]);
		expect(out.map((o) => o.phase)).toEqual(['pending', 'pending', 'none', 'pending', 'pending', 'pending']);
		expect(out[2]!.transition).toBe('cancelled');
	});

	it('keeps firing inside the hysteresis band (not breaching, not clear) and resolves only when clear', () => {
		const band = sample(false, {clear: false});
		const out = feed([sample(true), band, band, band, sample(false)], {forMs: 0, keepFiringForMs: 0});
		expect(out.map((o) => o.phase)).toEqual(['firing', 'firing', 'firing', 'firing', 'resolved']);
	});

	it('keep_firing_for: recovering for the period, back to firing if the condition returns', () => {
		const timing = {forMs: 0, keepFiringForMs: 2000};
		const out = feed([sample(true), sample(false), sample(true), sample(false), sample(false), sample(false)], timing);
		expect(out.map((o) => o.phase)).toEqual(['firing', 'recovering', 'firing', 'recovering', 'recovering', 'resolved']);
		expect(out.filter((o) => o.transition === 'resolved')).toHaveLength(1);
	});

	it('stale data puts a firing alert in nodata (not resolved); clear data then resolves it', () => {
		const out = feed([sample(true), {kind: 'stale'}, {kind: 'stale'}, sample(false)], {forMs: 0, keepFiringForMs: 0});
		expect(out.map((o) => o.phase)).toEqual(['firing', 'nodata', 'nodata', 'resolved']);
		expect(out.map((o) => o.transition)).toEqual(['firing', 'nodata', undefined, 'resolved']);
	});

	it('nodata returns to firing when data comes back still breaching', () => {
		const out = feed([sample(true), {kind: 'stale'}, sample(true)], {forMs: 0, keepFiringForMs: 0});
		expect(out.map((o) => o.transition)).toEqual(['firing', 'nodata', 'firing']);
	});

	it('a stale pending alert is dropped, and an absent series resolves a firing one', () => {
		expect(feed([sample(true), {kind: 'stale'}]).map((o) => o.phase)).toEqual(['pending', 'none']);
		expect(feed([sample(true), {kind: 'absent'}], {forMs: 0, keepFiringForMs: 0}).map((o) => o.transition)).toEqual(['firing', 'resolved']);
	});

	it('escalates once when severity rises; severity does not fall within an episode', () => {
		const out = feed(
			[sample(true), sample(true, {severity: 'critical'}), sample(true, {severity: 'warning'}), sample(true, {severity: 'critical'})],
			{forMs: 0, keepFiringForMs: 0},
		);
		expect(out.map((o) => o.transition)).toEqual(['firing', 'escalated', undefined, undefined]);
	});

	it('keeps a resolved alert for the retention period, then forgets it', () => {
		let state: InstanceState | undefined;
		const timing = {forMs: 0, keepFiringForMs: 0, resolvedRetentionMs: 5000};
		state = step(state, sample(true), 0, timing).state;
		state = step(state, sample(false), 1000, timing).state;
		expect(state?.phase).toBe('resolved');
		expect(step(state, sample(false), 4000, timing).state?.phase).toBe('resolved');
		expect(step(state, sample(false), 6000, timing).state).toBeUndefined();
		// A new breach during retention starts a new episode.
		const again = step(state, sample(true), 3000, timing);
		expect(again.transition).toBe('firing');
		expect(again.state?.firedAtMs).toBe(3000);
	});
});

describe('notification policy (the seed cooldown as repeat interval)', () => {
	const repeat = 300_000;
	it('sends a firing, suppresses a re-fire within the cooldown, sends again after it', () => {
		const a = notifyDecision('firing', 'warning', undefined, 0, repeat);
		expect(a.send).toBe(true);
		const r = notifyDecision('resolved', 'warning', a.memory, 10_000, repeat);
		expect(r.send).toBe(true);
		const b = notifyDecision('firing', 'warning', r.memory, 60_000, repeat);
		expect(b).toMatchObject({send: false, reason: 'cooldown'});
		// Its resolve is not sent either: the episode was never announced.
		expect(notifyDecision('resolved', 'warning', b.memory, 70_000, repeat).send).toBe(false);
		expect(notifyDecision('firing', 'warning', b.memory, 400_000, repeat).send).toBe(true);
	});

	it('a higher severity bypasses the cooldown, and escalations are always sent', () => {
		const a = notifyDecision('firing', 'warning', undefined, 0, repeat);
		expect(notifyDecision('firing', 'critical', a.memory, 1000, repeat).send).toBe(true);
		expect(notifyDecision('escalated', 'critical', a.memory, 1000, repeat).send).toBe(true);
	});

	it('never sends pending or cancelled', () => {
		expect(notifyDecision('pending', 'critical', undefined, 0, repeat).send).toBe(false);
		expect(notifyDecision('cancelled', 'critical', undefined, 0, repeat).send).toBe(false);
	});
});
