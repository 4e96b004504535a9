/**
The seed's own collector code for Patterns 1, 2 and 4, translated call for call (one awaited Redis call at a
time, as the seed writes it with its MCP tools: lpush with expire = LPUSH then EXPIRE). The reference for
bench:ingest. Not used by mycotop.
*/
import type {Redis} from 'ioredis';

export async function seedHandle(redis: Redis, channel: string, message: string): Promise<void> {
	const e = JSON.parse(message) as Record<string, any>;
	if (channel === 'events:training:progress') {
		await redis.lpush(`metrics:training:${e.projectId}:loss`, JSON.stringify({step: e.step, value: e.loss, timestamp: e.timestamp}));
		await redis.expire(`metrics:training:${e.projectId}:loss`, 604800);
		await redis.lpush(`metrics:training:${e.projectId}:wer`, JSON.stringify({step: e.step, value: e.wer, timestamp: e.timestamp}));
		await redis.expire(`metrics:training:${e.projectId}:wer`, 604800);
		await redis.hset(`metrics:training:${e.projectId}:current`, 'loss', e.loss);
		await redis.hset(`metrics:training:${e.projectId}:current`, 'wer', e.wer);
		await redis.hset(`metrics:training:${e.projectId}:current`, 'last_updated', e.timestamp);
	} else if (channel === 'events:tasks:updates') {
		if (e.status === 'done') {
			const count = await redis.hget('metrics:tasks:counters', 'completed_today');
			await redis.hset('metrics:tasks:counters', 'completed_today', (parseInt(count || '0') + 1).toString());
			await redis.lpush('metrics:tasks:completion_times', JSON.stringify({taskId: e.taskId, agent: e.agent, duration: e.duration_seconds, timestamp: e.timestamp}));
			await redis.expire('metrics:tasks:completion_times', 86400);
			const done = await redis.hget(`metrics:agent:${e.agent}:performance`, 'tasks_completed');
			await redis.hset(`metrics:agent:${e.agent}:performance`, 'tasks_completed', (parseInt(done || '0') + 1).toString());
		}
	} else if (channel === 'events:agents:status') {
		if (e.status === 'busy') await redis.sadd('metrics:agents:active', e.agentType);
		else if (e.status === 'idle') await redis.srem('metrics:agents:active', e.agentType);
		await redis.hset(`metrics:agent:${e.agentType}:workload`, 'current_tasks', e.taskCount || 0);
		const active = await redis.smembers('metrics:agents:active');
		const workloads = await Promise.all(
			active.map(async (agent) => ({agent, taskCount: parseInt((await redis.hget(`metrics:agent:${agent}:workload`, 'current_tasks')) || '0')})),
		);
		const total = workloads.reduce((s, w) => s + w.taskCount, 0);
		const avg = total / workloads.length;
		const maxDeviation = Math.max(...workloads.map((w) => Math.abs(w.taskCount - avg)));
		await redis.hset('metrics:agents:load_balance', 'variance_percent', (maxDeviation / avg) * 100);
		await redis.hset('metrics:agents:load_balance', 'avg_tasks_per_agent', avg);
	}
}

/**
A plain collector: the same writes as the seed, queued into an ioredis pipeline per message (LPUSH + EXPIRE, one
HSET per hash, HINCRBY for the counters instead of read-modify-write, load balance from an in-memory map) and
sent once per event-loop turn. What "a collector that batches the seed's writes into pipelines" means in the
issue; a second reference for bench:ingest, not used by mycotop.
*/
export class PlainCollector {
	private pipeline;
	private queued = 0;
	private scheduled = false;
	private readonly workloads = new Map<string, number>();
	processed = 0;

	constructor(private readonly redis: Redis) {
		this.pipeline = redis.pipeline();
	}

	handle(channel: string, message: string): void {
		const e = JSON.parse(message) as Record<string, any>;
		const p = this.pipeline;
		if (channel === 'events:training:progress') {
			p.lpush(`metrics:training:${e.projectId}:loss`, JSON.stringify({step: e.step, value: e.loss, timestamp: e.timestamp}));
			p.expire(`metrics:training:${e.projectId}:loss`, 604800);
			p.lpush(`metrics:training:${e.projectId}:wer`, JSON.stringify({step: e.step, value: e.wer, timestamp: e.timestamp}));
			p.expire(`metrics:training:${e.projectId}:wer`, 604800);
			p.hset(`metrics:training:${e.projectId}:current`, 'loss', e.loss, 'wer', e.wer, 'last_updated', e.timestamp);
		} else if (channel === 'events:tasks:updates') {
			if (e.status === 'done') {
				p.hincrby('metrics:tasks:counters', 'completed_today', 1);
				p.lpush('metrics:tasks:completion_times', JSON.stringify({taskId: e.taskId, agent: e.agent, duration: e.duration_seconds, timestamp: e.timestamp}));
				p.expire('metrics:tasks:completion_times', 86400);
				p.hincrby(`metrics:agent:${e.agent}:performance`, 'tasks_completed', 1);
			}
		} else if (channel === 'events:agents:status') {
			if (e.status === 'busy') p.sadd('metrics:agents:active', e.agentType);
			else p.srem('metrics:agents:active', e.agentType);
			p.hset(`metrics:agent:${e.agentType}:workload`, 'current_tasks', e.taskCount || 0);
			this.workloads.set(e.agentType, e.taskCount || 0);
			const counts = [...this.workloads.values()];
			const avg = counts.reduce((s, n) => s + n, 0) / counts.length;
			const maxDeviation = Math.max(...counts.map((n) => Math.abs(n - avg)));
			p.hset('metrics:agents:load_balance', 'variance_percent', avg === 0 ? 0 : (maxDeviation / avg) * 100, 'avg_tasks_per_agent', avg);
		}
		this.queued += 1;
		if (!this.scheduled) {
			this.scheduled = true;
			setImmediate(() => this.send());
		}
	}

	private send(): void {
		const pipeline = this.pipeline;
		const count = this.queued;
		this.pipeline = this.redis.pipeline();
		this.queued = 0;
		this.scheduled = false;
		void pipeline.exec().then(() => (this.processed += count));
	}
}
