/**
Reading GPU projects back at start (project-hydrate.ts): claims from the per-GPU hashes and energy from
`metrics:training:{id}:energy`, as untrusted data: bad pids, ids with separators, corrupt JSON, future or ancient
times and out-of-range figures are skipped (and counted by the hydrator), never thrown.
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {claimsFromGpuHash, energyFromValue, projectHydrator} from '../../src/gpu/project-hydrate.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {type KvReader} from '../../src/bus/kv.js';
import {type ProjectEnergyState} from '../../src/gpu/project-energy.js';

const NOW = Date.UTC(2026, 11, 6, 12);
const iso = (ms: number) => new Date(ms).toISOString();

describe('claims from a per-GPU hash', () => {
	it('takes each process with a project_id; skips and counts bad pids and ids', () => {
		const processes = [
			{pid: 4100, project_id: 'asr-large'},
			{pid: 4300},
			{pid: -1, project_id: 'x'},
			{pid: 7, project_id: 'a:b'},
			{pid: '42', project_id: '音声'},
			null,
			'junk',
		];
		expect(claimsFromGpuHash({processes: JSON.stringify(processes), last_updated: iso(NOW - 1000)}, NOW)).toEqual({
			claims: [
				{pid: 4100, projectId: 'asr-large', seenMs: NOW - 1000},
				{pid: 42, projectId: '音声', seenMs: NOW - 1000},
			],
			bad: 2,
		});
	});

	it('a hash with corrupt JSON, or a time from the future or before 1990, gives nothing', () => {
		expect(claimsFromGpuHash({processes: '[{', last_updated: iso(NOW)}, NOW)).toEqual({claims: [], bad: 1});
		expect(claimsFromGpuHash({processes: '[{"pid":1,"project_id":"a"}]', last_updated: iso(NOW + 3_600_000)}, NOW).claims).toEqual([]);
		expect(claimsFromGpuHash({processes: '[{"pid":1,"project_id":"a"}]', last_updated: '1970-01-01T00:00:00Z'}, NOW).claims).toEqual([]);
		expect(claimsFromGpuHash({}, NOW)).toEqual({claims: [], bad: 0});
	});
});

describe('energy read back', () => {
	const value = (extra: Record<string, unknown> = {}) =>
		JSON.stringify({today_kwh: 1, today_gpu_hours: 2, run_kwh: 3, run_gpu_hours: 4, since: iso(NOW - 86_400_000), gpus: [0], source: 'counter', last_updated: iso(NOW - 1000), ...extra});

	it('a good value becomes the run and (the same day) today', () => {
		expect(energyFromValue(value(), NOW)).toMatchObject({joules: 3 * 3_600_000, seconds: 4 * 3600, todayJoules: 3_600_000, todaySeconds: 7200, sinceMs: NOW - 86_400_000, estimated: false});
	});

	it('written on an earlier day: the run only', () => {
		expect(energyFromValue(value({last_updated: iso(NOW - 3 * 86_400_000)}), NOW)).toMatchObject({todayJoules: 0, todaySeconds: 0, joules: 3 * 3_600_000});
	});

	it.each([
		[{run_kwh: -1}],
		[{run_kwh: 1e10}],
		[{run_kwh: 'NaN'}],
		[{run_kwh: null}],
		[{today_kwh: 5}],
		[{since: 'yesterday'}],
		[{last_updated: iso(NOW + 3_600_000)}],
		[{run_gpu_hours: Number.MAX_VALUE}],
	])('%j is skipped', (extra) => {
		expect(energyFromValue(value(extra), NOW)).toBeUndefined();
	});

	it('property: any JSON is a state within the limits or nothing, never a throw', () => {
		fc.assert(
			fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
				const state = energyFromValue(text, NOW);
				if (state !== undefined) expect(state.joules).toBeLessThanOrEqual(1e9 * 3_600_000);
			}),
		);
	});
});

describe('the hydrator', () => {
	/** A read-only key space over plain hashes (the KvReader the runtime hands hydrators). */
	const kvOf = (hashes: Record<string, Record<string, string>>, wrongType: readonly string[] = []): KvReader => ({
		scan: () => Promise.resolve([]),
		lrange: () => Promise.resolve([]),
		smembers: () => Promise.resolve([]),
		get: () => Promise.resolve(null),
		hgetall: (key) => (wrongType.includes(key) ? Promise.reject(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')) : Promise.resolve(hashes[key] ?? {})),
	});

	it('a key of the wrong type (another agent wrote a list there) is counted, and the rest still read', async () => {
		const store = new MetricsStore({}, () => NOW);
		store.project('a');
		store.project('b');
		const seeded: string[] = [];
		const energy = JSON.stringify({today_kwh: 0, today_gpu_hours: 0, run_kwh: 1, run_gpu_hours: 1, since: iso(NOW - 1000), last_updated: iso(NOW)});
		const kv = kvOf({'metrics:training:b:energy': {box: energy}}, ['metrics:gpu:box:state', 'metrics:training:a:energy']);
		await projectHydrator('box', (id) => seeded.push(id), () => NOW)(kv, store);
		expect(seeded).toEqual(['b']);
		expect(store.counters.hydrationRejected).toBe(2);
	});

	it("ties known projects' pids, seeds their energy, counts what is bad; an unknown project id creates nothing", async () => {
		const store = new MetricsStore({}, () => NOW);
		store.project('asr-large');
		store.project('tts');
		const seeded: Array<[string, ProjectEnergyState]> = [];
		const kv = kvOf({
			'metrics:gpu:box:state': {uuids: 'GPU-a,GPU-b'},
			'metrics:gpu:box:GPU-a:current': {processes: JSON.stringify([{pid: 4100, project_id: 'asr-large'}, {pid: 9, project_id: 'ghost'}]), last_updated: iso(NOW)},
			'metrics:gpu:box:GPU-b:current': {processes: '{not json', last_updated: iso(NOW)},
			'metrics:training:asr-large:energy': {box: JSON.stringify({today_kwh: 1, today_gpu_hours: 1, run_kwh: 2, run_gpu_hours: 2, since: iso(NOW - 1000), last_updated: iso(NOW)}), other: '{}'},
			'metrics:training:tts:energy': {box: '{"run_kwh": -5}'},
		});
		await projectHydrator('box', (id, s) => seeded.push([id, s]), () => NOW)(kv, store);
		expect(store.projects.get('asr-large')!.processes).toEqual([{pid: 4100, firstSeenMs: NOW, lastSeenMs: NOW}]);
		expect(store.projects.has('ghost')).toBe(false);
		expect(seeded.map(([id]) => id)).toEqual(['asr-large']);
		expect(store.counters.hydrationRejected).toBe(2);
		expect([...store.counters.rejectReasons.keys()].sort()).toEqual(['hydration: bad GPU process project entry', 'hydration: bad project energy entry']);
	});
});
