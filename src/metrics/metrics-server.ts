/**
The HTTP endpoint: `GET /metrics` (the exposition), `/healthz` (the process answers), `/readyz` (readiness.ts: 200, or
503 with the reason), 404 for any other path, 405 for methods other than GET and HEAD. Node's own HTTP server on
the event loop: a scrape is one snapshot and one string, built in a few milliseconds, and no request waits on Redis
or nvidia-smi. A failing scrape is answered 500 and counted; it never throws out of the handler.
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

const TEXT = 'text/plain; charset=utf-8';

function reply(res: ServerResponse, status: number, body: string, contentType = TEXT, head = false): void {
	res.writeHead(status, {'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body)});
	res.end(head ? undefined : body);
}

async function handle(handlers: MetricsHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
				body = await handlers.metrics();
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

	constructor(private readonly handlers: MetricsHandlers) {}

	/** Listen; resolves with the bound address (port 0 becomes the port the OS chose), rejects when binding fails. */
	async listen(address: ListenAddress): Promise<ListenAddress> {
		const server = createServer((req, res) => {
			handle(this.handlers, req, res).catch((error: unknown) => {
				this.handlers.onScrapeError(error);
				if (!res.headersSent) reply(res, 500, 'internal error\n');
				else res.destroy();
			});
		});
		// Slow or idle clients must not hold sockets for ever.
		server.requestTimeout = 10_000;
		server.headersTimeout = 5_000;
		server.keepAliveTimeout = 5_000;
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
