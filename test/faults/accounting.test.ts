/**
Accounting under faults: a producer with a known sequence (task completions, training steps, workflow steps and a
few malformed messages) against real mycotop processes (`--headless`) on a real redis-server, while Redis stalls
(DEBUG SLEEP, CLIENT PAUSE), is killed and restarted, the writer is SIGSTOPped or killed while a viewer takes over,
and a `--streams` writer is killed mid-stream. At the end, for every key family:
  published = stored in Redis + rejected + reported dropped (mycotop:writes:dropped),
and every counter equals its list: completed_today and the agents' tasks_completed = completion_times entries.
*/
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {type Redis} from 'ioredis';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {INPUT_CHANNELS, keys, ourKeys, streamForChannel} from '../../src/contract/names.js';
import {faultRow} from './fault-table.js';
import {plainClient, requireBuild, spawnCli, type CliProcess} from './harness.js';

const AGENTS = ['acc-a', 'acc-b', 'acc-c'];
const PROJECTS = ['acc-p0', 'acc-p1'];

interface Published {
	tasks: number;
	training: number;
	workflow: number;
	malformed: number;
}

/** Publishes a known sequence about 70 messages a second; counts what Redis delivered to at least one subscriber. */
class Producer {
	readonly published: Published = {tasks: 0, training: 0, workflow: 0, malformed: 0};
	private n = 0;
	private timer: NodeJS.Timeout | undefined;
	private inFlight = Promise.resolve();

	constructor(
		private readonly client: Redis,
		private readonly streams = false,
	) {}

	start(): void {
		this.timer = setInterval(() => {
			this.inFlight = this.inFlight.then(() => this.tick());
		}, 50);
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		await this.inFlight;
	}

	private async tick(): Promise<void> {
		const messages: Array<[keyof Published, string, string]> = [];
		for (let i = 0; i < 2; i++) {
			const n = ++this.n;
			const timestamp = new Date().toISOString();
			messages.push(['tasks', INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `t${n}`, status: 'done', agent: AGENTS[n % 3], duration_seconds: 60 + (n % 7), timestamp})]);
			messages.push(['training', INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: PROJECTS[n % 2], step: n, loss: 1 / n, timestamp})]);
			if (n % 4 === 0) messages.push(['workflow', INPUT_CHANNELS.workflowSteps, JSON.stringify({workflowId: 'acc-wf', stepId: 'build', duration: n % 13, timestamp})]);
			if (n % 20 === 0) messages.push(['malformed', INPUT_CHANNELS.trainingProgress, `{"projectId": "acc-p0", "step": ${n}, "loss":`]);
		}
		const pipeline = this.client.pipeline();
		for (const [, channel, message] of messages) {
			if (this.streams) pipeline.xadd(streamForChannel(channel), 'MAXLEN', '~', '100000', '*', 'data', message);
			else pipeline.publish(channel, message);
		}
		const results = (await pipeline.exec().catch(() => null)) ?? [];
		results.forEach(([error, reply], i) => {
			// Published: delivered to a subscriber (pub/sub), or appended to the stream.
			const delivered = error === null && (this.streams ? typeof reply === 'string' : Number(reply) >= 1);
			if (delivered) this.published[messages[i]![0]] += 1;
		});
	}
}

interface Ledger {
	stored: Omit<Published, 'malformed'>;
	dropped: Record<string, number>;
	completedToday: number;
	agentsCompleted: number;
}

