/**
Rules from the YAML config: validation that reports the field (the config loader adds file and line), and
compilation into Rule objects. Two kinds of entries:

  - alert: hot_gpu                                  # a user rule
    series: gpu_temperature_celsius{gpu="0"}        # a metric from the contract, with label matchers
    condition: avg(2m) > 80                         # value | rate(W) | increase(W) | avg(W) | min(W) | max(W) | robust_z(W)
    recovery: avg(2m) < 75                          # optional hysteresis (or just a number: the same function)
    for: 1m
    keep_firing_for: 30s
    severity: warning                               # info | warning | critical
    channel: gpu                                    # training | gpu | distribution | system (default: the metric's)
    message: 'GPU {{gpu}} at {{value}} °C'
    stale_after: 30s                                # no sample for this long: a firing alert goes to nodata

  - builtin: loss_plateau                           # a built-in rule
    variant: seed                                   # seed | sound (default sound)
    enabled: true
    for: 30s                                        # optional overrides: for, keep_firing_for, severity
*/
import {durationValue, MAX_DURATION_TEXT, parseDuration} from './duration.js';
import {labelsText, matchersMatch, parseSelector, type Labels, type Matcher} from './labels.js';
import {type Severity} from './alert-state.js';
import {BUILTIN_NAMES, builtinRule, defaultRules} from './builtin-rules.js';
import {METRICS} from './series-catalog.js';
import {robustZ} from './stats.js';
import {type AlertGroup, type LabelledSeries, type Rule, type RuleContext, type RuleSample} from './rule-types.js';
import {type PointSeries} from './time-ring.js';

export type Issue = [Array<string | number>, string];

export type Fn = 'value' | 'rate' | 'increase' | 'avg' | 'min' | 'max' | 'robust_z';
export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface Condition {
	readonly fn: Fn;
	readonly windowMs: number;
	readonly op: Op;
	readonly threshold: number;
}

const FNS: readonly Fn[] = ['value', 'rate', 'increase', 'avg', 'min', 'max', 'robust_z'];
const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const GROUPS: readonly AlertGroup[] = ['training', 'gpu', 'distribution', 'system'];
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse `avg(5m) > 80`. */
export function parseCondition(text: string): Condition | string {
	const m = /^\s*([a-z_]+)\s*(?:\(\s*([^)]*?)\s*\))?\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$/.exec(text);
	if (!m) return `expected "<function> <op> <number>", e.g. "value > 80" or "avg(5m) < 30", got "${text}"`;
	const fn = m[1] as Fn;
	if (!FNS.includes(fn)) return `unknown function "${m[1]}" (expected one of: ${FNS.join(', ')})`;
	let windowMs = 0;
	if (fn === 'value') {
		if (m[2] !== undefined) return '"value" takes no window';
	} else {
		if (m[2] === undefined || m[2] === '') return `"${fn}" needs a window, e.g. ${fn}(5m)`;
		const d = parseDuration(m[2]);
		if (d === undefined || d <= 0) return `bad window "${m[2]}" (expected a duration like 30s, 5m, 1h, at most ${MAX_DURATION_TEXT})`;
		windowMs = d;
	}
	const threshold = Number(m[4]);
	if (!Number.isFinite(threshold)) return `threshold "${m[4]}" is not a number`;
	return {fn, windowMs, op: m[3] as Op, threshold};
}

export function compare(op: Op, value: number, threshold: number): boolean {
	if (Number.isNaN(value)) return false;
	switch (op) {
		case '>':
			return value > threshold;
		case '>=':
			return value >= threshold;
		case '<':
			return value < threshold;
		case '<=':
			return value <= threshold;
		case '==':
			return value === threshold;
		case '!=':
			return value !== threshold;
	}
}

const OPPOSITE: Record<Op, Op> = {'>': '<', '>=': '<', '<': '>', '<=': '>', '==': '!=', '!=': '=='};

