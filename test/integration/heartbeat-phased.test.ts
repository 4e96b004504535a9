/** The Redis heartbeat on the shared schedule (src/periodic.ts, on in the long-running modes): a reviewer's reproduction. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {RedisLink} from '../../src/bus/redis-link.js';
import {staleAfterMs, staleForMs} from '../../src/bus/connection-state.js';
import {phasePeriodicTimers} from '../../src/periodic.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(redisAvailable())('heartbeat with phasing on (as main.ts)', () => {
	let redis: TestRedis;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(async () => {
		phasePeriodicTimers(false);
		await redis?.stop();
	});

	// The first heartbeat came a full period after the next grid point (up to 4 s): the bus line said "data stale".
	it('a quiet, healthy Redis is not reported stale in the first seconds', async () => {
		phasePeriodicTimers(true);
		while (Date.now() % 2000 > 20) await sleep(1); // started just after a 2 s grid point
		const start = Date.now();
		const link = new RedisLink({url: redis.url}, () => {}, ['mycotop:nothing']);
		link.start();
		try {
			await waitFor(() => link.lastSeenMs > 0);
			const ages: number[] = [];
			while (Date.now() - start < 4200) {
				const stale = staleForMs(link.lastSeenMs, Date.now(), staleAfterMs(2000));
				if (stale !== undefined) ages.push(stale);
				await sleep(50);
			}
			expect(ages).toEqual([]); // with setInterval(2000) the first PING comes at +2 s: never stale
		} finally {
			await link.stop();
		}
	}, 15_000);
});
