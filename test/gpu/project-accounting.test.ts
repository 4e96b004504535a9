/**
Energy per project across a restart: what the start-up read-back seeds must neither hide the energy no project ran
(the `energy tied to no project` line counts what this instance saw go to no project) nor be lost when live figures
came first (Redis reached after the GPUs were sampled), and must not be counted twice when the stored figure is this
instance's own.
*/
import {describe, expect, it} from 'vitest';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {parseGpuLine, type ParsedApp, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {joinStored, projectEnergyLines, type ProjectEnergyState} from '../../src/gpu/project-energy.js';
import {energyFromValue} from '../../src/gpu/project-hydrate.js';
import {projectEnergyValue} from '../../src/gpu/redis-entries.js';
import {localDay} from '../../src/gpu/energy.js';
import {recording} from './fixtures.js';

const S = 1000;
const KWH = 3_600_000;

function gpuRow(index: number, powerW: number): ParsedGpuRow {
	const rec = recording('old-driver');
	const parsed = parseGpuLine(rec.lines[0]!, rec.fields);
	if (parsed.kind !== 'row') throw new Error('fixture');
	return {...parsed.row, index, uuid: `GPU-${index}`, readings: {...parsed.row.readings, powerDrawW: {value: powerW}}};
}

const app = (gpu: number, pid: number): ParsedApp => ({gpuUuid: `GPU-${gpu}`, pid, name: 'python3', usedMemoryMb: 1000});

/** An hour at `watts` on GPU 0, one frame a second, from `start`. */
function runHour(store: GpuStore, start: number, watts: number): number {
	for (let t = 1; t <= 3600; t++) store.applyFrame([gpuRow(0, watts)], start + t * S);
	return start + 3600 * S;
}

describe('energy per project across a restart', () => {
	it('a project read back with more today than this instance saw: the energy tied to no project is still counted', () => {
		const store = new GpuStore();
		const start = Date.UTC(2026, 11, 6, 10);
		const stored: ProjectEnergyState = {joules: 10 * KWH, seconds: 10 * 3600, day: localDay(start), todayJoules: 2 * KWH, todaySeconds: 2 * 3600, sinceMs: start - 10 * 3600 * S, estimated: true};
		store.seedProjectEnergy('a', stored);
		store.applyFrame([gpuRow(0, 1000)], start);
		// An hour at 1 kW with no process: 1 kWh that no project ran.
		runHour(store, start, 1000);
		const snapshot = store.snapshot();
		expect(snapshot.energy!.todayKwh).toBeCloseTo(1, 6);
		expect(projectEnergyLines(snapshot).at(-1)).toBe('  energy tied to no project: today 1.00 kWh, since start 1.00 kWh');
	});

	it('the read-back arrives after live figures (Redis reached late): the stored run is added, not dropped', () => {
		const store = new GpuStore();
		const start = Date.UTC(2026, 11, 6, 10);
		store.applyFrame([gpuRow(0, 1000)], start);
		store.setProcesses([app(0, 7)], undefined, new Map([[7, 'a']]));
		runHour(store, start, 1000);
		const earlier: ProjectEnergyState = {joules: 10 * KWH, seconds: 10 * 3600, day: localDay(start), todayJoules: 2 * KWH, todaySeconds: 2 * 3600, sinceMs: start - 10 * 3600 * S, estimated: false};
		store.seedProjectEnergy('a', earlier);
		const a = store.snapshot().projects!.find((p) => p.projectId === 'a')!;
		expect(a.runKwh).toBeCloseTo(11, 6);
		expect(a.todayKwh).toBeCloseTo(3, 6);
		expect(a.runGpuHours).toBeCloseTo(11, 6);
		expect(a.sinceMs).toBe(earlier.sinceMs);
		expect(a.estimated).toBe(true);
	});

	it("the read-back is this instance's own write (it wrote before it read): not counted twice", () => {
		const store = new GpuStore();
		const start = Date.UTC(2026, 11, 6, 10);
		store.applyFrame([gpuRow(0, 1000)], start);
		store.setProcesses([app(0, 7)], undefined, new Map([[7, 'a']]));
		const end = runHour(store, start, 1000);
		const written = projectEnergyValue(store.snapshot().projects![0]!, new Date(end).toISOString());
		store.seedProjectEnergy('a', energyFromValue(written, end)!);
		expect(store.snapshot().projects![0]!.runKwh).toBeCloseTo(1, 6);
	});
});

describe('joinStored', () => {
	const state = (day: string, todayJoules: number, sinceMs: number): ProjectEnergyState => ({joules: 10, seconds: 10, day, todayJoules, todaySeconds: todayJoules, sinceMs, estimated: false});

	it("keeps today's figures of the later day only, and sums the runs", () => {
		expect(joinStored(state('2026-12-06', 4, 2), state('2026-12-05', 3, 1))).toMatchObject({joules: 20, day: '2026-12-06', todayJoules: 4, sinceMs: 1});
		expect(joinStored(state('2026-12-05', 4, 2), state('2026-12-06', 3, 1))).toMatchObject({joules: 20, day: '2026-12-06', todayJoules: 3, sinceMs: 1});
		expect(joinStored(state('2026-12-06', 4, 2), state('2026-12-06', 3, 1))).toMatchObject({day: '2026-12-06', todayJoules: 7, todaySeconds: 7});
		expect(joinStored(state('2026-12-06', 4, 2), state('2026-12-06', 3, 2))).toEqual(state('2026-12-06', 4, 2));
	});
});
