/** The GPU health rules, fed series in accelerated time (as builtin-rules.test.ts), and once end to end from the store. */
import {describe, expect, it} from 'vitest';
import {builtinRule, defaultRules} from '../../src/rules/builtin-rules.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {parseGpuLine, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {GpuTracker} from '../../src/rules/gpu-tracker.js';
import {RuleEngine} from '../../src/rules/engine.js';
import {SeriesCatalog} from '../../src/rules/series-catalog.js';
import {drive, fill, firstOf, gpuRuleInput, kinds} from './helpers.js';
import {recording} from '../gpu/fixtures.js';

const S = 1000;
const MIN = 60_000;
const sound = (name: string) => [builtinRule(name)!];
const G = {gpu: '0'};

describe('GPU health rules', () => {
	it('are in the default set, each with a recommendation, as data in the user rules\' format', () => {
		const names = defaultRules().map((r) => r.name);
		for (const name of ['gpu_thermal_throttling', 'gpu_power_throttling', 'gpu_xid', 'gpu_ecc_uncorrectable', 'gpu_pcie_link_degraded']) {
			expect(names).toContain(name);
			const rule = builtinRule(name)!;
			expect(rule.recommendation?.length).toBeGreaterThan(20);
			expect(rule.group).toBe('gpu');
		}
	});

	it('gpu_thermal_throttling: continuous heat fires after ~3.5 min, a brief one does not; a flapping one does', () => {
		const steady = new SeriesWorld();
		fill(steady, 'gpu_throttle_thermal', G, 0, 20 * MIN, 5 * S, (t) => (t >= 5 * MIN && t < 12 * MIN ? 1 : 0));
		const run = drive(steady, sound('gpu_thermal_throttling'), {stepMs: 5 * S}).until(20 * MIN);
		const fired = firstOf(run.transitions, 'gpu_thermal_throttling', 'firing')!;
		// More than half of 5 min at 7.5 min, then 1 min of "for".
		expect(fired.timeMs).toBeGreaterThan(8 * MIN);
		expect(fired.timeMs).toBeLessThanOrEqual(9 * MIN);
		expect(fired.message).toMatch(/^GPU 0 throttled for heat \(share of the last 5 min: 0\.\d+\)$/);
		const resolved = firstOf(run.transitions, 'gpu_thermal_throttling', 'resolved')!;
		expect(resolved.timeMs).toBeGreaterThan(12 * MIN);
		expect(resolved.timeMs).toBeLessThanOrEqual(17 * MIN + 5 * S);

		const brief = new SeriesWorld();
		fill(brief, 'gpu_throttle_thermal', G, 0, 20 * MIN, 5 * S, (t) => (t >= 5 * MIN && t < 7 * MIN ? 1 : 0));
		expect(drive(brief, sound('gpu_thermal_throttling'), {stepMs: 5 * S}).until(20 * MIN).transitions.filter((t) => t.kind === 'firing')).toHaveLength(0);

		// On 20 s, off 10 s: never 2 minutes in a row, yet two thirds of the time.
		const flapping = new SeriesWorld();
		fill(flapping, 'gpu_throttle_thermal', G, 0, 20 * MIN, 5 * S, (t) => (t >= 5 * MIN && (t / S) % 30 < 20 ? 1 : 0));
		expect(firstOf(drive(flapping, sound('gpu_thermal_throttling'), {stepMs: 5 * S}).until(20 * MIN).transitions, 'gpu_thermal_throttling', 'firing')).toBeDefined();
	});

	it('gpu_power_throttling: info after a quarter hour at the cap, not for a few minutes', () => {
		const capped = new SeriesWorld();
		fill(capped, 'gpu_throttle_power', G, 0, 40 * MIN, 10 * S, (t) => (t >= 5 * MIN ? 1 : 0));
		const run = drive(capped, sound('gpu_power_throttling'), {stepMs: 10 * S}).until(40 * MIN);
		const fired = firstOf(run.transitions, 'gpu_power_throttling', 'firing')!;
		expect(fired.severity).toBe('info');
		expect(fired.timeMs).toBeGreaterThan(5 * MIN + 13 * MIN);
		const short = new SeriesWorld();
		fill(short, 'gpu_throttle_power', G, 0, 40 * MIN, 10 * S, (t) => (t >= 5 * MIN && t < 12 * MIN ? 1 : 0));
		expect(drive(short, sound('gpu_power_throttling'), {stepMs: 10 * S}).until(40 * MIN).transitions).toHaveLength(0);
	});

	it('gpu_xid: fires on a new Xid, resolves 10 min after the last, fires again on the next', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_xid_total', G, 0, 40 * MIN, 5 * S, (t) => (t < 3 * MIN ? 0 : t < 25 * MIN ? 1 : 2));
		const run = drive(w, sound('gpu_xid'), {stepMs: 5 * S}).until(40 * MIN);
		expect(kinds(run.transitions)).toEqual(['firing@180', 'resolved@780', 'firing@1500', 'resolved@2100']);
		expect(run.transitions[0]!.message).toBe('GPU 0: 1 new Xid event(s) in the last 10 min');
		// No Xid since start: quiet.
		const calm = new SeriesWorld();
		fill(calm, 'gpu_xid_total', G, 0, 20 * MIN, 5 * S, () => 0);
		expect(drive(calm, sound('gpu_xid'), {stepMs: 5 * S}).until(20 * MIN).transitions).toHaveLength(0);
	});

	it('gpu_ecc_uncorrectable: critical at the first uncorrectable error, clears after a reset', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_ecc_uncorrected_volatile', G, 0, 60 * S, S, (t) => (t < 10 * S ? 0 : t < 40 * S ? 1 : 0));
		const run = drive(w, sound('gpu_ecc_uncorrectable')).until(60 * S);
		expect(kinds(run.transitions)).toEqual(['firing@10', 'resolved@40']);
		expect(run.transitions[0]).toMatchObject({severity: 'critical', message: 'GPU 0: 1 uncorrectable ECC error(s) since the driver loaded'});
	});

	it('gpu_pcie_link_degraded: after 2 min trained down; a blip does not fire', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_pcie_link_degraded', G, 0, 10 * MIN, 5 * S, (t) => ((t >= 1 * MIN && t < 1.5 * MIN) || t >= 4 * MIN ? 1 : 0));
		const run = drive(w, sound('gpu_pcie_link_degraded'), {stepMs: 5 * S}).until(10 * MIN);
		expect(kinds(run.transitions).filter((k) => k.startsWith('firing'))).toEqual(['firing@360']);
	});

	it('a lost GPU sends its health alerts to nodata, not resolved', () => {
		const w = new SeriesWorld();
		fill(w, 'gpu_ecc_uncorrected_volatile', G, 0, 60 * S, S, () => 1);
		fill(w, 'gpu_lost', G, 0, 60 * S, S, (t) => (t >= 30 * S ? 1 : 0));
		expect(kinds(drive(w, sound('gpu_ecc_uncorrectable')).until(60 * S).transitions)).toEqual(['firing@0', 'nodata@30']);
	});
});

