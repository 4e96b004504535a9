/** R3: Redis stopped with SIGSTOP for 10 s, then SIGCONT. */
import {afterAll, beforeAll, describe, expect} from 'vitest';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {faultRow} from './fault-table.js';

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
import {CLI, maxTimerLag, plainClient, requireBuild, SequencePublisher, TmuxPane, tmuxAvailable} from './harness.js';

describe.runIf(redisAvailable())('Redis paused', () => {
	let pane: TmuxPane | undefined;

	beforeAll(() => {
		requireBuild();
	});
	afterAll(() => {
		pane?.kill();
	});

	it('keeps the event loop free, marks the data stale, and recovers by itself after SIGCONT', async ({task, redis, startRuntime}) => {
		const row = faultRow(
			task,
			'R3 Redis paused (SIGSTOP 10 s), then SIGCONT',
			'event loop never blocked; the TUI shows "data stale" and still obeys keys (q leaves at once); reconnects and streams again by itself',
		);
		const runtime = await startRuntime({startTimeoutMs: 3000, stopTimeoutMs: 500});
		await waitFor(() => runtime.bus.role === 'writer', 8000, 'writer lease');
		const client = plainClient(redis.url);
		const publisher = new SequencePublisher(client, 'paused', 2, 20);
		publisher.start();
		await waitFor(() => runtime.store.counters.stored > 20, 5000, 'events flowing');
		if (tmuxAvailable()) {
			pane = new TmuxPane(`${process.execPath} ${CLI} --no-gpu --redis-url ${redis.url}`, 140, 30);
			await waitFor(() => /connected/.test(pane!.capture()), 10_000, 'TUI connected');
		}

		// The pane runs node itself: its pid is the TUI's, to check that q ends the process, not only the screen.
		const tuiPid = pane?.pid();
		redis.pause();
		const pausedAt = Date.now();
		let staleAfterMs = -1;
		let staleSummary = '';
		let tuiStale = false;
		let tuiQuitMs = -1;
		const {maxLagMs} = await maxTimerLag(async () => {
			while (Date.now() - pausedAt < 10_000) {
				// Only asynchronous tmux calls in here: a blocking one would be counted as the runtime's own delay.
				if (pane !== undefined && !tuiStale && /data stale \d+s/.test(await pane.captureAsync())) {
					tuiStale = true;
					// Keys still work while Redis is frozen: q leaves the dashboard at once.
					const pressedAt = Date.now();
					await pane.keysAsync('q');
					// Measured, not thrown: a TUI that does not leave within 3 s keeps tuiQuitMs at -1 and fails below.
					const left = await waitFor(async () => !(await pane!.captureAsync()).includes('mycotop'), 3000, 'TUI left after q').then(
						() => true,
						() => false,
					);
					if (left) tuiQuitMs = Date.now() - pressedAt;
				}
				const bus = runtime.snapshot().bus;
				if (staleAfterMs < 0 && bus.staleMs !== undefined) {
					staleAfterMs = Date.now() - pausedAt;
					staleSummary = bus.summary;
				}
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		});
		const duringPause = runtime.snapshot().bus.summary;
		redis.resume();
		const resumedAt = Date.now();
		const storedAtResume = runtime.store.counters.stored;
		await waitFor(() => runtime.bus.status().connection?.kind === 'connected' && runtime.bus.status().staleMs === undefined, 10_000, 'recovered');
		await waitFor(() => runtime.store.counters.stored > storedAtResume + 20, 10_000, 'events flowing again');
		const recoveredMs = Date.now() - resumedAt;
		publisher.stop();
		// q while Redis was frozen: the process must have ended too (a part that finished starting after stop() once
		// kept it running, screen gone, polling forever).
		if (tuiPid !== undefined) await waitFor(() => !processAlive(tuiPid), 10_000, 'the TUI process to exit after q');
		const after = runtime.snapshot().bus.summary;
		row.observe(
			(pane === undefined ? 'TUI not tested (no tmux); ' : `TUI showed "data stale", left ${tuiQuitMs} ms after q; `) +
				`largest event-loop delay ${Math.round(maxLagMs)} ms; stale after ${staleAfterMs} ms ("${staleSummary.replace(/^Redis \S+ /, '')}"); ` +
				`at 10 s "${duringPause.replace(/^Redis \S+ /, '')}"; streaming again ${recoveredMs} ms after SIGCONT ("${after.replace(/^Redis \S+ /, '')}")`,
		);
		expect(maxLagMs).toBeLessThan(100);
		if (pane !== undefined) {
			expect(tuiStale).toBe(true);
			expect(tuiQuitMs, 'the TUI left within 3 s of q while Redis was frozen').toBeGreaterThanOrEqual(0);
			expect(tuiQuitMs).toBeLessThan(1500);
		}
		expect(staleAfterMs).toBeGreaterThan(0);
		expect(staleAfterMs).toBeLessThanOrEqual(5000);
		expect(staleSummary).toMatch(/data stale \d+s/);
		expect(duringPause).toMatch(/data stale/);
		expect(after).not.toMatch(/stale/);
		expect(recoveredMs).toBeLessThan(10_000);
		client.disconnect();
	});
});
