/**
A small TCP fault proxy for tests, after toxiproxy's toxics: it forwards 127.0.0.1:<port> to a target and can be
switched, at any moment, to
- `pass`: forward both ways (new connections; links frozen earlier stay dead);
- `blackhole`: freeze every open link: keep its sockets open but forward nothing in either direction and never
  pass a close on (a half-open link: no FIN, no RST). New connections made while in `blackhole` are frozen too, as
  on a dead route. Switching back to `pass` heals the route for new connections only, like a broken NAT entry;
- `resetAll()`: destroy every open connection (the client sees a reset).
*/
import {createServer, connect, type Server, type Socket} from 'node:net';

type ProxyMode = 'pass' | 'blackhole';

export interface FaultProxy {
	readonly port: number;
	readonly url: string;
	/** Connections accepted so far (each reconnect adds one). */
	readonly accepted: number;
	/** Live (not frozen) connections currently open through the proxy. */
	readonly open: number;
	mode(mode: ProxyMode): void;
	/** Destroy every open connection now (the client sees a reset). */
	resetAll(): void;
	close(): Promise<void>;
}

interface Pair {
	readonly client: Socket;
	readonly upstream: Socket;
	frozen: boolean;
}

export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
	let mode: ProxyMode = 'pass';
	let accepted = 0;
	const pairs = new Set<Pair>();

	const wire = (pair: Pair) => {
		const forward = (from: Socket, to: Socket) => {
			from.on('data', (chunk: Buffer) => {
				if (!pair.frozen && !to.destroyed) to.write(chunk);
			});
		};
		forward(pair.client, pair.upstream);
		forward(pair.upstream, pair.client);
		const end = () => {
			// A blackholed link never tells the other side anything.
			if (pair.frozen) return;
			pair.client.destroy();
			pair.upstream.destroy();
			pairs.delete(pair);
		};
		for (const socket of [pair.client, pair.upstream]) {
			socket.on('error', () => {});
			socket.on('close', end);
		}
	};

	const server: Server = createServer((client) => {
		accepted += 1;
		const upstream = connect(targetPort, targetHost);
		const pair: Pair = {client, upstream, frozen: mode === 'blackhole'};
		pairs.add(pair);
		wire(pair);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;

	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		get accepted() {
			return accepted;
		},
		get open() {
			let n = 0;
			for (const pair of pairs) if (!pair.client.destroyed && !pair.frozen) n += 1;
			return n;
		},
		mode(next: ProxyMode) {
			mode = next;
			if (next === 'blackhole') for (const pair of pairs) pair.frozen = true;
		},
		resetAll() {
			for (const pair of pairs) {
				pair.client.resetAndDestroy();
				pair.upstream.destroy();
			}
			pairs.clear();
		},
		async close() {
			for (const pair of pairs) {
				pair.client.destroy();
				pair.upstream.destroy();
			}
			pairs.clear();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
