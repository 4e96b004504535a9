/**
The HistorySource over Redis: reads the rollups the writer's merge script keeps (rollup-layout.ts) with one MGET of
the chunk keys a range covers (at most about 25 keys: a tier is chosen only while it keeps the range's start), one
GET for a step rollup, one ZRANGE of the series index for the list. Reads only; works on any instance, writer or not.
*/
import {type Redis} from 'ioredis';
import {isClusterClient} from '../bus/redis-client.js';
import {HISTORY_KEYS} from '../contract/names.js';
import {FUTURE_SKEW_MS} from '../contract/limits.js';
import {type BucketAnswer, type HistorySource, isSeriesName, type TimeQuery} from './history-source.js';
import {chooseTier, chunkBuckets, clipStarts, mergeToWidth, stepAnswer, stepFactor, stepRollupBuckets, toBucket} from './bucket-read.js';
import {bucketPlace, HISTORY_RETENTION_MS, STEP_SLOTS} from './rollup-layout.js';

/** The connection to read with, or undefined while there is none (the source then rejects). */
export type HistoryRedis = () => Pick<Redis, 'mgetBuffer' | 'getBuffer' | 'zrangebyscore'> | undefined;

export class RedisHistorySource implements HistorySource {
	constructor(
		private readonly redis: HistoryRedis,
		private readonly now: () => number = Date.now,
	) {}

	private connection(): NonNullable<ReturnType<HistoryRedis>> {
		const redis = this.redis();
		if (redis === undefined) throw new Error('Redis is not connected: no history');
		return redis;
	}

	async timeBuckets(query: TimeQuery): Promise<BucketAnswer> {
		const redis = this.connection();
		const nowMs = this.now();
		const tier = chooseTier(query.fromMs, nowMs, query.stepMs);
		const {factor, capped} = stepAnswer(tier.widthMs, query.fromMs, query.toMs, query.stepMs);
		const resolution = tier.widthMs * factor;
		const step = query.stepMs !== undefined ? {step: {askedMs: query.stepMs, capped}} : {};
		if (!isSeriesName(query.series)) return {series: query.series, resolution, buckets: [], ...step};
		// Nothing is stamped past the future skew, nor kept before the longest retention: the chunk count stays bounded.
		const fromMs = Math.max(query.fromMs, nowMs - HISTORY_RETENTION_MS - tier.widthMs);
		const toMs = Math.min(query.toMs, nowMs + FUTURE_SKEW_MS);
		if (toMs < fromMs) return {series: query.series, resolution, buckets: [], ...step};
		const first = bucketPlace(tier, fromMs).chunk;
		const last = bucketPlace(tier, toMs).chunk;
		const chunks: number[] = [];
		for (let c = first; c <= last; c++) chunks.push(c);
		const keys = chunks.map((c) => HISTORY_KEYS.chunk(tier.name, query.series, c));
		// A Redis Cluster's MGET may not span hash slots: there, one GET per chunk key, sent together.
		const values = isClusterClient(redis as Redis) ? await Promise.all(keys.map((key) => redis.getBuffer(key))) : await redis.mgetBuffer(...keys);
		const buckets = chunks.flatMap((c, i) => chunkBuckets(values[i] ?? null, tier, c, fromMs, toMs));
		// Merged buckets are aligned at 0: the first may start before the range; it starts at the range's first tier bucket.
		const merged = factor > 1 ? clipStarts(mergeToWidth(buckets, resolution), fromMs - (fromMs % tier.widthMs)) : buckets;
		return {series: query.series, resolution, buckets: merged.map(toBucket), ...step};
	}

	async stepBuckets(series: string, maxBuckets = STEP_SLOTS): Promise<BucketAnswer> {
		const redis = this.connection();
		if (!isSeriesName(series)) return {series, resolution: 1, buckets: []};
		const {width, buckets} = stepRollupBuckets(await redis.getBuffer(HISTORY_KEYS.steps(series)));
		const lastSlot = buckets.length === 0 ? 0 : buckets.at(-1)!.start / width + 1;
		const factor = stepFactor(lastSlot, maxBuckets);
		const merged = factor > 1 ? mergeToWidth(buckets, width * factor) : buckets;
		return {series, resolution: width * factor, buckets: merged.map(toBucket)};
	}

	async list(): Promise<readonly string[]> {
		const redis = this.connection();
		const names = await redis.zrangebyscore(HISTORY_KEYS.index, this.now() - HISTORY_RETENTION_MS, '+inf');
		return names.filter(isSeriesName).sort();
	}
}
