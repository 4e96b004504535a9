/**
Threshold rules: a series from the catalog, a condition (`value > 85`, `avg(5m) < 30`), an optional recovery, and
the lifecycle fields. The one compiler for the user's YAML rules (user-rules.ts validates them first) and for the
built-in rules that are plain thresholds (builtin/*.ts keeps them as data in the same format).
*/
import {MAX_DURATION_TEXT, parseDuration} from './duration.js';
import {labelsText, matchersMatch, parseSelector, type Labels, type Matcher} from './labels.js';
import {type Severity} from './alert-state.js';
import {METRICS} from './series-catalog.js';
import {ColumnCache, type Fn} from './condition-columns.js';
import {type AlertGroup, type LabelledSeries, type Rule, type RuleContext, type RuleSample, type RuleVariant} from './rule-types.js';
import {FORECAST_KINDS, isForecastMetric} from './forecast-series.js';
import {TrackedFlags} from './tracked-flags.js';

export {conditionValue} from './condition-columns.js';
export type Op = '>' | '>=' | '<' | '<=' | '==' | '!=';

export interface Condition {
	readonly fn: Fn;
	readonly windowMs: number;
	readonly op: Op;
	readonly threshold: number;
}

const FNS: readonly Fn[] = ['value', 'rate', 'increase', 'avg', 'min', 'max', 'robust_z'];/** Parse `avg(5m) > 80`. */
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

/** The recovery op for a bare-number recovery. */
export const OPPOSITE: Record<Op, Op> = {'>': '<', '>=': '<', '<': '>', '<=': '>', '==': '!=', '!=': '=='};

export function durationOf(v: unknown, fallback: number): number {
	if (typeof v === 'number') return v;
	if (typeof v === 'string') return parseDuration(v) ?? fallback;
	return fallback;
}

const PLACEHOLDER = /\{\{\s*\$?(?:labels\.)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*round\s+(\d)\s*)?\}\}/g;

/** A message template parsed once: literal text and placeholders, rendered by concatenation. */
export type CompiledTemplate = (labels: Labels, value: number) => string;

/**
`{{value}}`'s text per number of digits (0-9), remembered: the rules reading one series render its value once a tick,
not once per rule (toFixed was a tenth of a tick's CPU with 40 rules pending on the same 16 series). Bounded: starts
over at VALUE_TEXTS entries.
*/
const VALUE_TEXT_CACHE: ReadonlyArray<Map<number, string>> = Array.from({length: 10}, () => new Map());
const VALUE_TEXTS = 4096;

function valueText(value: number, digits: number): string {
	if (!Number.isFinite(value)) return String(value);
	const cache = VALUE_TEXT_CACHE[digits]!;
	let text = cache.get(value);
	if (text === undefined) {
		// -0 and 0 share a key and a text ("0").
		text = String(Number(value.toFixed(digits)));
		if (cache.size >= VALUE_TEXTS) cache.clear();
		cache.set(value, text);
	}
	return text;
}

/**
Compile `{{value}}`, `{{$value}}`, `{{gpu}}`, `{{$labels.gpu}}`; `{{value | round 1}}` rounds to that many decimals
(trailing zeros dropped, as `{{value}}` does with 3). A rule's message is compiled once, not parsed per alert per tick.
*/
export function compileTemplate(template: string): CompiledTemplate {
	const literals: string[] = [];
	const parts: Array<{readonly name: string; readonly digits: number}> = [];
	let at = 0;
	for (const m of template.matchAll(PLACEHOLDER)) {
		literals.push(template.slice(at, m.index));
		parts.push({name: m[1]!, digits: m[2] === undefined ? 3 : Number(m[2])});
		at = m.index + m[0].length;
	}
	const tail = template.slice(at);
	if (parts.length === 0) return () => template;
	return (labels, value) => {
		let out = '';
		for (let i = 0; i < parts.length; i++) {
			const {name, digits} = parts[i]!;
			out += literals[i]! + (name === 'value' ? valueText(value, digits) : (labels[name] ?? ''));
		}
		return out + tail;
	};
}

/** Render a template once (see compileTemplate). */
export function renderTemplate(template: string, labels: Labels, value: number): string {
	return compileTemplate(template)(labels, value);
}

type Mutable<T> = {-readonly [K in keyof T]: T[K]};

/** Indices of the series in `list` that the matchers select. */
function selectedIndices(list: readonly LabelledSeries[], matchers: readonly Matcher[]): Int32Array {
	const out: number[] = [];
	for (let i = 0; i < list.length; i++) if (matchersMatch(matchers, list[i]!.labels)) out.push(i);
	return Int32Array.from(out);
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
	/**
	The message from the evaluation whose sample clears the alert on (the recovery condition, else the condition no
	longer holding): what a resolved alert says. Undefined: `message`, rendered with the clearing value. A forecast's
	clearing value is often +Inf (no forecast), so forecast rules get a default (thresholdSpec, forecastEntry).
	*/
	readonly resolvedMessage?: string;
	/**
	No sample for this long: a firing alert goes to nodata. Default: alerting.staleAfter for the gpu channel, never
	otherwise. `gpu`: the built-in GPU rules' staleness, alerting.staleAfter whatever the channel, and at once for a
	GPU that fell off the bus.
	*/
	readonly staleAfterMs?: number | 'gpu';
	/** Built-in rules: the variant, the line `rules list` prints and the recommendation sent with the alert. */
	readonly variant?: RuleVariant;
	readonly description?: string;
	readonly recommendation?: string;
	readonly runbook?: string;
}

