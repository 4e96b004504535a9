/**
Energy per project: the even split of each GPU interval (unit and property: the projects' sums are the energy that
was attributed, nothing counted twice), a known power profile (trapezoid) through the GPU store, day rollover, cost,
the text, and the whole path from the fake nvidia-smi's `projects` scenario joined to the fake /proc tree.
*/
import {join} from 'node:path';
import {afterEach, describe, expect, it, test} from 'vitest';
import fc from 'fast-check';
import {addShare, kwhText, projectEnergy, projectEnergyLines, projectEnergyText, splitInterval, type ProjectEnergyState} from '../../src/gpu/project-energy.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {GpuSampler} from '../../src/gpu/gpu-sampler.js';
import {parseGpuLine, type ParsedApp, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {gpuCurrentFields, projectEnergyValue} from '../../src/gpu/redis-entries.js';
import {claimedPids} from '../../src/gpu/project-join.js';
import {FAKE_NVIDIA_SMI, recording} from './fixtures.js';

const S = 1000;

/** A GPU row of the old-driver recording (no energy counter: power draw is integrated) with the power and id asked. */
function gpuRow(index: number, powerW: number | undefined): ParsedGpuRow {
	const rec = recording('old-driver');
	const parsed = parseGpuLine(rec.lines[0]!, rec.fields);
	if (parsed.kind !== 'row') throw new Error('fixture');
	const row = parsed.row;
	return {
		...row,
		index,
		uuid: `GPU-${index}`,
		readings: {...row.readings, powerDrawW: powerW === undefined ? {reason: 'not available'} : {value: powerW}},
	};
}

const app = (gpu: number, pid: number, usedMemoryMb = 1000): ParsedApp => ({gpuUuid: `GPU-${gpu}`, pid, name: 'python3', usedMemoryMb});

describe('the even split', () => {
	it('splits among distinct projects; none gets nothing; bad numbers split nothing', () => {
		expect(splitInterval(90, 3, ['a', 'b', 'a', 'c'])).toEqual([
			{projectId: 'a', joules: 30, seconds: 1},
			{projectId: 'b', joules: 30, seconds: 1},
			{projectId: 'c', joules: 30, seconds: 1},
		]);
		expect(splitInterval(90, 3, [])).toEqual([]);
		expect(splitInterval(Number.NaN, 3, ['a'])).toEqual([]);
		expect(splitInterval(-1, 3, ['a'])).toEqual([]);
		expect(splitInterval(Number.POSITIVE_INFINITY, 3, ['a'])).toEqual([]);
	});

	it('property: the shares sum to the interval, each project once', () => {
		fc.assert(
			fc.property(fc.double({min: 0, max: 1e9, noNaN: true}), fc.double({min: 0, max: 1e6, noNaN: true}), fc.array(fc.constantFrom('a', 'b', 'c', 'd', '日本', '🚀'), {maxLength: 12}), (joules, seconds, projects) => {
				const shares = splitInterval(joules, seconds, projects);
				expect(shares.map((s) => s.projectId).sort()).toEqual([...new Set(projects)].sort());
				if (projects.length === 0) return;
				expect(shares.reduce((s, x) => s + x.joules, 0)).toBeCloseTo(joules, 6);
				expect(shares.reduce((s, x) => s + x.seconds, 0)).toBeCloseTo(seconds, 6);
			}),
		);
	});

	it('property, through the GPU store: the projects sum to the energy of GPU intervals that had a project, never more than the box', () => {
		const frame = fc.record({
			dt: fc.integer({min: 1, max: 400}),
			powers: fc.array(fc.option(fc.double({min: 0, max: 1000, noNaN: true}), {nil: undefined}), {minLength: 3, maxLength: 3}),
			apps: fc.option(fc.array(fc.record({gpu: fc.integer({min: 0, max: 2}), pid: fc.integer({min: 1, max: 6})}), {maxLength: 6}), {nil: undefined}),
		});
		fc.assert(
			fc.property(fc.array(frame, {minLength: 1, maxLength: 40}), (frames) => {
				const store = new GpuStore();
				// pids 1-4 belong to projects (two pids of "a"), 5-6 to none.
				const projectOf = new Map([
					[1, 'a'],
					[2, 'a'],
					[3, 'b'],
					[4, 'c'],
				]);
				let t = Date.UTC(2026, 11, 6, 10);
				let expected = 0;
				for (const f of frames) {
					t += f.dt * S;
					const before = store.rows().map((r) => r.energy?.sinceStartKwh ?? 0);
					const hadProject = store.rows().map((r) => r.processes.some((p) => p.projectId !== undefined));
					store.applyFrame(
						f.powers.map((p, i) => gpuRow(i, p)),
						t,
					);
					store.rows().forEach((r, i) => {
						if (hadProject[i]) expected += (r.energy?.sinceStartKwh ?? 0) - (before[i] ?? 0);
					});
					if (f.apps !== undefined) store.setProcesses(f.apps.map((a) => app(a.gpu, a.pid)), undefined, projectOf);
				}
				const snapshot = store.snapshot();
				const projects = snapshot.projects ?? [];
				const sum = projects.reduce((s, p) => s + p.runKwh, 0);
				expect(sum).toBeCloseTo(expected, 9);
				expect(sum).toBeLessThanOrEqual((snapshot.energy?.sinceStartKwh ?? 0) + 1e-9);
				const hours = projects.reduce((s, p) => s + p.runGpuHours, 0);
				expect(hours).toBeLessThanOrEqual((snapshot.gpus.reduce((s, r) => s + (r.energy?.todayGpuHours ?? 0), 0)) + 1e-9);
			}),
		);
	});
});

describe('a known power profile (trapezoid)', () => {
	it('GPU 0 ramps 0 -> 600 W over an hour for "a" alone; GPU 1 draws 400 W, shared by "a" and "b": a 0.5 kWh, b 0.2 kWh', () => {
		const store = new GpuStore();
		store.setPricing({pricePerKwh: 0.3, currency: 'EUR', pue: 1.5, gridGramsPerKwh: 400});
		const start = Date.UTC(2026, 11, 6, 10);
		store.applyFrame([gpuRow(0, 0), gpuRow(1, 400)], start);
		store.setProcesses([app(0, 10), app(1, 11), app(1, 20)], undefined, new Map([[10, 'a'], [11, 'a'], [20, 'b']]));
		for (let t = 1; t <= 3600; t++) store.applyFrame([gpuRow(0, (600 * t) / 3600), gpuRow(1, 400)], start + t * S);
		const projects = Object.fromEntries((store.snapshot().projects ?? []).map((p) => [p.projectId, p]));
		expect(projects['a']!.runKwh).toBeCloseTo(0.3 + 0.2, 9);
		expect(projects['b']!.runKwh).toBeCloseTo(0.2, 9);
		expect(projects['a']!.todayKwh).toBeCloseTo(0.5, 9);
		expect(projects['a']!.runGpuHours).toBeCloseTo(1.5, 9);
		expect(projects['b']!.runGpuHours).toBeCloseTo(0.5, 9);
		expect(projects['a']!.gpus).toEqual([0, 1]);
		expect(projects['b']!.gpus).toEqual([1]);
		expect(projects['a']!.sinceMs).toBe(start);
		expect(projects['a']!.estimated).toBe(true);
		expect(projects['a']!.todayCost).toBeCloseTo(0.5 * 1.5 * 0.3, 9);
		expect(projects['b']!.runCo2eKg).toBeCloseTo((0.2 * 1.5 * 400) / 1000, 9);
		expect(projects['a']!.currency).toBe('EUR');
		// The box holds the same 0.7 kWh: nothing unattributed here.
		expect(store.snapshot().energy!.sinceStartKwh).toBeCloseTo(0.7, 9);
		// The per-GPU hash names the GPU's projects, and each process its own.
		const fields = gpuCurrentFields(store.rows()[1]!, 'now');
		expect(JSON.parse(fields['projects']!)).toEqual(['a', 'b']);
		expect(JSON.parse(fields['processes']!)).toEqual(expect.arrayContaining([expect.objectContaining({pid: 20, project_id: 'b'})]));
	});

	it('an interval on a GPU with no project, or a hole in the power reading, is attributed to no project', () => {
		const store = new GpuStore();
		const start = Date.UTC(2026, 11, 6, 10);
		store.applyFrame([gpuRow(0, 100)], start);
		store.applyFrame([gpuRow(0, 100)], start + 60 * S); // no process yet: 100 W x 60 s unattributed
		store.setProcesses([app(0, 1)], undefined, new Map([[1, 'a']]));
		store.applyFrame([gpuRow(0, 100)], start + 120 * S); // 6000 J to "a"
		store.applyFrame([gpuRow(0, undefined)], start + 180 * S); // hole: nothing
		store.applyFrame([gpuRow(0, 100)], start + 240 * S); // hole on its other side too
		const snapshot = store.snapshot();
		expect(snapshot.projects![0]!.runKwh * 3_600_000).toBeCloseTo(6000, 6);
		expect(snapshot.energy!.sinceStartKwh * 3_600_000).toBeCloseTo(12_000, 6);
		expect(projectEnergyLines(snapshot).at(-1)).toBe('  energy tied to no project: today 0.00 kWh, since start 0.00 kWh');
	});
});

describe('days, figures and text', () => {
	it("a new local day starts the project's today from 0; its run keeps counting", () => {
		let state: ProjectEnergyState | undefined;
		state = addShare(state, {projectId: 'a', joules: 3_600_000, seconds: 3600}, 0, false, '2026-12-05');
		state = addShare(state, {projectId: 'a', joules: 1_800_000, seconds: 1800}, 3600 * S, false, '2026-12-06');
		const figures = projectEnergy('a', state, '2026-12-06', [0]);
		expect(figures).toMatchObject({todayKwh: 0.5, runKwh: 1.5, todayGpuHours: 0.5, runGpuHours: 1.5, sinceMs: 0, estimated: false});
		// Read the next day without any new energy: nothing today.
		expect(projectEnergy('a', state, '2026-12-07', []).todayKwh).toBe(0);
		expect(figures).not.toHaveProperty('todayCost');
	});

	it('kWh in at most 9 cells; the --once line; the Redis value', () => {
		expect([0.004, 1.234, 12.34, 999.94, 12_345, 123_456, 1e7, Number.NaN].map(kwhText)).toEqual(['0.00 kWh', '1.23 kWh', '12.3 kWh', '999.9 kWh', '12345 kWh', '123 MWh', '>9999 MWh', '? kWh']);
		fc.assert(fc.property(fc.double({min: 0, max: 1e300, noNaN: true}), (v) => kwhText(v).length <= 9));
		const p = projectEnergy('asr', {joules: 7_200_000, seconds: 7200, day: 'd', todayJoules: 3_600_000, todaySeconds: 3600, sinceMs: Date.UTC(2026, 11, 6, 5), estimated: true}, 'd', [0, 1], {pricePerKwh: 0.2, currency: 'EUR'});
		expect(projectEnergyText(p)).toBe('today 1.00 kWh, 1.00 GPU-h, 0.20 EUR; run 2.00 kWh, 2.00 GPU-h, 0.40 EUR since 2026-12-06T05:00:00.000Z; on GPU 0, 1 (estimate from power draw)');
		expect(JSON.parse(projectEnergyValue(p, 'T'))).toEqual({
			today_kwh: 1,
			today_gpu_hours: 1,
			run_kwh: 2,
			run_gpu_hours: 2,
			since: '2026-12-06T05:00:00.000Z',
			gpus: [0, 1],
			source: 'estimate',
			today_cost: 0.2,
			run_cost: 0.4,
			currency: 'EUR',
			last_updated: 'T',
		});
		expect(projectEnergyLines({})).toEqual([]);
	});
});

describe('from the fake nvidia-smi to projects, through a fake /proc tree', () => {
	const samplers: GpuSampler[] = [];
	afterEach(async () => {
		for (const s of samplers.splice(0)) await s.stop();
	});

	test('the projects scenario: workers of a claimed torchrun and a claimed trainer, the rest free; energy follows', async () => {
		const store = new GpuStore();
		const now = Date.now();
		const claims = [
			['asr-large', [{pid: 4000, firstSeenMs: now, lastSeenMs: now}]],
			['tts', [{pid: 4200, host: 'this-box', firstSeenMs: now, lastSeenMs: now}]],
			['elsewhere', [{pid: 4300, host: 'other-box', firstSeenMs: now, lastSeenMs: now}]],
		] as const;
		const sampler = new GpuSampler(store, {
			bin: FAKE_NVIDIA_SMI,
			intervalMs: 100,
			processesEveryMs: 150,
			env: {FAKE_NVIDIA_SMI_SCENARIO: 'projects'},
			procRoot: join(import.meta.dirname, '..', 'fixtures', 'proc', 'projects'),
			projectClaims: () => claimedPids(claims, 'this-box', Date.now()),
		});
		samplers.push(sampler);
		await sampler.start();
		const deadline = Date.now() + 8000;
		const done = () => (store.snapshot().projects ?? []).filter((p) => p.runKwh > 0).length === 2 && store.rows()[1]!.processes.length === 3;
		while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
		const [gpu0, gpu1] = store.rows();
		expect(gpu0!.processes.map((p) => [p.pid, p.projectId])).toEqual([[4100, 'asr-large']]);
		expect(gpu1!.processes.map((p) => [p.pid, p.projectId ?? null])).toEqual([
			[4101, 'asr-large'],
			[4200, 'tts'],
			[4300, null],
		]);
		// The processes are joined to their host processes as before.
		expect(gpu1!.processes[0]!.host?.command).toBe('/usr/bin/python3 train.py --local-rank=1');
		const projects = Object.fromEntries((store.snapshot().projects ?? []).map((p) => [p.projectId, p]));
		expect(Object.keys(projects).sort()).toEqual(['asr-large', 'tts']);
		expect(projects['asr-large']!.gpus).toEqual([0, 1]);
		expect(projects['tts']!.gpus).toEqual([1]);
		// "asr-large" has GPU 0 alone and half of GPU 1; "tts" half of GPU 1.
		expect(projects['asr-large']!.runKwh).toBeGreaterThan(projects['tts']!.runKwh);
		expect(projects['asr-large']!.estimated).toBe(true);
	});

	test('recorded on a real H100 (driver 580.159.04): its compute-apps pid is in /proc, under the shell that started it', async () => {
		const store = new GpuStore();
		const now = Date.now();
		const sampler = new GpuSampler(store, {
			bin: FAKE_NVIDIA_SMI,
			intervalMs: 100,
			processesEveryMs: 150,
			env: {FAKE_NVIDIA_SMI_SCENARIO: 'real-h100-580'},
			procRoot: join(import.meta.dirname, '..', 'fixtures', 'proc', 'h100-real'),
			projectClaims: () => claimedPids([['real-run', [{pid: 615, firstSeenMs: now, lastSeenMs: now}]]], 'box', Date.now()),
		});
		samplers.push(sampler);
		await sampler.start();
		const deadline = Date.now() + 8000;
		while (((store.snapshot().projects ?? [])[0]?.runKwh ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
		const [gpu] = store.rows();
		expect(gpu!.processes).toEqual([expect.objectContaining({pid: 617, projectId: 'real-run', host: expect.objectContaining({command: 'python3 /tmp/h.py'})})]);
		// That driver does not know the energy counter: dropped from the query, the energy is an estimate.
		expect(store.snapshot().droppedFields).toContain('total_energy_consumption');
		expect(store.snapshot().projects![0]).toMatchObject({projectId: 'real-run', gpus: [0], estimated: true});
	});
});
