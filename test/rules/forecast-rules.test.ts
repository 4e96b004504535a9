/** Forecasts in rules: the forecast series, the built-in forecast rules and `forecast:` in user rules, fed series in accelerated time. */
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {formatIssue, parseConfig} from '../../src/config/config.js';
import {builtinRule, defaultRules} from '../../src/rules/builtin-rules.js';
import {compileRules, validateRules} from '../../src/rules/user-rules.js';
import {runRuleTests} from '../../src/rules/rule-test.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {drive, fill, firstOf, kinds} from './helpers.js';

const S = 1000;
const MIN = 60_000;
const H = 3_600_000;
const G = {gpu: '0'};
const TOTAL_MB = 81_920;

function gpuWorld(used: (t: number) => number, to: number, step = 5 * S): SeriesWorld {
	const world = new SeriesWorld();
	fill(world, 'gpu_memory_total_mb', G, 0, to, step, () => TOTAL_MB);
	fill(world, 'gpu_memory_used_mb', G, 0, to, step, used);
	return world;
}

describe('gpu_memory_full_soon', () => {
	it('is a default rule with a recommendation', () => {
		expect(defaultRules().map((r) => r.name)).toContain('gpu_memory_full_soon');
		expect(builtinRule('gpu_memory_full_soon')!.recommendation!.length).toBeGreaterThan(20);
	});

	it('a steady climb that fills the GPU at 30 min fires once 15 min are left (plus 2 min of "for")', () => {
		// 40 GiB at t=0, full (80 GiB) at 30 min: the forecast says 15 min at 15 min.
		const world = gpuWorld((t) => 40_960 + (40_960 * t) / (30 * MIN), 28 * MIN);
		const run = drive(world, [builtinRule('gpu_memory_full_soon')!], {stepMs: 5 * S}).until(28 * MIN);
		const pending = firstOf(run.transitions, 'gpu_memory_full_soon', 'pending')!;
		const fired = firstOf(run.transitions, 'gpu_memory_full_soon', 'firing')!;
		expect(pending.timeMs).toBeGreaterThanOrEqual(15 * MIN - 10 * S);
		expect(pending.timeMs).toBeLessThanOrEqual(15 * MIN + 10 * S);
		expect(fired.timeMs - pending.timeMs).toBe(2 * MIN);
		expect(fired.labels).toMatchObject({gpu: '0'});
		expect(fired.message).toMatch(/^GPU 0 memory full in \d+ s at its last 5 minutes' growth$/);
		expect(fired.value).toBeGreaterThan(11 * 60);
		expect(fired.value).toBeLessThan(14 * 60);
	});

	it('flat memory, a slow climb and a model load (one step, then flat) never fire', () => {
		for (const used of [() => 70_000, (t: number) => 20_000 + t / 1000, (t: number) => (t < 3 * MIN ? 2000 : 60_000)]) {
			const run = drive(gpuWorld(used, 30 * MIN), [builtinRule('gpu_memory_full_soon')!], {stepMs: 5 * S}).until(30 * MIN);
			expect(kinds(run.transitions, 'gpu_memory_full_soon').filter((k) => k.startsWith('firing'))).toEqual([]);
		}
	});

	// The message used to render with the clearing value: "GPU 0 memory full in 1867 s" on resolving, "Infinity s" once there is no forecast.
	it('a climb that stops resolves with a message that says what cleared, not the clearing value', () => {
		const climb = (t: number) => 40_960 + (40_960 * t) / (30 * MIN);
		const world = gpuWorld((t) => climb(Math.min(t, 20 * MIN)), 40 * MIN);
		const run = drive(world, [builtinRule('gpu_memory_full_soon')!], {stepMs: 5 * S}).until(40 * MIN);
		expect(firstOf(run.transitions, 'gpu_memory_full_soon', 'firing')!.message).toMatch(/^GPU 0 memory full in \d+ s/);
		const resolved = firstOf(run.transitions, 'gpu_memory_full_soon', 'resolved')!;
		expect(resolved.timeMs).toBeGreaterThan(20 * MIN);
		expect(resolved.message).toBe('GPU 0 memory no longer forecast full within 30 min at its last 5 minutes\' growth');
	});

	it('a GPU that stops reporting goes to nodata, not resolved', () => {
		const world = gpuWorld((t) => 40_960 + (40_960 * t) / (30 * MIN), 20 * MIN);
		const run = drive(world, [builtinRule('gpu_memory_full_soon')!], {stepMs: 5 * S}).until(21 * MIN);
		expect(firstOf(run.transitions, 'gpu_memory_full_soon', 'firing')).toBeDefined();
		expect(firstOf(run.transitions, 'gpu_memory_full_soon', 'resolved')).toBeUndefined();
		expect(firstOf(run.transitions, 'gpu_memory_full_soon', 'nodata')!.timeMs).toBeGreaterThan(20 * MIN);
	});
});

/** One task a minute from `from` to `to`; `late(t)` says whether the task at t ran past the 30-minute SLA. */
function tasks(world: SeriesWorld, from: number, to: number, late: (t: number) => boolean): void {
	fill(world, 'task_duration_seconds', {}, from, to, MIN, (t) => (late(t) ? 2400 : 600));
}

describe('sla_budget_exhaustion', () => {
	it('is a default rule with a recommendation', () => {
		expect(defaultRules().map((r) => r.name)).toContain('sla_budget_exhaustion');
		expect(builtinRule('sla_budget_exhaustion')!.recommendation!.length).toBeGreaterThan(20);
	});

	it('3 h on time, then every other task late: fires while budget is left, well before it is spent', () => {
		// Budget after 3 h: 10 % of 180 tasks = 18 late allowed. Half late burns 5x the allowed rate.
		const world = new SeriesWorld();
		tasks(world, MIN, 5 * H, (t) => t > 3 * H && Math.round(t / MIN) % 2 === 0);
		const run = drive(world, [builtinRule('sla_budget_exhaustion')!], {stepMs: 30 * S}).until(5 * H);
		const fired = firstOf(run.transitions, 'sla_budget_exhaustion', 'firing')!;
		expect(fired.timeMs).toBeGreaterThan(3 * H);
		// The budget (18 late) runs out after ~36 late tasks less what they earn: within about 1 h of the burn starting.
		expect(fired.timeMs).toBeLessThan(3 * H + 45 * MIN);
		expect(fired.message).toMatch(/^SLA error budget spent within the hour at the recent burn rate \(\d+ s to go; 0: spent already\)$/);
	});

	it('tasks on time, late tasks within the SLO (5 %), and fewer than 10 tasks never fire', () => {
		const onTime = new SeriesWorld();
		tasks(onTime, MIN, 4 * H, () => false);
		const withinSlo = new SeriesWorld();
		tasks(withinSlo, MIN, 4 * H, (t) => Math.round(t / MIN) % 20 === 0);
		const few = new SeriesWorld();
		tasks(few, MIN, 9 * MIN, () => true);
		for (const world of [onTime, withinSlo, few]) {
			const run = drive(world, [builtinRule('sla_budget_exhaustion')!], {stepMs: MIN}).until(4 * H);
			expect(kinds(run.transitions, 'sla_budget_exhaustion')).toEqual([]);
		}
	});
});

describe('forecast: in user rules', () => {
	const rule = (forecast: Record<string, unknown>, extra: Record<string, unknown> = {}) => [{alert: 'soon', forecast, ...extra}];

	it('is validated field by field', () => {
		expect(validateRules(rule({of: 'gpu_memory', within: '10m'}))).toEqual([]);
		expect(validateRules(rule({of: 'gpu_memory{gpu="1"}', within: '10m', clear_beyond: '20m'}))).toEqual([]);
		const problems = (r: unknown[]) => validateRules(r).map(([path, message]) => `${path.join('.')}: ${message}`);
		expect(problems(rule({of: 'gpu_memroy', within: '10m'}))[0]).toMatch(/^0\.forecast\.of: unknown forecast "gpu_memroy" \(expected one of: gpu_memory, disk, error_budget, target_loss\)$/);
		expect(problems(rule({of: 'disk', within: 'soon'}))[0]).toMatch(/^0\.forecast\.within: expected a duration/);
		expect(problems(rule({of: 'disk{gpu="0"}', within: '1h'}))[0]).toBe('0.forecast.of: forecast disk has no label "gpu" (it has: path)');
		expect(problems(rule({of: 'error_budget', within: '1h', clear_beyond: '30m'}))[0]).toMatch(/^0\.forecast\.clear_beyond: "30m" is shorter than within/);
		expect(problems(rule({of: 'error_budget', within: '1h', when: 'now'}))[0]).toMatch(/^0\.forecast\.when: unknown field/);
		expect(problems(rule({of: 'error_budget', within: '1h'}, {condition: 'value > 1'}))[0]).toMatch(/^0\.condition: not with "forecast:"/);
		expect(problems([{alert: 'x', forecast: 'gpu_memory'}])[0]).toMatch(/^0\.forecast: expected a mapping/);
		expect(problems([{forecast: {of: 'disk', within: '1h'}}])[0]).toBe('0: missing field "alert" (the rule\'s name)');
	});

	it('a config file names the line of the mistake', () => {
		const r = parseConfig(['rules:', '  - alert: disk_soon', '    forecast:', '      of: disk{path="/data"}', '      within: tomorrow'].join('\n'), 'c.yaml');
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.issues.map(formatIssue)[0]).toMatch(/^c\.yaml:5: rules\.0\.forecast\.within: expected a duration/);
	});

	it('disk: fires for the path that fills, with its label, and clears beyond clear_beyond', () => {
		const world = new SeriesWorld();
		const data = {path: '/data'};
		fill(world, 'disk_total_bytes', data, 0, 3 * H, MIN, () => 1e12);
		fill(world, 'disk_total_bytes', {path: '/'}, 0, 3 * H, MIN, () => 1e11);
		// /data fills at 2 h (500 GB/h from 0), then the job stops writing and deletes half at 100 min.
		fill(world, 'disk_used_bytes', data, 0, 3 * H, MIN, (t) => (t < 100 * MIN ? (1e12 * t) / (2 * H) : 4e11));
		fill(world, 'disk_used_bytes', {path: '/'}, 0, 3 * H, MIN, () => 5e10);
		const rules = compileRules(rule({of: 'disk', within: '1h', clear_beyond: '2h'}, {for: '5m'})).filter((r) => r.name === 'soon');
		const run = drive(world, rules, {stepMs: MIN}).until(3 * H);
		const fired = firstOf(run.transitions, 'soon', 'firing')!;
		expect(fired.labels).toEqual({path: '/data'});
		expect(fired.timeMs).toBeGreaterThanOrEqual(65 * MIN);
		expect(fired.timeMs).toBeLessThanOrEqual(70 * MIN);
		expect(fired.message).toMatch(/^soon: disk forecast in \d+ s \(within 1h\)$/);
		const resolved = firstOf(run.transitions, 'soon', 'resolved')!;
		expect(resolved.timeMs).toBeGreaterThanOrEqual(100 * MIN);
		// The kind's default resolved message (no clearing value in it: that is +Inf once the disk stops filling).
		expect(resolved.message).toBe('soon: disk forecast beyond 2h');
		expect(run.transitions.filter((t) => t.labels['path'] === '/')).toEqual([]);
	});

	it('resolved_message: a rule\'s own; rules on a forecast series say what cleared them; other rules keep their message', () => {
		expect(validateRules([{alert: 'x', series: 'gpu_temperature_celsius', condition: 'value > 1', resolved_message: 3}])).toEqual([[[0, 'resolved_message'], 'expected a string']]);
		expect(validateRules(rule({of: 'disk', within: '1h'}, {resolved_message: ['x']}))).toEqual([[[0, 'resolved_message'], 'expected a string']]);
		const world = new SeriesWorld();
		// 95 °C for 5 min, then 60 °C; /data (half full) fills at a rate that fills it within the hour for 5 min, then stops.
		const fillPerMs = 5e11 / H;
		fill(world, 'gpu_temperature_celsius', G, 0, 15 * MIN, 10 * S, (t) => (t < 5 * MIN ? 95 : 60));
		fill(world, 'disk_total_bytes', {path: '/data'}, 0, 15 * MIN, 10 * S, () => 1e12);
		fill(world, 'disk_used_bytes', {path: '/data'}, 0, 15 * MIN, 10 * S, (t) => 5e11 + fillPerMs * Math.min(t, 5 * MIN));
		const rules = compileRules([
			{alert: 'hot', series: 'gpu_temperature_celsius', condition: 'value > 90', message: 'GPU {{gpu}} at {{value}} °C', resolved_message: 'GPU {{gpu}} back to {{value}} °C'},
			{alert: 'hot_plain', series: 'gpu_temperature_celsius', condition: 'value > 90', recovery: 80, message: 'GPU {{gpu}} at {{value}} °C'},
			{alert: 'disk_raw', series: 'forecast_disk_full_seconds{path="/data"}', condition: 'value <= 3600', recovery: 7200},
			{alert: 'disk_raw_bare', series: 'forecast_disk_full_seconds', condition: 'min(1m) <= 3600'},
		]).filter((r) => r.variant === 'user');
		const run = drive(world, rules, {stepMs: 10 * S}).until(15 * MIN);
		const said = (name: string) => [firstOf(run.transitions, name, 'firing')?.message, firstOf(run.transitions, name, 'resolved')?.message];
		expect(said('hot')).toEqual(['GPU 0 at 95 °C', 'GPU 0 back to 60 °C']);
		expect(said('hot_plain')).toEqual(['GPU 0 at 95 °C', 'GPU 0 at 60 °C']);
		const [firing, resolved] = said('disk_raw');
		expect(firing).toMatch(/^disk_raw: forecast_disk_full_seconds\{path="\/data"\} is \d+(\.\d+)? \(value <= 3600\)$/);
		expect(resolved).toBe('disk_raw: forecast_disk_full_seconds{path="/data"} cleared (value > 7200)');
		expect(said('disk_raw_bare')).toEqual([expect.stringMatching(/^disk_raw_bare: forecast_disk_full_seconds is /), 'disk_raw_bare: forecast_disk_full_seconds cleared (not min(1m) <= 3600)']);
	});

	it('resolved_message: a sample in breach says the firing message even where its recovery (another function) also holds', () => {
		// Condition on the value, recovery on the 5-minute average: a spike to 95 °C breaches while the average is still
		// below 75 °C, so the sample both breaches and meets the recovery. The breach wins (the engine fires the alert), so its
		// message must be the firing one; the resolved message only when the alert clears.
		const world = new SeriesWorld();
		fill(world, 'gpu_temperature_celsius', G, 0, 20 * MIN, 10 * S, (t) => (t >= 10 * MIN && t < 11 * MIN ? (t < 10 * MIN + 30 * S ? 95 : 99) : 60));
		const rules = compileRules([
			{alert: 'spike', series: 'gpu_temperature_celsius', condition: 'value > 90', recovery: 'avg(5m) < 75', message: 'GPU {{gpu}} at {{value}} °C', resolved_message: 'GPU {{gpu}} cooled'},
		]).filter((r) => r.variant === 'user');
		const run = drive(world, rules, {stepMs: 10 * S}).until(20 * MIN);
		expect(run.transitions.filter((t) => t.rule === 'spike').map((t) => `${t.kind}: ${t.message}`)).toEqual(['firing: GPU 0 at 95 °C', 'resolved: GPU 0 cooled']);
	});

	it('target_loss: fires when the project with a target is within reach, not the one without', () => {
		const world = new SeriesWorld();
		for (const project of ['a', 'b']) fill(world, 'training_loss', {project}, 0, 40 * MIN, 10 * S, (t) => 2 * Math.exp(-t / (10 * MIN)));
		fill(world, 'training_target_loss', {project: 'a'}, 0, 0, 1, () => 0.1);
		const rules = compileRules(rule({of: 'target_loss', within: '10m'}, {severity: 'info'})).filter((r) => r.name === 'soon');
		const run = drive(world, rules, {stepMs: 10 * S}).until(40 * MIN);
		const fired = firstOf(run.transitions, 'soon', 'firing')!;
		// 2·exp(-t/10m) reaches 0.1 at ~30 min: 10 min before is ~20 min (the bucket fit lags a little).
		expect(fired.labels).toEqual({project: 'a'});
		expect(fired.timeMs).toBeGreaterThanOrEqual(19 * MIN);
		expect(fired.timeMs).toBeLessThanOrEqual(22 * MIN);
		expect(run.transitions.some((t) => t.labels['project'] === 'b')).toBe(false);
	});

	it('runs under `mycotop rules test` as promtool-style unit tests', () => {
		const dir = mkdtempSync(join(tmpdir(), 'forecast-rules-'));
		const file = join(dir, 'test.yaml');
		writeFileSync(
			file,
			[
				'rules:',
				'  - alert: vram_soon',
				'    forecast: {of: gpu_memory, within: 10m}',
				'    for: 1m',
				'tests:',
				'  - interval: 10s',
				'    input_series:',
				'      - series: gpu_memory_total_mb{gpu="0"}',
				'        values: 1000x200',
				'      - series: gpu_memory_used_mb{gpu="0"}',
				'        values: 100+5x200', // full (1000) at 180 points = 30 min: 10 min left at 20 min
				'    alert_rule_test:',
				'      - eval_time: 15m',
				'        alertname: vram_soon',
				'      - eval_time: 20m30s',
				'        alertname: vram_soon',
				'        exp_alerts:',
				'          - exp_labels: {gpu: "0"}',
				'            exp_state: pending',
				'      - eval_time: 22m',
				'        alertname: vram_soon',
				'        exp_alerts:',
				'          - exp_labels: {gpu: "0"}',
			].join('\n'),
		);
		const result = runRuleTests(file);
		expect(result.errors).toEqual([]);
		expect(result.groups.flatMap((g) => g.failures)).toEqual([]);
		expect(result.ok).toBe(true);
	});
});
