/** The SLA budget and the ETA to a target loss: pure functions, their text, the config, and the snapshot that carries them. */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {DEFAULT_SLA, slaBudget} from '../../src/analysis/sla-budget.js';
import {lossEta, targetLossFor} from '../../src/analysis/loss-eta.js';
import {forecastSettingsFrom} from '../../src/analysis/forecast-settings.js';
import {budgetText, compactCount, etaShortText, etaText} from '../../src/format/forecast-text.js';
import {formatIssue, parseConfig} from '../../src/config/config.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {buildSnapshot, snapshotToJson} from '../../src/store/snapshot.js';
import {onceText} from '../../src/once.js';
import {makeSnapshot} from '../components/fixtures.js';
import {storeInput} from '../../src/rules/store-input.js';

const MIN = 60_000;
const H = 3_600_000;
const NOW = Date.UTC(2026, 0, 5, 12);

/** One task a minute over `hours` before NOW; `late(i)` for the i-th newest (0 = newest). */
function completions(hours: number, late: (minutesAgo: number) => boolean) {
	return Array.from({length: hours * 60}, (_, i) => ({durationSeconds: late(i) ? 2400 : 600, timeMs: NOW - i * MIN}));
}

describe('slaBudget', () => {
	it('counts the window, burns against the objective and forecasts the spend', () => {
		// 24 h, 1,440 tasks: 144 late allowed. 60 late in the last hour (all of them): burn 10x; 84 late before that.
		const tasks = completions(24, (i) => i < 60 || (i >= 600 && i < 624));
		const b = slaBudget(tasks, NOW)!;
		expect(b.total).toBe(1440);
		expect(b.late).toBe(84);
		expect(b.remaining).toBeCloseTo(60 / 144, 9);
		expect(b.burnRate).toBeCloseTo(10, 9);
		// Net: 60 late an hour less the 6 the hour's tasks earn = 54 an hour; 60 left.
		expect(b.spentInMs! / H).toBeCloseTo(60 / 54, 9);
		expect(b.oldestMs).toBe(NOW - 1439 * MIN);
	});

	it('leaves out tasks outside the window, from the far future, and without a duration; none left: undefined', () => {
		const tasks = [
			{durationSeconds: 600, timeMs: NOW - 25 * H},
			{durationSeconds: 600, timeMs: NOW + 10 * MIN},
			{durationSeconds: Number.NaN, timeMs: NOW},
		];
		expect(slaBudget(tasks, NOW)).toBeUndefined();
		expect(slaBudget([...tasks, {durationSeconds: 5000, timeMs: NOW - MIN}], NOW)!.total).toBe(1);
	});

	it('property: remaining is 1 - late / allowed, and a spend time only while burning above 1', () => {
		fc.assert(
			fc.property(fc.array(fc.record({late: fc.boolean(), ago: fc.integer({min: 0, max: 30 * H})}), {maxLength: 300}), fc.double({min: 0.5, max: 0.9999, noNaN: true}), (items, objective) => {
				const b = slaBudget(
					items.map((x) => ({durationSeconds: x.late ? 1801 : 1800, timeMs: NOW - x.ago})),
					NOW,
					{...DEFAULT_SLA, objective},
				);
				const inWindow = items.filter((x) => x.ago < 24 * H);
				if (inWindow.length === 0) return b === undefined;
				const late = inWindow.filter((x) => x.late).length;
				const ok = Math.abs(b!.remaining - (1 - late / ((1 - objective) * inWindow.length))) < 1e-6;
				return ok && (b!.spentInMs === undefined || (b!.burnRate > 1 && b!.spentInMs > 0 && Number.isFinite(b!.spentInMs)));
			}),
		);
	});
});

