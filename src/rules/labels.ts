/**
Label sets, their fingerprints (alert identity), and Alertmanager-style matchers.

A regex matcher (`=~`, `!~`) is RE2 syntax, as in Alertmanager and Prometheus, matched by re2js (a port of RE2:
time linear in the label value, no backtracking), anchored at both ends. Its patterns come from users (the CLI,
config rules) and from Redis (stored silences): a pattern JavaScript's backtracking RegExp could take exponential
time on, like `(a+)+`, is matched in linear time, and one RE2 refuses (backreferences, lookaround, a syntax
error) or one too large is refused where it is given, with `regexProblem`'s reason. Matching never throws.
*/
import {RE2JS} from 're2js';

export type Labels = Readonly<Record<string, string>>;

/** Stable text of a label set: keys sorted, `k="v"` joined by commas. */
export function labelsText(labels: Labels): string {
	const known = frozenTexts.get(labels);
	if (known !== undefined) return known;
	return Object.keys(labels)
		.sort()
		.map((k) => `${k}=${JSON.stringify(labels[k])}`)
		.join(',');
}

/** The texts of the label sets made by gpuLabels: frozen, so their text cannot change. */
const frozenTexts = new WeakMap<Labels, string>();
/** GPU label sets by UUID (bounded: a box has a few GPUs; a churn of UUIDs starts the memo again). */
const gpuLabelSets = new Map<string, Readonly<{gpu: string; uuid: string}>>();
const MAX_GPU_LABEL_SETS = 1024;

/**
A GPU's labels `{gpu, uuid}`: one frozen object per GPU for as long as its index stays, so the rules' per-tick
samples of a GPU share it, and with it their text (computed once) and what the engine remembers per label set
object (alert ids, the labels with the host), instead of a new set, text and copy every second per rule and GPU.
*/
export function gpuLabels(index: number, uuid: string): Readonly<{gpu: string; uuid: string}> {
	const gpu = String(index);
	const known = gpuLabelSets.get(uuid);
	if (known !== undefined && known.gpu === gpu) return known;
	if (gpuLabelSets.size >= MAX_GPU_LABEL_SETS) gpuLabelSets.clear();
	const labels = Object.freeze({gpu, uuid});
	gpuLabelSets.set(uuid, labels);
	frozenTexts.set(
		labels,
		Object.keys(labels)
			.sort()
			.map((k) => `${k}=${JSON.stringify(labels[k as keyof typeof labels])}`)
			.join(','),
	);
	return labels;
}

/** Alert id: rule plus label set, e.g. `high_temperature{gpu="0"}`. */
export function alertId(rule: string, labels: Labels): string {
	const text = labelsText(labels);
	return text === '' ? rule : `${rule}{${text}}`;
}

export interface Matcher {
	readonly name: string;
	readonly value: string;
	readonly isRegex: boolean;
	readonly isEqual: boolean;
}

/** Parse `k=v`, `k!=v`, `k=~re`, `k!~re` (value optionally quoted). */
export function parseMatcher(text: string): Matcher | string {
	const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
	if (!m) return `bad matcher "${text}" (expected name=value, name!=value, name=~regex or name!~regex)`;
	let value = m[3]!;
	if (value.length >= 2 && (value.startsWith('"') || value.startsWith("'")) && value.endsWith(value[0]!)) value = value.slice(1, -1);
	const op = m[2]!;
	const isRegex = op === '=~' || op === '!~';
	if (isRegex) {
		const problem = regexProblem(value);
		if (problem !== undefined) return `bad regular expression in matcher "${text}": ${problem}`;
	}
	return {name: m[1]!, value, isRegex, isEqual: op === '=' || op === '=~'};
}

/**
The longest pattern accepted, in characters: stored text is cut at 256 (sanitizeText), so a longer pattern in a
silence would not read back as itself.
*/
const MAX_REGEX_LENGTH = 256;
/**
The largest compiled program accepted, in RE2 instructions. Matching is linear in the value but proportional to
the program too: `(?:a?){1000}` (2,002 instructions) takes ~50 ms on a 256-character value before its DFA warms.
Label matchers in real use are tens of instructions (`gpu0|gpu1|gpu2` 6, `[\\w-]{1,64}` 129).
*/
const MAX_REGEX_INSTRUCTIONS = 1000;
/**
Compiled patterns (and refusals), in two generations of at most this many: a hit is a Map lookup; when the newer
generation is full the older one is dropped, so what was used since stays (an LRU's behaviour without its cost on
every hit: refreshing a Map entry per match tripled the time of a match).
*/
const REGEX_CACHE_GENERATION = 256;

