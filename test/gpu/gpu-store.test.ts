import {describe, expect, test} from 'vitest';
import {parseGpuLine, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {boxAggregates, GpuStore, staleReading, toReading} from '../../src/gpu/gpu-store.js';
import {recording} from './fixtures.js';

/** The recorded frames of a scenario (rows grouped by timestamp; stray lines dropped). */
function frames(scenario: string): ParsedGpuRow[][] {
	const rec = recording(scenario);
	const out: ParsedGpuRow[][] = [];
	let ts: string | undefined;
	for (const line of rec.lines) {
		const r = parseGpuLine(line, rec.fields);
		if (r.kind !== 'row') continue;
		if (r.row.timestamp !== ts) {
			out.push([]);
			ts = r.row.timestamp;
		}
		out[out.length - 1]!.push(r.row);
	}
	return out;
}

describe('readings', () => {
	test('unknown keeps the last good value, marked stale, with the reason', () => {
		expect(toReading({value: 5}, 3)).toEqual({value: 5});
		expect(toReading({reason: 'not available'}, 3)).toEqual({value: 3, reason: 'not available', stale: true});
		expect(toReading({reason: 'not available'}, undefined)).toEqual({value: undefined, reason: 'not available'});
		expect(staleReading({value: 7}, 'GPU lost')).toEqual({value: 7, reason: 'GPU lost', stale: true});
		expect(staleReading({value: undefined, reason: 'not supported'}, 'GPU lost')).toEqual({value: undefined, reason: 'not supported'});
	});
});

describe('GpuStore', () => {
	test('8 GPUs: rows by index, series, box aggregates', () => {
		const store = new GpuStore();
		const f = frames('eight-gpu');
		f.forEach((frame, i) => store.applyFrame(frame, 1000 * (i + 1)));
		const rows = store.rows();
		expect(rows).toHaveLength(8);
		expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		const last = f[f.length - 1]!;
		expect(rows[0]!.utilizationPercent).toEqual({value: last[0]!.readings.utilizationPercent!.value});
		expect(rows[0]!.utilizationHistory).toEqual(f.map((fr) => fr[0]!.readings.utilizationPercent!.value));
		const temps = store.series(last[3]!.uuid, 'temperatureC');
		expect(temps.map((s) => s.value)).toEqual(f.map((fr) => fr[3]!.readings.temperatureC!.value));
		expect(store.series(last[3]!.uuid, 'temperatureC', 5000).map((s) => s.timeMs)).toEqual([5000, 6000]);
		expect(store.series('GPU-nope', 'temperatureC')).toEqual([]);
		const box = store.box();
		const util = last.map((r) => r.readings.utilizationPercent!.value!);
		expect(box.utilizationPercent).toBeCloseTo(util.reduce((a, b) => a + b, 0) / 8, 6);
		expect(box.memoryUsedMb).toBe(last.reduce((a, r) => a + r.readings.memoryUsedMb!.value!, 0));
		expect(box.memoryTotalMb).toBe(8 * 81559);
		expect(box.temperatureC).toBe(Math.max(...last.map((r) => r.readings.temperatureC!.value!)));
		expect(box.powerDrawW).toBeCloseTo(last.reduce((a, r) => a + r.readings.powerDrawW!.value!, 0), 6);
		// Only the idle GPU 7 has > 5000 MB free and < 80 % utilization.
		expect(box.gpusAvailable).toBe(1);
		expect(box.gpuAvailable).toBe(true);
		expect(store.snapshot().gpus).toBe(store.rows());
	});

	test('sentinels: last good value kept and stale; a never-known value stays unknown; never 0', () => {
		const store = new GpuStore();
		const [f1, f2] = frames('sentinels');
		store.applyFrame(f1!, 1000);
		store.applyFrame(f2!, 2000);
		const rows = store.rows();
		expect(rows[0]!.powerDrawW).toEqual({value: 250.5, reason: 'not available', stale: true});
		expect(rows[1]!.temperatureC).toEqual({value: 61, reason: 'not available', stale: true});
		expect(rows[2]!.fanPercent).toEqual({value: 52, reason: 'not supported', stale: true});
		expect(rows[2]!.smClockMhz).toEqual({value: 1830, reason: 'unknown error', stale: true});
		expect(rows[3]!.memoryUsedMb).toEqual({value: 33000, reason: 'insufficient permissions', stale: true});
		expect(rows[3]!.powerDrawW).toEqual({value: 253.5, reason: 'error (ERR!)', stale: true});
		// Unknown readings leave gaps in the history, not zeros.
		expect(store.series(rows[0]!.uuid, 'powerDrawW').map((s) => s.value)).toEqual([250.5]);
		// Box figures count fresh values only.
		expect(store.box().powerDrawW).toBeCloseTo(252.25 + 253.75, 6);
		expect(store.box().temperatureC).toBe(64);
		expect(rows.every((r) => !r.lost)).toBe(true);
	});

	test('lost GPU: missing from a frame, or every reading unavailable; recovery clears it', () => {
		const store = new GpuStore();
		const f = frames('lost-gpu');
		store.applyFrame(f[0]!, 1000);
		const changes = store.applyFrame(f[2]!, 3000);
		expect(changes.lost.map((l) => l.index).sort()).toEqual([5, 6]);
		const rows = store.rows();
		expect(rows).toHaveLength(8);
		expect(rows[5]).toMatchObject({lost: true, lostSinceMs: 3000, lostReason: 'missing from nvidia-smi output'});
		expect(rows[5]!.temperatureC).toEqual({value: 55, reason: 'GPU lost', stale: true});
		expect(rows[6]).toMatchObject({lost: true, lostReason: 'every reading unavailable'});
		expect(rows[6]!.utilizationPercent).toEqual({value: 96, reason: 'unknown error', stale: true});
		expect(store.lostCount()).toBe(2);
		expect(store.box().gpuCount).toBe(8);
		expect(store.box().reporting).toBe(6);
		// Lost twice is reported once.
		expect(store.applyFrame(f[3]!, 4000).lost).toEqual([]);
		const back = store.applyFrame(f[0]!, 5000);
		expect([...back.recovered].sort()).toEqual([rows[5]!.uuid, rows[6]!.uuid].sort());
		expect(store.lostCount()).toBe(0);
	});

	test('MIG-enabled GPU: utilization unknown with a MIG reason, memory known, not lost', () => {
		const store = new GpuStore();
		store.applyFrame(frames('mig')[0]!, 1000);
		const [gpu0, gpu1] = store.rows();
		expect(gpu0!.migEnabled).toBe(true);
		expect(gpu0!.utilizationPercent).toEqual({value: undefined, reason: 'not available with MIG enabled'});
		expect(gpu0!.memoryUsedMb.value).toBe(24205);
		expect(gpu0!.lost).toBe(false);
		expect(gpu1!.utilizationPercent.value).toBe(55);
		// Mean utilization over the GPUs that report it.
		expect(store.box().utilizationPercent).toBe(55);
	});

	test('markAllStale keeps values visible and stale; processes join by uuid', () => {
		const store = new GpuStore();
		const [f1] = frames('one-gpu');
		store.applyFrame(f1!, 1000);
		const uuid = f1![0]!.uuid;
		store.setProcesses([
			{gpuUuid: uuid, pid: 1, name: 'a', usedMemoryMb: 10},
			{gpuUuid: uuid, pid: 2, name: 'b', usedMemoryMb: 900},
			{gpuUuid: 'GPU-other', pid: 3, name: 'c', usedMemoryMb: 5},
		]);
		expect(store.row(uuid)!.processes.map((p) => p.pid)).toEqual([2, 1]);
		const v = store.version;
		store.setProcesses([
			{gpuUuid: uuid, pid: 2, name: 'b', usedMemoryMb: 900},
			{gpuUuid: uuid, pid: 1, name: 'a', usedMemoryMb: 10},
		]);
		expect(store.version).toBe(v);
		store.markAllStale('nvidia-smi stopped');
		expect(store.row(uuid)!.utilizationPercent).toEqual({value: 87, reason: 'nvidia-smi stopped', stale: true});
		expect(store.box().utilizationPercent).toBeUndefined();
		expect(store.box().gpuAvailable).toBe(false);
	});

	test('status changes bump the version and reach the snapshot', () => {
		const store = new GpuStore();
		expect(store.snapshot().state).toBe('starting');
		expect(store.setStatus({state: 'unavailable', reason: 'NVIDIA driver not loaded'})).toBe(true);
		expect(store.setStatus({state: 'unavailable', reason: 'NVIDIA driver not loaded'})).toBe(false);
		expect(store.snapshot()).toMatchObject({state: 'unavailable', reason: 'NVIDIA driver not loaded', gpus: []});
	});

	test('history is bounded', () => {
		const store = new GpuStore(4);
		const [f1] = frames('one-gpu');
		for (let i = 0; i < 10; i++) store.applyFrame(f1!, i);
		expect(store.series(f1![0]!.uuid, 'utilizationPercent')).toHaveLength(4);
	});
});

test('boxAggregates of nothing is all unknown, not zeros', () => {
	const box = boxAggregates([]);
	expect(box).toMatchObject({gpuCount: 0, reporting: 0, utilizationPercent: undefined, memoryUsedMb: undefined, temperatureC: undefined, gpuAvailable: false});
});

test('plain-text lines for --once: unknown is ?, stale is marked, lost says so', async () => {
	const {gpuLine} = await import('../../src/gpu/gpu-text.js');
	const store = new GpuStore();
	const [f1, f2] = frames('sentinels');
	store.applyFrame(f1!, 1000);
	store.applyFrame(f2!, 2000);
	expect(gpuLine(store.rows()[0]!)).toBe('  0 NVIDIA RTX A6000: util 71%, mem 30100/49140 MiB, 61C, 251*/300 W, P2');
	const mig = new GpuStore();
	mig.applyFrame(frames('mig')[0]!, 1000);
	expect(gpuLine(mig.rows()[0]!)).toMatch(/^ {2}0 NVIDIA A100-SXM4-80GB: util \? \(MIG\), mem 24205\/81920 MiB/);
	const lost = new GpuStore();
	const f = frames('lost-gpu');
	lost.applyFrame(f[0]!, 1);
	lost.applyFrame(f[2]!, 2);
	expect(gpuLine(lost.rows()[5]!)).toBe('  5 NVIDIA A100-SXM4-80GB: LOST (missing from nvidia-smi output)');
});

test('the --once health line: clocks against max, fan, link, ECC, Xid and the badge; none for a lost GPU', async () => {
	const {gpuHealthLine} = await import('../../src/gpu/gpu-text.js');
	const store = new GpuStore();
	const f = frames('health');
	f.slice(0, 4).forEach((frame, i) => store.applyFrame(frame, i * 60_000));
	store.recordXid({xid: 48, timeMs: 150_000, pci: '0000:2a:00'});
	const [gpu0, gpu1] = store.rows();
	expect(gpuHealthLine(gpu0!, 240_000)).toBe('    SM 1410/1980 MHz, mem 2619 MHz, fan ?, PCIe x16 gen5 of x16 gen5, ECC corrected (3 corrected); health: HW-THERM 3m SW-THERM 3m HW-SLOW 3m ECC 3c');
	expect(gpuHealthLine(gpu1!, 240_000)).toBe(
		'    SM 1755/1980 MHz, mem 2619 MHz, fan ?, PCIe x8 gen5 of x16 gen5 (degraded: x8 of x16), ECC error (1 uncorrectable, pending), Xid 1; health: XID 48 1m ECC 1! LINK x8 gen5 PWR-CAP 4m',
	);
	const plain = new GpuStore();
	plain.applyFrame(frames('mig')[0]!, 1);
	expect(gpuHealthLine(plain.rows()[0]!, 1)).toBe('    SM 1410/1410 MHz, mem 1593 MHz, fan ?, PCIe x16 gen4 of x16 gen4, ECC ok');
	const lost = new GpuStore();
	const l = frames('lost-gpu');
	lost.applyFrame(l[0]!, 1);
	lost.applyFrame(l[2]!, 2);
	expect(gpuHealthLine(lost.rows()[5]!, 3)).toBeUndefined();
});
