/** History read back from Redis at start is untrusted too: hostile key names and entries are refused and counted. */
import {describe, expect, it} from 'vitest';
import {redisAvailable, startRedis} from '../helpers/redis-server.js';
import {Runtime} from '../../src/runtime.js';
import {snapshotToJson} from '../../src/store/snapshot.js';

const enabled = redisAvailable();
const ESC = '\u001B';

describe.runIf(enabled)('hydration of hostile history', () => {
	it('keeps escape sequences out of the store and counts what it refused', async () => {
		const redis = await startRedis();
		const client = redis.client();
		await client.lpush(`metrics:training:p${ESC}]52;c;ZXZpbA==\u0007q:loss`, JSON.stringify({step: 1, value: 1, timestamp: 't'}));
		await client.lpush('metrics:training:good:loss', JSON.stringify({step: 1, value: 1, timestamp: '2026-11-29T12:00:00Z'}));
		await client.lpush('metrics:tasks:completion_times', JSON.stringify({taskId: `t${ESC}]0;PWNED\u0007`, agent: 'a', duration: 5, timestamp: '2026-11-29T12:00:00Z'}));
		await client.hset(`metrics:agent:b${ESC}[31mred:performance`, {tasks_completed: '3', avg_duration_seconds: '1', error_rate_percent: '0'});
		await client.sadd('metrics:agents:active', `c\u202Eevil`);
		const runtime = new Runtime({redisUrl: redis.url, readOnly: true, demo: false});
		try {
			await runtime.start();
			const snap = runtime.snapshot();
			expect(snap.training.map((p) => p.projectId)).toEqual(['good']);
			expect(snap.tasks.recent).toEqual([]);
			expect(snap.agents).toEqual([]);
			expect(runtime.hydrationReport?.rejected).toBe(4);
			expect(snapshotToJson(snap)).not.toMatch(/[\u001B\u0007\u009B\u009D\u202E]/);
		} finally {
			await runtime.stop();
			await redis.stop();
		}
	});
});