describe('lossEta', () => {
	const points = (n: number, stepMs: number, loss: (t: number) => number) =>
		Array.from({length: n}, (_, i) => ({x: i * 100, value: loss(i * stepMs), timeMs: NOW - (n - 1 - i) * stepMs}));

	it('a noisy exponential decay: the ETA of the clean curve, with the steps to go', () => {
		let seed = 7;
		const noise = () => ((seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647 - 0.5) * 0.2;
		// loss = 2 exp(-t / 20 min) x (1 ± 10 %), a point every 2 s for 30 min: reaches 0.1 at 20 min x ln 20 = 59.9 min.
		const eta = lossEta(points(900, 2000, (t) => 2 * Math.exp(-t / (20 * MIN)) * (1 + noise())), 0.1)!;
		const reachedAt = (NOW - 898 * 2000 + (eta.atMs - NOW) + 898 * 2000 - (NOW - 898 * 2000)) / MIN;
		expect(reachedAt).toBeGreaterThan(55);
		expect(reachedAt).toBeLessThan(65);
		// 100 steps per 2 s: 3,000 a minute.
		expect(eta.steps! / ((eta.inMs / MIN) * 3000)).toBeCloseTo(1, 1);
	});

	it('no ETA without a target, for a rising, flat or non-positive loss; reached once under the target', () => {
		expect(lossEta(points(100, 1000, (t) => 2 - t / 1e6), undefined)).toBeUndefined();
		expect(lossEta(points(100, 1000, (t) => 1 + t / 1e6), 0.5)).toBeUndefined();
		expect(lossEta(points(100, 1000, () => 1), 0.5)).toBeUndefined();
		expect(lossEta(points(100, 1000, (t) => 0.05 - t / 1e6), 0.01)).toBeUndefined(); // goes negative in the window
		expect(lossEta(points(100, 1000, (t) => 0.4 - t / 1e7), 0.5)!.inMs).toBe(0);
		expect(lossEta([], 0.5)).toBeUndefined();
	});

	it('no ETA when one loss in the window is zero or negative, even when its bucket averages above 0', () => {
		const falling = points(900, 2000, (t) => 2 * Math.exp(-t / (20 * MIN)));
		expect(lossEta(falling, 0.1)).toBeDefined();
		for (const bad of [0, -0.5]) {
			const glitch = falling.map((p, i) => (i === 450 ? {...p, value: bad} : p));
			expect(lossEta(glitch, 0.1)).toBeUndefined();
		}
		// Outside the 30-minute window it no longer counts.
		const old = [{x: 0, value: 0, timeMs: NOW - 2 * H}, ...falling];
		expect(lossEta(old, 0.1)).toBeDefined();
	});

	it('no ETA once the run has diverged: the newest losses NaN or Inf (the last finite half hour no longer speaks)', () => {
		const falling = points(900, 2000, (t) => 2 * Math.exp(-t / (20 * MIN)));
		for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
			const diverged = [...falling, ...Array.from({length: 300}, (_, i) => ({x: 90_000 + i * 100, value: bad, timeMs: NOW + (i + 1) * 2000}))];
			expect(lossEta(diverged, 0.1)).toBeUndefined();
		}
	});

	it('survives hostile points: NaN, Infinity, a clock that steps back', () => {
		const hostile = points(200, 1000, (t) => 2 * Math.exp(-t / (5 * MIN)));
		hostile[50] = {...hostile[50]!, value: Number.NaN};
		hostile[60] = {...hostile[60]!, value: Number.POSITIVE_INFINITY};
		hostile[70] = {...hostile[70]!, timeMs: NOW - 10 * H};
		hostile[80] = {...hostile[80]!, timeMs: Number.NaN};
		const eta = lossEta(hostile, 0.01);
		expect(eta === undefined || Number.isFinite(eta.inMs)).toBe(true);
		expect(eta).toBeDefined();
	});

	it('targets: a project\'s own target wins over the default; no target, no ETA', () => {
		const targets = {targetLoss: 0.5, targets: {'proj:a': 0.2}};
		expect(targetLossFor(targets, 'proj:a')).toBe(0.2);
		expect(targetLossFor(targets, 'other')).toBe(0.5);
		expect(targetLossFor({targets: {x: 1}}, 'constructor')).toBeUndefined();
		expect(targetLossFor(undefined, 'x')).toBeUndefined();
	});
});

