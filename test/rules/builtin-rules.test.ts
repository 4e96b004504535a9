import {describe, expect, it} from 'vitest';
import {builtinRule} from '../../src/rules/builtin-rules.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {drive, fill, firstOf, gaussian, kinds, rng} from './helpers.js';

const S = 1000;
const MIN = 60_000;
const sound = (name: string) => [builtinRule(name)!];
const seed = (name: string) => [builtinRule(name, 'seed')!];
const P = {project: 'p1'};
const G = {gpu: '0'};

describe('training rules', () => {
	it('high_training_loss (sound): fires after 10 s of smoothed loss > 5, not below, resolves under 4.5', () => {
		const w = new SeriesWorld();
		fill(w, 'training_loss', P, 0, 30 * S, S, () => 3);
		fill(w, 'training_loss', P, 31 * S, 60 * S, S, () => 6);
		fill(w, 'training_loss', P, 61 * S, 90 * S, S, () => 4.8);
		fill(w, 'training_loss', P, 91 * S, 120 * S, S, () => 3);
		const run = drive(w, sound('high_training_loss')).until(120 * S);
		const fired = firstOf(run.transitions, 'high_training_loss', 'firing')!;
		expect(fired.timeMs).toBeGreaterThan(31 * S + 10 * S);
		expect(fired.timeMs).toBeLessThan(31 * S + 15 * S);
		const resolved = firstOf(run.transitions, 'high_training_loss', 'resolved')!;
		// 4.8 is inside the hysteresis band (4.5..5): it only resolves once the loss is back at 3.
		expect(resolved.timeMs).toBeGreaterThanOrEqual(91 * S);
		expect(kinds(run.transitions).filter((k) => k.startsWith('firing'))).toHaveLength(1);
	});

	it('the seed high_training_loss never sees NaN; non_finite_loss fires at once and resolves after 5 finite points', () => {
		const w = new SeriesWorld();
		fill(w, 'training_loss', P, 0, 20 * S, S, (t) => (t >= 10 * S && t <= 12 * S ? Number.NaN : 2));
		const naive = drive(w, seed('high_training_loss')).until(20 * S);
		expect(naive.transitions).toHaveLength(0);
		const w2 = new SeriesWorld();
		fill(w2, 'training_loss', P, 0, 30 * S, S, (t) => (t >= 10 * S && t <= 12 * S ? Number.NaN : 2));
		const run = drive(w2, sound('non_finite_loss')).until(30 * S);
		expect(kinds(run.transitions)).toEqual(['firing@10', 'resolved@17']);
		expect(run.transitions[0]!.severity).toBe('critical');
	});

	it('non_finite_loss resolves with a message about the finite loss, not "Loss is 1.97 (non-finite)"', () => {
		const w = new SeriesWorld();
		fill(w, 'training_loss', P, 0, 30 * S, S, (t) => (t === 10 * S ? Number.POSITIVE_INFINITY : 1.97));
		const run = drive(w, sound('non_finite_loss')).until(30 * S);
		const fired = firstOf(run.transitions, 'non_finite_loss', 'firing')!;
		const resolved = firstOf(run.transitions, 'non_finite_loss', 'resolved')!;
		expect(fired.message).toBe('Loss is Infinity (non-finite)');
		expect(resolved.message).toBe('Loss is finite again: 1.97');
		expect(resolved.message).not.toContain('non-finite');
	});

	it('loss_spike: fires on a sustained jump, not on single outliers or noise, resolves when back', () => {
		const r = rng(1);
		const w = new SeriesWorld();
		fill(w, 'training_loss', P, 0, 200 * S, S, (t) => {
			if (t === 60 * S || t === 90 * S) return 4; // single outliers
			if (t >= 150 * S && t < 160 * S) return 5; // a spike
			return 2 + 0.05 * gaussian(r);
		});
		const run = drive(w, sound('loss_spike')).until(200 * S);
		expect(kinds(run.transitions)).toEqual(['firing@152', 'resolved@160']);
	});

	it('loss_plateau (sound): fires on a flat noisy loss, stays quiet on slow improvement; the seed fires only on a small loss', () => {
		const r = rng(2);
		const flat = new SeriesWorld();
		fill(flat, 'training_loss', P, 0, 400 * S, S, () => 1 + 0.05 * gaussian(r));
		const run = drive(flat, sound('loss_plateau')).until(400 * S);
		const plateauAt = firstOf(run.transitions, 'loss_plateau', 'firing')!.timeMs;
		expect(plateauAt).toBeGreaterThanOrEqual(239 * S);
		expect(plateauAt).toBeLessThan(300 * S);
		expect(run.transitions.filter((t) => t.kind === 'firing')).toHaveLength(1);
		expect(drive(flat, seed('loss_plateau')).until(400 * S).transitions).toHaveLength(0);

		const slow = new SeriesWorld();
		fill(slow, 'training_loss', P, 0, 600 * S, S, (_, i) => 2 * Math.exp(-0.0004 * i) + 0.05 * gaussian(r)); // ~8% per 200 steps
		expect(drive(slow, sound('loss_plateau')).until(600 * S).transitions).toHaveLength(0);

		const tiny = new SeriesWorld();
		fill(tiny, 'training_loss', P, 0, 20 * S, S, (_, i) => 0.005 / (1 + i)); // still improving, just small
		expect(kinds(drive(tiny, seed('loss_plateau')).until(20 * S).transitions)).toContain('firing@0');
	});

	it('loss_plateau resolves once training improves again (after keep_firing_for)', () => {
		const r = rng(3);
		const w = new SeriesWorld();
		fill(w, 'training_loss', P, 0, 300 * S, S, () => 1 + 0.02 * gaussian(r));
		fill(w, 'training_loss', P, 301 * S, 700 * S, S, (_, i) => Math.max(0.05, 1 - 0.002 * i));
		const run = drive(w, sound('loss_plateau')).until(700 * S);
		const fired = firstOf(run.transitions, 'loss_plateau', 'firing')!;
		const resolved = firstOf(run.transitions, 'loss_plateau', 'resolved')!;
		expect(fired.timeMs).toBeLessThan(300 * S);
		expect(resolved.timeMs).toBeGreaterThan(301 * S + 60 * S);
	});

	it('convergence_detected: info on a flat series, nothing while loss falls', () => {
		const w = new SeriesWorld();
		fill(w, 'training_loss', P, 0, 300 * S, S, (_, i) => (i < 100 ? 3 - 0.02 * i : 1));
		const run = drive(w, sound('convergence_detected')).until(300 * S);
		const fired = firstOf(run.transitions, 'convergence_detected', 'firing')!;
		expect(fired.severity).toBe('info');
		expect(fired.timeMs).toBeGreaterThan(100 * S);
		const falling = new SeriesWorld();
		fill(falling, 'training_loss', P, 0, 300 * S, S, (_, i) => 3 * Math.exp(-0.01 * i));
		expect(drive(falling, sound('convergence_detected')).until(300 * S).transitions).toHaveLength(0);
	});
});

