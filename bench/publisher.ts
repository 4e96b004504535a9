/**
The load generator for bench:ingest, run as a separate process: publishes mixed seed events (70% training, 20%
task, 10% agent), each stamped with `sentAt` (epoch ms, sub-ms precision) so the receiver can measure latency.

  node dist/bench/publisher.js <redis-url> burst <count>          (pipelines of 500: the most pressure one process can make)
  node dist/bench/publisher.js <redis-url> burst-single <count>   (one PUBLISH per write, up to 500 in flight, as many agents publishing)
  node dist/bench/publisher.js <redis-url> rate <events-per-second> <seconds>
Prints one JSON line with what it sent when done.
*/
import {Redis} from 'ioredis';

const PROJECTS = 20;
const AGENTS = 10;

export function mixedEvent(i: number, sentAt: number): [channel: string, message: string] {
	const kind = i % 10;
	if (kind < 7) {
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

async function main(): Promise<void> {
	const [url, mode, a, b] = process.argv.slice(2);
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
					const [channel, message] = mixedEvent(sent + k, now());
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
