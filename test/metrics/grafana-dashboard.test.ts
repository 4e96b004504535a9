/**
deploy/grafana-mycotop.json: valid JSON, every panel's expressions name only metrics that mycotop's exposition has
(rendered from the fixture store, process metrics included), every variable used is defined, and the panels the
README promises are there. The expressions' PromQL syntax is checked by the real Prometheus in
test/integration/prometheus.test.ts.
*/
import {describe, expect, test} from 'vitest';
import {fixture, populate} from './fixture.js';
import {parseExposition} from './parse-exposition.js';
import {dashboardExpressions, loadDashboard, metricNames} from './dashboard.js';

async function exportedNames(): Promise<Set<string>> {
	const f = fixture({}, true);
	populate(f);
	f.exposition.observe({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 42, timestamp: 0, timeMs: 0});
	const parsed = parseExposition(await f.exposition.render(f.view()));
	const names = new Set(parsed.samples.map((s) => s.name));
	for (const [family, type] of parsed.types) {
		names.add(family);
		if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(family + suffix);
	}
	return names;
}

describe('the Grafana dashboard', () => {
	test('names only metrics mycotop exports', async () => {
		const exported = await exportedNames();
		const exprs = dashboardExpressions(loadDashboard());
		expect(exprs.length).toBeGreaterThan(20);
		for (const expr of exprs) {
			const names = metricNames(expr);
			expect(names.length, expr).toBeGreaterThan(0);
			for (const name of names) expect(exported.has(name), `${name} in ${expr}`).toBe(true);
		}
	});

	test('the name extraction finds what an expression selects, and a typo is caught', async () => {
		expect(metricNames('sum by (le) (rate(mycotop_task_duration_seconds_bucket{le="1800",x=~"a{b}"}[1h])) / 2')).toEqual(['mycotop_task_duration_seconds_bucket']);
		expect(metricNames('label_values(mycotop_training_loss, project)')).toEqual(['mycotop_training_loss']);
		expect(metricNames('time() - mycotop_training_last_update_timestamp_seconds{project=~"$project"}')).toEqual(['mycotop_training_last_update_timestamp_seconds']);
		expect(metricNames('count by (severity, alertstate) (ALERTS) > 1e3')).toEqual(['ALERTS']);
		const exported = await exportedNames();
		expect(exported.has('mycotop_gpu_utilisation_ratio')).toBe(false);
	});

	test("a selector on a histogram's `le` matches both `1800` (the text format) and `1800.0` (Prometheus 3 stores it so)", () => {
		const matchers = dashboardExpressions(loadDashboard()).flatMap((e) => [...e.matchAll(/\ble\s*(=~|=|!=|!~)\s*"((?:[^"\\]|\\.)*)"/g)]);
		expect(matchers.length).toBeGreaterThan(0);
		for (const [text, op, raw] of matchers) {
			const value = JSON.parse(`"${raw!}"`) as string;
			const bound = /^\d+/.exec(value)?.[0];
			expect(bound, text).toBeDefined();
			const matches = (le: string) => (op === '=' ? le === value : op === '=~' ? new RegExp(`^(?:${value})$`).test(le) : false);
			expect([matches(bound!), matches(`${bound!}.0`)], text).toEqual([true, true]);
		}
	});

	test('panels for GPU utilization, memory, temperature, power, loss, task SLA and alerts; variables defined; one data source', () => {
		const dashboard = loadDashboard();
		const exprs = dashboardExpressions(dashboard);
		const used = new Set(exprs.flatMap(metricNames));
		for (const name of ['mycotop_gpu_utilization_ratio', 'mycotop_gpu_memory_used_bytes', 'mycotop_gpu_memory_total_bytes', 'mycotop_gpu_temperature_celsius', 'mycotop_gpu_power_draw_watts', 'mycotop_training_loss', 'mycotop_tasks_sla_compliance_ratio', 'mycotop_task_duration_seconds_bucket', 'ALERTS'])
			expect(used.has(name), name).toBe(true);
		const ids = dashboard.panels.map((p) => p.id);
		expect(new Set(ids).size).toBe(ids.length);
		const defined = new Set(dashboard.templating.list.map((v) => v.name));
		for (const expr of exprs) for (const m of expr.matchAll(/\$(\w+)/g)) if (!m[1]!.startsWith('__')) expect(defined.has(m[1]!), `$${m[1]} in ${expr}`).toBe(true);
		for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
		// GPU panels can be narrowed to hosts; per-GPU legends name host and GPU.
		expect(exprs.filter((e) => e.includes('mycotop_gpu_utilization_ratio{')).every((e) => e.includes('host=~"$host"'))).toBe(true);
	});
});
