/**
The endpoint under hostile clients, over real sockets: overlapping scrapes share one render, a client that trickles
its headers or stops reading its answer is cut off, and beyond the connection cap the oldest idle connection is
dropped for the new one, so no client can hold mycotop's memory, file descriptors or event loop, nor keep a scraper
out. Small limits are injected to keep the test short; the
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

	test('beyond the cap the oldest idle connections are dropped, not the new one: the newest stay open', async () => {
		const {port} = await serve({}, {maxConnections: 4});
		const closed: boolean[] = [];
		for (let i = 0; i < 12; i++) {
			const socket = await open(port);
			closed.push(false);
			socket.once('close', () => (closed[i] = true));
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(closed).toEqual([...Array.from({length: 8}, () => true), false, false, false, false]);
		expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
	});

	test('idle and trickling sockets held at the cap, reopened as they close, never starve a scraper (slowloris)', async () => {
		const {port} = await serve({}, {maxConnections: 4});
		let stopped = false;
		let opened = 0;
		// The review's attack: as many sockets as the cap, idle or with a request line and no more, each reopened at once.
		const attack = (trickle: boolean): void => {
			if (stopped) return;
			opened += 1;
			const socket = connect(port, '127.0.0.1', () => trickle && socket.write('GET /metrics HTTP/1.1\r\n'));
			socket.on('error', () => {});
			socket.on('close', () => attack(trickle));
			sockets.push(socket);
		};
		for (let i = 0; i < 4; i++) attack(i % 2 === 0);
		await new Promise((resolve) => setTimeout(resolve, 200));
		try {
			for (let i = 0; i < 5; i++) {
				const answer = await fetch(`http://127.0.0.1:${port}/metrics`, {signal: AbortSignal.timeout(3000)});
				expect([answer.status, await answer.text()]).toEqual([200, 'm 1\n']);
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
			// The attack ran all along: its sockets were dropped for the scrapes and came back.
			expect(opened).toBeGreaterThan(4);
		} finally {
			stopped = true;
		}
	});

	test('at the cap with every connection answering a client that stopped reading, the oldest stalled one makes room', async () => {
		const size = 16 * 1024 * 1024;
		const {port} = await serve({metrics: async () => `${'x'.repeat(size - 1)}\n`}, {maxConnections: 2, stalledAnswerMs: 300});
		// Two clients ask for the answer and never read it: their answers stay in flight (the idle timeout is 30 s).
		const stalled = await Promise.all([open(port), open(port)]);
		const received = [0, 0];
		stalled.forEach((socket, i) => {
			socket.pause();
			socket.on('data', (chunk: Buffer) => (received[i]! += chunk.length));
			socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
		});
		await new Promise((resolve) => setTimeout(resolve, 600));
		const answer = await fetch(`http://127.0.0.1:${port}/metrics`, {signal: AbortSignal.timeout(5000)});
		expect(answer.status).toBe(200);
		expect((await answer.text()).length).toBe(size);
		// The oldest stalled client was cut off (it gets the end of what was buffered, then the close); the other not.
		const ended = await Promise.all(stalled.map((socket) => (socket.resume(), closedWithin(socket, 2000))));
		expect(ended[0]).toBeDefined();
		expect(received[0]).toBeLessThan(size);
		expect(ended[1]).toBeUndefined();
	});

	test('the default limits bound every wait and the connection count', () => {
		expect(METRICS_SERVER_LIMITS.maxConnections).toBeGreaterThan(0);
		expect(METRICS_SERVER_LIMITS.maxConnections).toBeLessThanOrEqual(256);
		// Far longer than a scrape's answer takes on any network Prometheus scrapes over; far shorter than the idle timeout.
		expect(METRICS_SERVER_LIMITS.stalledAnswerMs).toBeGreaterThanOrEqual(2000);
		expect(METRICS_SERVER_LIMITS.stalledAnswerMs).toBeLessThan(METRICS_SERVER_LIMITS.idleTimeoutMs);
		expect(METRICS_SERVER_LIMITS.headersTimeoutMs).toBeLessThanOrEqual(METRICS_SERVER_LIMITS.requestTimeoutMs);
		expect(METRICS_SERVER_LIMITS.checkIntervalMs).toBeLessThanOrEqual(METRICS_SERVER_LIMITS.headersTimeoutMs);
		// Longer than Prometheus's default scrape timeout (10 s), so a slow but live scraper is never cut mid-answer.
		expect(METRICS_SERVER_LIMITS.idleTimeoutMs).toBeGreaterThan(10_000);
		expect(METRICS_SERVER_LIMITS.idleTimeoutMs).toBeLessThanOrEqual(60_000);
	});
});
