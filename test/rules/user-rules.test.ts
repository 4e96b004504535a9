import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {formatIssue, parseConfig} from '../../src/config/config.js';
import {compileRules, conditionValue, parseCondition, renderTemplate} from '../../src/rules/user-rules.js';
import {expandSeries} from '../../src/rules/series-notation.js';
import {runCommand} from '../../src/commands.js';
import {TimeRing} from '../../src/rules/time-ring.js';
import {SeriesWorld} from '../../src/rules/world.js';
import {drive, fill, kinds} from './helpers.js';

function issues(yaml: string): string[] {
	const r = parseConfig(yaml, 'c.yaml');
	return r.ok ? [] : r.issues.map(formatIssue);
}

describe('YAML rules: errors with file, line and field', () => {
	it('reports an unknown metric, a bad condition and a bad duration on their own lines', () => {
		const out = issues(
			[
				'rules:', //                                   1
				'  - alert: hot', //                           2
				'    series: gpu_temprature{gpu="0"}', //      3
				'    condition: value >> 80', //               4
				'    for: 5 minutes', //                       5
			].join('\n'),
		);
		expect(out.some((l) => l.startsWith('c.yaml:3: rules.0.series: unknown metric "gpu_temprature" (expected one of: training_loss,'))).toBe(true);
		expect(out.some((l) => l.startsWith('c.yaml:4: rules.0.condition: '))).toBe(true);
		expect(out).toContain('c.yaml:5: rules.0.for: expected a duration like 30s, 5m, 1h (or milliseconds), at most 365d, got "5 minutes"');
	});

	it('reports unknown fields, unknown labels, unknown built-ins, bad severities and duplicate names', () => {
		const out = issues(
			[
				'rules:',
				'  - alert: a',
				'    series: training_loss{gpu="0"}',
				'    condition: value > 5',
				'    severty: warning',
				'  - builtin: loss_platoo',
				'  - alert: a',
				'    series: training_loss',
				'    condition: value > 6',
				'    severity: urgent',
			].join('\n'),
		);
		expect(out).toContain('c.yaml:3: rules.0.series: metric training_loss has no label "gpu" (it has: project)');
		expect(out.some((l) => l.startsWith('c.yaml:5: rules.0.severty: unknown field'))).toBe(true);
		expect(out.some((l) => l.startsWith('c.yaml:6: rules.1.builtin: unknown built-in rule "loss_platoo"'))).toBe(true);
		expect(out).toContain('c.yaml:7: rules.2.alert: "a" is already defined by rule 1');
		expect(out).toContain('c.yaml:10: rules.2.severity: expected one of: info, warning, critical, got "urgent"');
	});

	it('rejects a recovery threshold on the firing side and a missing condition', () => {
		const out = issues(['rules:', '  - alert: a', '    series: gpu_temperature_celsius', '    condition: value > 80', '    recovery: 85', '  - alert: b', '    series: busy_agents'].join('\n'));
		expect(out).toContain('c.yaml:5: rules.0.recovery: recovery 85 is on the firing side of "value > 80" (an alert would never clear)');
		expect(out).toContain('c.yaml:6: rules.1: missing field "condition"');
	});

	it('accepts a valid rule set and an alerting section', () => {
		const r = parseConfig(
			['alerting:', '  evaluationInterval: 2s', '  repeatInterval: 10m', 'rules:', '  - builtin: loss_plateau', '    variant: seed', '  - alert: hot', '    series: gpu_temperature_celsius{gpu=~"0|1"}', '    condition: avg(1m) > 80', '    recovery: 75', '    for: 30s'].join('\n'),
			'c.yaml',
		);
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		const rules = compileRules(r.config.rules);
		expect(rules.find((x) => x.name === 'loss_plateau')?.variant).toBe('seed');
		expect(rules.find((x) => x.name === 'hot')).toMatchObject({variant: 'user', forMs: 30_000, group: 'gpu'});
	});
});

