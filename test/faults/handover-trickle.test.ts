/**
Clean writer handovers (stop() drains, releases the lease; the standby asks every 20 ms, as a
1 s tick does when it happens to fall just after the release) under a 200 messages/s trickle. Every training step
must be stored exactly once: LLEN == published. A reviewer's reproduction: when standbys held their reads at a
trickle like the writer (src/bus/coalesced-reads.ts), a standby up to 50 ms behind did not find the old writer's
watermark in its replay ring and wrote its whole ring again (1 or 2 rounds of 8 stored more than was published).
*/
import {describe, expect} from 'vitest';
import {redisPerTest} from '../helpers/redis-fixture.js';
import {waitFor} from '../helpers/redis-server.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('handover under a trickle', () => {
	redisPerTest('each step stored once across 8 clean handovers', {timeout: 60_000}, async ({redis, startRuntime}) => {
		const client = redis.client();
		let writer = await startRuntime({awaitWriterMs: 5000});
		const results: Array<{published: number; stored: number}> = [];
		for (let round = 0; round < 8; round++) {
			const standby = await startRuntime({leaseRenewMs: 20});
			const project = `hand-${round}`;
			let published = 0;
			let stop = false;
			const producer = (async () => {
				while (!stop) {
					const n = published;
					if ((await client.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: project, step: n, loss: 1 / (n + 1), timestamp: new Date().toISOString()}))) >= 1) published += 1;
					await sleep(4);
				}
			})();
			await sleep(300 + round * 13);
			await writer.stop();
			await waitFor(() => standby.bus.role === 'writer', 5000, 'standby took over');
			await sleep(300);
			stop = true;
			await producer;
			await sleep(600);
			const stored = await client.llen(`metrics:training:${project}:loss`);
			results.push({published, stored});
			writer = standby;
		}
		client.disconnect();
		expect(results.filter((r) => r.stored !== r.published)).toEqual([]);
	});
});
