/**
The load generator for bench:ingest, run as a separate process: publishes mixed seed events (70% training, 20%
task, 10% agent), each stamped with `sentAt` (epoch ms, sub-ms precision) so the receiver can measure latency.

  node dist/bench/publisher.js <redis-url> burst <count>          (ioredis pipelines of 500, one in flight: the steady case)
  node dist/bench/publisher.js <redis-url> pipelined <count> [per-trip]
      (raw RESP, PUBLISH commands encoded before the clock starts and sent `per-trip` (default 1,000) per round trip:
       a backlog replayed, many agents at once; the publisher costs next to nothing, so the subscriber is the bound)
  node dist/bench/publisher.js <redis-url> burst-single <count>   (one PUBLISH per write, up to 500 in flight, as many agents publishing)
  node dist/bench/publisher.js <redis-url> rate <events-per-second> <seconds> [<project-prefix> <projects> <first-step>]
      (with a prefix, the training events go to PREFIX0.. with steps from <first-step> on, one by one per project)
Prints one JSON line with what it sent when done.
*/
import {connect, type Socket} from 'node:net';
import {Redis} from 'ioredis';

const PROJECTS = 20;
const AGENTS = 10;

/**
Where the training events go: by default 20 projects of their own (`proj-N`) with the event's index as the step; with
a prefix (the `rate` mode's optional arguments), `projects` projects `PREFIX0..` that already hold data, each with its
own steps going on one by one from `firstStep` (as a trainer's do), so a store that holds those projects full stays
full rather than growing (bench:memory's steady soak).
*/
export interface TrainingTarget {
	readonly prefix: string;
	readonly projects: number;
	/** The next step of each project. */
	readonly nextStep: number[];
}

export function mixedEvent(i: number, sentAt: number, target?: TrainingTarget): [channel: string, message: string] {
	const kind = i % 10;
	if (kind < 7) {
		if (target !== undefined) {
			const p = Math.floor(i / 10) % target.projects;
			const step = target.nextStep[p]!;
			target.nextStep[p] = step + 1;
			return ['events:training:progress', JSON.stringify({projectId: `${target.prefix}${p}`, step, loss: 0.5 + 2 / Math.sqrt(step), wer: 0.1 + 1 / step, timestamp: new Date(sentAt).toISOString(), sentAt})];
		}
		return ['events:training:progress', JSON.stringify({projectId: `proj-${i % PROJECTS}`, step: i, loss: 2 + Math.sin(i / 100), wer: 0.2, timestamp: new Date(sentAt).toISOString(), sentAt})];
	}
	if (kind < 9) {
		return [
			'events:tasks:updates',
			JSON.stringify({taskId: `task-${i}`, status: 'done', agent: `agent-${i % AGENTS}`, duration_seconds: 600 + (i % 1800), timestamp: new Date(sentAt).toISOString(), sentAt}),
		];
	}
	return ['events:agents:status', JSON.stringify({agentType: `agent-${i % AGENTS}`, status: i % 3 === 0 ? 'idle' : 'busy', taskCount: i % 5, sentAt})];
}

const now = () => performance.timeOrigin + performance.now();

/** One command in RESP (an array of bulk strings), as bytes. */
function respCommand(args: readonly string[]): Buffer {
	let out = `*${args.length}\r\n`;
	for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
	return Buffer.from(out);
}

/** A raw connection to the URL's Redis (AUTH when the URL has a password). */
async function rawConnection(url: string): Promise<Socket> {
	const u = new URL(url);
	const socket = connect({host: u.hostname, port: Number(u.port || 6379)});
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});
	socket.setNoDelay(true);
	if (u.password !== '') {
		const auth = u.username === '' ? ['AUTH', decodeURIComponent(u.password)] : ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)];
		await roundTrip(socket, respCommand(auth), 1);
	}
	return socket;
}

