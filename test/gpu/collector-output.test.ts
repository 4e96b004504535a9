/**
What the collector hands the writer for the GPU frames, byte for byte: every list entry, hash field (in order) and
history sample that GpuRedisWriter enqueues over 40 frames of each recorded nvidia-smi scenario, a second apart (five
history ticks), is held equal to a record made with the build before the collector's allocation work (9b8769c), made
again once on purpose when the periods came to be counted on the wall clock's grid (periodDue, seventeenth session:
the history ticks moved from the frames at 0, 10, 20, 30 s to those at 0, 5, 15, 25, 35 s, the one a period's point is
nearest; nothing else changed: the same calls, and one tick's list entries more). The record keeps a digest of the
calls per scenario and their counts; a change of what is written (a value's format, a field's order, a field more or
less, an entry's timing) fails here. To make it again on purpose:
MYCOTOP_WRITE_COLLECTOR_RECORD=1 npx vitest run test/gpu/collector-output.test.ts
*/
import {createHash} from 'node:crypto';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, test} from 'vitest';
import {parseGpuLine, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {GpuRedisWriter, type GpuPartHost} from '../../src/gpu/gpu-part.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {recording} from './fixtures.js';

const RECORD = join(dirname(fileURLToPath(import.meta.url)), 'collector-output.record.json');
const SCENARIOS = ['eight-gpu', 'health', 'lost-gpu', 'sentinels', 'xid', 'real-h100-580', 'mig', 'old-driver', 'one-gpu'];

/** The recorded frames of a scenario (rows grouped by timestamp). */
function frames(scenario: string): ParsedGpuRow[][] {
	const rec = recording(scenario);
	const out: ParsedGpuRow[][] = [];
	let ts: string | undefined;
	for (const line of rec.lines) {
		const r = parseGpuLine(line, rec.fields);
		if (r.kind !== 'row') continue;
		if (r.row.timestamp !== ts || out.length === 0) {
			out.push([]);
			ts = r.row.timestamp;
		}
		out[out.length - 1]!.push(r.row);
	}
	return out;
}

/** Every call GpuRedisWriter makes on the writer, in order, as text. */
function writtenCalls(scenario: string): string[] {
	const calls: string[] = [];
	const host: GpuPartHost = {
		host: 'box-1',
		store: {touch: () => {}},
		writer: {
			enqueueList: (key, entry, ttl, scope) => calls.push(JSON.stringify(['list', key, entry, ttl, scope ?? null])),
			// Object.entries keeps the fields' order: the order of HSET's arguments.
			enqueueHash: (key, fields, scope, ttl) => calls.push(JSON.stringify(['hash', key, Object.entries(fields), scope ?? null, ttl ?? null])),
			enqueueSample: (series, timeMs, value, scope) => calls.push(JSON.stringify(['sample', series, timeMs, value, scope ?? null])),
		},
	};
	const store = new GpuStore();
	const writer = new GpuRedisWriter(store, host, 1000, 10_000);
	const all = frames(scenario);
	for (let i = 0; i < 40; i++) {
		const now = 1_700_000_000_000 + i * 1000;
		store.applyFrame(all[i % all.length]!, now);
		writer.onFrame(now);
		calls.push(`-- frame ${i}`);
	}
	writer.flushSamples();
	return calls;
}

function summary(calls: readonly string[]): {calls: number; lists: number; hashes: number; samples: number; sha256: string} {
	return {
		calls: calls.length,
		lists: calls.filter((c) => c.startsWith('["list"')).length,
		hashes: calls.filter((c) => c.startsWith('["hash"')).length,
		samples: calls.filter((c) => c.startsWith('["sample"')).length,
		sha256: createHash('sha256').update(calls.join('\n')).digest('hex'),
	};
}

describe('the GPU frames\' writes, as recorded before the collector\'s allocation work', () => {
	const made = Object.fromEntries(SCENARIOS.map((s) => [s, summary(writtenCalls(s))]));
	if (process.env['MYCOTOP_WRITE_COLLECTOR_RECORD'] === '1') writeFileSync(RECORD, `${JSON.stringify(made, null, '\t')}\n`);
	const record = existsSync(RECORD) ? (JSON.parse(readFileSync(RECORD, 'utf8')) as Record<string, ReturnType<typeof summary>>) : {};

	for (const scenario of SCENARIOS) {
		test(`${scenario}: the same calls, byte for byte`, () => {
			expect(record[scenario], `no record for ${scenario} in ${RECORD}`).toBeDefined();
			// Something is written in every scenario, hashes every second.
			expect(made[scenario]!.hashes).toBeGreaterThanOrEqual(40);
			expect(made[scenario]).toEqual(record[scenario]);
		});
	}
});
