/**
PCIe throughput from `nvidia-smi dmon -s t`: the parser over its formats and sentinels (pure), and the second child
against the fake nvidia-smi playing dmon fixtures: sampling, an nvidia-smi without the group, a child that stops.
*/
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import fc from 'fast-check';
import {afterEach, describe, expect, test} from 'vitest';
import {DmonParser, parseDmonLine, parseThroughput} from '../../src/gpu/dmon-parse.js';
import {dmonArgs, PcieSampler, probeProblem} from '../../src/gpu/pcie-sampler.js';
import {GpuSampler} from '../../src/gpu/gpu-sampler.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {gpuCurrentFields} from '../../src/gpu/redis-entries.js';
import {gpuLine} from '../../src/gpu/gpu-text.js';
import {gpuColumns, PCIE_CELLS, pcieText, rateText} from '../../src/format/gpu-view.js';
import {FAKE_NVIDIA_SMI} from './fixtures.js';
import {onEachPass, phasePeriodicTimers} from '../../src/periodic.js';

describe('dmon -s t parsing', () => {
	test('the header names the columns; samples by name; the units line keeps them', () => {
		const p = new DmonParser();
		expect(p.line('# gpu   rxpci   txpci')).toEqual({kind: 'header', columns: {gpu: 0, rx: 1, tx: 2}});
		expect(p.line('# Idx    MB/s    MB/s')).toEqual({kind: 'header'});
		expect(p.line('    0      11       1')).toEqual({kind: 'sample', index: 0, rxMBps: {value: 11}, txMBps: {value: 1}});
		expect(p.sawHeader).toBe(true);
		// Another driver's order (with -o T a time column first, say): found by name.
		expect(p.line('#Time        gpu   txpci   rxpci')).toEqual({kind: 'header', columns: {gpu: 1, rx: 3, tx: 2}});
		expect(p.line('12:00:01      3     250    9000')).toEqual({kind: 'sample', index: 3, rxMBps: {value: 9000}, txMBps: {value: 250}});
	});

	test('sentinels: "-" and en dash are not available, [N/A] and friends as csv-parse reads them, never 0', () => {
		expect(parseThroughput('-')).toEqual({reason: 'not available'});
		expect(parseThroughput('–')).toEqual({reason: 'not available'});
		expect(parseThroughput('[N/A]')).toEqual({reason: 'not available'});
		expect(parseThroughput('N/A')).toEqual({reason: 'not available'});
		expect(parseThroughput('ERR!')).toEqual({reason: 'error (ERR!)'});
		expect(parseThroughput('2e99').reason).toMatch(/^unparseable/);
		expect(parseThroughput('2000000')).toEqual({reason: 'out of range (2000000)'});
		expect(parseThroughput('-5').reason).toMatch(/^out of range|^unparseable/);
		expect(parseThroughput('abc').reason).toMatch(/^unparseable/);
		expect(parseThroughput('0')).toEqual({value: 0});
	});

	test('lines that are not samples are skipped with a reason (Xid text, errors, wide or hostile text)', () => {
		for (const line of ['NVRM: Xid (PCI:0000:18:00): 79, GPU has fallen off the bus', 'Failed to initialize NVML', '0 1', '999 1 2', 'x 1 2', '\u001b[2J 1 2'])
			expect(parseDmonLine(line).kind).toBe('skip');
		const skipped = parseDmonLine('\u001b]0;evil\u0007 1 2');
		expect(skipped.kind === 'skip' && !skipped.reason.includes('\u001b')).toBe(true);
	});

	test('property: no line throws, a sample is a GPU index 0..63 with numbers in range or reasons', () => {
		fc.assert(
			fc.property(fc.string({maxLength: 80}), (line) => {
				const p = parseDmonLine(line);
				if (p.kind !== 'sample') return true;
				const ok = (r: {value?: number; reason?: string}) => (r.value !== undefined ? r.value >= 0 && r.value <= 1_000_000 : typeof r.reason === 'string');
				return p.index >= 0 && p.index <= 63 && ok(p.rxMBps) && ok(p.txMBps);
			}),
		);
	});

	test('arguments and probe verdicts', () => {
		expect(dmonArgs(1, undefined)).toEqual(['dmon', '-s', 't', '-d', '1']);
		expect(dmonArgs(2, [0, 3], 1)).toEqual(['dmon', '-s', 't', '-c', '1', '-i', '0,3']);
		const base = {ok: true, stdout: '', stderr: ''};
		expect(probeProblem(base, true)).toBeUndefined();
		expect(probeProblem({...base, ok: false, exitCode: 2, stdout: "Invalid combination of input arguments. Please run 'nvidia-smi dmon -h' for help.\n"}, false)).toBe(
			'dmon -s t: Invalid combination of input arguments. Please run \'nvidia-… (exit 2)',
		);
		expect(probeProblem({...base, stdout: '# gpu   pwr  gtemp\n    0   360     55\n'}, false)).toBe('dmon -s t: no rxpci/txpci columns (0   360     55)');
		expect(probeProblem({...base, ok: false, timedOut: true}, false)).toBe('dmon -s t did not answer');
		expect(probeProblem({...base, ok: false, spawnErrorCode: 'ENOENT'}, false)).toBe('dmon -s t: cannot start nvidia-smi (ENOENT)');
	});

	test('compact text: MB/s as M and G, unknown ?, stale *', () => {
		expect([0, 11, 999, 1212, 9949, 14_890, 2_000_000].map(rateText)).toEqual(['0M', '11M', '999M', '1.2G', '9.9G', '15G', '>999G']);
		expect(pcieText({rxMBps: {value: 14_890}, txMBps: {value: 402, stale: true, reason: 'dmon stopped'}, timeMs: 0})).toBe('↓15G↑402M*');
		expect(pcieText({rxMBps: {value: undefined, reason: 'not available'}, txMBps: {value: undefined, reason: 'not available'}, timeMs: 0})).toBe('↓?↑?');
		// The column at 120 columns; at 80 it gives way to a health badge.
		expect(gpuColumns(119, false, 0, PCIE_CELLS).pcie).toBe(PCIE_CELLS);
		expect(gpuColumns(79, false, 0, PCIE_CELLS).pcie).toBe(PCIE_CELLS);
		expect(gpuColumns(79, false, 30, PCIE_CELLS).pcie).toBe(0);
		expect(gpuColumns(79, false, 0, 0).pcie).toBe(0);
	});
});

