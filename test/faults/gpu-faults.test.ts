/** nvidia-smi that hangs, prints garbage or crashes (the GPU work's fake nvidia-smi, hostile scenarios). */
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/redis-server.js';
import {parseFlags} from '../../src/config/flags.js';
import {EMPTY_CONFIG} from '../../src/config/config.js';
import {resolveOptions} from '../../src/main.js';
import {composeRuntime} from '../../src/compose.js';
import {type Runtime} from '../../src/runtime.js';
import {isTerminalSafe} from '../../src/contract/sanitize.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {maxTimerLag} from './harness.js';
import {FAKE_SMI, hostileSmiScenarios} from './smi-scenarios.js';

const WATCH_MS = 6000;

describe('nvidia-smi faults', () => {
	let scenarios: ReturnType<typeof hostileSmiScenarios>;
	let runtime: Runtime | undefined;
	const saved = {scenario: process.env['FAKE_NVIDIA_SMI_SCENARIO'], log: process.env['FAKE_NVIDIA_SMI_LOG']};

	beforeAll(() => {
		scenarios = hostileSmiScenarios();
	});
	afterAll(async () => {
		await runtime?.stop(200);
		for (const [key, value] of [['FAKE_NVIDIA_SMI_SCENARIO', saved.scenario], ['FAKE_NVIDIA_SMI_LOG', saved.log]] as const) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
		rmSync(scenarios.dir, {recursive: true, force: true});
	});

	for (const kind of ['hang', 'garbage', 'crash'] as const) {
		it(`survives an nvidia-smi that ${kind === 'hang' ? 'hangs' : kind === 'garbage' ? 'prints garbage' : 'crashes'}`, async ({task}) => {
			const expected = {
				hang: 'hang noticed by the watchdog, the child killed, GPU state shows it; at most one nvidia-smi run per interval; the rest of mycotop unaffected',
				garbage: 'bad lines skipped and counted; nothing unsanitized in the GPU snapshot; the rest of mycotop unaffected',
				crash: 'GPU telemetry unavailable with the reason, retried with backoff (no fork storm); the rest of mycotop unaffected',
			}[kind];
			const row = faultRow(task, `nvidia-smi ${kind} (fake nvidia-smi, ${WATCH_MS / 1000} s at a 250 ms interval)`, expected);
			const log = join(scenarios.dir, `${kind}.log`);
			process.env['FAKE_NVIDIA_SMI_SCENARIO'] = scenarios[kind];
			process.env['FAKE_NVIDIA_SMI_LOG'] = log;
			const parsed = parseFlags(['--embedded', '--nvidia-smi', FAKE_SMI, '--gpu-interval', '250']);
			if (!parsed.ok) throw new Error(parsed.error);
			const options = resolveOptions(parsed.flags, EMPTY_CONFIG, {});
			if (typeof options === 'string') throw new Error(options);
			runtime = await composeRuntime(parsed.flags, EMPTY_CONFIG, options);
			const rt = runtime;
			const {maxLagMs} = await maxTimerLag(async () => {
				await rt.start();
				const startedAt = Date.now();
				let step = 0;
				while (Date.now() - startedAt < WATCH_MS) {
					rt.bus.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: `gpu-${kind}`, step: step++, loss: 1}));
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
			});
			await waitFor(() => (rt.store.projects.get(`gpu-${kind}`)?.loss.length ?? 0) >= 50, 2000, 'bus events still stored');
			const gpu = rt.snapshot().gpu;
			const invocations = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() !== '').length : 0;
			const texts = [gpu?.reason ?? '', ...(gpu?.gpus ?? []).flatMap((g) => [g.name, g.uuid, g.lostReason ?? '', g.pstate ?? ''])];
			row.observe(
				`state ${gpu?.state}${gpu?.reason ? ` ("${gpu.reason}")` : ''}, mode ${gpu?.mode ?? '-'}, ${gpu?.gpus.length ?? 0} GPU rows; ${invocations} nvidia-smi runs in ${WATCH_MS / 1000} s; ` +
					`largest event-loop delay ${Math.round(maxLagMs)} ms; bus events stored ${rt.store.projects.get(`gpu-${kind}`)?.loss.length}; all GPU texts terminal-safe: ${texts.every((t) => isTerminalSafe(t))}`,
			);
			await rt.stop(200);
			runtime = undefined;
			// Spawning a (Node) fake every 250 ms costs a few ms each; a stall would be a child read synchronously.
			expect(maxLagMs).toBeLessThan(200);
			expect(texts.every((t) => isTerminalSafe(t))).toBe(true);
			expect(invocations).toBeGreaterThanOrEqual(1);
			// At most one run per sampling interval (one-shot polling after a hang), never a storm.
			expect(invocations).toBeLessThanOrEqual(WATCH_MS / 250 + 4);
			if (kind === 'crash') {
				expect(gpu?.state).toBe('unavailable');
				expect(gpu?.reason).toBeTruthy();
			}
			if (kind === 'hang') expect(gpu?.state === 'degraded' || gpu?.mode === 'oneshot' || gpu?.state === 'unavailable').toBe(true);
		});
	}
});
