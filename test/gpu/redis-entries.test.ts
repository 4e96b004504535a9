import {expect, test} from 'vitest';
import fc from 'fast-check';
import {parseGpuLine, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {boxCurrentFields, boxListEntries, capacityFields, gpuCurrentFields, gpuKeyOf, gpuListEntries, hostStateFields, keySegment} from '../../src/gpu/redis-entries.js';
import {recording} from './fixtures.js';

function store(scenario: string, frames: number): GpuStore {
	const rec = recording(scenario);
	const s = new GpuStore();
	const parsed = rec.lines.map((l) => parseGpuLine(l, rec.fields)).flatMap((r) => (r.kind === 'row' ? [r.row] : []));
	const byTs = new Map<string, ParsedGpuRow[]>();
	for (const r of parsed) byTs.set(r.timestamp!, [...(byTs.get(r.timestamp!) ?? []), r]);
	[...byTs.values()].slice(0, frames).forEach((f, i) => s.applyFrame(f, i * 1000));
	return s;
}

const TS = '2026-09-30T12:00:00.000Z';

test('seed keys describe the box; unknown figures are left out', () => {
	const s = store('mig', 1);
	const fields = boxCurrentFields(s.box(), 'box-1', TS);
	expect(fields).toMatchObject({utilization_percent: '55', memory_used_mb: '36205', memory_total_mb: '163840', temperature_celsius: '44', gpu_count: '2', host: 'box-1'});
	expect(fields['power_draw_watts']).toBe('438.50');
	const empty = boxCurrentFields(new GpuStore().box(), 'box-1', TS);
	expect(empty).not.toHaveProperty('utilization_percent');
	expect(empty).not.toHaveProperty('temperature_celsius');
	expect(boxListEntries(new GpuStore().box(), TS)).toEqual([]);
	expect(boxListEntries(s.box(), TS).map((e) => [e.series, JSON.parse(e.entry)])).toEqual([
		['utilization', {value: 55, timestamp: TS}],
		['memory_used_mb', {value: 36205, timestamp: TS}],
		['temperature', {value: 44, timestamp: TS}],
	]);
});

test('per-GPU hash names stale and unknown fields instead of writing 0', () => {
	const s = store('sentinels', 2);
	const row = s.rows()[0]!;
	const fields = gpuCurrentFields(row, TS);
	expect(fields['power_draw_watts']).toBe('250.50');
	const health = /^(throttle|ecc|retired|remapped|pcie|sm_clock_max|memory_clock|energy)_/;
	expect(fields['stale']!.split(';').filter((e) => !health.test(e))).toEqual(['power_draw_watts=not available']);
	const mig = store('mig', 1).rows()[0]!;
	const migFields = gpuCurrentFields(mig, TS);
	expect(migFields['utilization_percent']).toBe('');
	expect(migFields['unknown']).toContain('utilization_percent=not available with MIG enabled');
	expect(migFields['fan_percent']).toBe('');
	expect(gpuListEntries(row, TS).map((e) => e.series)).toEqual(['utilization', 'memory_used_mb', 'temperature']);
});

test('per-GPU hash: health fields of our own (reasons 1/0 with their start, link, ECC, Xid), unknown named', () => {
	const s = store('health', 4);
	s.recordXid({xid: 48, timeMs: Date.parse(TS), pci: '0000:2a:00'});
	const [gpu0, gpu1] = s.rows();
	const hot = gpuCurrentFields(gpu0!, TS);
	expect(hot).toMatchObject({throttle_hw_thermal_slowdown: '1', throttle_sw_power_cap: '0', ecc_corrected_volatile: '3', ecc_state: 'corrected', pcie_link_degraded: 'false', xid_count: '0', last_xid: '', energy_mj: '1202400000'});
	// Hot from frame 2 (t = 1000 ms) on.
	expect(hot['throttle_reasons']).toBe(`HW-THERM@${new Date(1000).toISOString()};SW-THERM@${new Date(1000).toISOString()};HW-SLOW@${new Date(1000).toISOString()}`);
	const bad = gpuCurrentFields(gpu1!, TS);
	expect(bad).toMatchObject({pcie_width_current: '8', pcie_width_max: '16', pcie_link_degraded: 'true', pcie_link_reason: 'x8 of x16', ecc_uncorrected_volatile: '1', remapped_rows_pending: '1', ecc_state: 'error', xid_count: '1', last_xid: '48', last_xid_at: TS});
	// The seed's keys keep their shapes: nothing of this in metrics:gpu:current.
	expect(Object.keys(boxCurrentFields(s.box(), 'h', TS)).some((k) => k.includes('throttle') || k.includes('ecc'))).toBe(false);
	// A sentinel after a good value: the last good value, listed as stale with the reason; never 0 for a new unknown.
	const sentinel = gpuCurrentFields(store('sentinels', 3).rows()[0]!, TS);
	expect(sentinel['stale']).toContain('throttle_sw_power_cap=not available');
	expect(sentinel['stale']).toContain('throttle_hw_thermal_slowdown=not supported');
	expect(sentinel['stale']).toContain('ecc_corrected_volatile=not available');
	const old = gpuCurrentFields(store('eight-gpu', 1).rows()[0]!, TS);
	expect(old['unknown']).toBe('fan_percent=not available');
});

test('capacity: the seed rule on any one GPU; unknown means false', () => {
	expect(capacityFields(store('eight-gpu', 1).box())).toEqual({gpu_available: 'true', gpus_available: '1'});
	expect(capacityFields(store('lost-gpu', 1).box())).toEqual({gpu_available: 'false', gpus_available: '0'});
	expect(capacityFields(undefined)).toEqual({gpu_available: 'false', gpus_available: '0'});
});

test('keys carry host and uuid, made safe', () => {
	expect(gpuKeyOf.current('gpu box*1', 'GPU-abc')).toBe('metrics:gpu:gpu_box_1:GPU-abc:current');
	expect(gpuKeyOf.series('h', 'GPU-abc', 'temperature')).toBe('metrics:gpu:h:GPU-abc:temperature');
	expect(gpuKeyOf.host('h:x')).toBe('metrics:gpu:h_x:state');
	expect(keySegment('')).toBe('_');
	expect(hostStateFields('ok', undefined, store('one-gpu', 1).rows(), TS)).toMatchObject({state: 'ok', reason: '', gpu_count: '1', lost: '0'});
});

test('the processes and projects fields made once per process list equal a fresh list\'s, whatever the list', () => {
	const row = store('eight-gpu', 1).rows()[0]!;
	const process = fc.record({
		pid: fc.integer({min: 1, max: 1 << 22}),
		name: fc.string({maxLength: 12}),
		usedMemoryMb: fc.option(fc.integer({min: 0, max: 90_000}), {nil: undefined}),
		projectId: fc.option(fc.constantFrom('asr', 'llm', 'x:y'), {nil: undefined}),
		host: fc.option(fc.record({user: fc.constantFrom('root', 'ann'), command: fc.string({maxLength: 8}), cpuPercent: fc.double({min: 0, max: 800, noNaN: true}), rssBytes: fc.nat(), elapsedMs: fc.nat()}), {nil: undefined}),
	});
	fc.assert(
		fc.property(fc.array(fc.array(process, {maxLength: 40}), {minLength: 1, maxLength: 4}), (lists) => {
			for (const list of lists) {
				// The same list twice (the second from the memo) against a copy of it (never seen: computed afresh).
				const clean = list.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))) as unknown as typeof row.processes;
				const once = gpuCurrentFields({...row, processes: clean}, TS);
				const again = gpuCurrentFields({...row, processes: clean}, TS);
				const fresh = gpuCurrentFields({...row, processes: [...clean]}, TS);
				expect(again).toEqual(fresh);
				expect(once).toEqual(fresh);
			}
		}),
		{numRuns: 200},
	);
});
