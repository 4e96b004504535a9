/**
Pure parsing of `nvidia-smi --format=csv,noheader,nounits` lines. A value nvidia-smi cannot give (`[N/A]`, `N/A`,
`[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`, `ERR!`, or anything that is not a finite number in
range) is unknown with a reason, never 0. A line that is not a row of the query (Xid/ECC event text in loop mode, an
error message) is skipped with the reason.
*/
import {sanitizeText} from '../contract/sanitize.js';
import {METRIC_BY_FIELD, METRIC_RANGE, metricKind, type GpuMetric, type ReadingKind} from './query-fields.js';

/** A parsed reading: a number, or unknown with why. */
export type Parsed = {readonly value: number; readonly reason?: undefined} | {readonly value?: undefined; readonly reason: string};

const SENTINELS: Record<string, string> = {
	'n/a': 'not available',
	'not supported': 'not supported',
	'unknown error': 'unknown error',
	'insufficient permissions': 'insufficient permissions',
	'err!': 'error (ERR!)',
	'gpu is lost': 'GPU is lost',
	'gpu requires reset': 'GPU requires reset',
};

/** The reason for a sentinel token (`[N/A]`, `N/A`, `[Not Supported]`, ...), or undefined when it is none. */
export function sentinelReason(token: string): string | undefined {
	const bare = token.trim().replace(/^\[(.*)\]$/, '$1').trim().toLowerCase();
	return SENTINELS[bare];
}

/** Units nvidia-smi appends without `nounits`; tolerated so a missing flag does not blank every value. */
const NUMBER_WITH_UNIT = /^([-+]?\d+(?:\.\d+)?)(?:\s*(?:MiB|%|W|MHz|C))?$/;

/** Parse one numeric token against a [min, max] range. Pure. */
export function parseReading(token: string, range: readonly [number, number] = [-Infinity, Infinity]): Parsed {
	const text = token.trim();
	if (text === '') return {reason: 'empty'};
	// Sentinels start with a letter or `[`: a token starting with a digit or a sign skips that check.
	const code = text.charCodeAt(0);
	const numeric = (code >= 48 && code <= 57) || code === 43 || code === 45;
	const sentinel = numeric ? undefined : sentinelReason(text);
	if (sentinel !== undefined) return {reason: sentinel};
	const match = NUMBER_WITH_UNIT.exec(text);
	if (match === null) return {reason: `unparseable "${sanitizeText(text, {maxLength: 24})}"`};
	const value = Number(match[1]);
	if (!Number.isFinite(value)) return {reason: 'not a finite number'};
	if (value < range[0] || value > range[1]) return {reason: `out of range (${value})`};
	return {value};
}

const WORDS: Record<Exclude<ReadingKind, 'number'>, Readonly<Record<string, number>>> = {
	active: {active: 1, 'not active': 0},
	yesno: {yes: 1, no: 0},
};

/** Parse one token of the given kind: a number in range, `Active`/`Not Active` or `Yes`/`No` as 1/0. Pure. */
export function parseToken(token: string, kind: ReadingKind, range: readonly [number, number]): Parsed {
	if (kind === 'number') return parseReading(token, range);
	const text = token.trim();
	if (text === '') return {reason: 'empty'};
	const sentinel = sentinelReason(text);
	if (sentinel !== undefined) return {reason: sentinel};
	const value = WORDS[kind][text.toLowerCase()];
	return value === undefined ? {reason: `unparseable "${sanitizeText(text, {maxLength: 24})}"`} : {value};
}

export interface ParsedGpuRow {
	/** nvidia-smi's `timestamp` column, as printed. */
	readonly timestamp: string | undefined;
	readonly index: number;
	/** The GPU's key: its UUID, else `bus:<pci id>`, else `index:<n>`. */
	readonly uuid: string;
	readonly name: string;
	readonly busId: string | undefined;
	readonly readings: Readonly<Partial<Record<GpuMetric, Parsed>>>;
	readonly pstate: string | undefined;
	readonly persistenceMode: boolean | undefined;
	readonly migEnabled: boolean | undefined;
}

export type LineResult = {readonly kind: 'row'; readonly row: ParsedGpuRow} | {readonly kind: 'skip'; readonly reason: string};

const TIMESTAMP = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$/;

/**
Split a CSV line into exactly `count` columns. nvidia-smi does not quote; when the last column is free text (a
name), extra commas are folded back into it. Returns undefined when the line has too few columns.
*/
export function splitColumns(line: string, count: number, lastIsText: boolean): string[] | undefined {
	const parts = line.split(',');
	if (parts.length < count) return undefined;
	if (parts.length > count) {
		if (!lastIsText) return undefined;
		const head = parts.slice(0, count - 1);
		head.push(parts.slice(count - 1).join(','));
		return head.map((p) => p.trim());
	}
	return parts.map((p) => p.trim());
}

function enabled(token: string): boolean | undefined {
	const t = token.trim().toLowerCase();
	if (t === 'enabled') return true;
	if (t === 'disabled') return false;
	return undefined;
}

function known(token: string): string | undefined {
	return token === '' || sentinelReason(token) !== undefined ? undefined : token;
}