/** The value of a condition's function over a series at `now` (NaN when there is not enough data). */
export function conditionValue(fn: Fn, windowMs: number, points: PointSeries, now: number): number {
	if (fn === 'value') return points.lastValue() ?? Number.NaN;
	const w = points.since(now - windowMs);
	const n = w.values.length;
	if (n === 0) return Number.NaN;
	switch (fn) {
		case 'rate':
		case 'increase': {
			if (n < 2) return Number.NaN;
			const delta = w.values[n - 1]! - w.values[0]!;
			if (fn === 'increase') return delta;
			const seconds = (w.times[n - 1]! - w.times[0]!) / 1000;
			return seconds > 0 ? delta / seconds : Number.NaN;
		}
		case 'avg': {
			let s = 0;
			for (const v of w.values) s += v;
			return s / n;
		}
		case 'min':
			return Math.min(...w.values);
		case 'max':
			return Math.max(...w.values);
		case 'robust_z':
			return n < 6 ? Number.NaN : robustZ(w.values[n - 1]!, w.values.slice(0, -1));
	}
}

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const USER_FIELDS = ['alert', 'series', 'condition', 'recovery', 'for', 'keep_firing_for', 'severity', 'channel', 'message', 'stale_after'];
const BUILTIN_FIELDS = ['builtin', 'variant', 'enabled', 'for', 'keep_firing_for', 'severity'];

function checkDuration(entry: Record<string, unknown>, field: string, index: number, issues: Issue[]): void {
	const v = entry[field];
	if (v === undefined) return;
	if ((typeof v === 'string' ? parseDuration(v) : durationValue(v)) === undefined)
		issues.push([[index, field], `expected a duration like 30s, 5m, 1h (or milliseconds), at most ${MAX_DURATION_TEXT}, got ${JSON.stringify(v)}`]);
}

/**
At most this many entries in a rules list: every rule is evaluated every second on the render process's thread,
and a list this long is a generated file gone wrong, not a rule set. Beyond it the list is refused whole.
*/
export const MAX_RULES = 500;

/** The refusal for a list longer than MAX_RULES, or undefined. */
export function ruleCountProblem(list: readonly unknown[]): string | undefined {
	return list.length > MAX_RULES ? `${list.length} rules, more than the ${MAX_RULES} allowed` : undefined;
}

/** Validate the `rules` list. Paths are relative to the list: [index, field]. Pure. */
export function validateRules(list: readonly unknown[]): Issue[] {
	const tooMany = ruleCountProblem(list);
	if (tooMany !== undefined) return [[[], tooMany]];
	const issues: Issue[] = [];
	const names = new Map<string, number>();
	list.forEach((entry, index) => {
		if (!isRecord(entry)) {
			issues.push([[index], 'expected a mapping with "alert:" (a rule of yours) or "builtin:" (a built-in rule)']);
			return;
		}
		const isBuiltin = 'builtin' in entry;
		const allowed = isBuiltin ? BUILTIN_FIELDS : USER_FIELDS;
		for (const field of Object.keys(entry))
			if (!allowed.includes(field)) issues.push([[index, field], `unknown field (expected one of: ${allowed.join(', ')})`]);
		checkDuration(entry, 'for', index, issues);
		checkDuration(entry, 'keep_firing_for', index, issues);
		if (entry['severity'] !== undefined && !SEVERITIES.includes(entry['severity'] as Severity))
			issues.push([[index, 'severity'], `expected one of: ${SEVERITIES.join(', ')}, got ${JSON.stringify(entry['severity'])}`]);
		let name: string | undefined;
		if (isBuiltin) {
			const b = entry['builtin'];
			if (typeof b !== 'string' || !BUILTIN_NAMES.includes(b)) issues.push([[index, 'builtin'], `unknown built-in rule ${JSON.stringify(b)} (expected one of: ${BUILTIN_NAMES.join(', ')})`]);
			else name = b;
			if (entry['variant'] !== undefined && entry['variant'] !== 'seed' && entry['variant'] !== 'sound')
				issues.push([[index, 'variant'], `expected seed or sound, got ${JSON.stringify(entry['variant'])}`]);
			if (entry['enabled'] !== undefined && typeof entry['enabled'] !== 'boolean') issues.push([[index, 'enabled'], `expected true or false, got ${JSON.stringify(entry['enabled'])}`]);
		} else {
			const alert = entry['alert'];
			if (alert === undefined) issues.push([[index], 'missing field "alert" (the rule\'s name) or "builtin"']);
			else if (typeof alert !== 'string' || !NAME_RE.test(alert)) issues.push([[index, 'alert'], `expected a name of letters, digits and _, got ${JSON.stringify(alert)}`]);
			else if (BUILTIN_NAMES.includes(alert)) issues.push([[index, 'alert'], `"${alert}" is a built-in rule: use "builtin: ${alert}" to change it, or pick another name`]);
			else name = alert;
			const series = entry['series'];
			if (series === undefined) issues.push([[index], 'missing field "series"']);
			else if (typeof series !== 'string') issues.push([[index, 'series'], 'expected a series selector like gpu_temperature_celsius{gpu="0"}']);
			else {
				const sel = parseSelector(series);
				if (typeof sel === 'string') issues.push([[index, 'series'], sel]);
				else if (METRICS[sel.metric] === undefined) issues.push([[index, 'series'], `unknown metric "${sel.metric}" (expected one of: ${Object.keys(METRICS).join(', ')})`]);
				else {
					const known = METRICS[sel.metric]!.labels;
					for (const m of sel.matchers)
						if (!known.includes(m.name))
							issues.push([[index, 'series'], `metric ${sel.metric} has no label "${m.name}" (it has: ${known.length > 0 ? known.join(', ') : 'none'})`]);
				}
			}
			const condition = entry['condition'];
			let parsed: Condition | undefined;
			if (condition === undefined) issues.push([[index], 'missing field "condition"']);
			else if (typeof condition !== 'string') issues.push([[index, 'condition'], 'expected a condition like "value > 80"']);
			else {
				const c = parseCondition(condition);
				if (typeof c === 'string') issues.push([[index, 'condition'], c]);
				else parsed = c;
			}
			const recovery = entry['recovery'];
			if (recovery !== undefined) {
				if (typeof recovery === 'number') {
					if (parsed && !compare(OPPOSITE[parsed.op], recovery, parsed.threshold) && recovery !== parsed.threshold)
						issues.push([[index, 'recovery'], `recovery ${recovery} is on the firing side of "${String(condition)}" (an alert would never clear)`]);
				} else if (typeof recovery === 'string') {
					const c = parseCondition(recovery);
					if (typeof c === 'string') issues.push([[index, 'recovery'], c]);
				} else issues.push([[index, 'recovery'], 'expected a number or a condition like "value < 75"']);
			}
			if (entry['channel'] !== undefined && !GROUPS.includes(entry['channel'] as AlertGroup))
				issues.push([[index, 'channel'], `expected one of: ${GROUPS.join(', ')}, got ${JSON.stringify(entry['channel'])}`]);
			if (entry['message'] !== undefined && typeof entry['message'] !== 'string') issues.push([[index, 'message'], 'expected a string']);
			checkDuration(entry, 'stale_after', index, issues);
		}
		if (name !== undefined) {
			const first = names.get(name);
			if (first !== undefined) issues.push([[index, isBuiltin ? 'builtin' : 'alert'], `"${name}" is already defined by rule ${first + 1}`]);
			else names.set(name, index);
		}
	});
	return issues;
}

