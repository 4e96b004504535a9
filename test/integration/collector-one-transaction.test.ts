/**
A collector's writes once a period in one transaction (gpu/frame-ticks.ts): with 8 fake GPUs, the host reading and
the fleet line are made on each GPU frame, so every transaction that carries the frame's GPU hashes carries this
host's figures and its fleet line too, and there is about one transaction per frame (not three); and the acks are
re-read once a second, not every 500 ms (rules-part.ts, acksPollMs). The transaction goes in the frame's own
wake-up, not the writer's trickle delay (200 ms) later (write-batcher.ts turn, gpu-part.ts). Watched with MONITOR on a
private redis-server. Twice: with the shared schedule on, as the CLI runs it (the nvidia-smi children's output read at
its passes: gpu/stream-on-passes.ts; the frame's transaction then leaves in the pass's wake-up), and off (read as it
comes).
*/
import {describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor} from '../helpers/redis-server.js';
import {composeRuntime} from '../../src/compose.js';
import {parseFlags} from '../../src/config/flags.js';
import {EMPTY_CONFIG} from '../../src/config/config.js';
import {keySegment} from '../../src/gpu/redis-entries.js';
import {FAKE_NVIDIA_SMI} from '../gpu/fixtures.js';
import {phasePeriodicTimers} from '../../src/periodic.js';

describe.runIf(redisAvailable())('one transaction a period', () => {
	it.each([
		['on the shared schedule\'s passes', true],
		['as it comes', false],
	])('GPU hashes, host figures and the fleet line go together (output read %s)', async (_, phased) => {
		phasePeriodicTimers(phased);
		const redis = await startRedis();
		const saved = process.env['FAKE_NVIDIA_SMI_SCENARIO'];
		process.env['FAKE_NVIDIA_SMI_SCENARIO'] = 'eight-gpu';
		const parsed = parseFlags(['--headless', '--nvidia-smi', FAKE_NVIDIA_SMI, '--gpu-interval', '1000']);
		if (!parsed.ok) throw new Error(parsed.error);
		const config = {...EMPTY_CONFIG, host: {intervalMs: 1000, paths: ['/']}};
		const runtime = await composeRuntime(parsed.flags, config, {redisUrl: redis.url, readOnly: false, demo: false});
		const transactions: string[][] = [];
		// Per transaction with the GPU frame's box hash: from the frame (its last_updated) to the MULTI, in ms.
		const frameToMulti = new Map<string[], number>();
		const monitor = await redis.client().monitor();
		let current: string[] | undefined;
		let multiAtMs = 0;
		// The acks' re-reads (rules-part.ts, acksPollMs): once a second for --headless.
		let acksReads = 0;
		monitor.on('monitor', (_time: string, args: string[]) => {
			const name = String(args[0]).toLowerCase();
			if (name === 'hgetall' && String(args[1]) === 'mycotop:alerts:acks') acksReads += 1;
			if (name === 'multi') {
				current = [];
				multiAtMs = Number(_time) * 1000;
			} else if (name === 'exec') {
				if (current !== undefined) transactions.push(current);
				current = undefined;
			} else if (current !== undefined && args[1] !== undefined) {
				current.push(String(args[1]));
				const at = args.indexOf('last_updated');
				if (name === 'hset' && String(args[1]) === 'metrics:gpu:current' && at > 0) frameToMulti.set(current, multiAtMs - Date.parse(String(args[at + 1])));
			}
		});
		try {
			await runtime.start();
			const host = keySegment(runtime.host);
			await waitFor(() => transactions.some((t) => t.includes('metrics:gpu:current')), 10_000, 'a GPU transaction');
			// Past the start (its first readings come before the first frame): watch 5 s of frames.
			await new Promise((resolve) => setTimeout(resolve, 1500));
			const from = transactions.length;
			const acksFrom = acksReads;
			await new Promise((resolve) => setTimeout(resolve, 5000));
			// Five seconds of a collector: five re-reads of the acks (ten at a dashboard's 500 ms), one either way.
			expect(acksReads - acksFrom, 'acks re-reads in 5 s').toBeGreaterThanOrEqual(4);
			expect(acksReads - acksFrom).toBeLessThanOrEqual(6);
			const watched = transactions.slice(from);
			const withGpu = watched.filter((t) => t.includes('metrics:gpu:current'));
			// A frame a second: as it comes, a transaction each. On the passes, a pass that finds no frame (the fake, a node
			// script, slowed by a loaded machine to fewer than one a second) has none, and frames read together make one:
			// fewer on a loaded machine (3 in 5 s seen in CI), each still carrying the host figures and the fleet line.
			expect(withGpu.length, `transactions with the GPU frame in 5 s (${watched.length} in all)`).toBeGreaterThanOrEqual(phased ? 2 : 4);
			for (const t of withGpu) {
				expect(t, 'a GPU transaction carries the host figures').toContain(`metrics:host:${host}:current`);
				expect(t, 'a GPU transaction carries the fleet line').toContain(`mycotop:host:${host}:summary`);
				expect(t).toContain('mycotop:hosts');
			}
			// No transaction of the host figures or the fleet line on their own (at most one around a late frame).
			// In the frame's turn (a statfs every 5 s: in its answer's): well under the trickle's 200 ms, in the median.
			const delays = withGpu.map((t) => frameToMulti.get(t)!).sort((a, b) => a - b);
			expect(delays.every((d) => Number.isFinite(d))).toBe(true);
			expect(delays[Math.floor(delays.length / 2)]!, `frame to MULTI, ms (${delays.join(', ')})`).toBeLessThan(100);
			const alone = watched.filter((t) => !t.includes('metrics:gpu:current') && t.some((k) => k === `metrics:host:${host}:current` || k === 'mycotop:hosts'));
			expect(alone.length, 'host figures or fleet line alone').toBeLessThanOrEqual(1);
		} finally {
			monitor.disconnect();
			await runtime.stop();
			await redis.stop();
			phasePeriodicTimers(false);
			if (saved === undefined) delete process.env['FAKE_NVIDIA_SMI_SCENARIO'];
			else process.env['FAKE_NVIDIA_SMI_SCENARIO'] = saved;
		}
	});
});