/** A user rule as a Rule. Series selection is cached while the catalog hands back the same list. */
export function userRule(spec: UserRuleSpec): Rule {
	let lastList: readonly LabelledSeries[] | undefined;
	/** Indices into the list of the series the matchers select (undefined: every series). */
	let selected: Int32Array | undefined;
	const {condition, recovery} = spec;
	const sameFn = recovery !== undefined && recovery.fn === condition.fn && recovery.windowMs === condition.windowMs;
	const message = compileTemplate(spec.message);
	const resolvedMessage = spec.resolvedMessage === undefined ? undefined : compileTemplate(spec.resolvedMessage);
	const trackedFlags = new TrackedFlags();
	/** Every sample's message, from the sample itself (see RuleSample.message); a clearing sample's is the resolved one. */
	const render = function (this: RuleSample): string {
		// As the engine decides (alert-state.ts step): a sample clears only when it does not breach and meets the recovery;
		// one in breach keeps the alert firing, whatever a recovery on another function says.
		if (resolvedMessage !== undefined && !this.breach && this.clear !== false) return resolvedMessage(this.labels, this.value);
		return message(this.labels, this.value);
	};
	/** The one sample refilled for every series where the caller keeps none (RuleContext.samplesReused). */
	const sample: Mutable<RuleSample> = {key: '', labels: {}, breach: false, clear: undefined, value: 0, message: render, stale: undefined};
	return {
		name: spec.name,
		group: spec.group,
		severity: spec.severity,
		forMs: spec.forMs,
		keepFiringForMs: spec.keepFiringForMs,
		variant: spec.variant ?? 'user',
		...(spec.recommendation !== undefined ? {recommendation: spec.recommendation} : {}),
		...(spec.runbook !== undefined ? {runbook: spec.runbook} : {}),
		description: spec.description ?? `${spec.metric}${spec.matchers.length > 0 ? '{...}' : ''}: ${condition.fn}${condition.windowMs > 0 ? `(${condition.windowMs / 1000}s)` : ''} ${condition.op} ${condition.threshold}`,
		evaluate(ctx: RuleContext, emit: (s: RuleSample) => void) {
			const list = ctx.series.series(spec.metric);
			if (list !== lastList) {
				lastList = list;
				selected = spec.matchers.length === 0 ? undefined : selectedIndices(list, spec.matchers);
			}
			const now = ctx.input.nowMs;
			const gpuStale = spec.staleAfterMs === 'gpu';
			const staleAfter = typeof spec.staleAfterMs === 'number' ? spec.staleAfterMs : gpuStale || spec.group === 'gpu' ? ctx.staleAfterMs : Number.POSITIVE_INFINITY;
			// One column per condition for the whole list, shared by every rule reading it this evaluation.
			const columns = (ctx.columns ?? new ColumnCache(now)).of(list);
			const has = columns.present();
			const times = columns.lastTimes();
			const values = columns.column(condition.fn, condition.windowMs);
			const recoveryValues = recovery === undefined || sameFn ? undefined : columns.column(recovery.fn, recovery.windowMs);
			const {op, threshold} = condition;
			const {done: known, values: computed} = values;
			const tracked = ctx.tracked;
			const count = selected === undefined ? list.length : selected.length;
			let marks: Uint8Array | undefined;
			let marked = false;
			const reused = ctx.samplesReused === true ? sample : undefined;
			for (let j = 0; j < count; j++) {
				const i = selected === undefined ? j : selected[j]!;
				if (has[i] === 0) continue;
				const last = times[i]!;
				const s = list[i]!;
				if (now - last > staleAfter || (gpuStale && s.lost === true)) {
					if (reused === undefined) emit({key: s.key, labels: s.labels, breach: false, value: Number.NaN, message: 'no data', stale: true});
					else {
						reused.key = s.key;
						reused.labels = s.labels;
						reused.breach = false;
						reused.clear = undefined;
						reused.value = Number.NaN;
						reused.message = 'no data';
						reused.stale = true;
						emit(reused);
					}
					continue;
				}
				// Computed (when not yet) into the column, then read from it: a number that comes from a call is boxed.
				if (known[i] === 0) values.at(i);
				const value = computed[i]!;
				const breach = compare(op, value, threshold);
				if (!breach && tracked !== undefined) {
					// A quiet series without an instance: nothing to say. The engine's keys are read once, when first needed.
					if (tracked.size === 0) continue;
					if (!marked) {
						marks = trackedFlags.mark(list, tracked);
						marked = true;
					}
					if (marks === undefined ? !tracked.has(s.key) : marks[i] === 0) continue;
				}
				let clear: boolean | undefined;
				if (recovery !== undefined) clear = compare(recovery.op, recoveryValues === undefined ? value : recoveryValues.at(i), recovery.threshold);
				if (reused === undefined)
					emit({
						key: s.key,
						labels: s.labels,
						breach,
						clear: clear ?? !breach,
						value,
						message: render,
					});
				else {
					reused.key = s.key;
					reused.labels = s.labels;
					reused.breach = breach;
					reused.clear = clear ?? !breach;
					reused.value = value;
					reused.message = render;
					reused.stale = undefined;
					emit(reused);
				}
			}
		},
	};
}
/**
A rule entry (the YAML format: alert, series, condition, recovery, for, keep_firing_for, severity, channel, message,
resolved_message, stale_after, runbook; built-in data adds variant, description, recommendation and `stale_after: gpu`) as a spec, or
undefined when it is not one (validateRules says why, for the user's).
*/
export function thresholdSpec(given: Readonly<Record<string, unknown>>): UserRuleSpec | undefined {
	const entry = forecastEntry(given);
	if (entry === undefined) return undefined;
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
		...resolvedMessageOf(entry, `${name}: ${sel.metric}${labelsHint}`, sel.metric, condText),
		staleAfterMs: entry['stale_after'] === undefined ? undefined : entry['stale_after'] === 'gpu' ? 'gpu' : durationOf(entry['stale_after'], 0),
		...(entry['variant'] === 'seed' || entry['variant'] === 'sound' ? {variant: entry['variant']} : {}),
		...(typeof entry['description'] === 'string' ? {description: entry['description']} : {}),
		...(typeof entry['recommendation'] === 'string' ? {recommendation: entry['recommendation']} : {}),
		...(typeof entry['runbook'] === 'string' ? {runbook: entry['runbook']} : {}),
	};
}

