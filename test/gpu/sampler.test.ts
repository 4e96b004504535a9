/** The sampler against the fake nvidia-smi (test/fixtures/nvidia-smi/bin/nvidia-smi) playing recorded scenarios. */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {GpuSampler, deriveStatus, frameTimes, type SamplerOptions} from '../../src/gpu/gpu-sampler.js';
import {onEachPass, phasePeriodicTimers} from '../../src/periodic.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {type JournalRecord} from '../../src/journal.js';
import {FAKE_NVIDIA_SMI, recording} from './fixtures.js';

interface Rig {
	store: GpuStore;
	sampler: GpuSampler;
	journal: JournalRecord[];
	invocations: () => Array<{pid: number; oneshot: boolean; apps: boolean; args: string[]}>;
}

const rigs: Rig[] = [];
const stops: Array<() => void> = [];
const dirs: string[] = [];

afterEach(async () => {
	for (const rig of rigs.splice(0)) await rig.sampler.stop();
	for (const stop of stops.splice(0)) stop();
	phasePeriodicTimers(false);
	for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function rig(scenario: string, options: Partial<SamplerOptions> = {}): Rig {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-gpu-'));
	dirs.push(dir);
	const log = join(dir, 'invocations.jsonl');
	const store = new GpuStore();
	const journal: JournalRecord[] = [];
	const sampler = new GpuSampler(store, {
		bin: FAKE_NVIDIA_SMI,
		intervalMs: 100,
		processesEveryMs: 0,
		backoffBaseMs: 100,
		backoffMaxMs: 400,
		env: {FAKE_NVIDIA_SMI_SCENARIO: scenario, FAKE_NVIDIA_SMI_LOG: log},
		journal: (r) => journal.push(r),
		...options,
	});
	const r: Rig = {
		store,
		sampler,
		journal,
		invocations: () => {
			try {
				return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as {pid: number; oneshot: boolean; apps: boolean; args: string[]});
			} catch {
				return [];
			}
		},
	};
	rigs.push(r);
	return r;
}

async function until(check: () => boolean, timeoutMs = 8000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('streaming from one long-lived child', () => {
	test('8 GPUs: start() resolves with the first frame; frames keep coming from ONE -lms child', async () => {
		const {store, sampler, invocations} = rig('eight-gpu');
		await sampler.start();
		expect(store.rows()).toHaveLength(8);
		await until(() => sampler.stats.frames >= 8);
		const calls = invocations();
		const loops = calls.filter((c) => c.args.includes('-lms'));
		expect(loops).toHaveLength(1);
		expect(loops[0]!.args).toContain('100');
		expect(calls.filter((c) => c.oneshot)).toHaveLength(1);
		expect(store.snapshot()).toMatchObject({state: 'ok', mode: 'stream'});
		expect(store.rows().every((r) => !r.lost && r.utilizationPercent.value !== undefined)).toBe(true);
		expect(store.series(store.rows()[0]!.uuid, 'utilizationPercent').length).toBeGreaterThanOrEqual(8);
		expect(sampler.stats.skippedLines).toBe(0);
	});

	test('1 GPU with fan and processes, joined to the host process in /proc (a recorded one)', async () => {
		const {store, sampler} = rig('one-gpu', {processesEveryMs: 200, procRoot: join(import.meta.dirname, '..', 'fixtures', 'proc', 'pids')});
		await sampler.start();
		await until(() => (store.rows()[0]?.processes.length ?? 0) > 0);
		const [row] = store.rows();
		expect(row!.name).toBe('NVIDIA GeForce RTX 4090');
		expect(row!.fanPercent.value).toBeGreaterThanOrEqual(41);
		expect(row!.persistenceMode).toBe(false);
		expect(row!.processes[0]).toMatchObject({pid: 3021, name: 'python3 -m torch.distributed.run finetune.py', usedMemoryMb: 18002});
		expect(row!.processes[0]!.host).toMatchObject({user: 'root', rssBytes: 6_000_000 * 1024, command: expect.stringMatching(/^python3 -m torch/)});
	});

	test('--gpus 0,3 picks a subset (passed as --id)', async () => {
		const {store, sampler, invocations} = rig('eight-gpu', {gpus: [0, 3]});
		await sampler.start();
		await until(() => sampler.stats.frames >= 3);
		expect(store.rows().map((r) => r.index)).toEqual([0, 3]);
		expect(invocations().every((c) => c.args.includes('--id=0,3'))).toBe(true);
		expect(store.lostCount()).toBe(0);
	});

	test('sentinels: unknown with reason, last good value kept and stale', async () => {
		const {store, sampler} = rig('sentinels');
		await sampler.start();
		await until(() => store.rows()[0]?.powerDrawW.stale === true);
		const rows = store.rows();
		expect(rows[0]!.powerDrawW).toEqual({value: 250.5, reason: 'not available', stale: true});
		expect(rows[1]!.temperatureC).toMatchObject({reason: 'not available', stale: true});
		expect(rows[2]!.fanPercent).toMatchObject({reason: 'not supported'});
		expect(rows[3]!.memoryUsedMb).toMatchObject({reason: 'insufficient permissions'});
		expect(rows[3]!.powerDrawW).toMatchObject({reason: 'error (ERR!)'});
		expect(store.snapshot().state).toBe('ok');
	});

	test('Xid / ECC lines mid-stream are skipped and frames continue', async () => {
		const {store, sampler} = rig('xid');
		await sampler.start();
		await until(() => sampler.stats.skippedLines >= 2 && sampler.stats.frames >= 5);
		expect(sampler.stats.lastSkipped).toMatch(/not a row/);
		expect(store.rows()).toHaveLength(2);
		expect(store.lostCount()).toBe(0);
		expect(store.snapshot().state).toBe('ok');
		// The Xid line names PCI 0000:18:00: GPU 0 (bus 00000000:18:00.0) counts it; the ECC line is not an Xid.
		expect(sampler.stats.xidLines).toBe(1);
		expect(store.rows()[0]!.health).toMatchObject({xidCount: 1, lastXid: {xid: 13, pci: '0000:18:00'}});
		expect(store.rows()[1]!.health!.xidCount).toBe(0);
	});

	test('health: throttling comes and goes, an Xid on its GPU, an uncorrectable ECC error, a degraded link', async () => {
		const {store, sampler, journal} = rig('health');
		await sampler.start();
		await until(() => sampler.stats.frames >= 9);
		const [gpu0, gpu1] = store.rows();
		const thermal = store.series(gpu0!.uuid, 'throttleThermal').map((p) => p.value);
		// Frame 1 (the one-shot), frame 1 again (the stream), frames 2-4 hot, then cool for good.
		expect(thermal.slice(0, 7)).toEqual([0, 0, 1, 1, 1, 0, 0]);
		expect(gpu0!.health!.throttles).toEqual([]);
		expect(gpu0!.health!.ecc).toMatchObject({level: 'corrected', correctedVolatile: 3, uncorrectedVolatile: 0});
		expect(gpu0!.health!.link.degraded).toBe(false);
		expect(store.series(gpu1!.uuid, 'throttlePower').every((p) => p.value === 1)).toBe(true);
		expect(gpu1!.health!.throttles.map((t) => t.name)).toEqual(['PWR-CAP']);
		// Active since the first frame: the since-time does not move while the reason stays active.
		expect(gpu1!.health!.throttles[0]!.sinceMs).toBe(store.series(gpu1!.uuid, 'throttlePower')[0]!.timeMs);
		expect(gpu1!.health!.link).toEqual({current: 'x8 gen5', max: 'x16 gen5', degraded: true, reason: 'x8 of x16'});
		expect(gpu1!.health!.ecc).toMatchObject({level: 'error', uncorrectedVolatile: 1, pending: true});
		expect(gpu1!.health).toMatchObject({xidCount: 1, lastXid: {xid: 48, pci: '0000:2a:00'}});
		expect(store.series(gpu1!.uuid, 'xidTotal').at(-1)!.value).toBe(1);
		expect(journal.find((r) => r['event'] === 'xid')).toMatchObject({xid: 48, uuid: gpu1!.uuid});
		expect(store.snapshot()).toMatchObject({state: 'ok'});
		expect(store.snapshot().droppedFields).toBeUndefined();
	});

	test('health fields under every sentinel: unknown with the reason, never 0', async () => {
		const {store, sampler} = rig('sentinels');
		await sampler.start();
		await until(() => sampler.stats.frames >= 4);
		const readings = store.rows().flatMap((r) => Object.values(r.health!.readings));
		const reasons = new Set(readings.map((r) => r!.reason).filter(Boolean));
		for (const reason of ['not available', 'not supported', 'unknown error', 'insufficient permissions', 'error (ERR!)']) expect(reasons).toContain(reason);
		expect(readings.every((r) => r!.reason === undefined || r!.stale === true || r!.value === undefined)).toBe(true);
	});

	test('lost GPU: a short frame marks the missing GPU lost; an all-error row too', async () => {
		const {store, sampler, journal} = rig('lost-gpu');
		await sampler.start();
		await until(() => store.lostCount() === 2);
		const rows = store.rows();
		expect(rows).toHaveLength(8);
		expect(rows[5]).toMatchObject({lost: true, lostReason: 'missing from nvidia-smi output'});
		expect(rows[5]!.memoryUsedMb).toEqual({value: 66500, reason: 'GPU lost', stale: true});
		expect(rows[6]).toMatchObject({lost: true, lostReason: 'every reading unavailable'});
		expect(store.snapshot()).toMatchObject({state: 'degraded', reason: '2 of 8 GPUs lost'});
		expect(journal.filter((r) => r['event'] === 'lost').map((r) => r['index'])).toEqual(expect.arrayContaining([5, 6]));
	});

	test('MIG-enabled GPU: utilization unavailable, the rest known', async () => {
		const {store, sampler} = rig('mig');
		await sampler.start();
		const [gpu0, gpu1] = store.rows();
		expect(gpu0!.utilizationPercent).toEqual({value: undefined, reason: 'not available with MIG enabled'});
		expect(gpu0!.migEnabled).toBe(true);
		expect(gpu0!.lost).toBe(false);
		expect(gpu1!.utilizationPercent.value).toBe(55);
		expect(store.snapshot().state).toBe('ok');
	});
});

describe('failures are visible states, retried with backoff', () => {
	test.each([
		['driver-not-loaded', 'NVIDIA driver not loaded'],
		['version-mismatch', 'driver/library version mismatch (NVML 535.161): reload the driver or reboot'],
		['no-gpus', 'no GPUs found'],
	])('%s', async (scenario, reason) => {
		const {store, sampler, invocations, journal} = rig(scenario);
		const t0 = Date.now();
		await sampler.start();
		expect(Date.now() - t0).toBeLessThan(1000);
		expect(store.snapshot()).toMatchObject({state: 'unavailable', reason, gpus: []});
		expect(store.snapshot().retryAtMs).toBeGreaterThan(t0);
		// Retried: 100 ms, 200 ms, 400 ms...
		await until(() => invocations().length >= 3);
		expect(store.snapshot().state).toBe('unavailable');
		expect(journal.filter((r) => r['event'] === 'state')).toHaveLength(1);
	});

	test('no nvidia-smi at the given path', async () => {
		const {store, sampler} = rig('eight-gpu', {bin: '/nonexistent/bin/nvidia-smi'});
		await sampler.start();
		expect(store.snapshot()).toMatchObject({state: 'unavailable', reason: '/nonexistent/bin/nvidia-smi not found (is the NVIDIA driver installed?)'});
	});

	test('no nvidia-smi on PATH', async () => {
		const {store, sampler} = rig('eight-gpu', {bin: 'nvidia-smi', env: {PATH: '/nonexistent'}});
		await sampler.start();
		expect(store.snapshot()).toMatchObject({state: 'unavailable'});
		expect(store.snapshot().reason).toContain('not found');
	});

	test('a field the driver does not know is dropped and the query retried', async () => {
		const {store, sampler, journal, invocations} = rig('old-driver');
		await sampler.start();
		await until(() => sampler.stats.frames >= 3);
		expect(sampler.currentFields).not.toContain('mig.mode.current');
		// 418 knows neither MIG, remapped rows nor the energy counter, and names its throttle reasons the old way.
		const dropped = ['mig.mode.current', 'remapped_rows.pending', 'total_energy_consumption'];
		expect(store.snapshot()).toMatchObject({state: 'ok', droppedFields: dropped, reason: `not supported by the driver: ${dropped.join(', ')}`});
		expect(store.rows()[0]!.utilizationPercent.value).toBeGreaterThanOrEqual(80);
		expect(journal.find((r) => r['event'] === 'fields-reduced')).toMatchObject({dropped: ['mig.mode.current']});
		// The clock event reasons were renamed to their legacy names (one retry for the family), not dropped.
		expect(sampler.currentFields).toContain('clocks_throttle_reasons.hw_thermal_slowdown');
		expect(sampler.currentFields.some((f) => f.startsWith('clocks_event_reasons.'))).toBe(false);
		const health = store.rows()[0]!.health!;
		expect(health.readings.throttleHwThermal).toEqual({value: 0});
		expect(health.readings.remappedRowsPending).toEqual({value: undefined, reason: 'not queried'});
		expect(health.link).toMatchObject({current: 'x16 gen3', max: 'x16 gen3', degraded: false});
		expect(health.ecc.level).toBe('ok');
		// One query per refused field or family: full, -mig, legacy throttle names, -remapped rows, -energy.
		expect(invocations().filter((c) => c.oneshot).length).toBe(5);
		expect(invocations().filter((c) => c.args.includes('-lms')).every((c) => !c.args[0]!.includes('mig.mode.current'))).toBe(true);
	});

	test('a hung child is killed and replaced by one-shot queries', async () => {
		const {store, sampler, journal, invocations} = rig('hang', {streamRetryMs: 60_000});
		await sampler.start();
		await until(() => sampler.stats.hangs === 1);
		const loop = invocations().find((c) => c.args.includes('-lms'))!;
		// The hung child is gone (killed).
		await until(() => {
			try {
				process.kill(loop.pid, 0);
				return false;
			} catch {
				return true;
			}
		});
		expect(store.snapshot()).toMatchObject({state: 'degraded', mode: 'oneshot'});
		const frames = sampler.stats.frames;
		await until(() => sampler.stats.frames >= frames + 3);
		expect(store.rows().every((r) => r.utilizationPercent.stale !== true)).toBe(true);
		expect(journal.find((r) => r['event'] === 'hang')).toBeDefined();
	});

	test('a hang is noticed after three intervals without a frame and within a second of the look after that, not before', async () => {
		const frames: number[] = [];
		const {sampler, journal} = rig('hang', {streamRetryMs: 60_000, intervalMs: 200, onFrame: (nowMs) => frames.push(nowMs)});
		await sampler.start();
		await until(() => sampler.stats.hangs === 1);
		const hang = journal.find((r) => r['event'] === 'hang')!;
		const lastFrame = Math.max(...frames.filter((t) => t <= Number(hang['timeMs'])));
		const silentMs = Number(hang['timeMs']) - lastFrame;
		// Three intervals (600 ms) without a frame, looked for once a second (HANG_CHECK_MS): 600 to 1,600 ms, and a
		// little for a loaded machine.
		expect(silentMs).toBeGreaterThan(600);
		expect(silentMs).toBeLessThan(2100);
	});

	test('a stream slow to print its first frame has the one-shot timeout, not three intervals (no false hang at start)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-gpu-'));
		dirs.push(dir);
		// 100 ms interval: three intervals are 300 ms, the stream's first frame comes 1.2 s after it starts.
		// A clock of whole seconds: the start's one-shot frame and the stream's start read the same time (as two calls in
		// one millisecond do), which must still leave the stream its grace.
		const {sampler} = rig('one-gpu', {oneshotTimeoutMs: 2500, now: () => Math.floor(Date.now() / 1000) * 1000, env: {FAKE_NVIDIA_SMI_SCENARIO: 'one-gpu', FAKE_NVIDIA_SMI_LOG: join(dir, 'log.jsonl'), FAKE_NVIDIA_SMI_LOOP_START_MS: '1200'}});
		await sampler.start();
		const frames = sampler.stats.frames;
		await until(() => sampler.stats.frames >= frames + 5, 10_000);
		expect(sampler.stats.hangs).toBe(0);
		// One stream, never killed and started again.
		expect(readFileSync(join(dir, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.includes('-lms'))).toHaveLength(1);
	});

	test('a wall clock stepping forward is not a hang (silence is measured on the monotonic clock)', async () => {
		let steppingFrom: number | undefined;
		// From a moment on, the wall clock steps forward all the time (20 s a second: NTP steps, a VM resumed), so every
		// look finds seconds on it since the last frame.
		const {sampler} = rig('one-gpu', {intervalMs: 200, now: () => Date.now() + (steppingFrom === undefined ? 0 : 20 * (Date.now() - steppingFrom))});
		await sampler.start();
		const frames = sampler.stats.frames;
		await until(() => sampler.stats.frames >= frames + 3);
		steppingFrom = Date.now();
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(sampler.stats.hangs).toBe(0);
		expect(sampler.stats.frames).toBeGreaterThan(frames + 5);
	});

	test('streaming is tried again after a hang', async () => {
		const {sampler, invocations} = rig('hang', {streamRetryMs: 300});
		await sampler.start();
		await until(() => invocations().filter((c) => c.args.includes('-lms')).length >= 2);
		expect(sampler.stats.hangs).toBeGreaterThanOrEqual(1);
	});

	test('when one-shots hang too: unavailable with a timeout reason, last values kept stale', async () => {
		// The first one-shot must answer (a fresh node process, the fake nvidia-smi): 300 ms is about what spawning one
		// takes on a loaded 2-core box, and a first query cut at its timeout leaves no values to keep stale.
		const {store, sampler} = rig('hang-later', {oneshotTimeoutMs: 2000, streamRetryMs: 60_000});
		await sampler.start();
		await until(() => store.snapshot().state === 'unavailable', 20_000);
		expect(store.snapshot().reason).toBe('nvidia-smi did not answer within 2000 ms');
		const row = store.rows()[0]!;
		expect(row.utilizationPercent.stale).toBe(true);
		expect(row.utilizationPercent.value).toBeGreaterThan(0);
	});

	test('when even the first query hangs, start() still returns (bounded)', async () => {
		const {store, sampler} = rig('hang-always', {oneshotTimeoutMs: 300});
		const t0 = Date.now();
		await sampler.start(500);
		expect(Date.now() - t0).toBeLessThan(1500);
		await until(() => store.snapshot().state === 'unavailable');
		expect(store.snapshot().reason).toMatch(/did not answer within 300 ms/);
	});
});