describe('user rule conditions', () => {
	it('parses conditions and rejects bad ones', () => {
		expect(parseCondition('rate(5m) > 0.5')).toEqual({fn: 'rate', windowMs: 300_000, op: '>', threshold: 0.5});
		expect(parseCondition('value(5m) > 1')).toBe('"value" takes no window');
		expect(parseCondition('avg > 1')).toBe('"avg" needs a window, e.g. avg(5m)');
		expect(parseCondition('median(5m) > 1')).toMatch(/unknown function "median"/);
	});

	it('computes rate, increase, avg and robust z over a window', () => {
		const ring = new TimeRing(100);
		for (let i = 0; i <= 60; i++) ring.push(i * 1000, i * 2);
		expect(conditionValue('rate', 30_000, ring, 60_000)).toBeCloseTo(2);
		expect(conditionValue('increase', 30_000, ring, 60_000)).toBe(60);
		expect(conditionValue('avg', 10_000, ring, 60_000)).toBe(110);
		const z = new TimeRing(100);
		for (let i = 0; i < 30; i++) z.push(i * 1000, 10 + (i % 3));
		z.push(30_000, 40);
		expect(conditionValue('robust_z', 60_000, z, 30_000)).toBeGreaterThan(10);
	});

	it('a user rule fires with its labels and rendered message, honours recovery, and selects by matchers', () => {
		const rules = compileRules([
			{alert: 'hot', series: 'gpu_temperature_celsius{gpu="1"}', condition: 'value > 80', recovery: 75, message: 'GPU {{gpu}} at {{value}}', for: '2s'},
		]).filter((r) => r.name === 'hot');
		const w = new SeriesWorld();
		fill(w, 'gpu_temperature_celsius', {gpu: '0'}, 0, 20_000, 1000, () => 90);
		fill(w, 'gpu_temperature_celsius', {gpu: '1'}, 0, 20_000, 1000, (t) => (t < 5000 ? 70 : t < 10_000 ? 85 : t < 15_000 ? 78 : 70));
		const run = drive(w, rules).until(20_000);
		expect(kinds(run.transitions)).toEqual(['pending@5', 'firing@7', 'resolved@15']);
		expect(run.transitions[1]!.message).toBe('GPU 1 at 85');
		expect(run.transitions[1]!.labels).toMatchObject({gpu: '1'});
	});

	it('renders templates', () => {
		expect(renderTemplate('{{ $labels.gpu }}: {{$value}} / {{project}}', {gpu: '3'}, 1.23456)).toBe('3: 1.235 / ');
	});
});

describe('expanding notation', () => {
	it('expands like promtool, plus nan and inf', () => {
		expect(expandSeries('0+10x3')).toEqual([0, 10, 20, 30]);
		expect(expandSeries('1-2x4')).toEqual([1, -1, -3, -5, -7]);
		expect(expandSeries('5x2 _x2 nan inf')).toEqual([5, 5, 5, null, null, Number.NaN, Number.POSITIVE_INFINITY]);
		expect(expandSeries('1 2 stale 3')).toEqual([1, 2]);
		expect(expandSeries('1 abc')).toMatch(/bad value "abc"/);
		expect((expandSeries('0+10x100') as number[]).length).toBe(101);
	});
});

