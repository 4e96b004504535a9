/** Real stores filled for the zoomed chart tests, and history sources: one answering from points, one failing. */
import {MetricsStore} from '../../src/store/metrics-store.js';
import {GpuStore} from '../../src/gpu/gpu-store.js';
import {type ParsedGpuRow} from '../../src/gpu/csv-parse.js';
import {type Bucket, type BucketAnswer, type HistorySource, type TimeQuery} from '../../src/history/history-source.js';
import {NOW} from './fixtures.js';

/** A store with `points` loss points for `bert` (a NaN at 40 %, a spike at 70 %), WER for `whisper`, agents and tasks. */
export function chartStore(points = 10_000): MetricsStore {
	const store = new MetricsStore({}, () => NOW);
	for (let i = 0; i < points; i++) {
		const loss = i === Math.floor(points * 0.4) ? Number.NaN : i === Math.floor(points * 0.7) ? 40 : 3 * Math.exp(-i / (points / 5)) + 0.2 + (i % 7) * 0.01;
		store.apply({kind: 'training', projectId: 'bert', step: (i + 1) * 10, loss, timestamp: NOW, timeMs: NOW - (points - i) * 1000}, NOW);
	}
	for (let i = 0; i < 200; i++) {
		store.apply({kind: 'training', projectId: 'whisper', step: i + 1, loss: 2 - i / 200, wer: 0.5 - i / 1000, timestamp: NOW, timeMs: NOW - (200 - i) * 1000}, NOW);
		store.apply({kind: 'training', projectId: 'bert-large', step: i + 1, loss: 4 - i / 100, timestamp: NOW, timeMs: NOW - (200 - i) * 1000}, NOW);
	}
	for (let i = 0; i < 120; i++) {
		store.apply({kind: 'agent', agentType: 'ml-eng', status: 'busy', taskCount: 1 + (i % 4), timeMs: NOW - (120 - i) * 30_000}, NOW);
		store.apply({kind: 'agent', agentType: 'data-eng', status: 'idle', taskCount: i % 2, timeMs: NOW - (120 - i) * 30_000}, NOW);
		store.apply({kind: 'task', taskId: `t${i}`, status: 'done', agent: i % 2 ? 'ml-eng' : 'data-eng', durationSeconds: 300 + (i % 9) * 300, timestamp: NOW, timeMs: NOW - (120 - i) * 30_000}, NOW);
	}
	return store;
}

/** A GPU store with `count` GPUs and `samples` frames a second apart, ending at NOW. */
export function chartGpuStore(count = 8, samples = 120): GpuStore {
	const store = new GpuStore();
	for (let s = 0; s < samples; s++) {
		const rows: ParsedGpuRow[] = Array.from({length: count}, (_, g) => ({
			timestamp: undefined,
			index: g,
			uuid: `GPU-${g}`,
			name: 'NVIDIA H100 80GB HBM3',
			busId: undefined,
			pstate: 'P0',
			persistenceMode: true,
			migEnabled: false,
			readings: {
				utilizationPercent: {value: (s * 3 + g * 10) % 100},
				memoryUsedMb: {value: 20_000 + g * 5000},
				memoryTotalMb: {value: 81_920},
				temperatureC: {value: 50 + g * 4},
				powerDrawW: {value: 200 + g * 50},
				powerLimitW: {value: 700},
			},
		}));
		store.applyFrame(rows, NOW - (samples - s) * 1000);
	}
	return store;
}

/** Buckets of `resolution` over [from, to] from a function of time (no I/O): stands for the Redis rollups. */
export class PointsHistory implements HistorySource {
	readonly asked: string[] = [];
	constructor(private readonly value: (series: string, timeMs: number) => number) {}

	async timeBuckets(query: TimeQuery): Promise<BucketAnswer> {
		this.asked.push(query.series);
		const resolution = Math.max(10_000, query.stepMs ?? 60_000);
		const buckets: Bucket[] = [];
		for (let t = Math.floor(query.fromMs / resolution) * resolution; t <= query.toMs; t += resolution) {
			const v = this.value(query.series, t);
			buckets.push({start: t, min: v * 0.9, max: v * 1.1, sum: v * 6, count: 6, last: v});
		}
		return {series: query.series, resolution, buckets};
	}

	async stepBuckets(series: string, maxBuckets = 4096): Promise<BucketAnswer> {
		this.asked.push(`${series}#steps`);
		const width = Math.ceil(1_000_000 / maxBuckets);
		const buckets: Bucket[] = [];
		for (let s = 0; s < 1_000_000; s += width) {
			const v = this.value(series, s);
			buckets.push({start: s, min: v, max: s === width * 100 ? v * 50 : v, sum: v, count: 1, last: v});
		}
		return {series, resolution: width, buckets};
	}

	async list(): Promise<readonly string[]> {
		return [];
	}
}

/** Redis away: every read rejects. */
export class FailingHistory implements HistorySource {
	async timeBuckets(): Promise<BucketAnswer> {
		throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
	}
	async stepBuckets(): Promise<BucketAnswer> {
		throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
	}
	async list(): Promise<readonly string[]> {
		throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
	}
}
