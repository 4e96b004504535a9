/**
The history contract between the rollup writer (src/history/*, which stores buckets in Redis) and its readers (the
zoomed charts' time windows, `mycotop history`). Types and series names only; no I/O here.

A series is named `family:part[:part...]:metric`, built only by `seriesName` from validated ids:
  training:{project}:loss    training:{project}:wer
  gpu:{host}:{index}:util    gpu:{host}:{index}:mem    gpu:{host}:{index}:temp    gpu:{host}:{index}:power
  tasks:throughput (completions per bucket)   tasks:sla (share within 30 min, 0..1)   tasks:duration (seconds)
  agent:{id}:load (current tasks)

Semantics of the buckets (src/history/event-series.ts writes them): tasks:throughput has one sample of 1 per
completion, so a bucket's count (and sum) is its completions; tasks:sla one sample per completion with a duration,
1 within 30 minutes and 0 beyond, so sum / count is the bucket's compliance; gpu:* one sample per GPU frame (fresh
readings only). min, max and last are stored as float32 (7 significant digits), sum as float64.
*/
import {keyId} from '../contract/ids.js';

/** One bucket of one series: every sample stamped in [startMs, startMs + resolutionMs) (or, by step, in [startStep, startStep + width)). */
export interface Bucket {
	/** Bucket start: epoch ms for time buckets, the first step for step buckets. */
	readonly start: number;
	readonly min: number;
	readonly max: number;
	readonly sum: number;
	readonly count: number;
	/**
	The value of the latest finite sample in the bucket (by its time stamp, or by step; as late: the larger). A bucket
	with only non-finite samples has count 0, sum 0 and NaN min, max and last.
	*/
	readonly last: number;
	/** Non-finite samples (NaN/Inf loss) seen in the bucket: counted, not folded into min/max/sum/last (at most 65,535). */
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
	/**
	Time buckets asked with a step: the step asked, and whether it was capped at the range (a bucket never starts
	before the range's first tier bucket: the first one is clipped to it). `resolution` is the step answered: a
	multiple of the tier's width (15 s asked of the 10 s tier is 20 s).
	*/
	readonly step?: {readonly askedMs: number; readonly capped: boolean};
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

const FAMILIES: ReadonlySet<string> = new Set<SeriesFamily>(['training', 'gpu', 'tasks', 'agent']);

/** Whether `text` is a series name as `seriesName` builds them: a known family, then key-safe parts (no empty one). */
export function isSeriesName(text: string): boolean {
	const parts = text.split(':');
	return parts.length >= 2 && FAMILIES.has(parts[0]!) && parts.slice(1).every((part) => keyId(part) === part);
}