describe('the -lms child read on the shared schedule\'s passes (stream-on-passes.ts)', () => {
	/** The shared schedule on, with an opener of the test's own (first in each pass): the time the last pass began. */
	function passClock(): () => number {
		phasePeriodicTimers(true);
		let passAt = Number.NaN;
		const stop = onEachPass(() => {
			passAt = Date.now();
		});
		stops.push(stop);
		return () => passAt;
	}

	test('8 GPUs at 1 s: every frame whole, stored in the pass that read it, one child, no GPU lost', async () => {
		const passAt = passClock();
		const frames: Array<{at: number; passAt: number}> = [];
		const {store, sampler, invocations} = rig('eight-gpu', {intervalMs: 1000, readOnPasses: true, onFrame: (nowMs) => frames.push({at: nowMs, passAt: passAt()})});
		await sampler.start();
		// The start's one-shot frame comes as it comes; the stream's frames in the passes after it.
		await until(() => frames.length >= 4, 10_000);
		const streamed = frames.slice(1);
		for (const f of streamed) expect(f.at - f.passAt).toBeLessThan(20);
		expect(new Set(streamed.map((f) => f.at)).size).toBe(streamed.length);
		expect(store.rows()).toHaveLength(8);
		expect(store.lostCount()).toBe(0);
		expect(sampler.stats.skippedLines).toBe(0);
		expect(invocations().filter((c) => c.args.includes('-lms'))).toHaveLength(1);
	});

	test('frames that waited together (the event loop stalled 2.2 s) are all stored an interval apart with their history samples; only the newest goes on to the frame\'s work', async () => {
		passClock();
		let frames = () => 0;
		const work: Array<{at: number; frames: number}> = [];
		const storedOnly: number[] = [];
		const {store, sampler} = rig('eight-gpu', {intervalMs: 1000, readOnPasses: true, onFrame: (nowMs) => work.push({at: nowMs, frames: frames()}), onFrameStored: (atMs) => storedOnly.push(atMs)});
		frames = () => sampler.stats.frames;
		await sampler.start();
		await until(() => work.length >= 3, 10_000);
		const stalledUntil = Date.now() + 2200;
		while (Date.now() < stalledUntil) {
			// The event loop held: the child's frames wait in the pipe.
		}
		// The pass after the stall reads them together: one frame's work (its writes, the host reading, the fleet line)
		// for two frames or more.
		const jumped = () => work.findIndex((w, i) => i > 0 && w.frames - work[i - 1]!.frames >= 2);
		await until(() => jumped() > 0, 5000);
		const at = jumped();
		const together = work[at]!.frames - work[at - 1]!.frames;
		const series = store.series(store.rows()[0]!.uuid, 'utilizationPercent').map((p) => p.timeMs);
		const newest = series.indexOf(work[at]!.at);
		const times = series.slice(newest - together + 1, newest + 1);
		expect(times).toHaveLength(together);
		for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000);
		// The older ones' history samples are held too (GpuRedisWriter.holdSamples), at their own times.
		expect(storedOnly.slice(-(together - 1))).toEqual(times.slice(0, -1));
	});

	test('a hung child is still found and replaced by one-shots', async () => {
		passClock();
		const {sampler, journal} = rig('hang', {intervalMs: 1000, readOnPasses: true, streamRetryMs: 60_000});
		await sampler.start();
		await until(() => sampler.stats.hangs === 1, 12_000);
		expect(journal.find((r) => r['event'] === 'hang')).toBeDefined();
	});
});

