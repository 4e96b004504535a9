/**
REDIS CLUSTER (slow: about 30 s). Three masters with a replica each on loopback (`redis-cli --cluster create`), and
mycotop (`--headless`, the fake nvidia-smi's `xid` scenario) on `redis+cluster://`. A publisher's events reach the
seed's keys, which are read back through a Cluster client: training, tasks, agents, GPU, alerts and the history
rollups (whose merge is cut per hash slot), under the seed's own key names (no hash tags). Then the master that
serves `metrics:tasks:counters` is SIGKILLed, its replica promoted, and mycotop goes on writing there.
*/
import calculateSlot from 'cluster-key-slot';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {type Cluster, type Redis} from 'ioredis';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {startCluster, type TestCluster} from '../helpers/redis-cluster.js';
import {HISTORY_KEYS, INPUT_CHANNELS, keys, ourKeys} from '../../src/contract/names.js';
import {RedisHistorySource} from '../../src/history/redis-history-source.js';
import {ClusterKv, slotMarkerKey} from '../../src/bus/cluster-kv.js';
import type {KvCommand} from '../../src/bus/kv.js';
import {FAKE_SMI} from './smi-scenarios.js';
import {faultRow} from './fault-table.js';
import {requireBuild, spawnCli, type CliProcess} from './harness.js';
import {runCli} from '../helpers/cli.js';

const DAY = 86_400_000;
const role = (cli: CliProcess) => cli.lines().filter((l) => l['type'] === 'state').at(-1)?.['role'];

