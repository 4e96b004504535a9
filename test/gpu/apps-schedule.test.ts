import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import fc from 'fast-check';
import {afterEach, describe, expect, test} from 'vitest';
import {appsQueryDue, APPS_MAX_AGE_MS, APPS_MEMORY_DELTA_MB, type AppsQueryMemo} from '../../src/gpu/apps-schedule.js';
import {GpuSampler} from '../../src/gpu/gpu-sampler.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {FAKE_NVIDIA_SMI} from './fixtures.js';

const memo = (atMs: number, entries: Array<[string, number]>): AppsQueryMemo => ({atMs, memoryMb: new Map(entries)});

describe('appsQueryDue (pure)', () => {
	test('asks the first time, when the list is old, and when the clock went back', () => {
		expect(appsQueryDue(undefined, new Map(), 0)).toBe(true);
		const last = memo(1000, [['a', 100]]);
		expect(appsQueryDue(last, new Map([['a', 100]]), 1000 + APPS_MAX_AGE_MS - 1)).toBe(false);
		expect(appsQueryDue(last, new Map([['a', 100]]), 1000 + APPS_MAX_AGE_MS)).toBe(true);
		expect(appsQueryDue(last, new Map([['a', 100]]), 999)).toBe(true);
	});

	test('asks when a GPU came or went, or its memory moved by the delta; not for smaller moves', () => {
		const last = memo(0, [['a', 1000], ['b', 2000]]);
		expect(appsQueryDue(last, new Map([['a', 1000 + APPS_MEMORY_DELTA_MB - 1], ['b', 2000 - APPS_MEMORY_DELTA_MB + 1]]), 10)).toBe(false);
		expect(appsQueryDue(last, new Map([['a', 1000 + APPS_MEMORY_DELTA_MB], ['b', 2000]]), 10)).toBe(true);
		expect(appsQueryDue(last, new Map([['a', 1000], ['b', 2000 - APPS_MEMORY_DELTA_MB]]), 10)).toBe(true);
		expect(appsQueryDue(last, new Map([['a', 1000]]), 10)).toBe(true);
		expect(appsQueryDue(last, new Map([['a', 1000], ['c', 2000]]), 10)).toBe(true);
	});

	test('an unknown reading: known against unknown asks again, unknown against unknown does not', () => {
		expect(appsQueryDue(memo(0, [['a', 500]]), new Map([['a', Number.NaN]]), 10)).toBe(true);
		expect(appsQueryDue(memo(0, [['a', Number.NaN]]), new Map([['a', 500]]), 10)).toBe(true);
		expect(appsQueryDue(memo(0, [['a', Number.NaN]]), new Map([['a', Number.NaN]]), 10)).toBe(false);
	});

	test('never skips a move of the delta or more on any GPU (property)', () => {
		const gpus = fc.uniqueArray(fc.string({minLength: 1, maxLength: 4}), {minLength: 1, maxLength: 8});
		fc.assert(
			fc.property(gpus, fc.array(fc.integer({min: 0, max: 200_000}), {minLength: 8, maxLength: 8}), fc.nat(7), fc.integer({min: -100_000, max: 100_000}), fc.nat(APPS_MAX_AGE_MS * 2), (ids, mem, which, move, age) => {
				const before = new Map(ids.map((id, i) => [id, mem[i]!] as [string, number]));
				const now = new Map(before);
				const id = ids[which % ids.length]!;
				now.set(id, before.get(id)! + move);
				const due = appsQueryDue({atMs: 0, memoryMb: before}, now, age);
				if (Math.abs(move) >= APPS_MEMORY_DELTA_MB || age >= APPS_MAX_AGE_MS) expect(due).toBe(true);
				else expect(due).toBe(false);
			}),
		);
	});
});

describe('the sampler asks nvidia-smi for processes only when due', () => {
	const cleanup: Array<() => Promise<void> | void> = [];
	afterEach(async () => {
		for (const f of cleanup.splice(0).reverse()) await f();
	});

	test('steady memory: one list, the rest answered from it; an old list is asked for again and shows the new process', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-apps-'));
		cleanup.push(() => rmSync(dir, {recursive: true, force: true}));
		const scenario = join(dir, 'scenario');
		cpSync(join(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'scenarios', 'one-gpu'), scenario, {recursive: true});
		const log = join(dir, 'calls.jsonl');
		const store = new GpuStore();
		const sampler = new GpuSampler(store, {
			bin: FAKE_NVIDIA_SMI,
			intervalMs: 100,
			processesEveryMs: 100,
			processesMaxAgeMs: 1500,
			joinProcesses: false,
			env: {FAKE_NVIDIA_SMI_SCENARIO: scenario, FAKE_NVIDIA_SMI_LOG: log},
		});
		cleanup.push(() => sampler.stop());
		const appsCalls = () => readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"apps":true')).length;
		await sampler.start();
		const until = async (check: () => boolean, ms = 8000) => {
			const deadline = Date.now() + ms;
			while (!check()) {
				if (Date.now() > deadline) throw new Error('timed out');
				await new Promise((r) => setTimeout(r, 20));
			}
		};
		await until(() => (store.rows()[0]?.processes.length ?? 0) === 1);
		const started = Date.now();
		await until(() => sampler.stats.appsRefreshes >= 5);
		// The recording's memory moves by 2 MiB between frames: no new list inside the maximum age.
		if (Date.now() - started < 1400) expect(appsCalls()).toBe(1);
		// A second process appears; the list is asked for again once the first is 1.5 s old.
		writeFileSync(
			join(scenario, 'compute-apps.csv'),
			`${readFileSync(join(scenario, 'compute-apps.csv'), 'utf8').trimEnd()}\nGPU-d11acecc-227d-5b32-137b-c759953335c8, 4242, 512, python3 eval.py\n`,
		);
		await until(() => (store.rows()[0]?.processes.length ?? 0) === 2);
		expect(appsCalls()).toBeGreaterThanOrEqual(2);
		expect(sampler.stats.appsQueries).toBe(appsCalls());
	});
});