/** Send `bytes` and wait for `replies` one-line replies (integers or +OK); resolves with the integers' sum. */
function roundTrip(socket: Socket, bytes: Buffer, replies: number): Promise<number> {
	return new Promise((resolve, reject) => {
		let seen = 0;
		let sum = 0;
		let line = '';
		const onData = (chunk: Buffer) => {
			let from = 0;
			for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
				line += chunk.toString('latin1', from, i);
				from = i + 1;
				if (line.startsWith('-')) {
					socket.off('data', onData);
					reject(new Error(line.trim()));
					return;
				}
				if (line.startsWith(':')) sum += Number(line.slice(1));
				line = '';
				seen += 1;
			}
			line += chunk.toString('latin1', from);
			if (seen >= replies) {
				socket.off('data', onData);
				resolve(sum);
			}
		};
		socket.on('data', onData);
		socket.write(bytes);
	});
}

/**
`count` mixed events as PUBLISH commands, `perTrip` to a buffer, encoded before the clock starts; each buffer is one
round trip (written whole, then every reply awaited).
*/
async function pipelined(url: string, count: number, perTrip: number): Promise<{sent: number; receivers: number; ms: number}> {
	const stamp = now();
	const trips: Buffer[] = [];
	for (let start = 0; start < count; start += perTrip) {
		const parts: Buffer[] = [];
		for (let i = start; i < Math.min(count, start + perTrip); i++) parts.push(respCommand(['PUBLISH', ...mixedEvent(i, stamp)]));
		trips.push(Buffer.concat(parts));
	}
	const socket = await rawConnection(url);
	const started = now();
	let receivers = 0;
	let sent = 0;
	for (const [k, trip] of trips.entries()) {
		const n = Math.min(perTrip, count - k * perTrip);
		receivers += await roundTrip(socket, trip, n);
		sent += n;
	}
	const ms = now() - started;
	socket.destroy();
	return {sent, receivers, ms};
}

async function main(): Promise<void> {
	const [url, mode, a, b, prefix, projects, firstStep] = process.argv.slice(2);
	if (mode === 'pipelined') {
		const result = await pipelined(url!, Number(a), Math.max(1, Number(b ?? 1000)));
		process.stdout.write(`${JSON.stringify(result)}\n`);
		return;
	}
	const redis = new Redis(url!, {enableAutoPipelining: false});
	let sent = 0;
	let receivers = 0;
	const started = now();
	if (mode === 'burst') {
		const count = Number(a);
		const chunk = 500;
		for (let start = 0; start < count; start += chunk) {
			const pipeline = redis.pipeline();
			for (let i = start; i < Math.min(count, start + chunk); i++) {
				const [channel, message] = mixedEvent(i, now());
				pipeline.publish(channel, message);
			}
			const results = await pipeline.exec();
			for (const [, n] of results ?? []) receivers += Number(n);
			sent = Math.min(count, start + chunk);
		}
	} else if (mode === 'burst-single') {
		const count = Number(a);
		const inFlight = new Set<Promise<unknown>>();
		for (let i = 0; i < count; i++) {
			const [channel, message] = mixedEvent(i, now());
			const p: Promise<unknown> = redis.publish(channel, message).then((n) => {
				receivers += Number(n);
				inFlight.delete(p);
			});
			inFlight.add(p);
			if (inFlight.size >= 500) await Promise.race(inFlight);
		}
		await Promise.all(inFlight);
		sent = count;
	} else {
		const rate = Number(a);
		const seconds = Number(b);
		const into: TrainingTarget | undefined = prefix === undefined ? undefined : {prefix, projects: Number(projects), nextStep: Array.from({length: Number(projects)}, () => Number(firstStep))};
		const total = rate * seconds;
		const tickMs = 5;
		const perTick = (rate * tickMs) / 1000;
		let due = 0;
		while (sent < total) {
			const elapsed = now() - started;
			const target = Math.min(total, Math.floor((elapsed / tickMs) * perTick));
			due = target - sent;
			if (due > 0) {
				const pipeline = redis.pipeline();
				for (let k = 0; k < due; k++) {
					const [channel, message] = mixedEvent(sent + k, now(), into);
					pipeline.publish(channel, message);
				}
				sent += due;
				const results = await pipeline.exec();
				for (const [, n] of results ?? []) receivers += Number(n);
			}
			await new Promise((resolve) => setTimeout(resolve, 1));
		}
	}
	const ms = now() - started;
	process.stdout.write(`${JSON.stringify({sent, ms, receivers})}\n`);
	redis.disconnect();
}

if (process.argv[1]?.endsWith('publisher.js')) void main();
