/**
How history buckets lie in Redis, as pure data and functions: the three time tiers, the chunk each bucket falls in,
the 28-byte record every bucket is stored as, and the step rollup of training series. The Lua merge script
(rollup-script.ts) writes this layout, the readers (redis-history-source.ts, bench/history-memory.ts) decode it.

  tier  width  kept   buckets per chunk key  chunk key spans
  10s   10 s   24 h   438                    73 min
  1m    1 min  7 d    438                    7 h 18 min
  1h    1 h    90 d   146                    6 d 2 h

A chunk key is a string of `bucketsPerChunk` records (zero-filled at creation, so a bucket is written in place by
SETRANGE and the string never grows), with EXPIREAT at the chunk's end plus the tier's retention: Redis drops whole
chunks as they age out, and nothing scans for old keys. 438 x 28 = 12,264 bytes and 146 x 28 = 4,088 bytes fill
jemalloc's 12 KiB and 4 KiB size classes (with the string header) without rounding waste.

A record (little-endian): min f32 | max f32 | last f32 | lastPos u16 | nonFinite u16 | count u32 | sum f64.
- min, max and last are float32 (7 significant digits: what a chart or a CSV of a loss or a temperature needs);
  sum is float64, so a mean over thousands of samples keeps its precision. Values beyond float32's range are
  clamped to it (losses are bounded at 1e38 by contract/limits.ts already).
- count counts finite samples (capped at 2^32 - 1); nonFinite counts NaN/Infinity samples (capped at 65,535), which
  never enter min, max, sum or last. A bucket with count 0 and nonFinite > 0 has only non-finite samples.
- lastPos is where in the bucket `last` was sampled, in 1/65,536ths of the bucket's width (exact to the ms for the
  10 s and 1 min tiers, 55 ms for 1 h; exact to the step for step buckets up to 65,536 steps wide). The latest
  sample wins; on a tie of position the larger value, so a merge gives the same bucket in any order.

Step rollups (training series): one string per series of an 8-byte header (the bucket width in steps, float64) and
STEP_SLOTS records; bucket i holds steps [i * width, (i + 1) * width). The width is a power of two, the smallest for
which the largest step seen fits in STEP_SLOTS buckets: as a run grows past it, the script doubles the width and
merges neighbouring buckets in place, so a run of any length keeps its whole curve in 4,096 buckets with min/max.
*/

export type TierName = '10s' | '1m' | '1h';

