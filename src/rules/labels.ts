/** Label sets, their fingerprints (alert identity), and Alertmanager-style matchers. */

export type Labels = Readonly<Record<string, string>>;

/** Stable text of a label set: keys sorted, `k="v"` joined by commas. */
export function labelsText(labels: Labels): string {
	return Object.keys(labels)
		.sort()
		.map((k) => `${k}=${JSON.stringify(labels[k])}`)
		.join(',');
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
		try {
			new RegExp(value);
		} catch {
			return `bad regular expression in matcher "${text}"`;
		}
	}
	return {name: m[1]!, value, isRegex, isEqual: op === '=' || op === '=~'};
}

const regexCache = new Map<string, RegExp>();

function anchored(source: string): RegExp {
	let re = regexCache.get(source);
	if (re === undefined) {
		re = new RegExp(`^(?:${source})$`);
		if (regexCache.size > 1000) regexCache.clear();
		regexCache.set(source, re);
	}
	return re;
}

/** Whether one matcher matches a label set (a missing label is the empty string, as in Alertmanager). */
function matcherMatches(matcher: Matcher, labels: Labels): boolean {
	const actual = labels[matcher.name] ?? '';
	const hit = matcher.isRegex ? anchored(matcher.value).test(actual) : actual === matcher.value;
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