/**
An entry's `resolved_message`; without one, a rule on a forecast series says what cleared it (its clearing value is
often +Inf: no forecast, nothing to print), and any other rule keeps its message. Pure.
*/
function resolvedMessageOf(entry: Readonly<Record<string, unknown>>, subject: string, metric: string, condText: string): {resolvedMessage?: string} {
	const given = entry['resolved_message'];
	if (typeof given === 'string') return {resolvedMessage: given};
	if (!isForecastMetric(metric)) return {};
	const r = entry['recovery'];
	return {resolvedMessage: `${subject} cleared (${typeof r === 'string' || typeof r === 'number' ? recoveryText(r, condText) : `not ${condText}`})`};
}

/** A recovery as a condition's text: a bare number is the condition's opposite at that level. */
function recoveryText(recovery: string | number, condText: string): string {
	if (typeof recovery === 'string') return recovery;
	const condition = parseCondition(condText);
	if (typeof condition === 'string') return String(recovery);
	return `${condText.slice(0, condText.search(/[<>=!]/)).trim()} ${OPPOSITE[condition.op]} ${recovery}`;
}

/**
`forecast: {of: KIND[{labels}], within: 30m, clear_beyond: 1h}` as the series and condition it stands for: the
forecast's catalog series (forecast-series.ts), `value <= within` in seconds, and `value > clear_beyond` as the
recovery. An entry without `forecast` is returned as it is; undefined when the forecast is not well formed
(validateRules says why).
*/
export function forecastEntry(entry: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> | undefined {
	const f = entry['forecast'];
	if (f === undefined) return entry;
	if (f === null || typeof f !== 'object' || Array.isArray(f)) return undefined;
	const {of, within, clear_beyond: clearBeyond} = f as Record<string, unknown>;
	if (typeof of !== 'string') return undefined;
	const brace = of.indexOf('{');
	const kind = brace < 0 ? of.trim() : of.slice(0, brace).trim();
	const metric = Object.hasOwn(FORECAST_KINDS, kind) ? FORECAST_KINDS[kind] : undefined;
	const withinMs = durationOf(within, Number.NaN);
	const clearMs = clearBeyond === undefined ? undefined : durationOf(clearBeyond, Number.NaN);
	if (metric === undefined || !(withinMs > 0) || (clearMs !== undefined && !(clearMs >= withinMs))) return undefined;
	const {forecast: _forecast, ...rest} = entry;
	return {
		...rest,
		series: brace < 0 ? metric : metric + of.slice(brace),
		condition: `value <= ${withinMs / 1000}`,
		...(clearMs !== undefined ? {recovery: `value > ${clearMs / 1000}`} : {}),
		...(typeof rest['message'] === 'string' ? {} : {message: `${String(entry['alert'])}: ${kind} forecast in {{value | round 0}} s (within ${String(within)})`}),
		...(typeof rest['resolved_message'] === 'string' ? {} : {resolved_message: `${String(entry['alert'])}: ${kind} forecast beyond ${String(clearBeyond ?? within)}`}),
	};
}
