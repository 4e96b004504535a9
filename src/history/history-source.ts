/**
The history contract between the rollup writer (src/history/*, which stores buckets in Redis) and its readers (the
zoomed charts' time windows, `mycotop history`). Types and series names only; no I/O here.

A series is named `family:part[:part...]:metric`, built only by `seriesName` from validated ids:
  training:{project}:loss    training:{project}:wer
  gpu:{host}:{index}:util    gpu:{host}:{index}:mem    gpu:{host}:{index}:temp    gpu:{host}:{index}:power
  tasks:throughput (completions per bucket)   tasks:sla (share within 30 min, 0..1)   tasks:duration (seconds)
  agent:{id}:load (current tasks)
*/

/** One bucket of one series: every sample stamped in [startMs, startMs + resolutionMs) (or, by step, in [startStep, startStep + width)). */
export interface Bucket {
	/** Bucket start: epoch ms for time buckets, the first step for step buckets. */
	readonly start: number;
	readonly min: number;
	readonly max: number;
	readonly sum: number;
	readonly count: number;
	/** The value of the latest sample in the bucket (by its time stamp, or by step). */
	readonly last: number;
	/** Non-finite samples (NaN/Inf loss) seen in the bucket: counted, not folded into min/max/sum. */
	readonly nonFinite?: number;
}

export interface TimeQuery {
	readonly series: string;
	readonly fromMs: number;
	readonly toMs: number;
	/** Wanted resolution; the store answers from the finest tier that covers the range at or above it. */
	readonly stepMs?: number;
}

export interface BucketAnswer {
	readonly series: string;
	/** Width of each bucket: ms for time, steps for step buckets. */
	readonly resolution: number;
	readonly buckets: readonly Bucket[];
}

/** Where the charts and `mycotop history` read buckets from. */
export interface HistorySource {
	/** Time buckets of a series over [fromMs, toMs], oldest first. Rejects when Redis is away. */
	timeBuckets(query: TimeQuery): Promise<BucketAnswer>;
	/** A training series' buckets by step over the whole run (at most `maxBuckets`, default 4,096), oldest first. */
	stepBuckets(series: string, maxBuckets?: number): Promise<BucketAnswer>;
	/** Every series with history. */
	list(): Promise<readonly string[]>;
}

export type SeriesFamily = 'training' | 'gpu' | 'tasks' | 'agent';

/** The series name for validated ids (see contract/ids.ts): parts may not contain ':' by that rule. */
export function seriesName(family: SeriesFamily, ...parts: ReadonlyArray<string | number>): string {
	return [family, ...parts.map(String)].join(':');
}
