/** The endpoint over real HTTP: routes, status codes, readiness, a failing scrape, a port in use. */
import {connect, createServer} from 'node:net';
import {afterEach, describe, expect, test} from 'vitest';
import {clientErrorAnswer, connectionToDrop, MetricsServer, requestPath, type MetricsHandlers} from '../../src/metrics/metrics-server.js';
import {readiness, type Readiness} from '../../src/metrics/readiness.js';
import {MetricsPart} from '../../src/metrics/metrics-part.js';
import {Exposition} from '../../src/metrics/exposition.js';
import {Runtime} from '../../src/runtime.js';
import {journal, type JournalRecord} from '../../src/journal.js';
import {parseExposition, valueOf} from './parse-exposition.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
	for (const s of servers.splice(0)) await s.close();
});

async function serve(overrides: Partial<MetricsHandlers> = {}): Promise<{base: string; errors: unknown[]}> {
	const errors: unknown[] = [];
	const server = new MetricsServer({
		metrics: async () => 'm 1\n',
		contentType: 'text/plain; version=0.0.4; charset=utf-8',
		readiness: () => ({ready: true}),
		onScrapeError: (error) => errors.push(error),
		...overrides,
	});
	servers.push(server);
	const bound = await server.listen({host: '127.0.0.1', port: 0});
	expect(bound.port).toBeGreaterThan(0);
	return {base: `http://127.0.0.1:${bound.port}`, errors};
}

/** Send `text` on a fresh socket; everything the server answers until it closes the connection. */
function rawRequest(port: string, text: string): Promise<string> {
	return new Promise((resolve) => {
		let answer = '';
		const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
		socket.setTimeout(3000, () => socket.destroy());
		socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
		socket.on('error', () => {});
		socket.on('close', () => resolve(answer));
	});
}