const dirs: string[] = [];
const stops: Array<() => unknown> = [];
afterEach(async () => {
	for (const stop of stops.splice(0)) await stop();
	phasePeriodicTimers(false);
	for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

async function until(check: () => boolean, ms = 8000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error('timed out waiting');
		await new Promise((r) => setTimeout(r, 25));
	}
}

/** The GPU sampler and the dmon child on one store, as the GPU part runs them. */
async function rig(scenario: string, extra: {env?: NodeJS.ProcessEnv; gpus?: number[]; restartMs?: number; silenceMs?: number; probeTimeoutMs?: number; readOnPasses?: boolean; onSample?: () => void} = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-dmon-'));
	dirs.push(dir);
	const log = join(dir, 'invocations.jsonl');
	const env = {FAKE_NVIDIA_SMI_SCENARIO: scenario, FAKE_NVIDIA_SMI_LOG: log, FAKE_NVIDIA_SMI_DMON_MS: '100', ...extra.env};
	const store = new GpuStore();
	const sampler = new GpuSampler(store, {bin: FAKE_NVIDIA_SMI, intervalMs: 100, processesEveryMs: 0, env, ...(extra.gpus ? {gpus: extra.gpus} : {})});
	const pcie = new PcieSampler(store, {bin: FAKE_NVIDIA_SMI, intervalMs: 100, env, restartMs: extra.restartMs ?? 30_000, ...(extra.silenceMs !== undefined ? {silenceMs: extra.silenceMs} : {}), ...(extra.probeTimeoutMs !== undefined ? {probeTimeoutMs: extra.probeTimeoutMs} : {}), ...(extra.gpus ? {gpus: extra.gpus} : {}), ...(extra.readOnPasses === true ? {readOnPasses: true} : {}), ...(extra.onSample ? {onSample: extra.onSample} : {})});
	stops.push(() => pcie.stop(), () => sampler.stop());
	await Promise.all([sampler.start(), pcie.start()]);
	const invocations = () =>
		readFileSync(log, 'utf8')
			.split('\n')
			.filter(Boolean)
			.map((l) => JSON.parse(l) as {pid: number; args: string[]});
	return {store, sampler, pcie, invocations};
}

describe('the dmon child against the fake nvidia-smi', () => {
	test('eight-gpu: probed once, one long-lived child, each GPU row carries rx/tx, the writer fields and --once text', async () => {
		const {store, pcie, invocations} = await rig('eight-gpu');
		await until(() => store.rows().length === 8 && store.rows().every((r) => r.pcie?.rxMBps.value !== undefined) && pcie.stats.samples >= 24);
		const dmon = invocations().filter((i) => i.args[0] === 'dmon');
		expect(dmon.map((i) => i.args.slice(3, 5))).toEqual([['-c', '1'], ['-d', '1']]);
		expect(store.snapshot().pcieThroughput).toBe('ok');
		expect(store.snapshot().droppedFields).toBeUndefined();
		// The third tick (the last recorded) repeats: GPU 0 at 14,890 MB/s in, GPU 7 idle.
		await until(() => store.rows()[0]!.pcie!.rxMBps.value === 14_890);
		const gpu0 = store.rows()[0]!;
		expect(gpu0.pcie).toMatchObject({rxMBps: {value: 14_890}, txMBps: {value: 402}});
		expect(store.rows()[7]!.pcie).toMatchObject({rxMBps: {value: 1}, txMBps: {value: 0}});
		expect(gpuLine(gpu0)).toContain('PCIe rx 14890 MB/s tx 402 MB/s');
		expect(gpuCurrentFields(gpu0, 'T')).toMatchObject({pcie_rx_mb_s: '14890', pcie_tx_mb_s: '402'});
		expect(pcie.stats.skippedLines).toBe(0);
	});

	test('no-dmon: the extra is dropped and named, the GPUs are still ok, no child runs', async () => {
		const {store, pcie, invocations} = await rig('no-dmon');
		await until(() => pcie.state === 'unsupported' && store.rows().length === 1);
		const snap = store.snapshot();
		expect(snap.state).toBe('ok');
		expect(snap.pcieThroughput).toBe('unsupported');
		expect(snap.droppedFields).toEqual(['pcie throughput']);
		expect(snap.reason).toBe("not supported by the driver: pcie throughput (dmon -s t: Invalid combination of input arguments. Please run 'nvidia-… (exit 2))");
		expect(snap.gpus[0]!.pcie).toBeUndefined();
		expect(gpuCurrentFields(snap.gpus[0]!, 'T')['pcie_rx_mb_s']).toBeUndefined();
		await new Promise((r) => setTimeout(r, 300));
		expect(invocations().filter((i) => i.args[0] === 'dmon')).toHaveLength(1);
	});

	test('sentinels: "-" is unknown, never 0; an out-of-range or garbage token keeps the last good value, stale', async () => {
		const {store, pcie} = await rig('sentinels');
		await until(() => pcie.stats.samples >= 12);
		await until(() => store.rows().length === 4);
		const [g0, g1, g2, g3] = store.rows();
		expect(g2!.pcie).toMatchObject({rxMBps: {value: undefined, reason: 'not available'}, txMBps: {value: undefined, reason: 'not available'}});
		expect(g3!.pcie!.txMBps).toEqual({value: 20, reason: 'not available', stale: true});
		expect(g0!.pcie!.txMBps).toMatchObject({value: 31, stale: true});
		expect(g0!.pcie!.txMBps.reason).toMatch(/^unparseable/);
		expect(g1!.pcie!.rxMBps.value).toBe(117);
		expect(gpuCurrentFields(g2!, 'T')).toMatchObject({pcie_rx_mb_s: '', pcie_tx_mb_s: ''});
		expect(gpuCurrentFields(g2!, 'T')['unknown']).toContain('pcie_rx_mb_s=not available');
		expect(gpuLine(g2!)).toContain('PCIe rx ? tx ?');
		expect(gpuLine(g3!)).toContain('tx 20 MB/s*');
	});

	test('-i: only the selected GPUs, and dmon is asked for them', async () => {
		const {store, invocations, pcie} = await rig('eight-gpu', {gpus: [0, 7]});
		await until(() => pcie.stats.samples >= 4 && store.rows().length === 2);
		expect(invocations().filter((i) => i.args[0] === 'dmon').every((i) => i.args.join(' ').endsWith('-i 0,7'))).toBe(true);
		expect(store.rows().map((r) => r.pcie !== undefined)).toEqual([true, true]);
	});

	test('a dmon child that exits: values stay, stale, and it is started again', async () => {
		const {store, pcie} = await rig('one-gpu', {restartMs: 200});
		await until(() => store.rows()[0]?.pcie?.rxMBps.value !== undefined);
		const starts = pcie.stats.starts;
		// The running child dies (killed from outside, as an OOM killer or a driver reload would).
		const child = (pcie as unknown as {child?: {pid?: number}}).child;
		process.kill(child!.pid!, 'SIGKILL');
		await until(() => store.rows()[0]!.pcie!.rxMBps.stale === true);
		expect(store.rows()[0]!.pcie!.rxMBps.reason).toMatch(/^dmon (killed|exited)/);
		expect(store.snapshot().pcieThroughput).toBe('stopped');
		await until(() => pcie.stats.starts > starts && store.rows()[0]!.pcie!.rxMBps.stale !== true);
		expect(store.snapshot().pcieThroughput).toBe('ok');
	});

	test('read on the shared schedule\'s passes (the long-running modes): samples come inside the passes, several lines a read; a child that dies is still started again', async () => {
		phasePeriodicTimers(true);
		let passAt = Number.NaN;
		let passes = 0;
		stops.push(
			onEachPass(() => {
				passes += 1;
				passAt = performance.now();
			}),
		);
		const samples: Array<{sincePassMs: number; pass: number}> = [];
		const {store, pcie} = await rig('eight-gpu', {readOnPasses: true, restartMs: 200, onSample: () => samples.push({sincePassMs: performance.now() - passAt, pass: passes})});
		await until(() => store.rows().length === 8 && store.rows().every((r) => r.pcie?.rxMBps.value !== undefined) && passes >= 3);
		// The fake prints a sample of each GPU every 100 ms: ten seconds' worth of lines per pass, read in one go.
		const inPasses = samples.filter((s) => s.pass > 0);
		expect(inPasses.length).toBeGreaterThan(0);
		for (const s of inPasses) expect(s.sincePassMs).toBeLessThan(20);
		const starts = pcie.stats.starts;
		const child = (pcie as unknown as {child?: {pid?: number}}).child;
		process.kill(child!.pid!, 'SIGKILL');
		await until(() => store.rows()[0]!.pcie!.rxMBps.stale === true);
		await until(() => pcie.stats.starts > starts && store.rows()[0]!.pcie!.rxMBps.stale !== true, 10_000);
		expect(pcie.stats.skippedLines).toBe(0);
	});

	test('a probe that times out (a slow driver start) is not a verdict: dmon is probed again and then runs', async () => {
		// The timeout leaves room for the fake's start on a loaded machine; the first dmon call never answers.
		const {store, pcie, invocations} = await rig('one-gpu', {restartMs: 200, probeTimeoutMs: 1500, env: {FAKE_NVIDIA_SMI_DMON_HANG_FIRST: '1'}});
		await until(() => store.rows()[0]?.pcie?.rxMBps.value !== undefined, 15_000);
		expect(pcie.state).toBe('ok');
		expect(store.snapshot().droppedFields).toBeUndefined();
		expect(invocations().filter((i) => i.args[0] === 'dmon' && i.args.includes('-c'))).toHaveLength(2);
	});

	test('a dmon child that goes silent (stuck in the driver) is killed: values turn stale, and it is started again', async () => {
		const {store, pcie} = await rig('one-gpu', {restartMs: 200, silenceMs: 600, env: {FAKE_NVIDIA_SMI_DMON_STALL_AFTER: '2'}});
		await until(() => store.rows()[0]?.pcie?.rxMBps.value !== undefined);
		const firstPid = (pcie as unknown as {child?: {pid?: number}}).child?.pid;
		// Alive but silent: without a watchdog the last values stood as fresh forever.
		await until(() => store.rows()[0]!.pcie!.rxMBps.stale === true, 10_000);
		expect(store.rows()[0]!.pcie!.rxMBps.reason).toMatch(/^dmon silent/);
		// Killed at the moment it was marked stale; the signal takes a moment to land (and longer on a loaded box).
		const alive = () => {
			try {
				process.kill(firstPid!, 0);
				return true;
			} catch {
				return false;
			}
		};
		await until(() => !alive(), 5000);
		expect(alive()).toBe(false);
		await until(() => pcie.stats.starts >= 2 && store.rows()[0]!.pcie!.rxMBps.stale !== true);
	});
});