test('frameTimes: frames read together are stored an interval apart, or spread after the last one, the newest now', () => {
	expect(frameTimes(10_000, 1, 1000)).toEqual([10_000]);
	expect(frameTimes(10_000, 3, 1000)).toEqual([8000, 9000, 10_000]);
	expect(frameTimes(10_000, 2, 1000, 8500)).toEqual([9000, 10_000]);
	// An interval apart would reach back to or past the frame before: spread evenly after it.
	expect(frameTimes(10_000, 2, 1000, 9000)).toEqual([9500, 10_000]);
	expect(frameTimes(10_000, 3, 1000, 9400)).toEqual([9600, 9800, 10_000]);
	// Ascending always, whatever the last one was (short of a clock stepped back), a millisecond apart at least while there is room.
	for (const last of [0, 5000, 9000, 9900]) {
		const times = frameTimes(10_000, 4, 1000, last);
		expect(times.every((t, i) => t > last && (i === 0 || t > times[i - 1]!))).toBe(true);
	}
});

test('deriveStatus', () => {
	expect(deriveStatus({mode: 'stream', lostCount: 0, knownCount: 8, droppedFields: []})).toEqual({state: 'ok', mode: 'stream', droppedFields: []});
	expect(deriveStatus({mode: 'oneshot', lostCount: 1, knownCount: 8, droppedFields: []}).reason).toBe(
		'nvidia-smi stopped streaming: polling with one-shot queries; 1 of 8 GPUs lost',
	);
	expect(deriveStatus({mode: 'stream', lostCount: 0, knownCount: 1, droppedFields: ['power.draw']}).state).toBe('degraded');
	expect(deriveStatus({mode: 'stream', lostCount: 0, knownCount: 1, droppedFields: ['fan.speed']}).state).toBe('ok');
});

test('the fixtures exist for every scenario the tests play', () => {
	for (const s of ['eight-gpu', 'one-gpu', 'sentinels', 'lost-gpu', 'mig', 'xid', 'old-driver', 'hang', 'health']) expect(recording(s).lines.length).toBeGreaterThan(0);
});
