import {describe, expect, test} from 'vitest';
import {parseAppsOutput, parseGpuLine, parseReading, sentinelReason, splitColumns, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {FULL_GPU_FIELDS} from '../../src/gpu/query-fields.js';
import {recording} from './fixtures.js';

function rows(lines: readonly string[], fields: readonly string[]): ParsedGpuRow[] {
	const out: ParsedGpuRow[] = [];
	for (const line of lines) {
		const r = parseGpuLine(line, fields);
		if (r.kind === 'row') out.push(r.row);
	}
	return out;
}

describe('parseReading', () => {
	test.each([
		['[N/A]', 'not available'],
		['N/A', 'not available'],
		['[Not Supported]', 'not supported'],
		['[Unknown Error]', 'unknown error'],
		['[Insufficient Permissions]', 'insufficient permissions'],
		['ERR!', 'error (ERR!)'],
		['', 'empty'],
	])('%s is unknown (%s), never 0', (token, reason) => {
		const parsed = parseReading(token, [0, 100]);
		expect(parsed.value).toBeUndefined();
		expect(parsed.reason).toBe(reason);
	});

	test('numbers, with or without units', () => {
		expect(parseReading('512.33').value).toBe(512.33);
		expect(parseReading(' 97 ').value).toBe(97);
		expect(parseReading('61234 MiB').value).toBe(61234);
		expect(parseReading('97 %', [0, 100]).value).toBe(97);
	});

	test('out of range and garbage are unknown with the reason', () => {
		expect(parseReading('101', [0, 100]).reason).toMatch(/out of range/);
		expect(parseReading('abc').reason).toMatch(/unparseable/);
		expect(parseReading('1e999').reason).toMatch(/unparseable|finite/);
	});

	test('sentinelReason recognises only sentinels', () => {
		expect(sentinelReason(' [N/A] ')).toBe('not available');
		expect(sentinelReason('42')).toBeUndefined();
	});
});

describe('splitColumns', () => {
	test('folds extra commas into a trailing name', () => {
		expect(splitColumns('0, GPU-a, Weird, Name', 3, true)).toEqual(['0', 'GPU-a', 'Weird, Name']);
		expect(splitColumns('0, GPU-a, x, y', 3, false)).toBeUndefined();
		expect(splitColumns('0, GPU-a', 3, true)).toBeUndefined();
	});
});

describe('parseGpuLine on recorded fixtures', () => {
	test('8 GPUs: every row parsed with its values', () => {
		const rec = recording('eight-gpu');
		const parsed = rows(rec.lines.slice(0, 8), rec.fields);
		expect(parsed.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		const first = rec.lines[0]!.split(', ');
		expect(parsed[0]!.uuid).toBe(first[2]);
		expect(parsed[0]!.busId).toBe('00000000:18:00.0');
		expect(parsed[0]!.readings.memoryTotalMb?.value).toBe(81559);
		expect(parsed[0]!.readings.powerDrawW?.value).toBe(Number(first[9]));
		expect(parsed[0]!.readings.powerLimitW?.value).toBe(700);
		expect(parsed[0]!.readings.fanPercent).toEqual({reason: 'not available'});
		expect(parsed[0]!.name).toBe('NVIDIA H100 80GB HBM3');
		expect(parsed[0]!.pstate).toBe('P0');
		expect(parsed[0]!.persistenceMode).toBe(true);
		expect(parsed[0]!.migEnabled).toBe(false);
		expect(parsed[7]!.readings.utilizationPercent?.value).toBe(0);
	});

	test('1 GPU with a fan and MIG [N/A]', () => {
		const rec = recording('one-gpu');
		const [row] = rows(rec.lines.slice(0, 1), rec.fields);
		expect(row!.readings.fanPercent?.value).toBe(41);
		expect(row!.readings.utilizationPercent?.value).toBe(87);
		expect(row!.migEnabled).toBeUndefined();
		expect(row!.persistenceMode).toBe(false);
	});

	test('sentinel variants in the second frame', () => {
		const rec = recording('sentinels');
		const frame2 = rows(rec.lines.slice(4, 8), rec.fields);
		expect(frame2[0]!.readings.powerDrawW).toEqual({reason: 'not available'});
		expect(frame2[1]!.readings.temperatureC).toEqual({reason: 'not available'});
		expect(frame2[2]!.readings.fanPercent).toEqual({reason: 'not supported'});
		expect(frame2[2]!.readings.smClockMhz).toEqual({reason: 'unknown error'});
		expect(frame2[3]!.readings.memoryUsedMb).toEqual({reason: 'insufficient permissions'});
		expect(frame2[3]!.readings.powerDrawW).toEqual({reason: 'error (ERR!)'});
		expect(frame2[3]!.readings.temperatureC?.value).toBe(64);
	});

	test('Xid and ECC event lines are skipped, rows around them kept', () => {
		const rec = recording('xid');
		const results = rec.lines.map((l) => parseGpuLine(l, rec.fields));
		const skipped = results.filter((r) => r.kind === 'skip');
		expect(skipped).toHaveLength(2);
		expect(results.filter((r) => r.kind === 'row')).toHaveLength(rec.lines.length - 2);
	});

	test('the lost-GPU error line is skipped; an all-[Unknown Error] row still parses', () => {
		const rec = recording('lost-gpu');
		const error = rec.lines.find((l) => l.startsWith('Unable'))!;
		expect(parseGpuLine(error, rec.fields).kind).toBe('skip');
		const dead = rec.lines.find((l) => l.includes('[Unknown Error], [Unknown Error]'))!;
		const r = parseGpuLine(dead, rec.fields);
		expect(r.kind).toBe('row');
		if (r.kind === 'row') expect(Object.values(r.row.readings).every((p) => p?.value === undefined)).toBe(true);
	});

	test('MIG-enabled GPU: utilization unavailable, memory known', () => {
		const rec = recording('mig');
		const [gpu0, gpu1] = rows(rec.lines.slice(0, 2), rec.fields);
		expect(gpu0!.migEnabled).toBe(true);
		expect(gpu0!.readings.utilizationPercent).toEqual({reason: 'not available'});
		expect(gpu0!.readings.memoryUsedMb?.value).toBe(24205);
		expect(gpu1!.migEnabled).toBe(false);
	});

	test('rejects lines that are not rows', () => {
		expect(parseGpuLine('garbage', FULL_GPU_FIELDS).kind).toBe('skip');
		expect(parseGpuLine('', FULL_GPU_FIELDS).kind).toBe('skip');
		const line = recording('eight-gpu').lines[0]!;
		expect(parseGpuLine(line.replace(/^[^,]+/, 'yesterday'), FULL_GPU_FIELDS)).toEqual({kind: 'skip', reason: 'not a row of the query (timestamp)'});
		expect(parseGpuLine(line.replace(/, 0, /, ', x, '), FULL_GPU_FIELDS).kind).toBe('skip');
	});

	test('a missing UUID falls back to the bus id; control characters in names are removed', () => {
		const fields = ['index', 'uuid', 'pci.bus_id', 'name'];
		const r = parseGpuLine('2, [N/A], 00000000:3A:00.0, Evil\u001b[31mName', fields);
		expect(r.kind).toBe('row');
		if (r.kind === 'row') {
			expect(r.row.uuid).toBe('bus:00000000:3A:00.0');
			expect(r.row.name).not.toContain('\u001b');
		}
	});
});

describe('parseAppsOutput', () => {
	test('joins by uuid, keeps names with commas, skips [Not Supported] pids', () => {
		const rec = recording('eight-gpu', 'compute-apps.csv');
		const apps = parseAppsOutput(`${rec.lines.join('\n')}\nGPU-aaaa-bbbb, [Not Supported], [Not Supported], x\n`);
		expect(apps).toHaveLength(rec.lines.length);
		expect(apps[0]).toEqual({gpuUuid: rec.lines[0]!.split(', ')[0], pid: 48211, usedMemoryMb: 60890, name: 'python3 train.py --config asr-large.yaml'});
		const withMemoryNa = parseAppsOutput('GPU-aaaa-bbbb, 12, [N/A], python3');
		expect(withMemoryNa[0]!.usedMemoryMb).toBeUndefined();
	});
});
