/**
One writer batch's history samples, aggregated in memory as they come, and turned into the batch's EVALs (of bounded keys and bytes) of the
merge script when the batch is sent.

- By time: one 10 s bucket update per sample (the hot path: consecutive samples share a bucket, so it is a compare and
  a few arithmetic operations); the 1 min and 1 h buckets are merged from the 10 s ones when the command is built (a
  10 s bucket lies inside exactly one bucket of each coarser tier).
- Training series by step are not here: the writer holds them whole and writes what changed (step-rollups.ts).
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
	type Tier,
	type TierName,
	TIERS,
	tierKeeps,
	toFloat32,
} from './rollup-layout.js';
import {ROLLUP_SCRIPT} from './rollup-script.js';
import {type SeriesKey} from './series-key.js';

const FINEST = TIERS[0]!;

/**
What the writer keeps across its batches: the key names of the chunks written last (built once, not per batch).
Bounded: cleared past 10,000 series.
*/
export class RollupMemo {
	private readonly keys = new Map<string, Map<string, string>>();

	chunkKey(tier: TierName, series: string, chunk: number): string {
		let byChunk = this.keys.get(series);
		if (byChunk === undefined) {
			if (this.keys.size >= 10_000) this.keys.clear();
			byChunk = new Map();
			this.keys.set(series, byChunk);
		}
		const id = `${tier}${chunk}`;
		let key = byChunk.get(id);
		if (key === undefined) {
			// A series writes a few chunks at a time; older names are forgotten.
			if (byChunk.size >= 16) byChunk.clear();
			key = HISTORY_KEYS.chunk(tier, series, chunk);
			byChunk.set(id, key);
		}
		return key;
	}
}

/** One series' buckets in one batch. */
export class SeriesSamples {
	/** The 10 s bucket the last sample went to (consecutive samples almost always share it). */
	current: BucketAgg | undefined;
	readonly times = new Map<number, BucketAgg>();
	latestMs = Number.NEGATIVE_INFINITY;

	constructor(readonly series: string) {}
}

/** One EVAL: `['EVAL', script, numkeys, ...keys, ...args]`; the records travel as binary arguments. */
export type RollupCommand = readonly ['EVAL', string, ...Array<string | number | Buffer>];

/** Bytes per record in the script's arguments: a u32 slot, then the record. */
export const RECORD_ARG_BYTES = 4 + RECORD_BYTES;

/** Write one record (slot, then rollup-layout.ts's 28 bytes) at `at`. */
function writeRecord(out: Buffer, at: number, slot: number, agg: BucketAgg, width: number): void {
	const finite = agg.count > 0;
	out.writeUInt32LE(slot, at);
	out.writeFloatLE(finite ? toFloat32(agg.min) : 0, at + 4);
	out.writeFloatLE(finite ? toFloat32(agg.max) : 0, at + 8);
	out.writeFloatLE(finite ? toFloat32(agg.last) : 0, at + 12);
	out.writeUInt16LE(finite ? positionIn(agg.lastAt - agg.start, width) : 0, at + 16);
	out.writeUInt16LE(Math.min(MAX_NON_FINITE, agg.nonFinite), at + 18);
	out.writeUInt32LE(Math.min(MAX_COUNT, agg.count), at + 20);
	out.writeDoubleLE(agg.sum, at + 24);
}