describe('GPU rules', () => {
	it('high_temperature: warning after 30 s over 85, escalates over 90, holds in 80..85, resolves below 80; 84 never fires', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_temperature_celsius', G, 0, 200 * S, S, (t) => (t < 20 * S ? 84 : t < 80 * S ? 87 : t < 100 * S ? 92 : t < 150 * S ? 82 : 78));
		const run = drive(w, sound('high_temperature')).until(200 * S);
		expect(kinds(run.transitions)).toEqual(['pending@20', 'firing@50', 'escalated@80', 'resolved@150']);
		expect(run.transitions[1]!.severity).toBe('warning');
		expect(run.transitions[2]!.severity).toBe('critical');
	});

	it('gpu_temperature_critical: > 90 for 15 s; seed variant fires at the first sample', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_temperature_celsius', G, 0, 60 * S, S, (t) => (t < 10 * S ? 80 : t < 40 * S ? 91 : 84));
		expect(kinds(drive(w, sound('gpu_temperature_critical')).until(60 * S).transitions)).toEqual(['pending@10', 'firing@25', 'resolved@40']);
		const w2 = new SeriesWorld();
		fill(w2, 'gpu_temperature_celsius', G, 0, 60 * S, S, (t) => (t < 10 * S ? 80 : t < 40 * S ? 91 : 84));
		expect(kinds(drive(w2, seed('gpu_temperature_critical')).until(60 * S).transitions)).toEqual(['firing@10', 'resolved@40']);
	});

	it('memory_exhaustion: > 95% for 15 s, holds above 90%, resolves below', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_memory_total_mb', G, 0, 100 * S, S, () => 80_000);
		fill(w, 'gpu_memory_used_mb', G, 0, 100 * S, S, (t) => (t < 10 * S ? 60_000 : t < 40 * S ? 78_000 : t < 70 * S ? 74_000 : 70_000));
		expect(kinds(drive(w, sound('memory_exhaustion')).until(100 * S).transitions)).toEqual(['pending@10', 'firing@25', 'resolved@70']);
	});

	it('memory_leak_detection: a steady creep fires (critical when OOM is near); an allocator ratchet does not', () => {
		const leak = new SeriesWorld();
		fill(leak, 'gpu_memory_total_mb', G, 0, 600 * S, S, () => 80_000);
		fill(leak, 'gpu_memory_used_mb', G, 0, 600 * S, S, (t) => 20_000 + Math.floor(t / 1000) * 4);
		const run = drive(leak, sound('memory_leak_detection')).until(600 * S);
		const fired = firstOf(run.transitions, 'memory_leak_detection', 'firing')!;
		expect(fired).toBeDefined();
		expect(fired.severity).toBe('warning');

		const ratchet = new SeriesWorld();
		fill(ratchet, 'gpu_memory_total_mb', G, 0, 900 * S, S, () => 80_000);
		// The caching allocator: a few big steps to a high-water mark, flat in between.
		fill(ratchet, 'gpu_memory_used_mb', G, 0, 900 * S, S, (t) => 20_000 + 800 * Math.min(4, Math.floor(t / 120_000)));
		expect(drive(ratchet, sound('memory_leak_detection')).until(900 * S).transitions).toHaveLength(0);

		const oom = new SeriesWorld();
		fill(oom, 'gpu_memory_total_mb', G, 0, 400 * S, S, () => 24_000);
		fill(oom, 'gpu_memory_used_mb', G, 0, 400 * S, S, (t) => 10_000 + Math.floor(t / 1000) * 8);
		const oomRun = drive(oom, sound('memory_leak_detection')).until(400 * S);
		expect(oomRun.transitions.some((t) => t.severity === 'critical' && (t.kind === 'firing' || t.kind === 'escalated'))).toBe(true);
	});

	it('the seed leak rule misses a creep with one flat sample in ten', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_memory_total_mb', G, 0, 600 * S, S, () => 80_000);
		fill(w, 'gpu_memory_used_mb', G, 0, 600 * S, S, (_, i) => 20_000 + (i - Math.floor(i / 9)) * 200);
		expect(drive(w, seed('memory_leak_detection')).until(600 * S).transitions).toHaveLength(0);
		expect(drive(w, sound('memory_leak_detection')).until(600 * S).transitions.some((t) => t.kind === 'firing')).toBe(true);
	});

	it('low_utilization: only while a project is training; 1-minute mean; resolves above 40%', () => {
		const w = new SeriesWorld();
		fill(w, 'project_status', P, 0, 400 * S, 5 * S, (t) => (t < 200 * S ? 1 : 0));
		fill(w, 'training_loss', P, 0, 400 * S, S, () => 1);
		fill(w, 'gpu_utilization_percent', G, 0, 400 * S, S, (t) => (t < 100 * S ? 10 : t < 150 * S ? 80 : 10));
		fill(w, 'gpu_temperature_celsius', G, 0, 400 * S, S, () => 60);
		const run = drive(w, sound('low_utilization')).until(400 * S);
		const firings = run.transitions.filter((t) => t.kind === 'firing');
		expect(firings).toHaveLength(1);
		expect(firings[0]!.timeMs).toBeGreaterThanOrEqual(60 * S);
		expect(firirngResolvedBefore(run.transitions, 150 * S)).toBe(true);
		// After 200 s the project is no longer training: the second low period does not fire.
		expect(run.transitions.filter((t) => t.kind === 'firing' && t.timeMs > 200 * S)).toHaveLength(0);
	});

	it('gpu_lost fires when a GPU falls off the bus and resolves when it is back', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_lost', G, 0, 30 * S, S, (t) => (t >= 10 * S && t < 20 * S ? 1 : 0));
		expect(kinds(drive(w, sound('gpu_lost')).until(30 * S).transitions)).toEqual(['firing@10', 'resolved@20']);
	});

	it('stale GPU data turns a firing alert into nodata instead of resolving it', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_temperature_celsius', G, 0, 40 * S, S, () => 95);
		const run = drive(w, sound('gpu_temperature_critical'), {staleAfterMs: 10 * S}).until(100 * S);
		expect(kinds(run.transitions)).toEqual(['pending@0', 'firing@15', 'nodata@51']);
	});
});