let regexCache = new Map<string, RE2JS | string>();
let olderRegexCache = new Map<string, RE2JS | string>();

/** A backreference or lookaround: JavaScript (and PCRE) syntax that RE2 does not have. */
const NOT_RE2 = /\\[1-9]|\\k<|\(\?<?[=!]/;

function compileRegex(source: string): RE2JS | string {
	if (source.length > MAX_REGEX_LENGTH) return `longer than ${MAX_REGEX_LENGTH} characters`;
	let re: RE2JS;
	try {
		re = RE2JS.compile(source);
	} catch (e) {
		const why = (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp: /, '');
		return NOT_RE2.test(source) ? `${why} (RE2 syntax, as in Alertmanager: no backreferences or lookaround)` : why;
	}
	const size = re.programSize();
	return size > MAX_REGEX_INSTRUCTIONS ? `too large (${size} RE2 instructions, at most ${MAX_REGEX_INSTRUCTIONS})` : re;
}

/** The compiled pattern, or why it is refused; cached (bounded: see REGEX_CACHE_GENERATION). */
function compiled(source: string): RE2JS | string {
	const hit = regexCache.get(source);
	if (hit !== undefined) return hit;
	const re = olderRegexCache.get(source) ?? compileRegex(source);
	if (regexCache.size >= REGEX_CACHE_GENERATION) {
		olderRegexCache = regexCache;
		regexCache = new Map();
	}
	regexCache.set(source, re);
	return re;
}

/** Why `source` is not an acceptable matcher pattern (RE2 syntax, bounded size), or undefined when it is. */
export function regexProblem(source: string): string | undefined {
	const re = compiled(source);
	return typeof re === 'string' ? re : undefined;
}

/** Whether one matcher matches a label set (a missing label is the empty string, as in Alertmanager). */
function matcherMatches(matcher: Matcher, labels: Labels): boolean {
	const actual = labels[matcher.name] ?? '';
	let hit = actual === matcher.value;
	if (matcher.isRegex) {
		// A refused pattern (reachable only for a matcher built in code: every parser refuses it) matches nothing,
		// whether =~ or !~; matching the whole value (anchored at both ends) is linear in it and never throws.
		const re = compiled(matcher.value);
		if (typeof re === 'string') return false;
		try {
			hit = re.matches(actual);
		} catch {
			return false;
		}
	}
	return matcher.isEqual ? hit : !hit;
}

export function matchersMatch(matchers: readonly Matcher[], labels: Labels): boolean {
	for (const m of matchers) if (!matcherMatches(m, labels)) return false;
	return true;
}

export function matcherText(m: Matcher): string {
	return `${m.name}${m.isEqual ? (m.isRegex ? '=~' : '=') : m.isRegex ? '!~' : '!='}${JSON.stringify(m.value)}`;
}

/** Parse a series selector `metric{k="v",k2=~"re"}` into its metric and matchers. */
export function parseSelector(text: string): {metric: string; matchers: Matcher[]} | string {
	const m = /^\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s.exec(text);
	if (!m) return `bad series selector "${text}" (expected metric or metric{label="value",...})`;
	const matchers: Matcher[] = [];
	const body = m[2]?.trim() ?? '';
	if (body !== '') {
		for (const part of splitTopLevel(body)) {
			if (part.trim() === '') continue;
			const matcher = parseMatcher(part);
			if (typeof matcher === 'string') return matcher;
			matchers.push(matcher);
		}
	}
	return {metric: m[1]!, matchers};
}

/** Split on commas outside quotes. */
function splitTopLevel(body: string): string[] {
	const out: string[] = [];
	let current = '';
	let quote: string | undefined;
	for (let i = 0; i < body.length; i++) {
		const c = body[i]!;
		if (quote !== undefined) {
			if (c === '\\' && i + 1 < body.length) {
				current += c + body[i + 1]!;
				i++;
				continue;
			}
			if (c === quote) quote = undefined;
			current += c;
		} else if (c === '"' || c === "'") {
			quote = c;
			current += c;
		} else if (c === ',') {
			out.push(current);
			current = '';
		} else current += c;
	}
	out.push(current);
	return out;
}

/** Labels of a selector whose matchers are all plain equalities (for test input series). */
export function selectorLabels(matchers: readonly Matcher[]): Record<string, string> | undefined {
	const labels: Record<string, string> = {};
	for (const m of matchers) {
		if (m.isRegex || !m.isEqual) return undefined;
		labels[m.name] = m.value;
	}
	return labels;
}
