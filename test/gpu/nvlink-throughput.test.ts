/** NVLink throughput from `nvidia-smi nvlink -gt d` counters: the parser (pure) and the poller against the fake nvidia-smi. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import fc from 'fast-check';
import {afterEach, describe, expect, test} from 'vitest';
import {nvlinkRate, parseNvlinkCounters} from '../../src/gpu/nvlink-parse.js';
import {NvlinkSampler} from '../../src/gpu/nvlink-sampler.js';
import {GpuSampler} from '../../src/gpu/gpu-sampler.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {gpuCurrentFields} from '../../src/gpu/redis-entries.js';
import {gpuLine} from '../../src/gpu/gpu-text.js';
import {FAKE_NVIDIA_SMI} from './fixtures.js';

describe('nvlink -gt d parsing', () => {
	test('per GPU, links summed; the driver-610 "Data Tx" and the older "Tx0" labels; a GPU without links', () => {
		const text = [
			'GPU 0: NVIDIA H800 (UUID: GPU-34bf77d1-c686-6821-79a8-32d326c5039c)',
			'\t Link 0: Data Tx: 5863784 KiB',
			'\t Link 0: Data Rx: 5863677 KiB',
			'\t Link 1: Data Tx: 100 KiB',
			'\t Link 1: Data Rx: 200 KiB',
			'GPU 1: Tesla V100-SXM2-32GB (UUID: GPU-b)',
			' Link 0: Tx0: 1000 KiB',
			' Link 0: Rx0: 2000 KiB',
			'GPU 2: NVIDIA GeForce RTX 4090 (UUID: GPU-c)',
		].join('\n');
		expect(parseNvlinkCounters(text)).toEqual({
			gpus: [
				{index: 0, uuid: 'GPU-34bf77d1-c686-6821-79a8-32d326c5039c', links: 2, txKiB: 5_863_884, rxKiB: 5_863_877},
				{index: 1, uuid: 'GPU-b', links: 1, txKiB: 1000, rxKiB: 2000},
				{index: 2, uuid: 'GPU-c', links: 0, txKiB: 0, rxKiB: 0},
			],
			skipped: 0,
		});
	});

	test('hostile lines are skipped and counted: raw counters, a link before any GPU, huge numbers, escape sequences', () => {
		const text = ['\t Link 0: Data Tx: 5 KiB', 'GPU 0: X (UUID: GPU-a)', '\t Link 0: Raw Tx: 9 KiB', '\t Link 0: Data Tx: 99999999999999999999 KiB', '\u001b]0;x\u0007 Link 0: Data Rx: 1 KiB', '\t Link 0: Data Tx: 7 KiB', '\t Link 0: Data Rx: 8 KiB'].join('\n');
		expect(parseNvlinkCounters(text)).toEqual({gpus: [{index: 0, uuid: 'GPU-a', links: 1, txKiB: 7, rxKiB: 8}], skipped: 4});
		fc.assert(fc.property(fc.string({maxLength: 200}), (t) => parseNvlinkCounters(t).gpus.every((g) => g.txKiB >= 0 && g.rxKiB >= 0 && Number.isFinite(g.txKiB))));
	});

	test('rate: MB/s between two readings; none when the counter went back, time stood still, or the links changed', () => {
		expect(nvlinkRate({kib: 0, timeMs: 0, links: 4}, {kib: 1_000_000, timeMs: 2000, links: 4})).toBeCloseTo(512, 6);
		expect(nvlinkRate({kib: 500, timeMs: 0, links: 4}, {kib: 100, timeMs: 1000, links: 4})).toBeUndefined();
		expect(nvlinkRate({kib: 0, timeMs: 1000, links: 4}, {kib: 100, timeMs: 1000, links: 4})).toBeUndefined();
		expect(nvlinkRate({kib: 0, timeMs: 0, links: 4}, {kib: 100, timeMs: 1000, links: 3})).toBeUndefined();
	});
});

const dirs: string[] = [];
const stops: Array<() => unknown> = [];
afterEach(async () => {
	for (const stop of stops.splice(0)) await stop();
	for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

async function until(check: () => boolean, ms = 8000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error('timed out waiting');
		await new Promise((r) => setTimeout(r, 25));
	}
}

async function rig(scenario: string, extra: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-nvlink-'));
	dirs.push(dir);
	const env = {FAKE_NVIDIA_SMI_SCENARIO: scenario, FAKE_NVIDIA_SMI_LOG: join(dir, 'log.jsonl'), ...extra.env};
	const store = new GpuStore();
	const sampler = new GpuSampler(store, {bin: FAKE_NVIDIA_SMI, intervalMs: 100, processesEveryMs: 0, env});
	const nvlink = new NvlinkSampler(store, {bin: FAKE_NVIDIA_SMI, everyMs: 300, env, ...(extra.timeoutMs !== undefined ? {timeoutMs: extra.timeoutMs} : {})});
	stops.push(() => nvlink.stop(), () => sampler.stop());
	await sampler.start();
	nvlink.start();
	return {store, nvlink};
}

describe('the nvlink poller against the fake nvidia-smi', () => {
	test('eight-gpu: a rate per GPU from the second reading on, in --once and the writer; the idle GPU at 0', async () => {
		const {store, nvlink} = await rig('eight-gpu');
		await until(() => nvlink.stats.polls >= 3 && store.rows().length === 8 && store.rows().every((r) => r.nvlink !== undefined));
		const gpu0 = store.rows()[0]!;
		// 4 links x 1,000,000 KiB per call, every ~300 ms: thousands of MB/s (timing varies; the order of magnitude does not).
		expect(gpu0.nvlink!.txMBps.value).toBeGreaterThan(1000);
		expect(gpu0.nvlink!.rxMBps.value).toBeGreaterThan(gpu0.nvlink!.txMBps.value!);
		expect(store.rows()[7]!.nvlink).toMatchObject({txMBps: {value: 0}, rxMBps: {value: 0}});
		expect(gpuLine(gpu0)).toMatch(/NVLink rx \d+ MB\/s tx \d+ MB\/s/);
		expect(Number(gpuCurrentFields(gpu0, 'T')['nvlink_tx_mb_s'])).toBeGreaterThan(1000);
		// After the recording's last snapshot the counters stand still: 0 MB/s, not the last rate.
		await until(() => store.rows()[0]!.nvlink!.txMBps.value === 0);
		expect(store.snapshot().droppedFields).toBeUndefined();
	});

	test('an nvlink poll that stops answering turns the last rates stale (they went on looking fresh)', async () => {
		// The timeout leaves room for the fake's start on a loaded machine; calls after the second never answer.
		const {store} = await rig('eight-gpu', {env: {FAKE_NVIDIA_SMI_NVLINK_HANG_AFTER: '2'}, timeoutMs: 2000});
		await until(() => store.rows().length === 8 && store.rows()[0]?.nvlink?.txMBps.value !== undefined, 10_000);
		await until(() => store.rows()[0]!.nvlink!.txMBps.stale === true, 10_000);
		expect(store.rows()[0]!.nvlink!.txMBps.reason).toBe('nvlink -gt d did not answer');
		expect(store.rows()[0]!.nvlink!.rxMBps.stale).toBe(true);
		expect(store.snapshot().droppedFields).toBeUndefined();
	});

	test('one-gpu: no NVLink on the box, no figure, nothing named as unsupported, and not asked again', async () => {
		const {store, nvlink} = await rig('one-gpu');
		await until(() => nvlink.stats.polls >= 1 && store.rows().length === 1);
		expect(nvlink.stats.noLinks).toBe(true);
		expect(store.rows()[0]!.nvlink).toBeUndefined();
		expect(store.snapshot().droppedFields).toBeUndefined();
		// Each poll is a process start: a box without links is not polled every period for nothing.
		await new Promise((r) => setTimeout(r, 1000));
		expect(nvlink.stats.polls).toBe(1);
	});

	test('no-dmon: an nvidia-smi without the nvlink command is named, and not asked again', async () => {
		const {store, nvlink} = await rig('no-dmon');
		await until(() => (store.snapshot().droppedFields ?? []).includes('nvlink throughput') && store.rows().length === 1);
		expect(store.snapshot().reason).toBe("not supported by the driver: nvlink throughput (nvlink -gt d: Invalid combination of input arguments. Please run 'nvidia-… (exit 2))");
		const polls = nvlink.stats.polls;
		await new Promise((r) => setTimeout(r, 700));
		expect(nvlink.stats.polls).toBe(polls);
	});
});
