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