describe('forecast text', () => {
	const base = {objective: 0.9, windowMs: 24 * H, burnWindowMs: H, total: 400, late: 12, oldestMs: NOW - 24 * H};
	it('budget: left, burn and spend time, with a tone; spent; the long form for --once', () => {
		expect(budgetText({...base, remaining: 0.7, burnRate: 0.4})).toEqual({text: 'budget 70% left · burn 0.4x'});
		expect(budgetText({...base, remaining: 0.62, burnRate: 2.4, spentInMs: 5 * H})).toEqual({text: 'budget 62% left · burn 2.4x · spent in ~5h', tone: 'warn'});
		expect(budgetText({...base, remaining: 0.1, burnRate: 9, spentInMs: 20 * MIN}).tone).toBe('critical');
		expect(budgetText({...base, remaining: -0.4, burnRate: 3})).toEqual({text: 'budget spent (-40%) · burn 3x', tone: 'critical'});
		expect(budgetText({...base, remaining: 1, burnRate: 0}, true).text).toBe('budget 100% left (SLO 90% within 30m over 24h: 400 tasks, 12 late; burn over the last 1h)');
	});

	it('ETA: counts down from the screen\'s clock; steps compact; reached', () => {
		const eta = {target: 0.5, inMs: 3 * H + 20 * MIN, atMs: NOW + 3 * H + 20 * MIN, steps: 12_345};
		expect(etaText(eta, NOW)).toBe('ETA ~3h20m to loss 0.500 (~12k steps)');
		expect(etaText(eta, NOW + H)).toBe('ETA ~2h20m to loss 0.500 (~12k steps)');
		expect(etaShortText(eta, NOW)).toBe('ETA ~3h20m');
		expect(etaText({target: 0.5, inMs: 0, atMs: NOW, steps: 0}, NOW)).toBe('loss 0.500 reached');
		// Its time gone by without a refit reaching the target (the run stopped sending): said, not `~0s` for ever.
		expect(etaText(eta, eta.atMs)).toBe('ETA ~0s to loss 0.500 (~12k steps)');
		expect(etaText(eta, eta.atMs + 5 * 60_000)).toBe('ETA passed 5m ago, loss 0.500 not reached');
		expect(etaShortText(eta, eta.atMs + 5 * 60_000)).toBe('ETA passed');
		expect([950, 1234, 56_789, 3_400_000, 5e9, Number.NaN].map(compactCount)).toEqual(['950', '1.2k', '57k', '3.4M', '>999M', '?']);
	});
});

describe('config: sla and training', () => {
	const issues = (yaml: string) => {
		const r = parseConfig(yaml, 'c.yaml');
		return r.ok ? [] : r.issues.map(formatIssue);
	};
	it('valid sections become settings; defaults otherwise', () => {
		const r = parseConfig('sla:\n  objective: 0.99\n  window: 6h\n  burnWindow: 2h\ntraining:\n  targetLoss: 0.5\n  targets:\n    "proj:a": 0.25\n', 'c.yaml');
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(forecastSettingsFrom(r.config)).toEqual({sla: {objective: 0.99, windowMs: 6 * H, burnWindowMs: 2 * H}, training: {targetLoss: 0.5, targets: {'proj:a': 0.25}}});
		expect(forecastSettingsFrom({})).toEqual({sla: DEFAULT_SLA, training: {}});
		// A burn window longer than the window is cut to it.
		expect(forecastSettingsFrom({sla: {window: '2h', burnWindow: '6h'}}).sla.burnWindowMs).toBe(2 * H);
	});

	it('mistakes are reported with file, line and field', () => {
		const out = issues(['sla:', '  objective: 99', '  window: 30d', 'training:', '  targetLoss: -1', '  targets:', '    a: NaN', '  target: 1'].join('\n'));
		expect(out).toContain('c.yaml:2: sla.objective: expected a share from 0.5 to 0.9999 (0.99: 99 % of tasks within 30 min), got 99');
		expect(out).toContain('c.yaml:3: sla.window: expected a duration from 1h to 7d, got "30d"');
		expect(out).toContain('c.yaml:5: training.targetLoss: expected a loss above 0, got -1');
		expect(out.some((l) => l.startsWith('c.yaml:7: training.targets: "a": expected a loss above 0'))).toBe(true);
		expect(out.some((l) => l.startsWith('c.yaml:8: training.target: unknown field'))).toBe(true);
	});
});

describe('the budget against a completion stamped long ago (a producer whose clock is a day off)', () => {
	it('one stray old stamp does not hide the window\'s completions from the pane or the rules', () => {
		const store = new MetricsStore({}, () => NOW);
		const task = (i: number, timeMs: number, late = false) =>
			store.apply({kind: 'task', taskId: `t${i}`, status: 'done', agent: 'a', durationSeconds: late ? 2400 : 600, timestamp: NOW, timeMs}, NOW);
		for (let i = 0; i < 60; i++) task(i, NOW - (60 - i) * MIN, i % 4 === 0);
		task(60, NOW - 30 * H);
		for (let i = 61; i < 71; i++) task(i, NOW - (71 - i) * 1000);
		const bus = makeSnapshot().bus;
		const snapshot = buildSnapshot({store, host: 'h', instanceId: 'h:1', bus: () => bus, forecasts: {sla: DEFAULT_SLA, training: {}}}, NOW);
		expect(snapshot.tasks.budget).toMatchObject({total: 70, late: 15});
		const input = storeInput(store, NOW, new Map(), undefined);
		expect(input.completionsSince(NOW - DEFAULT_SLA.windowMs)).toHaveLength(70);
	});
});

