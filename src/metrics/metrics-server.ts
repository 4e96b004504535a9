/**
The HTTP endpoint: `GET /metrics` (the exposition), `/healthz` (the process answers), `/readyz` (readiness.ts: 200, or
503 with the reason), 404 for any other path, 405 for methods other than GET and HEAD. Node's own HTTP server on
the event loop: a scrape is one snapshot and one string, built in a few milliseconds, and no request waits on Redis
or nvidia-smi. A failing scrape is answered 500 and counted; it never throws out of the handler.

No client can hold mycotop's memory, sockets or event loop (MetricsServerLimits): scrapes that overlap share one
render; a client that trickles its request or stops reading its answer is cut off; connections beyond a cap are
dropped.
*/
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
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
	/** Open connections at most; more are dropped at once (each one could hold an answer's buffer and a descriptor). */
	readonly maxConnections: number;
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
	headersTimeoutMs: 5_000,
	requestTimeoutMs: 10_000,
	idleTimeoutMs: 30_000,
	checkIntervalMs: 1_000,
};

const TEXT = 'text/plain; charset=utf-8';

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
	const path = (req.url ?? '/').split('?')[0];
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
			handle(this.handlers, this.scrape, req, res).catch((error: unknown) => {
				this.handlers.onScrapeError(error);
				if (!res.headersSent) reply(res, 500, 'internal error\n');
				else res.destroy();
			});
		});
		// Slow, idle or non-reading clients must not hold sockets for ever (no 'timeout' listener: Node destroys the
		// socket), nor many of them at once.
		server.timeout = limits.idleTimeoutMs;
		server.maxConnections = limits.maxConnections;
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
		server.on('clientError', (_error, socket) => socket.destroy());
		const bound = server.address();
		return typeof bound === 'object' && bound !== null ? {host: address.host, port: bound.port} : address;
	}

	async close(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (server === undefined || !server.listening) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
}