/** Where a field list's columns are, worked out once per list (a sampler parses every line against the same list). */
interface LinePlan {
	readonly lastIsText: boolean;
	/** The column of each named field (its first occurrence), or -1. */
	readonly at: Readonly<Record<'timestamp' | 'index' | 'uuid' | 'busId' | 'pstate' | 'name' | 'persistence' | 'mig', number>>;
	/** The metric columns, in order (a metric named twice: the later column wins, as before). */
	readonly metrics: ReadonlyArray<{readonly column: number; readonly metric: GpuMetric; readonly kind: ReadingKind; readonly range: readonly [number, number]}>;
}

const plans = new WeakMap<readonly string[], LinePlan>();

function planOf(fields: readonly string[]): LinePlan {
	let plan = plans.get(fields);
	if (plan !== undefined) return plan;
	const metrics: Array<LinePlan['metrics'][number]> = [];
	for (let i = 0; i < fields.length; i++) {
		const metric = METRIC_BY_FIELD.get(fields[i]!);
		if (metric !== undefined) metrics.push({column: i, metric, kind: metricKind(metric), range: METRIC_RANGE[metric]});
	}
	plan = {
		lastIsText: fields[fields.length - 1] === 'name',
		at: {
			timestamp: fields.indexOf('timestamp'),
			index: fields.indexOf('index'),
			uuid: fields.indexOf('uuid'),
			busId: fields.indexOf('pci.bus_id'),
			pstate: fields.indexOf('pstate'),
			name: fields.indexOf('name'),
			persistence: fields.indexOf('persistence_mode'),
			mig: fields.indexOf('mig.mode.current'),
		},
		metrics,
	};
	// A list changed in place after its first line would keep its old plan: the sampler never does (its lists are
	// fixed per child), and a caller that does gets a new plan by passing a new array.
	plans.set(fields, Object.freeze(plan));
	return plan;
}

/** Parse one `--query-gpu` line for the given field list. Pure; never throws. */
export function parseGpuLine(line: string, fields: readonly string[]): LineResult {
	const trimmed = line.trim();
	if (trimmed === '') return {kind: 'skip', reason: 'empty line'};
	const plan = planOf(fields);
	const columns = splitColumns(trimmed, fields.length, plan.lastIsText);
	if (columns === undefined) return {kind: 'skip', reason: 'not a row of the query (column count)'};
	const column = (field: keyof LinePlan['at']): string | undefined => {
		const i = plan.at[field];
		return i < 0 ? undefined : columns[i];
	};
	const timestamp = column('timestamp');
	if (timestamp !== undefined && !TIMESTAMP.test(timestamp)) return {kind: 'skip', reason: 'not a row of the query (timestamp)'};
	const indexText = column('index');
	const index = indexText === undefined ? Number.NaN : Number(indexText);
	if (!/^\d+$/.test(indexText ?? '') || !Number.isSafeInteger(index)) return {kind: 'skip', reason: 'not a row of the query (index)'};
	const rawUuid = known(column('uuid') ?? '');
	if (rawUuid !== undefined && !/^[A-Za-z0-9-]{4,80}$/.test(rawUuid)) return {kind: 'skip', reason: 'not a row of the query (uuid)'};
	const busId = known(column('busId') ?? '');
	const uuid = rawUuid ?? (busId !== undefined ? `bus:${busId}` : `index:${index}`);
	const readings: Partial<Record<GpuMetric, Parsed>> = {};
	for (let m = 0; m < plan.metrics.length; m++) {
		const {column: i, metric, kind, range} = plan.metrics[m]!;
		readings[metric] = parseToken(columns[i]!, kind, range);
	}
	const pstate = known(column('pstate') ?? '');
	return {
		kind: 'row',
		row: {
			timestamp,
			index,
			uuid,
			name: sanitizeText(known(column('name') ?? '') ?? `GPU ${index}`, {maxLength: 96}),
			busId: busId === undefined ? undefined : sanitizeText(busId, {maxLength: 32}),
			readings,
			pstate: pstate !== undefined && /^P\d{1,2}$/.test(pstate) ? pstate : undefined,
			persistenceMode: enabled(column('persistence') ?? ''),
			migEnabled: enabled(column('mig') ?? ''),
		},
	};
}

export interface ParsedApp {
	readonly gpuUuid: string;
	readonly pid: number;
	readonly name: string;
	readonly usedMemoryMb: number | undefined;
}

/** Parse `--query-compute-apps=gpu_uuid,pid,used_memory,process_name` output. Pure; bad lines are skipped. */
export function parseAppsOutput(text: string): ParsedApp[] {
	const out: ParsedApp[] = [];
	for (const line of text.split('\n')) {
		const columns = splitColumns(line.trim(), 4, true);
		if (columns === undefined) continue;
		const [gpuUuid, pidText, memoryText, name] = columns as [string, string, string, string];
		if (!/^[A-Za-z0-9-]{4,80}$/.test(gpuUuid) || !/^\d+$/.test(pidText)) continue;
		const memory = parseReading(memoryText, [0, 16_777_216]);
		out.push({
			gpuUuid,
			pid: Number(pidText),
			name: sanitizeText(known(name) ?? '?', {maxLength: 128}),
			usedMemoryMb: memory.value,
		});
	}
	return out;
}