describe('snapshot and --once', () => {
	it('carry the budget and each project\'s ETA (text and JSON); without data they say so', () => {
		const store = new MetricsStore({}, () => NOW);
		for (let i = 0; i < 120; i++)
			store.apply({kind: 'task', taskId: `t${i}`, status: 'done', agent: 'a', durationSeconds: i < 30 ? 2400 : 600, timestamp: NOW, timeMs: NOW - i * MIN}, NOW);
		for (let i = 0; i < 600; i++)
			store.apply({kind: 'training', projectId: 'bert', step: i * 10, loss: 3 * Math.exp(-i / 300), timestamp: NOW, timeMs: NOW - (599 - i) * 2000}, NOW);
		const bus = makeSnapshot().bus;
		const snapshot = buildSnapshot({store, host: 'h', instanceId: 'h:1', bus: () => bus, forecasts: {sla: DEFAULT_SLA, training: {targetLoss: 0.2}}}, NOW);
		expect(snapshot.tasks.budget).toMatchObject({total: 120, late: 30});
		expect(snapshot.training[0]!.eta!.target).toBe(0.2);
		// 3 exp(-i / 300) reaches 0.2 at i = 300 ln 15 = 812: 213 points of 2 s (10 steps each) after the last.
		expect((snapshot.training[0]!.eta!.atMs - NOW) / MIN).toBeCloseTo((213 * 2) / 60, 0);
		expect(snapshot.training[0]!.eta!.steps! / 2130).toBeCloseTo(1, 1);
		const text = onceText(snapshot);
		expect(text).toMatch(/SLA error budget: budget spent \(-\d+%\) · burn [\d.]+x \(SLO 90% within 30m over 24h: 120 tasks, 30 late; burn over the last 1h\)/);
		expect(text).toMatch(/ {2}bert: loss [\d.]+ at step 5990 \([a-z]+, 600 points\), ETA ~7m to loss 0\.200 \(~2\.1k steps\)/);
		const json = JSON.parse(snapshotToJson(snapshot)) as {tasks: {budget: {remaining: number}}; training: Array<{eta: {atMs: number}}>};
		expect(json.tasks.budget.remaining).toBeLessThan(0);
		expect(json.training[0]!.eta.atMs).toBeGreaterThan(NOW);

		// The ETA is refitted at most every 5 s of the project's time: a point 2 s later keeps it, one 6 s later refits.
		const before = snapshot.training[0]!.eta;
		store.apply({kind: 'training', projectId: 'bert', step: 6000, loss: 0.4, timestamp: NOW, timeMs: NOW + 2000}, NOW);
		const soon = buildSnapshot({store, host: 'h', instanceId: 'h:1', bus: () => bus, forecasts: {sla: DEFAULT_SLA, training: {targetLoss: 0.2}}}, NOW + 2000);
		expect(soon.training[0]!.eta).toBe(before);
		store.apply({kind: 'training', projectId: 'bert', step: 6010, loss: 0.39, timestamp: NOW, timeMs: NOW + 6000}, NOW);
		const later = buildSnapshot({store, host: 'h', instanceId: 'h:1', bus: () => bus, forecasts: {sla: DEFAULT_SLA, training: {targetLoss: 0.2}}}, NOW + 6000);
		expect(later.training[0]!.eta).not.toBe(before);
		expect(later.training[0]!.eta!.target).toBe(0.2);
		// Another target refits at once.
		const other = buildSnapshot({store, host: 'h', instanceId: 'h:1', bus: () => bus, forecasts: {sla: DEFAULT_SLA, training: {targetLoss: 0.3}}}, NOW + 6000);
		expect(other.training[0]!.eta!.target).toBe(0.3);

		const empty = buildSnapshot({store: new MetricsStore({}, () => NOW), host: 'h', instanceId: 'h:1', bus: () => bus}, NOW);
		expect(empty.tasks.budget).toBeUndefined();
		expect(onceText(empty)).toContain('SLA error budget: no data (no timed task in its window)');
	});
});
