/** The demo's simulated GPUs: nvidia-smi's CSV shape (read by the real parser) and when the demo uses them. */
import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {demoAppRows, demoGpuRows, DEMO_GPUS} from '../../src/demo/demo-gpus.js';
import {parseAppsOutput, parseGpuLine} from '../../src/gpu/csv-parse.js';
import {APPS_FIELDS, FULL_GPU_FIELDS} from '../../src/gpu/query-fields.js';
import {demoNvidiaSmi, findOnPath} from '../../src/compose.js';
import {EMPTY_CONFIG} from '../../src/config/config.js';

const T0 = Date.parse('2026-11-29T12:00:00Z');

describe('simulated GPUs', () => {
	it('print rows the real parser reads: four H100s, every reading known but the (passive) fan', () => {
		const rows = demoGpuRows(FULL_GPU_FIELDS, T0 + 30_000, T0).map((line) => parseGpuLine(line, FULL_GPU_FIELDS));
		expect(rows).toHaveLength(4);
		for (const [i, r] of rows.entries()) {
			expect(r.kind).toBe('row');
			if (r.kind !== 'row') continue;
			expect(r.row).toMatchObject({index: i, uuid: DEMO_GPUS[i]!.uuid, name: 'NVIDIA H100 80GB HBM3', pstate: 'P0'});
			expect(r.row.readings.temperatureC?.value).toBeGreaterThan(20);
			expect(r.row.readings.fanPercent).toEqual({reason: expect.any(String)});
			// Every health field known too: ECC clean, nothing pending, a full-width link, clocks and the energy counter.
			for (const metric of ['eccUncorrectedVolatile', 'remappedRowsPending', 'pcieWidthCurrent', 'smClockMaxMhz', 'memoryClockMhz', 'energyMj', 'throttleSwPowerCap'] as const)
				expect(r.row.readings[metric]?.value, metric).toBeDefined();
			expect(r.row.readings.pcieWidthCurrent?.value).toBe(16);
		}
	});

	it('the hot GPU throttles (software thermal slowdown) exactly while at 85 C or more', () => {
		const fields = ['temperature.gpu', 'clocks_event_reasons.sw_thermal_slowdown'];
		let both = 0;
		for (let s = 0; s < 300; s += 5) {
			const [temp, reason] = demoGpuRows(fields, T0 + s * 1000, T0, [1])[0]!.split(', ');
			expect(reason).toBe(Number(temp) >= 85 ? 'Active' : 'Not Active');
			if (reason === 'Active') both += 1;
		}
		expect(both).toBeGreaterThan(0);
		expect(both).toBeLessThan(60);
	});

	it('honour --id and move over time (utilization swings, GPU 2 fills its memory)', () => {
		expect(demoGpuRows(['index'], T0, T0, [1, 3])).toEqual(['1', '3']);
		const mem = (ms: number) => Number(demoGpuRows(['memory.used'], ms, T0, [2])[0]);
		expect(mem(T0 + 120_000)).toBeGreaterThan(mem(T0));
	});

	it('list a process per busy GPU for --query-compute-apps', () => {
		const apps = parseAppsOutput(demoAppRows(APPS_FIELDS, T0, T0).join('\n'));
		expect(apps.map((a) => a.gpuUuid)).toEqual(DEMO_GPUS.filter((g) => g.util > 0).map((g) => g.uuid));
	});
});

describe('when --demo uses them', () => {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-path-'));
	const smi = join(dir, 'nvidia-smi');
	writeFileSync(smi, '#!/bin/sh\n');
	chmodSync(smi, 0o755);

	it('never without --demo, never when nvidia-smi is on PATH or configured', () => {
		expect(findOnPath('nvidia-smi', {PATH: dir})).toBe(smi);
		expect(demoNvidiaSmi({demo: false}, EMPTY_CONFIG, {PATH: '/nonexistent'})).toBeUndefined();
		expect(demoNvidiaSmi({demo: true}, EMPTY_CONFIG, {PATH: dir})).toBeUndefined();
		expect(demoNvidiaSmi({demo: true}, {gpu: {nvidiaSmi: '/x/nvidia-smi'}}, {PATH: '/nonexistent'})).toBeUndefined();
	});
});