function durationOf(v: unknown, fallback: number): number {
	if (typeof v === 'number') return v;
	if (typeof v === 'string') return parseDuration(v) ?? fallback;
	return fallback;
}

/** Render `{{value}}`, `{{$value}}`, `{{gpu}}`, `{{$labels.gpu}}`. */
export function renderTemplate(template: string, labels: Labels, value: number): string {
	return template.replace(/\{\{\s*\$?(?:labels\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
		if (name === 'value') return Number.isFinite(value) ? String(Number(value.toFixed(3))) : String(value);
		return labels[name] ?? '';
	});
}

export interface UserRuleSpec {
	readonly name: string;
	readonly metric: string;
	readonly matchers: readonly Matcher[];
	readonly condition: Condition;
	readonly recovery?: Condition;
	readonly forMs: number;
	readonly keepFiringForMs: number;
	readonly severity: Severity;
	readonly group: AlertGroup;
	readonly message: string;
	readonly staleAfterMs?: number;
}

/** A user rule as a Rule. Series selection is cached while the catalog hands back the same list. */
export function userRule(spec: UserRuleSpec): Rule {
	let lastList: readonly LabelledSeries[] | undefined;
	let selected: readonly LabelledSeries[] = [];
	const {condition, recovery} = spec;
	const sameFn = recovery !== undefined && recovery.fn === condition.fn && recovery.windowMs === condition.windowMs;
	return {
		name: spec.name,
		group: spec.group,
		severity: spec.severity,
		forMs: spec.forMs,
		keepFiringForMs: spec.keepFiringForMs,
		variant: 'user',
		description: `${spec.metric}${spec.matchers.length > 0 ? '{...}' : ''}: ${condition.fn}${condition.windowMs > 0 ? `(${condition.windowMs / 1000}s)` : ''} ${condition.op} ${condition.threshold}`,
		evaluate(ctx: RuleContext, emit: (s: RuleSample) => void) {
			const list = ctx.series.series(spec.metric);
			if (list !== lastList) {
				lastList = list;
				selected = spec.matchers.length === 0 ? list : list.filter((s) => matchersMatch(spec.matchers, s.labels));
			}
			const now = ctx.input.nowMs;
			const staleAfter = spec.staleAfterMs ?? (spec.group === 'gpu' ? ctx.staleAfterMs : Number.POSITIVE_INFINITY);
			for (const s of selected) {
				const last = s.points.lastTime();
				if (last === undefined) continue;
				if (now - last > staleAfter) {
					emit({key: s.key, labels: s.labels, breach: false, value: Number.NaN, message: 'no data', stale: true});
					continue;
				}
				const value = conditionValue(condition.fn, condition.windowMs, s.points, now);
				const breach = compare(condition.op, value, condition.threshold);
				let clear: boolean | undefined;
				if (recovery !== undefined) {
					const rv = sameFn ? value : conditionValue(recovery.fn, recovery.windowMs, s.points, now);
					clear = compare(recovery.op, rv, recovery.threshold);
				}
				emit({
					key: s.key,
					labels: s.labels,
					breach,
					clear: clear ?? !breach,
					value,
					message: () => renderTemplate(spec.message, s.labels, value),
				});
			}
		},
	};
}

/**
The rule set for a validated `rules` list: every built-in rule (sound unless `variant: seed`, dropped with
`enabled: false`, with overrides), then the user's rules. Call `validateRules` first; invalid entries are skipped.
*/
export function compileRules(list: readonly unknown[]): Rule[] {
	const overrides = new Map<string, Record<string, unknown>>();
	const users: Rule[] = [];
	for (const entry of list) {
		if (!isRecord(entry)) continue;
		if (typeof entry['builtin'] === 'string') {
			overrides.set(entry['builtin'], entry);
			continue;
		}
		const spec = userSpec(entry);
		if (spec !== undefined) users.push(userRule(spec));
	}
	const out: Rule[] = [];
	for (const base of defaultRules()) {
		const o = overrides.get(base.name);
		if (o === undefined) {
			out.push(base);
			continue;
		}
		if (o['enabled'] === false) continue;
		const r = builtinRule(base.name, o['variant'] === 'seed' ? 'seed' : 'sound')!;
		out.push({
			...r,
			forMs: durationOf(o['for'], r.forMs),
			keepFiringForMs: durationOf(o['keep_firing_for'], r.keepFiringForMs),
			severity: (o['severity'] as Severity | undefined) ?? r.severity,
			evaluate: r.evaluate,
		});
	}
	return [...out, ...users];
}

function userSpec(entry: Record<string, unknown>): UserRuleSpec | undefined {
	const name = entry['alert'];
	const series = entry['series'];
	const condText = entry['condition'];
	if (typeof name !== 'string' || typeof series !== 'string' || typeof condText !== 'string') return undefined;
	const sel = parseSelector(series);
	const condition = parseCondition(condText);
	if (typeof sel === 'string' || typeof condition === 'string' || METRICS[sel.metric] === undefined) return undefined;
	let recovery: Condition | undefined;
	const r = entry['recovery'];
	if (typeof r === 'number') recovery = {...condition, op: OPPOSITE[condition.op], threshold: r};
	else if (typeof r === 'string') {
		const c = parseCondition(r);
		if (typeof c !== 'string') recovery = c;
	}
	const group = (entry['channel'] as AlertGroup | undefined) ?? METRICS[sel.metric]!.group;
	const labelsHint = sel.matchers.length > 0 ? `{${labelsText(Object.fromEntries(sel.matchers.map((m) => [m.name, m.value])))}}` : '';
	return {
		name,
		metric: sel.metric,
		matchers: sel.matchers,
		condition,
		recovery,
		forMs: durationOf(entry['for'], 0),
		keepFiringForMs: durationOf(entry['keep_firing_for'], 0),
		severity: (entry['severity'] as Severity | undefined) ?? 'warning',
		group,
		message: typeof entry['message'] === 'string' ? entry['message'] : `${name}: ${sel.metric}${labelsHint} is {{value}} (${condText})`,
		staleAfterMs: entry['stale_after'] === undefined ? undefined : durationOf(entry['stale_after'], 0),
	};
}
