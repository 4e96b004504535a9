/**
Regression of the hostile review: in the TUI a failed bind (a port in use) and the address bound for
`--metrics-listen 0` were only journal records, which only --headless prints, so the dashboard's user never saw that
the endpoint was down. The real composition (flags to runtime to MetricsPart, a real port held by another socket) and
the real App drawn by Ink: the header says it.
*/
import {createServer, type Server} from 'node:net';
import {stripVTControlCharacters as strip} from 'node:util';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, test} from 'vitest';
import {App} from '../../components/App.js';
import {composeRuntime} from '../../src/compose.js';
import {EMPTY_CONFIG} from '../../src/config/config.js';
import {parseFlags} from '../../src/config/flags.js';
import {describeMetricsEndpoint, withMetricsEndpoint} from '../../src/metrics/endpoint-state.js';
import {type Runtime} from '../../src/runtime.js';
import {FakeTerminal} from '../components/fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

async function dashboard(metricsListen: string): Promise<{runtime: Runtime; frame: () => string}> {
	const parsed = parseFlags(['--embedded', '--no-gpu', '--metrics-listen', metricsListen]);
	if (!parsed.ok) throw new Error(parsed.error);
	const runtime = await composeRuntime(parsed.flags, EMPTY_CONFIG, {redisUrl: undefined, readOnly: false, demo: false});
	await runtime.start();
	cleanups.push(() => runtime.stop());
	const instance = render(<App source={runtime.snapshots} terminal={new FakeTerminal(200, 30)} />);
	cleanups.push(() => instance.unmount());
	return {runtime, frame: () => strip(instance.lastFrame() ?? '')};
}

async function eventually(check: () => boolean, what: string, frame: () => string): Promise<void> {
	const until = Date.now() + 5000;
	while (!check()) {
		if (Date.now() > until) throw new Error(`no ${what} on screen:\n${frame()}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('the TUI shows the metrics endpoint', () => {
	test('a port in use: the header says the endpoint is down, where and why', async () => {
		const blocker: Server = createServer();
		await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
		cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
		const port = (blocker.address() as {port: number}).port;
		const {frame} = await dashboard(String(port));
		const header = () => frame().split('\n')[0] ?? '';
		await eventually(() => header().includes(`metrics down: EADDRINUSE 127.0.0.1:${port}`), 'endpoint-down note', frame);
	});

	test('--metrics-listen 0: the header shows the port the OS chose, which answers', async () => {
		const {runtime, frame} = await dashboard('0');
		await eventually(() => /metrics http:\/\/127\.0\.0\.1:\d+\/metrics/.test(frame().split('\n')[0] ?? ''), 'bound address', frame);
		const url = /metrics (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(frame())![1]!;
		expect(url).not.toContain(':0/');
		expect((await fetch(url)).status).toBe(200);
		expect(runtime.snapshots.getSnapshot().bus.summary).toContain(url);
	});

	test('the words: Redis and write-loss states first (the header cuts from the right), a failed endpoint next, the address last', () => {
		const address = {host: '::1', port: 9464};
		expect(withMetricsEndpoint('in-process bus, Redis off', {kind: 'failed', address, reason: 'EADDRINUSE'})).toBe('in-process bus, Redis off · metrics down: EADDRINUSE [::1]:9464');
		// Second hostile review: a permanent EADDRINUSE went first and, cut from the right, hid the Redis health and
		// the writes being dropped.
		const redis = 'Redis redis://127.0.0.1:6379: reconnecting 3s · writes dropped 12 · takeover gap 4s';
		const failed = withMetricsEndpoint(redis, {kind: 'failed', address, reason: 'EADDRINUSE'});
		expect(failed.startsWith(redis)).toBe(true);
		expect(failed.indexOf('metrics down')).toBeGreaterThan(failed.indexOf('takeover gap'));
		expect(withMetricsEndpoint('Redis up', {kind: 'listening', bound: address})).toBe('Redis up · metrics http://[::1]:9464/metrics');
		expect(withMetricsEndpoint('Redis up', {kind: 'starting'})).toBe('Redis up');
		expect(withMetricsEndpoint('Redis up', undefined)).toBe('Redis up');
		expect(describeMetricsEndpoint({kind: 'starting'})).toBe('metrics starting');
	});
});