async function ledger(client: Redis): Promise<Ledger> {
	let training = 0;
	for (const p of PROJECTS) training += await client.llen(keys.trainingLoss(p));
	let agentsCompleted = 0;
	for (const a of AGENTS) agentsCompleted += Number((await client.hget(keys.agentPerformance(a), 'tasks_completed')) ?? 0);
	const dropped = Object.fromEntries(Object.entries(await client.hgetall(ourKeys.writesDropped)).map(([k, v]) => [k, Number(v)]));
	return {
		stored: {
			tasks: await client.llen(keys.tasksCompletionTimes),
			training,
			workflow: await client.llen(keys.workflowStepDurations('acc-wf', 'build')),
		},
		dropped,
		completedToday: Number((await client.hget(keys.tasksCounters, 'completed_today')) ?? 0),
		agentsCompleted,
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const role = (cli: CliProcess) => cli.lines().filter((l) => l['type'] === 'state').at(-1)?.['role'];
const rejected = (cli: CliProcess) => {
	const stats = cli.lines().filter((l) => l['type'] === 'stats').at(-1) as {counters?: {rejected?: number}} | undefined;
	return stats?.counters?.rejected ?? 0;
};

/** The invariants, with one line for the fault table. */
function checkLedger(published: Published, l: Ledger): string {
	expect(l.completedToday).toBe(l.stored.tasks);
	expect(l.agentsCompleted).toBe(l.stored.tasks);
	for (const family of ['tasks', 'training', 'workflow'] as const) expect(l.stored[family] + (l.dropped[family] ?? 0)).toBe(published[family]);
	return (
		`published tasks/training/workflow ${published.tasks}/${published.training}/${published.workflow}; ` +
		`stored ${l.stored.tasks}/${l.stored.training}/${l.stored.workflow}; dropped ${JSON.stringify(l.dropped)}; ` +
		`completed_today ${l.completedToday}, agents' tasks_completed ${l.agentsCompleted}`
	);
}

describe.runIf(redisAvailable())('accounting under faults: published = stored + rejected + reported dropped; counters = lists', () => {
	const processes: CliProcess[] = [];
	const servers: TestRedis[] = [];
	const clients: Redis[] = [];

	beforeAll(() => requireBuild());
	afterEach(async () => {
		for (const p of processes.splice(0)) p.kill('SIGKILL');
		for (const c of clients.splice(0)) c.disconnect();
		for (const s of servers.splice(0)) await s.stop();
	});

	async function setUp(redisArgs: readonly string[] = [], streams = false) {
		const redis = await startRedis(redisArgs);
		servers.push(redis);
		const client = plainClient(redis.url);
		const admin = plainClient(redis.url);
		clients.push(client, admin);
		const start = () => {
			const cli = spawnCli(['--headless', '--no-gpu', ...(streams ? ['--streams'] : []), '--redis-url', redis.url]);
			processes.push(cli);
			return cli;
		};
		return {redis, client, admin, start, producer: new Producer(client, streams)};
	}

	/** Writer `a`, then viewer `b`, both started, with the producer running for 2.5 s. */
	async function writerAndViewerUnderLoad() {
		const {admin, start, producer} = await setUp();
		const a = start();
		await waitFor(() => role(a) === 'writer', 10_000, 'first writer');
		const b = start();
		await waitFor(() => role(b) === 'viewer' && b.lines().some((l) => l['type'] === 'started'), 10_000, 'viewer');
		producer.start();
		await sleep(2500);
		return {admin, producer, a, b};
	}

	/** Stop the producer, let the instances flush and exit (SIGTERM), and read the ledger. */
	async function finish(producer: Producer, admin: Redis, instances: CliProcess[]): Promise<Ledger> {
		await producer.stop();
		await sleep(1500);
		for (const cli of instances) cli.kill('SIGTERM');
		for (const cli of instances) await cli.exited();
		return ledger(admin);
	}

	it('Redis stalls (DEBUG SLEEP 5, then CLIENT PAUSE 3 s) under load: nothing lost, counters = lists', async ({task}) => {
		const row = faultRow(task, 'A1 DEBUG SLEEP 5 and CLIENT PAUSE 3000 under ~70 msg/s', 'published = stored + rejected + dropped per family; counters = lists');
		const {admin, start, producer} = await setUp();
		const cli = start();
		await waitFor(() => role(cli) === 'writer', 10_000, 'writer');
		producer.start();
		await sleep(2000);
		await admin.call('DEBUG', 'SLEEP', '5');
		await sleep(2000);
		await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
		await sleep(5000);
		// The stats line comes every 10 s while the producer goes on: every malformed message published by now must be
		// counted as rejected by a later line (an equality with a moving count only held when the timing was kind).
		const malformedByNow = producer.published.malformed;
		await waitFor(() => rejected(cli) >= malformedByNow, 25_000, 'the malformed messages counted as rejected');
		const l = await finish(producer, admin, [cli]);
		row.observe(checkLedger(producer.published, l) + `; rejected ${rejected(cli)} of ${producer.published.malformed} malformed`);
		expect(l.dropped).toEqual({});
	});

	it('Redis killed and restarted (AOF, fsync always): counters = lists, what was lost is reported', async ({task}) => {
		const row = faultRow(task, 'A2 Redis SIGKILL, back after 1.5 s (appendonly, fsync always)', 'published = stored + dropped per family; counters = lists');
		const {redis, admin, start, producer} = await setUp(['--appendonly', 'yes', '--appendfsync', 'always']);
		const cli = start();
		await waitFor(() => role(cli) === 'writer', 10_000, 'writer');
		producer.start();
		await sleep(2500);
		await redis.kill();
		await sleep(1500);
		await redis.start();
		await waitFor(() => role(cli) === 'writer', 15_000, 'writer again');
		await sleep(3000);
		const l = await finish(producer, admin, [cli]);
		row.observe(checkLedger(producer.published, l));
	});

	it('the writer SIGSTOPped 12 s while a viewer takes over, then resumed: nothing lost or doubled', async ({task}) => {
		const row = faultRow(
			task,
			'A3 writer SIGSTOP 12 s, viewer takes over, writer SIGCONT',
			'the new writer replays after the old one\'s watermark; the old one hands over what it held; per family published = stored + dropped; counters = lists',
		);
		const {admin, producer, a, b} = await writerAndViewerUnderLoad();
		a.kill('SIGSTOP');
		await waitFor(() => role(b) === 'writer', 15_000, 'viewer takes over');
		await sleep(12_000 - 6000);
		a.kill('SIGCONT');
		await sleep(3000);
		const l = await finish(producer, admin, [a, b]);
		const stoppedA = a.lines().find((x) => x['type'] === 'stopped');
		const takeover = b.lines().find((x) => x['type'] === 'takeover');
		row.observe(`${checkLedger(producer.published, l)}; new writer replayed ${String(takeover?.['replayed'])} (${String(takeover?.['watermark'])}); old handed over ${String(stoppedA?.['handedOver'])}`);
		expect(takeover?.['watermark']).toBe('found');
		expect(Number(takeover?.['replayed'])).toBeGreaterThan(0);
		expect(l.dropped).toEqual({});
	});

	it('the writer killed (kill -9) while a viewer runs: the viewer writes what the dead one had not committed', async ({task}) => {
		const row = faultRow(task, 'A4 writer kill -9, viewer takes over (pub/sub)', 'nothing lost or doubled: per family published = stored; counters = lists');
		const {admin, producer, a, b} = await writerAndViewerUnderLoad();
		a.kill('SIGKILL');
		await waitFor(() => role(b) === 'writer', 15_000, 'viewer takes over');
		await sleep(2000);
		const l = await finish(producer, admin, [b]);
		const takeover = b.lines().find((x) => x['type'] === 'takeover');
		row.observe(`${checkLedger(producer.published, l)}; replayed ${String(takeover?.['replayed'])}`);
		expect(l.dropped).toEqual({});
	});

	it('--streams: kill -9 mid-stream and restart: counters exactly once, as the lists', async ({task}) => {
		const row = faultRow(task, 'A5 --streams writer kill -9 mid-stream, restarted', 'counters and lists exactly once: per family published = stored; completed_today = list');
		const {admin, start, producer} = await setUp([], true);
		const first = start();
		await waitFor(() => role(first) === 'writer', 10_000, 'writer');
		producer.start();
		await waitFor(async () => (await admin.llen(keys.tasksCompletionTimes)) > 150, 15_000, 'mid-stream');
		first.kill('SIGKILL');
		await first.exited();
		const second = start();
		await waitFor(() => role(second) === 'writer', 15_000, 'restarted writer');
		await sleep(2000);
		await producer.stop();
		await waitFor(async () => (await admin.llen(keys.tasksCompletionTimes)) >= producer.published.tasks, 15_000, 'caught up');
		const l = await finish(producer, admin, [second]);
		row.observe(checkLedger(producer.published, l));
		expect(l.dropped).toEqual({});
	});
});