describe.runIf(redisAvailable())('Redis Cluster: the seed contract per hash slot, and a master failover', () => {
	let cluster: TestCluster | undefined;
	let cli: CliProcess | undefined;

	beforeAll(async () => {
		requireBuild();
		cluster = await startCluster();
	}, 60_000);
	afterAll(async () => {
		cli?.kill('SIGKILL');
		await cli?.exited();
		await cluster?.stop();
	}, 30_000);

	it('a batch sent again after an unknown outcome skips the slots already applied; SCAN sees every master', async () => {
		const c = cluster!;
		const client = c.client();
		const kv = new ClusterKv(client, 'resend-test');
		const lists = Array.from({length: 40}, (_, i) => `metrics:training:rs${i}:loss`);
		const marker: KvCommand = ['SET', 'mycotop:writer:last_batch:resend-test', 'resend-test:1', 'EX', 60];
		const batch: KvCommand[] = lists.map((key): KvCommand => ['LPUSH', key, 'entry']);
		await kv.exec(batch, {marker});
		for (const key of lists) expect(await client.llen(key)).toBe(1);
		// As if the link died after the parts of every slot but one were applied: that slot's part and the marker's are not.
		const missing = lists.find((key) => calculateSlot(key) !== calculateSlot(marker[1]))!;
		const notApplied = lists.filter((key) => calculateSlot(key) === calculateSlot(missing) || calculateSlot(key) === calculateSlot(marker[1]));
		for (const key of notApplied) await client.del(key);
		await client.del(marker[1]);
		await client.del(slotMarkerKey(calculateSlot(missing), 'resend-test'));
		await kv.exec(batch, {marker, resend: true});
		for (const key of lists) expect(await client.llen(key), key).toBe(1);
		expect(await client.get(marker[1])).toBe('resend-test:1');
		// The keys live on every master; SCAN on the cluster finds them all.
		const found = await kv.scan('metrics:training:rs*:loss');
		expect(found.sort()).toEqual([...lists].sort());
		expect(new Set(await Promise.all(lists.map(async (key) => (await c.masterOf(calculateSlot(key))).port))).size).toBe(3);
		for (const key of lists) await client.del(key);
		// The input watermark follows the whole batch: when the marker's part fails, the parts before it are in, the
		// watermark is not (a new writer then replays from the older position: nothing is skipped).
		const watermark: KvCommand = ['SET', ourKeys.writerWatermark, 'w-new', 'EX', 60];
		await client.set(ourKeys.writerWatermark, 'w-old');
		const broken: KvCommand = ['SET', 'mycotop:writer:last_batch:resend-test'];
		await expect(kv.exec(batch, {marker: broken, after: [watermark]})).rejects.toThrow();
		expect(await client.get(ourKeys.writerWatermark)).toBe('w-old');
		expect(await client.llen(missing)).toBe(1);
		await kv.exec(batch, {marker, after: [watermark]});
		expect(await client.get(ourKeys.writerWatermark)).toBe('w-new');
		for (const key of [...lists, ourKeys.writerWatermark]) await client.del(key);
	});

	it('writes and reads back the seed keys; a killed master is replaced and mycotop keeps writing', async ({task}) => {
		const row = faultRow(task, 'C1 cluster of 3 masters + 3 replicas; the master of metrics:tasks:counters SIGKILLed', 'seed keys read back; writes go on after promotion');
		const c = cluster!;
		const client = c.client() as unknown as Redis;
		cli = spawnCli(['--headless', '--nvidia-smi', FAKE_SMI, '--redis-url', c.url], {FAKE_NVIDIA_SMI_SCENARIO: 'xid'});
		await waitFor(() => role(cli!) === 'writer', 20_000, 'mycotop to hold the writer lease on the cluster');
		// The subscriber may sit on any node: PUBLISH on a cluster reaches every node's subscribers.
		await waitFor(async () => (await client.publish(INPUT_CHANNELS.agentStatus, JSON.stringify({agentType: 'probe', status: 'busy', taskCount: 1}))) >= 0 && (await client.exists(keys.agentWorkload('probe'))) === 1, 15_000, 'the subscriber to receive');

		// The producer publishes through one node (not the one killed below), as a producer connected to one node does:
		// a Cluster client sends each PUBLISH to a random node, and messages relayed by different nodes may be reordered.
		const victimPort = (await c.masterOf(calculateSlot(keys.tasksCounters))).port;
		const publisher = c.nodes.find((n) => n.port !== victimPort)!.client();
		const now = Date.now();
		// A project id with braces: its seed keys get a hash tag of the producer's making ({😀}), which must work too.
		const projects = ['cl-a', 'cl-b', 'cl-{😀}'];
		for (let i = 0; i < 30; i++) {
			for (const p of projects) {
				// Spread over 60 days: the history merge touches chunk keys of many slots in one batch.
				await publisher.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: p, step: i + 1, loss: 2 / (i + 1), wer: 0.5, timestamp: new Date(now - (30 - i) * 2 * DAY).toISOString()}));
			}
			await publisher.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `ct${i}`, status: 'completed', agent: `agent-${i % 3}`, duration_seconds: 60 + i, timestamp: new Date().toISOString()}));
			await publisher.publish(INPUT_CHANNELS.agentStatus, JSON.stringify({agentType: `agent-${i % 3}`, status: i % 2 === 0 ? 'busy' : 'idle', taskCount: i % 5}));
		}
		await waitFor(async () => Number(await client.hget(keys.tasksCounters, 'completed_today')) === 30, 15_000, 'completed_today = 30');

		// Training: lists and current values.
		for (const p of projects) {
			await waitFor(async () => JSON.parse((await client.lindex(keys.trainingLoss(p), 0)) ?? '{}').step === 30, 10_000, `step 30 of ${p}`);
			expect(await client.llen(keys.trainingLoss(p))).toBe(30);
			expect(JSON.parse((await client.lindex(keys.trainingLoss(p), 0))!)).toMatchObject({step: 30, value: 2 / 30});
			expect(Number(await client.hget(keys.trainingCurrent(p), 'loss'))).toBeCloseTo(2 / 30, 12);
		}
		// Tasks and agents: counters equal the lists, per-agent figures add up.
		expect(await client.llen(keys.tasksCompletionTimes)).toBe(30);
		let perAgent = 0;
		for (let a = 0; a < 3; a++) perAgent += Number(await client.hget(keys.agentPerformance(`agent-${a}`), 'tasks_completed'));
		expect(perAgent).toBe(30);
		await waitFor(async () => (await client.hgetall(keys.tasksAggregated))['throughput_per_hour'] !== undefined, 10_000, 'tasks aggregated');
		expect(await client.hget(keys.agentWorkload('agent-1'), 'current_tasks')).toBeDefined();
		// GPU: the seed's box-wide keys and the per-host ones, from the fake nvidia-smi.
		await waitFor(async () => (await client.llen(keys.gpuUtilization)) > 0 && (await client.hget(keys.gpuCurrent, 'utilization_percent')) !== null, 15_000, 'GPU keys');
		// Alerts: the xid scenario fires gpu_xid; its state and counter are written, its channel published.
		await waitFor(async () => Object.keys(await client.hgetall(keys.alertsCounters)).length > 0, 20_000, 'an alert counted');
		// History: the merge was cut per slot; every sample is read back, across the tiers, through the Cluster client.
		// The held rollups go with a transaction at most once a second (write-batcher.ts), so the index may follow the lists.
		await waitFor(async () => (await client.zscore(HISTORY_KEYS.index, 'training:cl-a:loss')) !== null, 10_000, 'the series in the history index');
		const source = new RedisHistorySource(() => client);
		await waitFor(
			async () => {
				const answer = await source.timeBuckets({series: 'training:cl-a:loss', fromMs: now - 89 * DAY, toMs: now});
				return answer.buckets.reduce((n, b) => n + b.count, 0) === 30;
			},
			10_000,
			'30 training samples in the history',
		);
		// The chunk keys live in several slots (so the merge EVALs were cut per slot), on several masters.
		const chunkSlots = new Set<number>();
		const chunkNodes = new Set<string>();
		for (const node of (client as unknown as Cluster).nodes('master')) {
			const [, found] = await node.scan('0', 'MATCH', 'mycotop:history:*:training:cl-a:loss:*', 'COUNT', 100_000);
			for (const key of found) chunkSlots.add(calculateSlot(key));
			if (found.length > 0) chunkNodes.add(`${node.options.port}`);
		}
		expect(chunkSlots.size).toBeGreaterThan(3);
		expect(chunkNodes.size).toBeGreaterThan(1);
		// No hash tags in the seed's keys or the history's.
		expect(keys.tasksCounters).not.toMatch(/[{}]/);

		// Failover: kill the master of metrics:tasks:counters; its replica takes over; mycotop writes on.
		const victim = await c.masterOf(calculateSlot(keys.tasksCounters));
		expect(victim.port).toBe(victimPort);
		await victim.kill();
		const killedAt = Date.now();
		await c.waitHealthy(20_000);
		const promotedMs = Date.now() - killedAt;
		let published = 0;
		await waitFor(
			async () => {
				const reached = await publisher.publish(INPUT_CHANNELS.taskUpdates, JSON.stringify({taskId: `after${published}`, status: 'completed', agent: 'agent-0', duration_seconds: 30, timestamp: new Date().toISOString()})).catch(() => -1);
				if (reached > 0) published += 1;
				return Number(await client.hget(keys.tasksCounters, 'completed_today').catch(() => 0)) > 30;
			},
			30_000,
			'completed_today to grow after the failover',
		);
		const before = await client.llen(keys.gpuUtilization);
		await waitFor(async () => (await client.llen(keys.gpuUtilization)) > before, 10_000, 'GPU entries after the failover');
		const counters = Number(await client.hget(keys.tasksCounters, 'completed_today'));
		expect(await client.llen(keys.tasksCompletionTimes)).toBe(counters);
		expect(role(cli!)).toBe('writer');
		// A second instance hydrates from every master (SCAN on each): `--once --json` shows the three projects' history.
		const once = await runCli(['--once', '--json', '--no-gpu', '--redis-url', c.url]);
		expect(once.code).toBe(0);
		const shown = (JSON.parse(once.stdout) as {training: Array<{projectId: string; points: number}>}).training;
		for (const p of projects) expect(shown.find((t) => t.projectId === p)?.points, p).toBe(30);
		// The history command reads the chunks one GET each (no MGET across slots) and counts every sample.
		const history = await runCli(['history', 'training:cl-b:loss', '--since', '89d', '--json', '--redis-url', c.url]);
		expect(history.code).toBe(0);
		expect((JSON.parse(history.stdout) as {buckets: Array<{count: number}>}).buckets.reduce((n, b) => n + b.count, 0)).toBe(30);
		const dropped = await client.hgetall(ourKeys.writesDropped);
		row.observe(`history chunks in ${chunkSlots.size} slots on ${chunkNodes.size} masters; replica promoted in ${promotedMs} ms; completed_today ${counters} = list; dropped ${JSON.stringify(dropped)}`);
	}, 120_000);
});