/**
Buckets as the script's binary argument, ascending by slot: per bucket its slot (u32 LE) and its record, packed as
rollup-layout.ts stores it (min/max/last as float32, the position of last in the bucket of `width`).
*/
function packRecords(buckets: ReadonlyArray<{readonly slot: number; readonly agg: BucketAgg}>, width: number): Buffer {
	const sorted = [...buckets].sort((a, b) => a.slot - b.slot);
	const out = Buffer.allocUnsafe(sorted.length * RECORD_ARG_BYTES);
	sorted.forEach(({slot, agg}, i) => writeRecord(out, i * RECORD_ARG_BYTES, slot, agg, width));
	return out;
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

/** Numbers the batches, so a SeriesKey knows whether its cached samples belong to this one. */
let batchCount = 0;

export class RollupBatch {
	private readonly series = new Map<string, SeriesSamples>();
	readonly seq = ++batchCount;
	/** 10 s buckets held (every series): what a writer holding the batch across transactions bounds. */
	bucketCount = 0;
	/** Samples refused because they needed a new bucket while `maxBuckets` were held (history short by these). */
	refused = 0;
	/** Samples taken (refused ones not included). */
	samples = 0;

	/** `maxBuckets`: 10 s buckets held at most; a sample that needs another is refused (counted in `refused`). */
	constructor(
		private readonly memo: RollupMemo = new RollupMemo(),
		private readonly maxBuckets = Number.POSITIVE_INFINITY,
	) {}

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
		this.add(this.of(series), timeMs, value);
	}

	/** The same by a series key: its samples in this batch are cached on the key (no lookup by name per sample). */
	sampleKey(key: SeriesKey, timeMs: number, value: number): void {
		let s = key.samples;
		if (key.batchSeq !== this.seq || s === undefined) {
			s = this.of(key.name);
			key.samples = s;
			key.batchSeq = this.seq;
		}
		this.add(s, timeMs, value);
	}

	private add(s: SeriesSamples, timeMs: number, value: number): void {
		const start = timeMs - (timeMs % FINEST.widthMs);
		let agg = s.current;
		if (agg === undefined || agg.start !== start) {
			agg = s.times.get(start);
			if (agg === undefined) {
				if (this.bucketCount >= this.maxBuckets) {
					this.refused += 1;
					return;
				}
				agg = emptyAgg(start);
				s.times.set(start, agg);
				this.bucketCount += 1;
			}
			s.current = agg;
		}
		addSample(agg, timeMs, value);
		this.samples += 1;
		if (timeMs > s.latestMs) s.latestMs = timeMs;
	}

	/**
	The batch's EVALs (none when nothing in it is kept at `nowMs`: every sample older than the longest retention), each
	of at most MAX_KEYS_PER_EVAL chunk keys and about MAX_BYTES_PER_EVAL bytes of records, so that no single script
	holds Redis for long (a backfill of 100 series x 2,000 samples over 89 days is 5,285 keys: one EVAL of 560 ms).
	Buckets a tier no longer keeps are left out of that tier.
	*/
	toCommands(nowMs: number): RollupCommand[] {
		const groups = new EvalGroups(nowMs);
		for (const s of this.series.values()) {
			if (s.times.size > 0 && s.latestMs > nowMs - HISTORY_RETENTION_MS) groups.index(s.series, s.latestMs);
			let fine: Iterable<BucketAgg> = s.times.values();
			for (const tier of TIERS) {
				const buckets = tier === FINEST ? s.times : coarsen(fine, tier);
				fine = buckets.values();
				const byChunk = new Map<number, Array<{slot: number; agg: BucketAgg}>>();
				for (const agg of buckets.values()) {
					if (!tierKeeps(tier, agg.start, nowMs)) continue;
					const {chunk, slot} = bucketPlace(tier, agg.start);
					const list = byChunk.get(chunk);
					if (list === undefined) byChunk.set(chunk, [{slot, agg}]);
					else list.push({slot, agg});
				}
				for (const [chunk, records] of byChunk) {
					groups.chunk(this.memo.chunkKey(tier.name, s.series, chunk), chunkExpireAtSeconds(tier, chunk), tier.bucketsPerChunk * RECORD_BYTES, packRecords(records, tier.widthMs));
				}
			}
		}
		return groups.commands();
	}
}

/** Most chunk keys one EVAL merges (about 0.1 ms of Redis each on the 2-core VM: measured 40 ms at most per EVAL). */
export const MAX_KEYS_PER_EVAL = 128;
/** Most bytes of records and index entries one EVAL carries (beyond it the next EVAL starts). */
export const MAX_BYTES_PER_EVAL = 128 * 1024;

/** The batch's merge split into EVALs of bounded keys and bytes, in the order the keys came. */
class EvalGroups {
	private readonly done: RollupCommand[] = [];
	private indexArgs: Array<string | number> = [];
	private chunkKeys: string[] = [];
	private chunkArgs: Array<string | number | Buffer> = [];
	private bytes = 0;

	constructor(private readonly nowMs: number) {}

	index(series: string, latestMs: number): void {
		this.make(series.length + 16, 0);
		this.indexArgs.push(series, latestMs);
	}

	chunk(key: string, expireAtS: number, chunkBytes: number, records: Buffer): void {
		this.make(key.length + records.length + 24, 1);
		this.chunkKeys.push(key);
		this.chunkArgs.push(expireAtS, chunkBytes, records);
	}

	/** Room for `bytes` more and `keys` more keys: the current EVAL is closed when it would pass a bound. */
	private make(bytes: number, keys: number): void {
		const empty = this.indexArgs.length === 0 && this.chunkKeys.length === 0;
		if (!empty && (this.chunkKeys.length + keys > MAX_KEYS_PER_EVAL || this.bytes + bytes > MAX_BYTES_PER_EVAL)) this.close();
		this.bytes += bytes;
	}

	private close(): void {
		if (this.indexArgs.length === 0 && this.chunkKeys.length === 0) return;
		const keys = [HISTORY_KEYS.index, ...this.chunkKeys];
		this.done.push(['EVAL', ROLLUP_SCRIPT, keys.length, ...keys, this.nowMs, HISTORY_RETENTION_MS, this.indexArgs.length / 2, ...this.indexArgs, this.chunkKeys.length, ...this.chunkArgs]);
		this.indexArgs = [];
		this.chunkKeys = [];
		this.chunkArgs = [];
		this.bytes = 0;
	}

	commands(): RollupCommand[] {
		this.close();
		return this.done;
	}
}
