/**
The HTTP endpoint: `GET /metrics` (the exposition), `/healthz` (the process answers), `/readyz` (readiness.ts: 200, or
503 with the reason), 404 for any other path, 405 for methods other than GET and HEAD. Node's own HTTP server on
the event loop: a scrape is one snapshot and one string, built in a few milliseconds, and no request waits on Redis
or nvidia-smi. A failing scrape is answered 500 and counted; it never throws out of the handler.

No client can hold mycotop's memory, sockets or event loop, nor keep a scraper out (MetricsServerLimits): scrapes
that overlap share one render; a client that trickles its request or stops reading its answer is cut off; beyond a
cap of open connections the oldest one with no answer in flight is dropped for the newcomer (sockets opened and left
idle, or holding half a request, make room for a real scrape instead of refusing it), and an answer stalled for
longer than `stalledAnswerMs` (a client that stopped reading) is dropped too when every connection has one. A
malformed request is answered 400 (oversized headers 431, a request too slow 408) before the connection closes; a
request target in absolute form (`GET http://host/metrics`, RFC 9112 3.2.2) is served like its path.
*/
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import {type Socket} from 'node:net';
import {type ListenAddress} from './listen-address.js';
import {type Readiness} from './readiness.js';

export interface MetricsHandlers {
	/** The exposition text. */
	readonly metrics: () => Promise<string>;
	readonly contentType: string;
	readonly readiness: () => Readiness;
	/** Called with the error when a scrape fails (counted by the exposition, recorded in the journal). */
	readonly onScrapeError: (error: unknown) => void;
}

/** What the server allows a client. */
export interface MetricsServerLimits {
	/**
	Open connections at most (each one could hold an answer's buffer and a descriptor); beyond it the oldest connection
	without an answer in flight is dropped (connectionToDrop).
	*/
	readonly maxConnections: number;
	/** Beyond the cap with every connection answering: an answer in flight this long is taken for stalled and dropped. */
	readonly stalledAnswerMs: number;
	/** Time to receive a request's headers. */
	readonly headersTimeoutMs: number;
	/** Time to receive a whole request. */
	readonly requestTimeoutMs: number;
	/** A socket with no traffic either way this long is closed: a client that stops reading its answer. */
	readonly idleTimeoutMs: number;
	/** How often the two request timeouts are checked (Node's default is every 30 s, whatever the timeouts). */
	readonly checkIntervalMs: number;
}

export const METRICS_SERVER_LIMITS: MetricsServerLimits = {
	maxConnections: 32,
	stalledAnswerMs: 5_000,
	headersTimeoutMs: 5_000,
	requestTimeoutMs: 10_000,
	idleTimeoutMs: 30_000,
	checkIntervalMs: 1_000,
};

const TEXT = 'text/plain; charset=utf-8';

/** An open connection as the cap sees it. */
export interface ConnectionState {
	/** When its answer in flight began; undefined while none is (connected, idle, or sending its request). */
	readonly answeringSinceMs: number | undefined;
}

/**
Which connection to drop when `connections` (oldest activity first: its connect, or the end of its last answer; the
newcomer last) are more than `max`: the oldest without an answer in flight; else the oldest answer in flight for
`stalledAnswerMs` or more (a client that stopped reading); else the newcomer. Undefined while within the cap. Pure.
*/
export function connectionToDrop(connections: readonly ConnectionState[], max: number, nowMs: number, stalledAnswerMs: number): number | undefined {
	if (connections.length <= max) return undefined;
	// The newcomer (last) has no answer in flight yet: it is dropped only when no other connection can be.
	const others = connections.slice(0, -1);
	const idle = others.findIndex((c) => c.answeringSinceMs === undefined);
	if (idle >= 0) return idle;
	let stalled: number | undefined;
	others.forEach((c, i) => {
		if (c.answeringSinceMs !== undefined && nowMs - c.answeringSinceMs >= stalledAnswerMs && (stalled === undefined || c.answeringSinceMs < connections[stalled]!.answeringSinceMs!)) stalled = i;
	});
	return stalled ?? connections.length - 1;
}

