/**
The `/` filter: a case-insensitive substring, optionally scoped with a prefix: `project:`, `agent:`, `gpu:`,
`rule:` or `host:` (the hosts pane, which only a `host:` filter narrows). Unscoped text matches projects, agents, GPUs (index or name) and alerts (rule, message, labels) alike;
a scoped filter narrows only its own kind and leaves the other panes whole.
*/
export type FilterKind = 'project' | 'agent' | 'gpu' | 'rule' | 'host';

export interface Filter {
	readonly kind: FilterKind | 'any';
	readonly needle: string;
	/** As typed, for the header. */
	readonly text: string;
}

const PREFIXES: Record<string, FilterKind> = {project: 'project', p: 'project', agent: 'agent', a: 'agent', gpu: 'gpu', g: 'gpu', rule: 'rule', r: 'rule', host: 'host', h: 'host'};

export function parseFilter(text: string): Filter | undefined {
	const t = text.trim();
	if (t === '') return undefined;
	const match = /^([a-z]+):(.*)$/i.exec(t);
	const kind = match ? PREFIXES[match[1]!.toLowerCase()] : undefined;
	if (match && kind !== undefined) return {kind, needle: match[2]!.trim().toLowerCase(), text: t};
	return {kind: 'any', needle: t.toLowerCase(), text: t};
}

/** True when the filter does not restrict `kind`, or when one of `fields` contains the needle. */
export function matchesFilter(filter: Filter | undefined, kind: FilterKind, fields: ReadonlyArray<string | undefined>): boolean {
	if (filter === undefined || filter.needle === '') return true;
	if (filter.kind !== 'any' && filter.kind !== kind) return true;
	return fields.some((f) => f !== undefined && f.toLowerCase().includes(filter.needle));
}

/** GPUs: a number matches the index exactly (`gpu:1` is GPU 1, not every GPU with a 1 in its name). */
export function matchesGpu(filter: Filter | undefined, index: number, name: string): boolean {
	if (filter !== undefined && /^(gpu)?\d+$/.test(filter.needle) && (filter.kind === 'gpu' || filter.kind === 'any')) {
		return Number(filter.needle.replace('gpu', '')) === index;
	}
	return matchesFilter(filter, 'gpu', [name]);
}
