/**
parseGpuLine works out a field list's columns once (its plan) instead of looking each field up per line: held equal
to the plain per-line lookups (the parser as it was, kept here as the reference) over every recorded line and over
random lines against random field lists (fields repeated, missing, in any order, the name last or not).
*/
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {parseGpuLine, parseToken, splitColumns, sentinelReason, type LineResult, type Parsed} from '../../src/gpu/csv-parse.js';
import {sanitizeText} from '../../src/contract/sanitize.js';
import {FULL_GPU_FIELDS, METRIC_BY_FIELD, METRIC_RANGE, metricKind, type GpuMetric} from '../../src/gpu/query-fields.js';
import {recording} from './fixtures.js';

const TIMESTAMP = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$/;

function enabled(token: string): boolean | undefined {
	const t = token.trim().toLowerCase();
	if (t === 'enabled') return true;
	if (t === 'disabled') return false;
	return undefined;
}

function known(token: string): string | undefined {
	return token === '' || sentinelReason(token) !== undefined ? undefined : token;
}

/** The parser before the plan: each field looked up in the list, per line. */
function plainParseGpuLine(line: string, fields: readonly string[]): LineResult {
	const trimmed = line.trim();
	if (trimmed === '') return {kind: 'skip', reason: 'empty line'};
	const columns = splitColumns(trimmed, fields.length, fields[fields.length - 1] === 'name');
	if (columns === undefined) return {kind: 'skip', reason: 'not a row of the query (column count)'};
	const column = (field: string): string | undefined => {
		const i = fields.indexOf(field);
		return i < 0 ? undefined : columns[i];
	};
	const timestamp = column('timestamp');
	if (timestamp !== undefined && !TIMESTAMP.test(timestamp)) return {kind: 'skip', reason: 'not a row of the query (timestamp)'};
	const indexText = column('index');
	const index = indexText === undefined ? Number.NaN : Number(indexText);
	if (!/^\d+$/.test(indexText ?? '') || !Number.isSafeInteger(index)) return {kind: 'skip', reason: 'not a row of the query (index)'};
	const rawUuid = known(column('uuid') ?? '');
	if (rawUuid !== undefined && !/^[A-Za-z0-9-]{4,80}$/.test(rawUuid)) return {kind: 'skip', reason: 'not a row of the query (uuid)'};
	const busId = known(column('pci.bus_id') ?? '');
	const uuid = rawUuid ?? (busId !== undefined ? `bus:${busId}` : `index:${index}`);
	const readings: Partial<Record<GpuMetric, Parsed>> = {};
	for (let i = 0; i < fields.length; i++) {
		const metric = METRIC_BY_FIELD.get(fields[i]!);
		if (metric !== undefined) readings[metric] = parseToken(columns[i]!, metricKind(metric), METRIC_RANGE[metric]);
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
			persistenceMode: enabled(column('persistence_mode') ?? ''),
			migEnabled: enabled(column('mig.mode.current') ?? ''),
		},
	};
}

const SCENARIOS = ['eight-gpu', 'health', 'lost-gpu', 'mig', 'one-gpu', 'projects', 'real-h100-580', 'sentinels', 'xid', 'old-driver'];

describe('parseGpuLine with a plan per field list', () => {
	test('every recorded line parses as the plain lookups do', () => {
		let lines = 0;
		for (const scenario of SCENARIOS) {
			let rec;
			try {
				rec = recording(scenario);
			} catch {
				continue;
			}
			for (const line of rec.lines) {
				expect(parseGpuLine(line, rec.fields)).toEqual(plainParseGpuLine(line, rec.fields));
				lines += 1;
			}
		}
		expect(lines).toBeGreaterThan(50);
	});

	test('random lines against random field lists parse as the plain lookups do', () => {
		const field = fc.constantFrom(...FULL_GPU_FIELDS, 'timestamp', 'index', 'uuid', 'pci.bus_id', 'pstate', 'name', 'persistence_mode', 'mig.mode.current', 'bogus.field');
		const token = fc.oneof(
			fc.constantFrom('', ' 0', '42', '-1', '99.5', '1e3', '[N/A]', 'N/A', '[Not Supported]', 'Active', 'Not Active', 'Yes', 'No', 'Enabled', 'Disabled', 'P0', 'P12', 'GPU-4ee5cbd3-32e8', '00000000:18:00.0', '2026/12/06 09:04:06.183', 'NVIDIA H100, 80GB', '250 W', 'ERR!'),
			fc.string({maxLength: 10}),
		);
		// As many tokens as fields (or one more: a name with a comma), the index column mostly a number: most lines are rows.
		const fieldList = fc
			.tuple(fc.array(field, {maxLength: 24}), fc.nat({max: 24}), fc.nat({max: 9}))
			.map(([fields, at, drop]) => (drop === 0 ? fields : [...fields.slice(0, at), 'index', ...fields.slice(at)]))
			.filter((fields) => fields.length > 0);
		const case_ = fieldList.chain((fields) =>
			fc.tuple(fc.constant(fields), fc.array(token, {minLength: fields.length, maxLength: fields.length + 1}), fc.nat({max: 9}), fc.boolean()),
		);
		let rows = 0;
		fc.assert(
			fc.property(case_, ([fields, tokens, index, numericIndex]) => {
				const cells = fields.map((f, i) => (f === 'index' && numericIndex ? String(index) : f === 'timestamp' && numericIndex ? '2026/12/06 09:04:06.183' : tokens[i]!));
				if (tokens.length > fields.length) cells.push(tokens[fields.length]!);
				const line = cells.join(', ');
				const plain = plainParseGpuLine(line, fields);
				if (plain.kind === 'row') rows += 1;
				// The same list object twice: the second call uses the plan the first made.
				expect(parseGpuLine(line, fields)).toEqual(plain);
				expect(parseGpuLine(line, fields)).toEqual(plain);
			}),
			{numRuns: 1000},
		);
		expect(rows).toBeGreaterThan(100);
	});
});