/** The path of a request target: origin form (`/metrics?x`) or absolute form (`http://host:9464/metrics`). Pure. */
export function requestPath(target: string): string {
	const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
	const path = (authority === null ? target : target.slice(authority[0].length)).split(/[?#]/)[0]!;
	return authority !== null && path === '' ? '/' : path;
}

/** The answer to a request Node's parser refused (by its error code), or undefined when there is no one to answer. Pure. */
export function clientErrorAnswer(code: string | undefined): string | undefined {
	if (code === 'ECONNRESET' || code === 'EPIPE') return undefined;
	const status =
		code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
	return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

function reply(res: ServerResponse, status: number, body: string, contentType = TEXT, head = false): void {
	res.writeHead(status, {'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body)});
	res.end(head ? undefined : body);
}

async function handle(handlers: MetricsHandlers, scrape: () => Promise<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const method = req.method ?? 'GET';
	const head = method === 'HEAD';
	if (method !== 'GET' && !head) {
		res.setHeader('Allow', 'GET, HEAD');
		reply(res, 405, 'method not allowed\n');
		return;
	}
	// The path alone: Prometheus may add query parameters (e.g. ?name[]=...), which change nothing here.
	const path = requestPath(req.url ?? '/');
	switch (path) {
		case '/metrics': {
			let body: string;
			try {
				body = await scrape();
			} catch (error) {
				handlers.onScrapeError(error);
				reply(res, 500, 'scrape failed\n', TEXT, head);
				return;
			}
			reply(res, 200, body, handlers.contentType, head);
			return;
		}
		case '/healthz':
			reply(res, 200, 'ok\n', TEXT, head);
			return;
		case '/readyz': {
			const state = handlers.readiness();
			reply(res, state.ready ? 200 : 503, state.ready ? 'ready\n' : `not ready: ${state.reason}\n`, TEXT, head);
			return;
		}
		default:
			reply(res, 404, 'not found (try /metrics, /healthz or /readyz)\n', TEXT, head);
	}
}

export class MetricsServer {
	private server: Server | undefined;
	private readonly limits: MetricsServerLimits;
	/** The render in progress: scrapes that arrive meanwhile wait for it instead of starting their own. */
	private rendering: Promise<string> | undefined;
	/** Open connections, oldest activity first (a Map keeps insertion order; activity moves one to the end). */
	private readonly connections = new Map<Socket, {answeringSinceMs: number | undefined}>();

	constructor(
		private readonly handlers: MetricsHandlers,
		limits: Partial<MetricsServerLimits> = {},
	) {
		this.limits = {...METRICS_SERVER_LIMITS, ...limits};
	}

	private scrape = (): Promise<string> => {
		this.rendering ??= this.handlers.metrics().finally(() => {
			this.rendering = undefined;
		});
		return this.rendering;
	};

	/** Listen; resolves with the bound address (port 0 becomes the port the OS chose), rejects when binding fails. */
	async listen(address: ListenAddress): Promise<ListenAddress> {
		const {limits} = this;
		const options = {
			headersTimeout: limits.headersTimeoutMs,
			requestTimeout: limits.requestTimeoutMs,
			keepAliveTimeout: 5_000,
			connectionsCheckingInterval: limits.checkIntervalMs,
		};
		const server = createServer(options, (req, res) => {
			const state = this.connections.get(req.socket);
			if (state !== undefined) state.answeringSinceMs = Date.now();
			res.once('close', () => {
				if (state === undefined || !this.connections.has(req.socket)) return;
				state.answeringSinceMs = undefined;
				// Active again: the last to be dropped.
				this.connections.delete(req.socket);
				this.connections.set(req.socket, state);
			});
			handle(this.handlers, this.scrape, req, res).catch((error: unknown) => {
				this.handlers.onScrapeError(error);
				if (!res.headersSent) reply(res, 500, 'internal error\n');
				else res.destroy();
			});
		});
		// Slow, idle or non-reading clients must not hold sockets for ever (no 'timeout' listener: Node destroys the
		// socket), nor keep a scraper out at the cap (no server.maxConnections: that refuses the newcomer).
		server.timeout = limits.idleTimeoutMs;
		server.on('connection', (socket: Socket) => this.admit(socket));
		this.server = server;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(address.port, address.host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		// After listening, a socket error is the client's problem, never mycotop's.
		server.on('error', () => {});
		// A request Node's parser refuses is answered (400, 431, 408) unless an answer is already on its way.
		server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
			const answer = clientErrorAnswer(error.code);
			if (answer !== undefined && socket.writable && this.connections.get(socket as Socket)?.answeringSinceMs === undefined) socket.write(answer);
			socket.destroy();
		});
		const bound = server.address();
		return typeof bound === 'object' && bound !== null ? {host: address.host, port: bound.port} : address;
	}

	/** Track a new connection; beyond the cap, drop one (connectionToDrop). */
	private admit(socket: Socket): void {
		const {connections, limits} = this;
		connections.set(socket, {answeringSinceMs: undefined});
		socket.once('close', () => connections.delete(socket));
		const sockets = [...connections.keys()];
		const drop = connectionToDrop([...connections.values()], limits.maxConnections, Date.now(), limits.stalledAnswerMs);
		if (drop === undefined) return;
		const victim = sockets[drop]!;
		connections.delete(victim);
		victim.destroy();
	}

	async close(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (server === undefined || !server.listening) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
}
