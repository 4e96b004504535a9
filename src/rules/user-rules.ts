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
    runbook: https://wiki.example/hot-gpu           # optional: sent with notifications as runbook_url

  - builtin: loss_plateau                           # a built-in rule
    variant: seed                                   # seed | sound (default sound)
    enabled: true
    for: 30s                                        # optional overrides: for, keep_firing_for, severity, runbook
*/
import {durationValue, MAX_DURATION_TEXT, parseDuration} from './duration.js';
import {parseSelector} from './labels.js';
import {type Severity} from './alert-state.js';
import {BUILTIN_NAMES, builtinRule, defaultRules} from './builtin-rules.js';
import {METRICS} from './series-catalog.js';
import {type AlertGroup, type Rule} from './rule-types.js';
import {compare, durationOf, forecastEntry, OPPOSITE, parseCondition, thresholdSpec, userRule, type Condition} from './threshold-rule.js';
import {FORECAST_KINDS} from './forecast-series.js';

export {conditionValue, parseCondition, renderTemplate} from './threshold-rule.js';

export type Issue = [Array<string | number>, string];

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const GROUPS: readonly AlertGroup[] = ['training', 'gpu', 'distribution', 'system'];
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const USER_FIELDS = ['alert', 'series', 'condition', 'forecast', 'recovery', 'for', 'keep_firing_for', 'severity', 'channel', 'message', 'resolved_message', 'stale_after', 'runbook'];
const BUILTIN_FIELDS = ['builtin', 'variant', 'enabled', 'for', 'keep_firing_for', 'severity', 'runbook'];

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

/** Why a rule's `runbook:` is not an http(s) URL of at most 2048 characters, or undefined (also when absent). */
function runbookProblem(value: unknown): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value === 'string' && value.length <= 2048 && /^https?:\/\/\S+$/.test(value)) return undefined;
	return `expected an http:// or https:// URL (at most 2048 characters), got ${JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value)}`;
}

/** The name of a rule with `forecast:`, and its problems added to `issues` (series and condition are implied). */
function checkForecastRule(entry: Record<string, unknown>, index: number, issues: Issue[]): string | undefined {
	let name: string | undefined;
	const alert = entry['alert'];
	if (alert === undefined) issues.push([[index], 'missing field "alert" (the rule\'s name)']);
	else if (typeof alert !== 'string' || !NAME_RE.test(alert)) issues.push([[index, 'alert'], `expected a name of letters, digits and _, got ${JSON.stringify(alert)}`]);
	else if (BUILTIN_NAMES.includes(alert)) issues.push([[index, 'alert'], `"${alert}" is a built-in rule: use "builtin: ${alert}" to change it, or pick another name`]);
	else name = alert;
	for (const field of ['series', 'condition', 'recovery'])
		if (field in entry) issues.push([[index, field], `not with "forecast:" (it implies the series and the condition; use forecast.clear_beyond for hysteresis)`]);
	const f = entry['forecast'];
	if (f === null || typeof f !== 'object' || Array.isArray(f)) {
		issues.push([[index, 'forecast'], `expected a mapping like {of: gpu_memory, within: 15m}, got ${JSON.stringify(f)}`]);
		return name;
	}
	const forecast = f as Record<string, unknown>;
	for (const field of Object.keys(forecast))
		if (!['of', 'within', 'clear_beyond'].includes(field)) issues.push([[index, 'forecast', field], 'unknown field (expected one of: of, within, clear_beyond)']);
	const kinds = Object.keys(FORECAST_KINDS);
	const of = forecast['of'];
	if (typeof of !== 'string') issues.push([[index, 'forecast', 'of'], `expected one of: ${kinds.join(', ')} (with label matchers if wanted, e.g. gpu_memory{gpu="0"}), got ${JSON.stringify(of)}`]);
	else {
		const brace = of.indexOf('{');
		const kind = (brace < 0 ? of : of.slice(0, brace)).trim();
		const metric = Object.hasOwn(FORECAST_KINDS, kind) ? FORECAST_KINDS[kind]! : undefined;
		if (metric === undefined) issues.push([[index, 'forecast', 'of'], `unknown forecast ${JSON.stringify(kind)} (expected one of: ${kinds.join(', ')})`]);
		else {
			const sel = parseSelector(metric + (brace < 0 ? '' : of.slice(brace)));
			if (typeof sel === 'string') issues.push([[index, 'forecast', 'of'], sel]);
			else {
				const known = METRICS[metric]!.labels;
				for (const m of sel.matchers)
					if (!known.includes(m.name)) issues.push([[index, 'forecast', 'of'], `forecast ${kind} has no label "${m.name}" (it has: ${known.length > 0 ? known.join(', ') : 'none'})`]);
			}
		}
	}
	const within = forecast['within'];
	const withinMs = typeof within === 'string' ? parseDuration(within) : durationValue(within);
	if (withinMs === undefined || withinMs <= 0) issues.push([[index, 'forecast', 'within'], `expected a duration like 15m or 1h, at most ${MAX_DURATION_TEXT}, got ${JSON.stringify(within)}`]);
	const clear = forecast['clear_beyond'];
	if (clear !== undefined) {
		const clearMs = typeof clear === 'string' ? parseDuration(clear) : durationValue(clear);
		if (clearMs === undefined) issues.push([[index, 'forecast', 'clear_beyond'], `expected a duration like 30m, at most ${MAX_DURATION_TEXT}, got ${JSON.stringify(clear)}`]);
		else if (withinMs !== undefined && clearMs < withinMs) issues.push([[index, 'forecast', 'clear_beyond'], `${JSON.stringify(clear)} is shorter than within (${JSON.stringify(within)}): an alert would never clear`]);
	}
	checkShared(entry, index, issues);
	if (forecastEntry(entry) === undefined && !issues.some(([path]) => path[0] === index)) issues.push([[index, 'forecast'], 'not a valid forecast']);
	return name;
}

/** The fields a series rule and a forecast rule share: channel, message, resolved_message, stale_after. */
function checkShared(entry: Record<string, unknown>, index: number, issues: Issue[]): void {
	if (entry['channel'] !== undefined && !GROUPS.includes(entry['channel'] as AlertGroup))
		issues.push([[index, 'channel'], `expected one of: ${GROUPS.join(', ')}, got ${JSON.stringify(entry['channel'])}`]);
	if (entry['message'] !== undefined && typeof entry['message'] !== 'string') issues.push([[index, 'message'], 'expected a string']);
	if (entry['resolved_message'] !== undefined && typeof entry['resolved_message'] !== 'string') issues.push([[index, 'resolved_message'], 'expected a string']);
	checkDuration(entry, 'stale_after', index, issues);
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
		const runbook = runbookProblem(entry['runbook']);
		if (runbook !== undefined) issues.push([[index, 'runbook'], runbook]);
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
		} else if ('forecast' in entry) {
			name = checkForecastRule(entry, index, issues);
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
			checkShared(entry, index, issues);
		}
		if (name !== undefined) {
			const first = names.get(name);
			if (first !== undefined) issues.push([[index, isBuiltin ? 'builtin' : 'alert'], `"${name}" is already defined by rule ${first + 1}`]);
			else names.set(name, index);
		}
	});
	return issues;
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
		const spec = thresholdSpec(entry);
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
			...(typeof o['runbook'] === 'string' ? {runbook: o['runbook']} : {}),
			evaluate: r.evaluate,
		});
	}
	return [...out, ...users];
}