function firirngResolvedBefore(transitions: ReadonlyArray<{kind: string; timeMs: number}>, t: number): boolean {
	return transitions.some((x) => x.kind === 'resolved' && x.timeMs <= t);
}

describe('task, agent, workflow and error rules', () => {
	const tasks = (w: SeriesWorld, from: number, to: number, everyMs: number, duration: (t: number) => number) => fill(w, 'task_duration_seconds', {}, from, to, everyMs, duration);

	it('low_throughput (sound): fires 10 min after the hourly count drops under 10; silent when there were never tasks', () => {
		const w = new SeriesWorld();
		tasks(w, 0, 60 * MIN, MIN, () => 60);
		const run = drive(w, sound('low_throughput'), {stepMs: 10 * S}).until(200 * MIN);
		const fired = firstOf(run.transitions, 'low_throughput', 'firing')!;
		// 61 tasks in the first hour: the count falls under 10 at ~111 min, and `for` is 10 min.
		expect(fired.timeMs).toBeGreaterThan(115 * MIN);
		expect(fired.timeMs).toBeLessThan(125 * MIN);
		const idle = new SeriesWorld();
		fill(idle, 'training_loss', P, 0, 10 * MIN, MIN, () => 1);
		expect(drive(idle, sound('low_throughput'), {stepMs: 10 * S}).until(30 * MIN).transitions).toHaveLength(0);
		expect(drive(idle, seed('low_throughput'), {stepMs: 10 * S}).until(30 * MIN).transitions.some((t) => t.kind === 'firing')).toBe(true);
	});

	it('sla_breach (sound): fires on a sustained burn, not on a short blip, and resolves', () => {
		const w = new SeriesWorld();
		tasks(w, 0, 60 * MIN, 30 * S, () => 600);
		tasks(w, 60 * MIN + 15 * S, 65 * MIN, 30 * S, () => 2400); // a 5-minute blip
		tasks(w, 65 * MIN + 15 * S, 120 * MIN, 30 * S, () => 600);
		tasks(w, 120 * MIN + 15 * S, 180 * MIN, 30 * S, () => 2400); // a real burn
		tasks(w, 180 * MIN + 15 * S, 300 * MIN, 30 * S, () => 600);
		const run = drive(w, sound('sla_breach'), {stepMs: 10 * S}).until(300 * MIN);
		const firings = run.transitions.filter((t) => t.kind === 'firing');
		expect(firings).toHaveLength(1);
		expect(firings[0]!.timeMs).toBeGreaterThan(120 * MIN);
		// The slow pair (6 h / 30 min at 1x) opens a ticket first; the fast pair (1 h / 5 min at 2x) then pages.
		expect(firings[0]!.severity).toBe('warning');
		const page = firstOf(run.transitions, 'sla_breach', 'escalated')!;
		expect(page.severity).toBe('critical');
		expect(page.timeMs).toBeLessThan(150 * MIN);
		expect(firstOf(run.transitions, 'sla_breach', 'resolved')!.timeMs).toBeGreaterThan(180 * MIN);
		// The seed's rule fires on the blip.
		const naive = drive(w, seed('sla_breach'), {stepMs: 10 * S, from: 0});
		const w2 = new SeriesWorld();
		tasks(w2, 0, 60 * MIN, 30 * S, () => 600);
		tasks(w2, 60 * MIN + 15 * S, 65 * MIN, 30 * S, () => 2400);
		tasks(w2, 65 * MIN + 15 * S, 90 * MIN, 30 * S, () => 600);
		void naive;
		expect(drive(w2, seed('sla_breach'), {stepMs: 10 * S}).until(90 * MIN).transitions.some((t) => t.kind === 'firing')).toBe(false);
		expect(drive(w2, sound('sla_breach'), {stepMs: 10 * S}).until(90 * MIN).transitions.some((t) => t.kind === 'firing')).toBe(false);
	});

	it('sla_breach: a duration that is not finite is no task (as the live store, where such a completion is untimed)', () => {
		const w = new SeriesWorld();
		tasks(w, 0, 60 * MIN, 30 * S, () => 600);
		tasks(w, 60 * MIN + 15 * S, 120 * MIN, 30 * S, (t) => (t % (60 * S) === 15 * S ? Number.POSITIVE_INFINITY : Number.NaN));
		expect(drive(w, sound('sla_breach'), {stepMs: 10 * S}).until(120 * MIN).transitions.some((t) => t.kind === 'firing')).toBe(false);
		// The same hour with finite late durations fires (the windows and counts are the same).
		const late = new SeriesWorld();
		tasks(late, 0, 60 * MIN, 30 * S, () => 600);
		tasks(late, 60 * MIN + 15 * S, 120 * MIN, 30 * S, () => 2400);
		expect(drive(late, sound('sla_breach'), {stepMs: 10 * S}).until(120 * MIN).transitions.some((t) => t.kind === 'firing')).toBe(true);
	});

	it('unbalanced_load: sustained imbalance among >= 3 busy agents fires after 1 min; balanced does not', () => {
		const w = new SeriesWorld();
		for (const [agent, n] of [['a', 2], ['b', 2], ['c', 8]] as const) fill(w, 'agent_tasks', {agent}, 0, 200 * S, S, (t) => (t < 100 * S ? n : 4));
		const run = drive(w, sound('unbalanced_load')).until(200 * S);
		expect(kinds(run.transitions)).toEqual(['pending@0', 'firing@60', 'resolved@100']);
	});

	it('slow_step_detected: median of 20 > 600 s fires; one slow outlier does not', () => {
		const w = new SeriesWorld();
		const step = {workflow: 'wf', step: 'train'};
		fill(w, 'workflow_step_duration_seconds', step, 0, 30 * S, S, (t) => (t === 5 * S ? 5000 : 300));
		fill(w, 'workflow_step_duration_seconds', step, 31 * S, 60 * S, S, () => 700);
		fill(w, 'workflow_step_duration_seconds', step, 61 * S, 90 * S, S, () => 300);
		const run = drive(w, sound('slow_step_detected')).until(90 * S);
		expect(kinds(run.transitions)).toEqual(['firing@41', 'resolved@70']);
		const seedRun = drive(w, seed('slow_step_detected')).until(30 * S);
		expect(seedRun.transitions).toHaveLength(0);
	});

	it('error_performance_correlation: a critical error while the GPU ran hot; none when cool', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_temperature_celsius', G, 0, 200 * S, S, (t) => (t < 100 * S ? 88 : 60));
		w.add('critical_error', {}, 50 * S, 1);
		w.add('critical_error', {}, 150 * S, 1);
		const run = drive(w, sound('error_performance_correlation')).until(200 * S);
		expect(kinds(run.transitions)).toEqual(['firing@50', 'resolved@111']);
	});
});
