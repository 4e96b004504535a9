/**
Regression of the hostile review: `--metrics-listen` woke the main thread about 100 times a second with no scrape
(prom-client's event-loop-lag collector runs monitorEventLoopDelay at 10 ms resolution), where an idle mycotop wakes
about once a second (src/periodic.ts). Measured as the kernel counts it: the voluntary context switches of this
process's main thread (/proc/self/task/<pid>/status), idle, without and then with a listening exporter.
*/
import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {Exposition} from '../../src/metrics/exposition.js';
import {MetricsServer} from '../../src/metrics/metrics-server.js';
import {fixture} from './fixture.js';
import {parseExposition, valueOf} from './parse-exposition.js';

const STATUS = `/proc/self/task/${process.pid}/status`;

function voluntarySwitches(): number | undefined {
	try {
		const match = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(STATUS, 'utf8'));
		return match === null ? undefined : Number(match[1]);
	} catch {
		return undefined;
	}
}

/** The main thread's voluntary context switches while the event loop waits `ms` with nothing to do. */
async function idleSwitches(ms: number): Promise<number> {
	const before = voluntarySwitches()!;
	await new Promise((resolve) => setTimeout(resolve, ms));
	return voluntarySwitches()! - before;
}

describe.skipIf(voluntarySwitches() === undefined)('an idle exporter', () => {
	test('adds no periodic wake-ups to the main thread (process metrics on, listening, scraped once)', async () => {
		const baseline = await idleSwitches(1500);
		const exposition = new Exposition();
		const f = fixture();
		const server = new MetricsServer({metrics: () => exposition.render(f.view()), contentType: exposition.contentType, readiness: () => ({ready: true}), onScrapeError: () => {}});
		const {port} = await server.listen({host: '127.0.0.1', port: 0});
		try {
			const parsed = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
			// The event-loop lag is still exported, measured at the scrape.
			expect(parsed.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
			const withExporter = await idleSwitches(1500);
			// The 10 ms monitor alone adds about 150 in 1.5 s; the exporter idle adds none (margin for the machine's noise).
			expect(withExporter, `baseline ${baseline}`).toBeLessThan(baseline + 30);
			const lag = valueOf(parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()), 'nodejs_eventloop_lag_seconds');
			expect(lag).toBeGreaterThanOrEqual(0);
			expect(lag).toBeLessThan(5);
		} finally {
			await server.close();
		}
	});
});
