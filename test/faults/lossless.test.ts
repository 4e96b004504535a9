/** Lossless mode: kill -9 mycotop in the middle of a 10,000-event stream; restart; every event is written once. */
import {afterAll, describe, expect} from 'vitest';
import {redisAvailable, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {INPUT_CHANNELS, ourKeys, streamForChannel} from '../../src/contract/names.js';
import {compareStreamIds} from '../../src/bus/stream-reader.js';
import {faultRow} from './fault-table.js';
import {plainClient, requireBuild, spawnCli, type CliProcess} from './harness.js';

const TOTAL = 10_000;
const PROJECTS = 10;

/** How often each step occurs in the projects' loss lists. */
async function stepsInRedis(client: ReturnType<typeof plainClient>, prefix: string): Promise<Map<number, number>> {
	const seen = new Map<number, number>();
	for (let p = 0; p < PROJECTS; p++) {
		for (const raw of await client.lrange(`metrics:training:${prefix}${p}:loss`, 0, -1)) {
			const step = (JSON.parse(raw) as {step: number}).step;
			seen.set(step, (seen.get(step) ?? 0) + 1);
		}
	}
	return seen;
}

describe.runIf(redisAvailable())('lossless Streams mode', () => {
	let redis: TestRedis;
	const processes: CliProcess[] = [];

	it.beforeAll(async ({redis: fileRedis}) => {
		requireBuild();
		redis = fileRedis;
	});
	afterAll(() => {
		for (const p of processes) p.kill('SIGKILL');
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

	it('a viewer that takes over from a writer killed mid-stream writes what it had only shown, once', async ({task, startRuntime}) => {
		const row = faultRow(
			task,
			'Lossless: writer (kill -9) and a running viewer, both --streams; the viewer takes over',
			'the viewer becomes the writer, rewinds to the committed id, writes every event exactly once, shows none twice',
		);
		const stream = streamForChannel(INPUT_CHANNELS.trainingProgress);
		const client = plainClient(redis.url);
		await client.del(stream, ourKeys.streamsLastId, ourKeys.writerLease);
		const writer = spawnCli(['--headless', '--no-gpu', '--streams', '--redis-url', redis.url]);
		processes.push(writer);
		await waitFor(() => writer.lines().some((l) => l['type'] === 'state' && l['role'] === 'writer'), 10_000, 'writer');
		const viewer = await startRuntime({streams: true, startTimeoutMs: 3000, stopTimeoutMs: 500});
		expect(viewer.bus.role).toBe('viewer');
		let produced = 0;
		let lastId = '';
		const produce = (async () => {
			while (produced < TOTAL) {
				const pipeline = client.pipeline();
				for (let i = 0; i < 50 && produced < TOTAL; i++, produced++)
					pipeline.xadd(stream, '*', 'data', JSON.stringify({projectId: `v${produced % PROJECTS}`, step: produced, loss: 1}));
				for (const [error, value] of (await pipeline.exec()) ?? []) if (error === null && typeof value === 'string') lastId = value;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		})();
		await waitFor(async () => (await client.llen('metrics:training:v0:loss')) > 250, 20_000, 'writer mid-stream');
		writer.kill('SIGKILL');
		await writer.exited();
		const shownAtKill = viewer.store.counters.stored;
		await produce;
		await waitFor(() => viewer.bus.role === 'writer', 15_000, 'viewer takes over');
		await waitFor(async () => (await client.hget(ourKeys.streamsLastId, stream)) === lastId, 20_000, 'new writer caught up');
		await viewer.writer.drain(3000);
		const seen = await stepsInRedis(client, 'v');
		const missing = Array.from({length: TOTAL}, (_, i) => i).filter((i) => !seen.has(i)).length;
		const duplicated = [...seen.values()].filter((n) => n > 1).length;
		// What the viewer shows: hydrated points plus stream events, per project; each step once.
		const shownSteps: number[] = [];
		for (let p = 0; p < PROJECTS; p++) {
			const series = viewer.store.projects.get(`v${p}`);
			for (const point of series?.loss.tail(series.loss.length) ?? []) shownSteps.push(point.x);
		}
		const shownTwice = shownSteps.length - new Set(shownSteps).size;
		row.observe(
			`viewer had shown ${shownAtKill} events at the kill, took over (rewinds ${viewer.streamReader?.stats.rewinds}); in Redis ${seen.size} of ${TOTAL}, ${missing} missing, ${duplicated} duplicated; ` +
				`viewer shows ${new Set(shownSteps).size} distinct steps (${shownTwice} shown twice)`,
		);
		expect(missing).toBe(0);
		expect(duplicated).toBe(0);
		// The keys are complete; the viewer's own display may lack what was committed between its hydration and
		// its first stream read (README, Lossless mode), but it never shows an event twice.
		expect(new Set(shownSteps).size).toBeGreaterThan(TOTAL * 0.9);
		expect(shownTwice).toBe(0);
		expect(viewer.streamReader?.stats.rewinds).toBe(1);
		client.disconnect();
	});
});
