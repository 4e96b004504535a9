/**
One writer batch's history samples, aggregated in memory as they come (one bucket update per sample: the hot path),
and turned into the batch's one EVAL of the merge script when the batch is sent. Only the 10 s buckets are kept per
sample; the 1 min and 1 h buckets are merged from them when the command is built (a 10 s bucket lies inside exactly
one bucket of each coarser tier). Training series also keep buckets by step, at the width their largest step in the
batch needs (the script widens either side to the wider of the two).
*/
import {HISTORY_KEYS} from '../contract/names.js';
import {addSample, type BucketAgg, copyAgg, emptyAgg, mergeInto} from './bucket-agg.js';
import {
	bucketPlace,
	chunkExpireAtSeconds,
	HISTORY_RETENTION_MS,
	MAX_COUNT,
	MAX_NON_FINITE,
	positionIn,
	RECORD_BYTES,
	STEP_SLOTS,
	stepWidthFor,
	type Tier,
	TIERS,
	tierKeeps,
	toFloat32,
} from './rollup-layout.js';
import {ROLLUP_SCRIPT} from './rollup-script.js';

const FINEST = TIERS[0]!;

class SeriesSamples {
	/** The 10 s bucket the last sample went to (consecutive samples almost always share it). */
	current: BucketAgg | undefined;
	readonly times = new Map<number, BucketAgg>();
	latestMs = Number.NEGATIVE_INFINITY;
	stepCurrent: BucketAgg | undefined;
	steps: Map<number, BucketAgg> | undefined;
	stepWidth = 1;

	constructor(readonly series: string) {}
}

/** One EVAL: `['EVAL', script, numkeys, ...keys, ...args]`. */
export type RollupCommand = readonly ['EVAL', string, ...Array<string | number>];

/** A bucket record as script arguments: slot, min, max, last, pos, nonFinite, count, sum. */
function recordArgs(out: Array<string | number>, slot: number, agg: BucketAgg, width: number): void {
	const finite = agg.count > 0;
	out.push(
		slot,
		finite ? toFloat32(agg.min) : 0,
		finite ? toFloat32(agg.max) : 0,
		finite ? toFloat32(agg.last) : 0,
		finite ? positionIn(agg.lastAt - agg.start, width) : 0,
		Math.min(MAX_NON_FINITE, agg.nonFinite),
		Math.min(MAX_COUNT, agg.count),
		agg.sum,
	);
}

/** The buckets of a coarser tier, merged from 10 s buckets. */
function coarsen(fine: Iterable<BucketAgg>, tier: Tier): Map<number, BucketAgg> {
	const out = new Map<number, BucketAgg>();
	for (const agg of fine) {
		const start = agg.start - (agg.start % tier.widthMs);
		const into = out.get(start);
		if (into === undefined) out.set(start, copyAgg(agg, start));
		else mergeInto(into, agg);
	}
	return out;
}

export class RollupBatch {
	private readonly series = new Map<string, SeriesSamples>();

	get isEmpty(): boolean {
		return this.series.size === 0;
	}

	private of(series: string): SeriesSamples {
		let s = this.series.get(series);
		if (s === undefined) {
			s = new SeriesSamples(series);
			this.series.set(series, s);
		}
		return s;
	}

	/** A sample of `series` stamped `timeMs` (epoch ms, validated by the contract). */
	sample(series: string, timeMs: number, value: number): void {
		const s = this.of(series);
		const start = timeMs - (timeMs % FINEST.widthMs);
		let agg = s.current;
		if (agg === undefined || agg.start !== start) {
			agg = s.times.get(start);
			if (agg === undefined) {
				agg = emptyAgg(start);
				s.times.set(start, agg);
			}
			s.current = agg;
		}
		addSample(agg, timeMs, value);
		if (timeMs > s.latestMs) s.latestMs = timeMs;
	}

	/** A training series' sample by step (0..2^53-1, validated by the contract). */
	stepSample(series: string, step: number, value: number): void {
		const s = this.of(series);
		let steps = s.steps;
		if (steps === undefined) {
			steps = new Map();
			s.steps = steps;
		}
		if (Math.floor(step / s.stepWidth) >= STEP_SLOTS) {
			// The batch saw a step beyond its width: widen it and merge the buckets held so far.
			s.stepWidth = stepWidthFor(step);
			const merged = new Map<number, BucketAgg>();
			for (const agg of steps.values()) {
				const start = agg.start - (agg.start % s.stepWidth);
				const into = merged.get(start);
				if (into === undefined) merged.set(start, copyAgg(agg, start));
				else mergeInto(into, agg);
			}
			s.steps = steps = merged;
			s.stepCurrent = undefined;
		}
		const start = step - (step % s.stepWidth);
		let agg = s.stepCurrent;
		if (agg === undefined || agg.start !== start) {
			agg = steps.get(start);
			if (agg === undefined) {
				agg = emptyAgg(start);
				steps.set(start, agg);
			}
			s.stepCurrent = agg;
		}
		addSample(agg, step, value);
	}

	/**
	The batch's EVAL, or undefined when nothing in it is kept at `nowMs` (every sample older than the longest
	retention). Buckets a tier no longer keeps are left out of that tier.
	*/
	toCommand(nowMs: number): RollupCommand | undefined {
		const indexArgs: Array<string | number> = [];
		const chunkKeys: string[] = [];
		const chunkArgs: Array<string | number> = [];
		const stepKeys: string[] = [];
		const stepArgs: Array<string | number> = [];
		for (const s of this.series.values()) {
			if (s.times.size > 0 && s.latestMs > nowMs - HISTORY_RETENTION_MS) indexArgs.push(s.series, s.latestMs);
			let fine: Iterable<BucketAgg> = s.times.values();
			for (const tier of TIERS) {
				const buckets = tier === FINEST ? s.times : coarsen(fine, tier);
				fine = buckets.values();
				const byChunk = new Map<number, BucketAgg[]>();
				for (const agg of buckets.values()) {
					if (!tierKeeps(tier, agg.start, nowMs)) continue;
					const {chunk} = bucketPlace(tier, agg.start);
					const list = byChunk.get(chunk);
					if (list === undefined) byChunk.set(chunk, [agg]);
					else list.push(agg);
				}
				for (const [chunk, aggs] of byChunk) {
					chunkKeys.push(HISTORY_KEYS.chunk(tier.name, s.series, chunk));
					chunkArgs.push(chunkExpireAtSeconds(tier, chunk), tier.bucketsPerChunk * RECORD_BYTES, aggs.length);
					for (const agg of aggs) recordArgs(chunkArgs, bucketPlace(tier, agg.start).slot, agg, tier.widthMs);
				}
			}
			if (s.steps !== undefined && s.steps.size > 0) {
				stepKeys.push(HISTORY_KEYS.steps(s.series));
				stepArgs.push(s.stepWidth, Math.ceil(HISTORY_RETENTION_MS / 1000), s.steps.size);
				for (const agg of s.steps.values()) recordArgs(stepArgs, agg.start / s.stepWidth, agg, s.stepWidth);
			}
		}
		if (indexArgs.length === 0 && chunkKeys.length === 0 && stepKeys.length === 0) return undefined;
		const keys = [HISTORY_KEYS.index, ...chunkKeys, ...stepKeys];
		return [
			'EVAL',
			ROLLUP_SCRIPT,
			keys.length,
			...keys,
			nowMs,
			HISTORY_RETENTION_MS,
			indexArgs.length / 2,
			...indexArgs,
			chunkKeys.length,
			...chunkArgs,
			stepKeys.length,
			...stepArgs,
		];
	}
}
