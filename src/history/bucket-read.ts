/**
Reading buckets back, as pure functions: which tier answers a time range, the buckets a chunk key's bytes hold, a
step rollup's buckets, and merging buckets into wider ones (a coarser step than the tier's, or fewer step buckets)
by the same rule as the writer's (bucket-agg.ts): min of mins, max of maxes, sums and counts added, the latest last.
*/
import {type Bucket} from './history-source.js';
import {
	chunkSpan,
	decodeRecord,
	type DecodedRecord,
	float32Text,
	isStepWidth,
	RECORD_BYTES,
	STEP_HEADER_BYTES,
	STEP_SLOTS,
	type Tier,
	TIERS,
} from './rollup-layout.js';

/**
Whether a tier keeps a range starting at `fromMs`, with 1 % of its retention to spare: a "7d" window asked a moment
ago still reads the 1 min tier (chunk keys outlive their last bucket's retention, so the edge is mostly there).
*/
function keeps(tier: Tier, fromMs: number, nowMs: number): boolean {
	return fromMs >= nowMs - tier.retentionMs * 1.01;
}

/**
The finest tier that still keeps `fromMs` at `nowMs` and is no finer than `stepMs` asks; the coarsest (1 h, 90 d)
when none keeps it. Its width, times the factor that reaches `stepMs`, is the answer's resolution.
*/
export function chooseTier(fromMs: number, nowMs: number, stepMs = 0): Tier {
	for (const tier of TIERS) {
		if (!keeps(tier, fromMs, nowMs)) continue;
		const next = TIERS[TIERS.indexOf(tier) + 1];
		// A wanted step of a coarser tier's width or more is answered from that tier (fewer bytes, same answer).
		if (next !== undefined && stepMs >= next.widthMs && keeps(next, fromMs, nowMs)) continue;
		return tier;
	}
	return TIERS[TIERS.length - 1]!;
}

/** A bucket being read, with where its `last` lies (absolute: ms or step) for merging. */
interface ReadBucket {
	start: number;
	min: number;
	max: number;
	sum: number;
	count: number;
	last: number;
	lastAt: number;
	nonFinite: number;
}

function fromRecord(start: number, width: number, r: DecodedRecord): ReadBucket {
	const finite = r.count > 0;
	return {
		start,
		min: finite ? r.min : Number.NaN,
		max: finite ? r.max : Number.NaN,
		sum: finite ? r.sum : 0,
		count: r.count,
		last: finite ? r.last : Number.NaN,
		lastAt: start + (r.lastPos * width) / 65_536,
		nonFinite: r.nonFinite,
	};
}

/** The non-empty buckets of a chunk key's bytes that start in [fromMs, toMs], oldest first. */
export function chunkBuckets(bytes: Buffer | null, tier: Tier, chunk: number, fromMs: number, toMs: number): ReadBucket[] {
	if (bytes === null) return [];
	const out: ReadBucket[] = [];
	const base = chunkSpan(tier, chunk).fromMs;
	for (let slot = 0; slot < tier.bucketsPerChunk; slot++) {
		const start = base + slot * tier.widthMs;
		if (start + tier.widthMs <= fromMs || start > toMs) continue;
		const record = decodeRecord(bytes, slot * RECORD_BYTES);
		if (record !== undefined) out.push(fromRecord(start, tier.widthMs, record));
	}
	return out;
}

/** A step rollup's width and its non-empty buckets (start = first step), oldest first. */
export function stepRollupBuckets(bytes: Buffer | null): {readonly width: number; readonly buckets: ReadBucket[]} {
	if (bytes === null || bytes.length < STEP_HEADER_BYTES) return {width: 1, buckets: []};
	const width = bytes.readDoubleLE(0);
	// A width the writer does not write: malformed, read as no buckets (the writer restarts it).
	if (!isStepWidth(width)) return {width: 1, buckets: []};
	const buckets: ReadBucket[] = [];
	for (let slot = 0; slot < STEP_SLOTS; slot++) {
		const record = decodeRecord(bytes, STEP_HEADER_BYTES + slot * RECORD_BYTES);
		if (record !== undefined) buckets.push(fromRecord(slot * width, width, record));
	}
	return {width, buckets};
}

/** Buckets merged into buckets of `width` (a multiple of theirs, aligned at 0), oldest first. */
export function mergeToWidth(buckets: readonly ReadBucket[], width: number): ReadBucket[] {
	const out: ReadBucket[] = [];
	for (const b of buckets) {
		const start = b.start - (b.start % width);
		const into = out.at(-1);
		if (into === undefined || into.start !== start) {
			out.push({...b, start});
			continue;
		}
		into.nonFinite += b.nonFinite;
		if (b.count === 0) continue;
		if (into.count === 0) {
			Object.assign(into, {min: b.min, max: b.max, sum: b.sum, count: b.count, last: b.last, lastAt: b.lastAt});
			continue;
		}
		into.min = Math.min(into.min, b.min);
		into.max = Math.max(into.max, b.max);
		into.sum += b.sum;
		into.count += b.count;
		if (b.lastAt > into.lastAt || (b.lastAt === into.lastAt && b.last > into.last)) {
			into.last = b.last;
			into.lastAt = b.lastAt;
		}
	}
	return out;
}

/** The contract's Bucket: float32 figures as their shortest decimals; NaN min/max/last when only non-finite samples. */
export function toBucket(b: ReadBucket): Bucket {
	return {
		start: b.start,
		min: float32Text(b.min),
		max: float32Text(b.max),
		sum: b.sum,
		count: b.count,
		last: float32Text(b.last),
		...(b.nonFinite > 0 ? {nonFinite: b.nonFinite} : {}),
	};
}

/**
The factor of the tier's width that answers a wanted step over [fromMs, toMs]: the step asked, rounded up to a multiple
of the width, capped at the range (rounded up likewise): a step longer than the range is the range. Pure.
*/
export function stepAnswer(tierWidthMs: number, fromMs: number, toMs: number, stepMs: number | undefined): {readonly factor: number; readonly capped: boolean} {
	const wanted = Math.max(1, Math.ceil((stepMs ?? 0) / tierWidthMs));
	const range = Math.max(1, Math.ceil((toMs - fromMs) / tierWidthMs));
	return wanted > range ? {factor: range, capped: true} : {factor: wanted, capped: false};
}

/** Buckets whose start lies before `fromMs` start there instead (a merged bucket aligned before the range). Pure. */
export function clipStarts<T extends {start: number}>(buckets: readonly T[], fromMs: number): T[] {
	return buckets.map((b) => (b.start < fromMs ? {...b, start: fromMs} : b));
}

/** The smallest power of two f for which `slots` buckets merged by f are at most `maxBuckets`. */
export function stepFactor(slots: number, maxBuckets: number): number {
	let f = 1;
	while (Math.ceil(slots / f) > Math.max(1, maxBuckets)) f *= 2;
	return f;
}
