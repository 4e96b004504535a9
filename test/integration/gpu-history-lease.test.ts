/**
The GPU frames' history samples, held by GpuRedisWriter between history ticks (gpu-part.ts), across a host-lease
handover between two instances on one box: every frame is in the 10 s buckets exactly once. Samples taken while the
host lease was another instance's are not written later by this one (as when they were handed over per frame, and
the writer dropped them). On a real redis-server.
*/
import {describe, expect, it} from 'vitest';
import {startRedis, redisAvailable} from '../helpers/redis-server.js';
import {RedisKv} from '../../src/bus/redis-kv.js';
import {HISTORY_KEYS} from '../../src/contract/names.js';
import {bucketPlace, decodeRecord, RECORD_BYTES, TIERS} from '../../src/history/rollup-layout.js';
import {MetricsStore} from '../../src/store/metrics-store.js';
import {SeedWriter, type WriterTarget} from '../../src/writer/seed-writer.js';
import {GpuRedisWriter} from '../../src/gpu/gpu-part.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {gpuHistorySamples} from '../../src/gpu/gpu-history.js';
import {parseGpuLine, type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {recording} from '../gpu/fixtures.js';

function firstFrame(scenario: string): ParsedGpuRow[] {
	const rec = recording(scenario);
	const rows: ParsedGpuRow[] = [];
	for (const line of rec.lines) {
		const r = parseGpuLine(line, rec.fields);
		if (r.kind !== 'row') continue;
		if (rows.length > 0 && r.row.timestamp !== rows[0]!.timestamp) break;
		rows.push(r.row);
	}
	return rows;
}

describe.runIf(redisAvailable())('GPU history samples across a host-lease handover', () => {
	it('every frame counted once in its 10 s bucket when the host lease moves from one instance to another', async () => {
		const redis = await startRedis();
		const client = redis.client();
		const lease = {host: 'a'};
		const targetOf = (id: string): WriterTarget => ({
			kv: () => new RedisKv(client),
			canWrite: () => false,
			canWriteHost: () => lease.host === id,
			shouldQueue: () => false,
			isReady: () => true,
			publish: () => {},
			instanceId: id,
		});
		const writerA = new SeedWriter(new MetricsStore(), targetOf('a'), {history: true});
		const writerB = new SeedWriter(new MetricsStore(), targetOf('b'), {history: true});
		const store = new GpuStore();
		const gpuA = new GpuRedisWriter(store, {host: 'box-1', store: {touch: () => {}}, writer: writerA}, 1000, 10_000);
		const gpuB = new GpuRedisWriter(store, {host: 'box-1', store: {touch: () => {}}, writer: writerB}, 1000, 10_000);
		const frame = firstFrame('eight-gpu');
		// Two closed 10 s buckets, 40-60 s ago.
		const base = Math.floor(Date.now() / 10_000) * 10_000 - 60_000;
		try {
			for (let s = 0; s < 20; s++) {
				const now = base + s * 1000 + 100;
				store.applyFrame(frame, now);
				// A holds the host lease and stops after the frame at 12 s (its held samples go with its drain); B, started
				// at 5 s (its history ticks at 5 s and 15 s), takes the lease then.
				if (s <= 12) gpuA.onFrame(now);
				if (s >= 5) gpuB.onFrame(now);
				if (s === 12) {
					gpuA.flushSamples();
					expect(await writerA.drain(5000)).toBe(true);
					lease.host = 'b';
				}
				await writerB.flush();
			}
			gpuB.flushSamples();
			expect(await writerB.drain(5000)).toBe(true);
			const series = gpuHistorySamples('box-1', store.rows())[0]!.series;
			const tier = TIERS[0]!;
			const counts: number[] = [];
			for (const start of [base, base + 10_000]) {
				const {chunk, slot} = bucketPlace(tier, start);
				const bytes = await client.getrangeBuffer(HISTORY_KEYS.chunk('10s', series, chunk), slot * RECORD_BYTES, (slot + 1) * RECORD_BYTES - 1);
				counts.push(decodeRecord(bytes, 0)?.count ?? 0);
			}
			expect(counts).toEqual([10, 10]);
		} finally {
			writerA.stop();
			writerB.stop();
			client.disconnect();
			await redis.stop();
		}
	});
});
