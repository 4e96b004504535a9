/** Reading deploy/grafana-mycotop.json: its PromQL expressions and the metric names they select. */
import {readFileSync} from 'node:fs';

const DASHBOARD_FILE = new URL('../../deploy/grafana-mycotop.json', import.meta.url);

interface Panel {
	readonly id: number;
	readonly type: string;
	readonly title: string;
	readonly datasource?: {readonly uid: string};
	readonly targets?: ReadonlyArray<{readonly expr: string}>;
}

interface Dashboard {
	readonly uid: string;
	readonly panels: readonly Panel[];
	readonly templating: {readonly list: ReadonlyArray<{readonly name: string; readonly definition?: string}>};
}

/** Every PromQL expression of the dashboard: panel targets and variable queries. */
export function dashboardExpressions(dashboard: Dashboard): string[] {
	return [
		...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
		...dashboard.templating.list.flatMap((v) => (v.definition === undefined ? [] : [v.definition])),
	];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** The metric names an expression selects: identifiers outside strings, label matchers, groupings and ranges, not called. */
export function metricNames(expr: string): string[] {
	const stripped = expr
		.replace(/"(?:[^"\\]|\\.)*"/g, '""')
		.replace(/\{[^}]*\}/g, ' ')
		.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
		.replace(/\[[^\]]*\]/g, ' ')
		// label_values(metric, label): the label is not a metric.
		.replace(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)/g, ' $1 ');
	const names: string[] = [];
	for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
		const name = m[0];
		const before = stripped[m.index - 1];
		if (before !== undefined && /[0-9.]/.test(before)) continue;
		if (/^\s*\(/.test(stripped.slice(m.index + name.length))) continue;
		if (KEYWORDS.has(name.toLowerCase())) continue;
		names.push(name);
	}
	return names;
}

export function loadDashboard(): Dashboard {
	return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}