describe('mycotop rules check / rules test', () => {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-rules-'));
	const capture = () => {
		const lines: string[] = [];
		return {lines, io: {out: (s: string) => lines.push(s), err: (s: string) => lines.push(`ERR ${s}`)}};
	};

	it('check: exit 0 for a good file, 1 with file:line: field for a bad one', async () => {
		const good = join(dir, 'good.yaml');
		writeFileSync(good, 'rules:\n  - alert: hot\n    series: gpu_temperature_celsius\n    condition: value > 80\n');
		const bad = join(dir, 'bad.yaml');
		writeFileSync(bad, '- alert: hot\n  series: gpu_temperature_celsius\n  condition: value ? 80\n');
		const a = capture();
		expect(await runCommand(['rules', 'check', good], {}, a.io)).toBe(0);
		const b = capture();
		expect(await runCommand(['rules', 'check', bad], {}, b.io)).toBe(1);
		expect(b.lines.join('\n')).toContain(`${bad}:3: rules.0.condition: expected "<function> <op> <number>"`);
	});

	it('test: passes and fails like promtool, with a non-zero exit on failure', async () => {
		const rules = join(dir, 'rules.yaml');
		writeFileSync(rules, 'rules:\n  - alert: fast_rise\n    series: gpu_memory_used_mb\n    condition: increase(10s) > 500\n    severity: critical\n');
		const file = join(dir, 'test.yaml');
		writeFileSync(
			file,
			[
				'rule_files: [rules.yaml]',
				'evaluation_interval: 1s',
				'tests:',
				'  - name: temperature and memory',
				'    interval: 1s',
				'    input_series:',
				'      - series: gpu_temperature_celsius{gpu="0"}',
				'        values: 70+1x40',
				'      - series: gpu_memory_used_mb{gpu="0"}',
				'        values: 1000x20 1000+100x20',
				'    alert_rule_test:',
				'      - eval_time: 10s',
				'        alertname: high_temperature',
				'      - eval_time: 40s',
				'        alertname: high_temperature',
				'        exp_alerts:',
				'          - exp_labels: {gpu: "0"}',
				'            exp_state: pending',
				'      - eval_time: 35s',
				'        alertname: fast_rise',
				'        exp_alerts:',
				'          - exp_labels: {gpu: "0"}',
				'            exp_severity: critical',
				'  - name: deliberately wrong',
				'    input_series:',
				'      - series: training_loss{project="p"}',
				'        values: 1 2 nan 3',
				'    alert_rule_test:',
				'      - eval_time: 3s',
				'        alertname: non_finite_loss',
			].join('\n'),
		);
		const c = capture();
		expect(await runCommand(['rules', 'test', file], {}, c.io)).toBe(1);
		const text = c.lines.join('\n');
		expect(text).toContain('PASS  temperature and memory (3 checks)');
		expect(text).toContain('FAIL  deliberately wrong');
		expect(text).toMatch(/unexpected firing critical \{"project":"p"\}/);
		const only = capture();
		expect(await runCommand(['rules', 'test', file, '--run', 'temperature'], {}, only.io)).toBe(0);
	});
});

describe('a user rule over store projects that come by eviction (second hostile review)', () => {
	it('training_loss > 5 fires for a project that took an evicted one\'s place (cap 2, the count unchanged)', async () => {
		const {MetricsStore} = await import('../../src/store/metrics-store.js');
		const {RuleEngine} = await import('../../src/rules/engine.js');
		const {storeInput} = await import('../../src/rules/store-input.js');
		const HOUR = 3_600_000;
		let now = Date.parse('2026-11-29T12:00:00Z');
		const store = new MetricsStore({maxProjects: 2}, () => now);
		const training = (projectId: string, step: number, loss: number, t: number) => ({kind: 'training' as const, projectId, step, loss, timestamp: t, timeMs: t});
		store.apply(training('old', 1, 0.5, now - 2 * HOUR), now - 2 * HOUR);
		store.apply(training('live', 1, 0.4, now), now);
		const engine = new RuleEngine(compileRules([{alert: 'loss_high', series: 'training_loss', condition: 'value > 5', severity: 'critical', message: 'x'}]), {});
		const fired = (): string[] =>
			engine
				.evaluate(storeInput(store, now, new Map(), undefined))
				.filter((t) => t.rule === 'loss_high' && t.to === 'firing')
				.map((t) => t.labels['project'] ?? '');
		expect(fired()).toEqual([]);
		const seen: string[] = [];
		for (let i = 0; i < 3; i++) {
			now += 1000;
			store.apply(training('fresh', 1 + i, 99, now), now);
			seen.push(...fired());
		}
		expect(store.counters.evictedBy.projects).toBe(1);
		expect(store.projects.size).toBe(2);
		expect(seen).toContain('fresh');
	});
});
