/** Lossless mode: kill -9 mycotop in the middle of a 10,000-event stream; restart; every event is written once. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {INPUT_CHANNELS, ourKeys, streamForChannel} from '../../src/contract/names.js';
import {compareStreamIds} from '../../src/bus/stream-reader.js';
import {faultRow} from './fault-table.js';
import {plainClient, requireBuild, spawnCli, type CliProcess} from './harness.js';

const TOTAL = 10_000;
const PROJECTS = 10;

describe.runIf(redisAvailable())('lossless Streams mode', () => {
	let redis: TestRedis;
	const processes: CliProcess[] = [];

	beforeAll(async () => {
		requireBuild();
		redis = await startRedis();
	});
	afterAll(async () => {
		for (const p of processes) p.kill('SIGKILL');
		await redis?.stop();
	});

	it('kill -9 mid-stream, restart: every event is in the seed keys exactly once', async ({task}) => {
		const row = faultRow(
			task,
			'Lossless: kill -9 mycotop --streams in the middle of a 10,000-event stream, restart',
			'every event in metrics:training:*:loss exactly once (no loss, no duplicate); pub/sub copies ignored',
		);
		const stream = streamForChannel(INPUT_CHANNELS.trainingProgress);
		const client = plainClient(redis.url);
		const args = ['--headless', '--no-gpu', '--streams', '--redis-url', redis.url];
		const first = spawnCli(args);
		processes.push(first);
		await waitFor(() => first.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 10_000, 'first instance writes');

		// The producer: XADD (lossless) and PUBLISH (for pub/sub consumers) every event, 2,500 a second.
		let produced = 0;
		let lastId = '';
		const produce = (async () => {
			while (produced < TOTAL) {
				const pipeline = client.pipeline();
				for (let i = 0; i < 50 && produced < TOTAL; i++, produced++) {
					const message = JSON.stringify({projectId: `p${produced % PROJECTS}`, step: produced, loss: 1 / (produced + 1)});
					pipeline.xadd(stream, 'MAXLEN', '~', '100000', '*', 'data', message);
					pipeline.publish(INPUT_CHANNELS.trainingProgress, message);
				}
				const results = (await pipeline.exec()) ?? [];
				for (const [error, value] of results) if (error === null && typeof value === 'string' && value.includes('-')) lastId = value;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		})();

		await waitFor(async () => {
			const id = await client.hget(ourKeys.streamsLastId, stream);
			return id !== null && Number(id.split('-')[0]) > 0 && (await client.xlen(stream)) > 3000 && (await client.llen('metrics:training:p0:loss')) > 250;
		}, 20_000, 'first instance mid-stream');
		first.kill('SIGKILL');
		await first.exited();
		const writtenAtKill = await Promise.all(Array.from({length: PROJECTS}, (_, p) => client.llen(`metrics:training:p${p}:loss`)));
		const committedAtKill = await client.hget(ourKeys.streamsLastId, stream);
		const producedAtKill = produced;

		const second = spawnCli(args);
		processes.push(second);
		await produce;
		await waitFor(async () => (await client.hget(ourKeys.streamsLastId, stream)) === lastId, 20_000, 'second instance caught up');
		await waitFor(async () => {
			let total = 0;
			for (let p = 0; p < PROJECTS; p++) total += await client.llen(`metrics:training:p${p}:loss`);
			return total >= TOTAL;
		}, 5000, 'all entries written');
		second.kill('SIGTERM');
		await second.exited();

		const seen = new Map<number, number>();
		for (let p = 0; p < PROJECTS; p++) {
			for (const raw of await client.lrange(`metrics:training:p${p}:loss`, 0, -1)) {
				const step = (JSON.parse(raw) as {step: number}).step;
				seen.set(step, (seen.get(step) ?? 0) + 1);
			}
		}
		const missing = Array.from({length: TOTAL}, (_, i) => i).filter((i) => !seen.has(i)).length;
		const duplicated = [...seen.values()].filter((n) => n > 1).length;
		const written = writtenAtKill.reduce((a, b) => a + b, 0);
		row.observe(
			`killed after ${producedAtKill} produced, ${written} written (committed id ${committedAtKill}); after restart ${seen.size} distinct of ${TOTAL}, ` +
				`${missing} missing, ${duplicated} duplicated`,
		);
		expect(written).toBeGreaterThan(0);
		expect(written).toBeLessThan(TOTAL);
		expect(compareStreamIds(committedAtKill ?? '0-0', lastId)).toBeLessThan(0);
		expect(missing).toBe(0);
		expect(duplicated).toBe(0);
		expect(seen.size).toBe(TOTAL);
		client.disconnect();
	});
});
