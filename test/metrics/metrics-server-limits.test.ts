/**
The endpoint under hostile clients, over real sockets: overlapping scrapes share one render, a client that trickles
its headers or stops reading its answer is cut off, and connections beyond the cap are dropped, so no client can
hold mycotop's memory, file descriptors or event loop. Small limits are injected to keep the test short; the
defaults are the same mechanism with longer times.
*/
import {connect, type Socket} from 'node:net';
import {afterEach, describe, expect, test} from 'vitest';
import {METRICS_SERVER_LIMITS, MetricsServer, type MetricsHandlers, type MetricsServerLimits} from '../../src/metrics/metrics-server.js';

const servers: MetricsServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
	for (const s of sockets.splice(0)) s.destroy();
	for (const s of servers.splice(0)) await s.close();
});

async function serve(handlers: Partial<MetricsHandlers>, limits: Partial<MetricsServerLimits> = {}): Promise<{port: number; errors: unknown[]}> {
	const errors: unknown[] = [];
	const server = new MetricsServer(
		{metrics: async () => 'm 1\n', contentType: 'text/plain', readiness: () => ({ready: true}), onScrapeError: (error) => errors.push(error), ...handlers},
		limits,
	);
	servers.push(server);
	const {port} = await server.listen({host: '127.0.0.1', port: 0});
	return {port, errors};
}

function open(port: number): Promise<Socket> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1', () => resolve(socket));
		socket.on('error', () => {});
		sockets.push(socket);
	});
}

/** Milliseconds until the server closes the socket, or undefined when it is still open after `withinMs`. */
function closedWithin(socket: Socket, withinMs: number): Promise<number | undefined> {
	const started = Date.now();
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(undefined), withinMs);
		socket.once('close', () => {
			clearTimeout(timer);
			resolve(Date.now() - started);
		});
	});
}

describe('the metrics endpoint under hostile clients', () => {
	test('overlapping scrapes share one render (20 at once: one render, the same body for all)', async () => {
		let renders = 0;
		const {port} = await serve({
			metrics: async () => {
				renders += 1;
				await new Promise((resolve) => setTimeout(resolve, 200));
				return `render ${renders}\n`;
			},
		});
		const bodies = await Promise.all(Array.from({length: 20}, async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()));
		expect(renders).toBe(1);
		expect(new Set(bodies)).toEqual(new Set(['render 1\n']));
		// The next scrape renders again (nothing is cached past the render).
		expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toBe('render 2\n');
	});

	test('a failed shared render answers 500 to every scrape that waited on it; the next one renders again', async () => {
		let renders = 0;
		const {port, errors} = await serve({
			metrics: async () => {
				renders += 1;
				await new Promise((resolve) => setTimeout(resolve, 100));
				if (renders === 1) throw new Error('boom');
				return 'ok 1\n';
			},
		});
		const statuses = await Promise.all(Array.from({length: 5}, async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).status));
		expect(statuses).toEqual([500, 500, 500, 500, 500]);
		expect(errors.length).toBeGreaterThan(0);
		expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
	});

	test('a client that trickles its headers is cut off after the headers timeout, not Node\'s 30 s check', async () => {
		const {port} = await serve({}, {headersTimeoutMs: 400, checkIntervalMs: 100});
		const socket = await open(port);
		socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
		const trickle = setInterval(() => socket.writable && socket.write('a'), 100);
		try {
			const closedAfter = await closedWithin(socket, 5000);
			expect(closedAfter).toBeDefined();
			expect(closedAfter!).toBeLessThan(3000);
		} finally {
			clearInterval(trickle);
		}
	});

	test('an endless POST body is answered 405 and cut off after the request timeout, never read for ever', async () => {
		const {port} = await serve({}, {headersTimeoutMs: 300, requestTimeoutMs: 500, checkIntervalMs: 100});
		const socket = await open(port);
		let answer = '';
		socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
		socket.write('POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
		const chunk = `10000\r\n${'y'.repeat(0x10000)}\r\n`;
		const flood = setInterval(() => socket.writable && socket.write(chunk), 20);
		try {
			const closedAfter = await closedWithin(socket, 5000);
			expect(closedAfter).toBeDefined();
			expect(closedAfter!).toBeLessThan(3000);
			expect(answer).toMatch(/^HTTP\/1\.1 405 /);
		} finally {
			clearInterval(flood);
		}
	});

	test('a client that stops reading its answer is cut off after the idle timeout (its buffered answer freed)', async () => {
		const size = 32 * 1024 * 1024;
		const {port} = await serve({metrics: async () => `${'x'.repeat(size - 1)}\n`}, {idleTimeoutMs: 300});
		const socket = await open(port);
		socket.pause();
		socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
		// Read nothing for a while (the kernel's buffers fill, the server's write stalls), then read what is left.
		await new Promise((resolve) => setTimeout(resolve, 2000));
		let received = 0;
		socket.on('data', (chunk: Buffer) => (received += chunk.length));
		socket.resume();
		const ended = await closedWithin(socket, 5000);
		// Cut off: the connection ended before the whole answer came (a live one would have kept it open, all of it sent).
		expect(ended).toBeDefined();
		expect(received).toBeLessThan(size);
		expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
	});

	test('connections beyond the cap are dropped at once; scrapes answer again when the others go', async () => {
		const {port} = await serve({}, {maxConnections: 4});
		const held = await Promise.all(Array.from({length: 12}, () => open(port)));
		const closed = await Promise.all(held.map((s) => closedWithin(s, 1000)));
		expect(closed.filter((c) => c === undefined)).toHaveLength(4);
		for (const s of held) s.destroy();
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
	});

	test('the default limits bound every wait and the connection count', () => {
		expect(METRICS_SERVER_LIMITS.maxConnections).toBeGreaterThan(0);
		expect(METRICS_SERVER_LIMITS.maxConnections).toBeLessThanOrEqual(256);
		expect(METRICS_SERVER_LIMITS.headersTimeoutMs).toBeLessThanOrEqual(METRICS_SERVER_LIMITS.requestTimeoutMs);
		expect(METRICS_SERVER_LIMITS.checkIntervalMs).toBeLessThanOrEqual(METRICS_SERVER_LIMITS.headersTimeoutMs);
		// Longer than Prometheus's default scrape timeout (10 s), so a slow but live scraper is never cut mid-answer.
		expect(METRICS_SERVER_LIMITS.idleTimeoutMs).toBeGreaterThan(10_000);
		expect(METRICS_SERVER_LIMITS.idleTimeoutMs).toBeLessThanOrEqual(60_000);
	});
});