export interface Tier {
	readonly name: TierName;
	/** Bucket width (ms). */
	readonly widthMs: number;
	/** How long a bucket is kept after its end (ms). */
	readonly retentionMs: number;
	readonly bucketsPerChunk: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Finest first. */
export const TIERS: readonly Tier[] = [
	{name: '10s', widthMs: 10_000, retentionMs: DAY, bucketsPerChunk: 438},
	{name: '1m', widthMs: 60_000, retentionMs: 7 * DAY, bucketsPerChunk: 438},
	{name: '1h', widthMs: HOUR, retentionMs: 90 * DAY, bucketsPerChunk: 146},
];

/** The longest retention: the series index forgets a series after this long without samples. */
export const HISTORY_RETENTION_MS = 90 * DAY;

/** Bytes per bucket record. */
export const RECORD_BYTES = 28;

/** Buckets of a step rollup, and the bytes of its header (the width, float64). */
export const STEP_SLOTS = 4096;
export const STEP_HEADER_BYTES = 8;

/** Most non-finite samples a record counts; most finite ones. */
export const MAX_NON_FINITE = 65_535;
export const MAX_COUNT = 4_294_967_295;

/** float32's largest finite value: larger magnitudes are clamped to it before they are stored. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A finite value as float32 stores it (clamped into float32's range, then rounded). */
export function toFloat32(value: number): number {
	return Math.fround(Math.max(-FLOAT32_MAX, Math.min(FLOAT32_MAX, value)));
}

/** Where in a bucket of `width` an offset lies, in 1/65,536ths (0..65,535). */
export function positionIn(offset: number, width: number): number {
	return Math.min(65_535, Math.floor((offset * 65_536) / width));
}

/** The bucket of `timeMs` in a tier: its start (ms), its chunk number and its slot in the chunk. */
export function bucketPlace(tier: Tier, startMs: number): {readonly chunk: number; readonly slot: number} {
	const index = Math.floor(startMs / tier.widthMs);
	return {chunk: Math.floor(index / tier.bucketsPerChunk), slot: index % tier.bucketsPerChunk};
}

/** A chunk's time span [fromMs, toMs). */
export function chunkSpan(tier: Tier, chunk: number): {readonly fromMs: number; readonly toMs: number} {
	const span = tier.widthMs * tier.bucketsPerChunk;
	return {fromMs: chunk * span, toMs: (chunk + 1) * span};
}

/** When a chunk key expires (epoch seconds, for EXPIREAT): its last bucket's end plus the tier's retention. */
export function chunkExpireAtSeconds(tier: Tier, chunk: number): number {
	return Math.ceil((chunkSpan(tier, chunk).toMs + tier.retentionMs) / 1000);
}

/** Whether a bucket starting at `startMs` is still kept by the tier at `nowMs` (an older one is not written). */
export function tierKeeps(tier: Tier, startMs: number, nowMs: number): boolean {
	return startMs + tier.widthMs > nowMs - tier.retentionMs;
}

/** The step width (a power of two) for which `maxStep` fits in STEP_SLOTS buckets. */
export function stepWidthFor(maxStep: number): number {
	let width = 1;
	while (Math.floor(maxStep / width) >= STEP_SLOTS) width *= 2;
	return width;
}

/**
Whether `width` is a step width the writer writes: a power of two from 1 (stepWidthFor's). Anything else stored (3,
0.5, NaN, a huge float) is malformed: widening by a factor that is not a whole number would merge buckets wrongly. Pure.
*/
export function isStepWidth(width: number): boolean {
	if (!Number.isInteger(width) || width < 1 || width > 2 ** 53) return false;
	return 2 ** Math.round(Math.log2(width)) === width;
}

/** A record decoded; undefined for an empty slot (no sample at all). */
export interface DecodedRecord {
	readonly min: number;
	readonly max: number;
	readonly last: number;
	readonly lastPos: number;
	readonly nonFinite: number;
	readonly count: number;
	readonly sum: number;
}

/** The record at `offset` of `bytes`, or undefined when the slot is empty or the bytes end before it. */
export function decodeRecord(bytes: Buffer, offset: number): DecodedRecord | undefined {
	if (offset + RECORD_BYTES > bytes.length) return undefined;
	const count = bytes.readUInt32LE(offset + 16);
	const nonFinite = bytes.readUInt16LE(offset + 14);
	if (count === 0 && nonFinite === 0) return undefined;
	return {
		min: bytes.readFloatLE(offset),
		max: bytes.readFloatLE(offset + 4),
		last: bytes.readFloatLE(offset + 8),
		lastPos: bytes.readUInt16LE(offset + 12),
		nonFinite,
		count,
		sum: bytes.readDoubleLE(offset + 20),
	};
}

/** A record's bytes (the script's encoding, for tests and the memory bench's direct fill). */
export function encodeRecord(r: DecodedRecord): Buffer {
	const out = Buffer.alloc(RECORD_BYTES);
	out.writeFloatLE(r.min, 0);
	out.writeFloatLE(r.max, 4);
	out.writeFloatLE(r.last, 8);
	out.writeUInt16LE(r.lastPos, 12);
	out.writeUInt16LE(Math.min(MAX_NON_FINITE, r.nonFinite), 14);
	out.writeUInt32LE(Math.min(MAX_COUNT, r.count), 16);
	out.writeDoubleLE(r.sum, 20);
	return out;
}

/**
A float32 value as the shortest decimal that reads back to it (0.1f is 0.100000001490116...; shown as 0.1): what
readers print. Exact for integers up to 2^24.
*/
export function float32Text(value: number): number {
	if (!Number.isFinite(value)) return value;
	for (let digits = 6; digits <= 9; digits++) {
		const shorter = Number(value.toPrecision(digits));
		if (Math.fround(shorter) === value) return shorter;
	}
	return value;
}