describe('the metrics endpoint', () => {
	test('/metrics with the exposition content type, /healthz, 404 elsewhere, 405 for POST', async () => {
		const {base} = await serve();
		const metrics = await fetch(`${base}/metrics`);
		expect(metrics.status).toBe(200);
		expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
		expect(await metrics.text()).toBe('m 1\n');
		expect((await fetch(`${base}/metrics?name[]=x`)).status).toBe(200);
		const health = await fetch(`${base}/healthz`);
		expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
		for (const path of ['/', '/metrics/', '/metricsx', '/METRICS', '/favicon.ico']) expect((await fetch(`${base}${path}`)).status, path).toBe(404);
		const post = await fetch(`${base}/metrics`, {method: 'POST', body: 'x'});
		expect(post.status).toBe(405);
		expect(post.headers.get('allow')).toBe('GET, HEAD');
		const head = await fetch(`${base}/metrics`, {method: 'HEAD'});
		expect(head.status).toBe(200);
	});

	test('absolute-form request targets (RFC 9112 3.2.2) are served like their path', async () => {
		const {base} = await serve();
		const port = new URL(base).port;
		expect(await rawRequest(port, `GET http://127.0.0.1:${port}/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\nm 1\n$/);
		expect(await rawRequest(port, 'GET HTTP://x/healthz?a=b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 [^]*ok\n$/);
		expect(await rawRequest(port, 'GET http://x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 /);
		expect(await rawRequest(port, 'GET http://x/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 /);
	});

	test('a malformed request is answered 400, oversized headers 431, before the connection closes', async () => {
		const {base} = await serve();
		const port = new URL(base).port;
		expect(await rawRequest(port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
		expect(await rawRequest(port, 'HELLO THERE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
		expect(await rawRequest(port, '\u0000\u0001garbage\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
		// The server serves on.
		expect((await fetch(`${base}/healthz`)).status).toBe(200);
	});

	test('/readyz: 503 with the reason until ready, then 200', async () => {
		let state: Readiness = {ready: false, reason: 'redis reconnecting'};
		const {base} = await serve({readiness: () => state});
		const notReady = await fetch(`${base}/readyz`);
		expect([notReady.status, await notReady.text()]).toEqual([503, 'not ready: redis reconnecting\n']);
		state = {ready: true};
		const ready = await fetch(`${base}/readyz`);
		expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
	});

	test('a scrape that throws is answered 500 and reported; the server keeps serving', async () => {
		let fail = true;
		const {base, errors} = await serve({
			metrics: async () => {
				if (fail) throw new Error('boom');
				return 'ok 1\n';
			},
		});
		const failed = await fetch(`${base}/metrics`);
		expect(failed.status).toBe(500);
		expect(await failed.text()).not.toContain('boom');
		expect(errors).toHaveLength(1);
		fail = false;
		expect((await fetch(`${base}/metrics`)).status).toBe(200);
	});

	test('readiness: Redis connected (or none configured) and the GPU sampler past its start', () => {
		const connected = {url: 'redis://h:1', connection: {kind: 'connected', sinceMs: 0}} as const;
		const down = {url: 'redis://h:1', connection: {kind: 'reconnecting', sinceMs: 0, lastError: 'ECONNREFUSED secret-host'}} as const;
		expect(readiness(connected, {state: 'ok'})).toEqual({ready: true});
		expect(readiness(connected, {state: 'unavailable'})).toEqual({ready: true});
		expect(readiness(connected, {state: 'disabled'})).toEqual({ready: true});
		expect(readiness(connected, undefined)).toEqual({ready: true});
		expect(readiness({url: undefined, connection: undefined}, {state: 'ok'})).toEqual({ready: true});
		expect(readiness(connected, {state: 'starting'})).toEqual({ready: false, reason: 'gpu sampler starting (no frame yet)'});
		// The reason names the state, never the error text (it may carry an address or a credential).
		expect(readiness(down, {state: 'ok'})).toEqual({ready: false, reason: 'redis reconnecting'});
		expect(readiness({url: 'redis://h:1', connection: undefined}, {state: 'starting'})).toEqual({ready: false, reason: 'redis connecting; gpu sampler starting (no frame yet)'});
	});

	test('a port in use is a journal record, not a crash; the part still stops cleanly', async () => {
		const blocker = createServer();
		await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
		const port = (blocker.address() as {port: number}).port;
		const records: JournalRecord[] = [];
		const unsubscribe = journal.subscribe((r) => records.push(r));
		const runtime = new Runtime({redisUrl: undefined, readOnly: false, demo: false});
		const part = new MetricsPart(runtime, {address: {host: '127.0.0.1', port}, exposition: new Exposition({processMetrics: false}), smoothing: 0.6});
		try {
			await part.start();
			expect(part.bound).toBeUndefined();
			expect(records).toContainEqual({type: 'metrics', error: expect.stringMatching(new RegExp(`^cannot listen on http://127.0.0.1:${port}: .*EADDRINUSE`)) as unknown});
			await part.stop();
		} finally {
			unsubscribe();
			blocker.close();
		}
	});

	test('the part serves a bare runtime: standalone, ready, counters at 0', async () => {
		const runtime = new Runtime({redisUrl: undefined, readOnly: false, demo: false});
		const part = new MetricsPart(runtime, {address: {host: '127.0.0.1', port: 0}, exposition: new Exposition({processMetrics: false}), smoothing: 0.6});
		await part.start();
		try {
			const base = `http://127.0.0.1:${part.bound!.port}`;
			const parsed = parseExposition(await (await fetch(`${base}/metrics`)).text());
			expect(valueOf(parsed, 'mycotop_lease_role', {role: 'standalone'})).toBe(1);
			expect(valueOf(parsed, 'mycotop_redis_connection_state', {state: 'off'})).toBe(1);
			expect(valueOf(parsed, 'mycotop_gpu_sampler_state', {state: 'disabled'})).toBe(1);
			expect(valueOf(parsed, 'mycotop_messages_received_total')).toBe(0);
			expect((await fetch(`${base}/readyz`)).status).toBe(200);
		} finally {
			await part.stop();
		}
	});

	test('the decisions: which connection the cap drops, a target\'s path, the answer to a refused request (pure)', () => {
		const idle = {answeringSinceMs: undefined};
		const answering = (sinceMs: number) => ({answeringSinceMs: sinceMs});
		expect(connectionToDrop([idle, idle], 2, 1000, 500)).toBeUndefined();
		// The oldest idle, never one being answered, and never the newcomer while another can go.
		expect(connectionToDrop([answering(900), idle, idle, idle], 3, 1000, 500)).toBe(1);
		// All answering: the oldest answer stalled for stalledAnswerMs; none stalled: the newcomer.
		expect(connectionToDrop([answering(400), answering(100), answering(950), idle], 3, 1000, 500)).toBe(1);
		expect(connectionToDrop([answering(900), answering(950), idle], 2, 1000, 500)).toBe(2);
		expect(requestPath('/metrics?name[]=x')).toBe('/metrics');
		expect(requestPath('http://h:9464/metrics?x')).toBe('/metrics');
		expect(requestPath('HTTPS://h/readyz#f')).toBe('/readyz');
		expect(requestPath('http://h')).toBe('/');
		expect(requestPath('*')).toBe('*');
		expect(clientErrorAnswer('HPE_HEADER_OVERFLOW')).toMatch(/^HTTP\/1\.1 431 /);
		expect(clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT')).toMatch(/^HTTP\/1\.1 408 /);
		expect(clientErrorAnswer('HPE_INVALID_METHOD')).toMatch(/^HTTP\/1\.1 400 /);
		expect(clientErrorAnswer('ECONNRESET')).toBeUndefined();
	});
});