describe('end to end: recorded health frames -> store -> tracker -> rules', () => {
	it('the health scenario fires ECC and Xid on GPU 1, not on GPU 0', () => {
		const rec = recording('health');
		const rows = rec.lines.map((l) => parseGpuLine(l, rec.fields)).flatMap((r) => (r.kind === 'row' ? [r.row] : []));
		const frames = new Map<string, ParsedGpuRow[]>();
		for (const r of rows) frames.set(r.timestamp!, [...(frames.get(r.timestamp!) ?? []), r]);
		const store = new GpuStore();
		const tracker = new GpuTracker();
		const catalog = new SeriesCatalog();
		const engine = new RuleEngine(defaultRules().filter((r) => r.name === 'gpu_ecc_uncorrectable' || r.name === 'gpu_xid'));
		const fired: string[] = [];
		let t = 0;
		for (const frame of frames.values()) {
			t += S;
			store.applyFrame(frame, t);
			if (t === 3 * S) store.recordXid({xid: 48, timeMs: t + 500, pci: '0000:2a:00'});
			const gpus = tracker.update(store.snapshot(), t + 600)!;
			const input = gpuRuleInput(t + 600, gpus);
			catalog.update(input);
			for (const tr of engine.evaluate(input)) if (tr.kind === 'firing') fired.push(`${tr.rule}:${tr.labels['gpu']}`);
		}
		expect(fired.sort()).toEqual(['gpu_ecc_uncorrectable:1', 'gpu_xid:1']);
	});
});
