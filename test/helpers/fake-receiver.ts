/**
A real local HTTP receiver for notification tests (node:http on port 0): it records every request (method, path,
headers, body, when it arrived, whether its answer was written) and answers from a script the test sets: a status,
headers and body per request, or `hold` to keep the request unanswered (a send in flight) until released.
*/
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http';

interface ReceivedRequest {
	readonly method: string;
	readonly path: string;
	readonly headers: IncomingHttpHeaders;
	readonly body: string;
	readonly atMs: number;
	/** Set once the answer was written to a connection that was still open. */
	answered: boolean;
	/** The client went away before the answer. */
	aborted: boolean;
}

interface Answer {
	readonly status?: number;
	readonly headers?: Record<string, string>;
	readonly body?: string;
	/** Keep the request open, unanswered, until `releaseHeld()`. */
	readonly hold?: boolean;
}

export interface FakeReceiver {
	readonly url: string;
	readonly port: number;
	readonly requests: ReceivedRequest[];
	/** Answers for the next requests, in order; after them, `fallback`. */
	script(answers: readonly Answer[], fallback?: Answer): void;
	/** Answer every held request with 200. */
	releaseHeld(): void;
	close(): Promise<void>;
}

export async function startFakeReceiver(path = '/'): Promise<FakeReceiver> {
	let queue: Answer[] = [];
	let fallback: Answer = {status: 200, body: 'ok'};
	const requests: ReceivedRequest[] = [];
	const held: Array<() => void> = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const record: ReceivedRequest = {method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), atMs: Date.now(), answered: false, aborted: false};
			requests.push(record);
			res.on('close', () => {
				if (!res.writableFinished) record.aborted = true;
			});
			const answer = queue.shift() ?? fallback;
			const reply = (a: Answer) => {
				if (res.destroyed) return;
				res.writeHead(a.status ?? 200, {'content-type': 'text/plain', ...a.headers});
				res.end(a.body ?? '', () => {
					record.answered = !record.aborted;
				});
			};
			if (answer.hold) held.push(() => reply({status: 200, body: 'ok'}));
			else reply(answer);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}${path}`,
		port,
		requests,
		script(answers, next) {
			queue = [...answers];
			if (next !== undefined) fallback = next;
		},
		releaseHeld() {
			for (const r of held.splice(0)) r();
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
