/**
The pure parts of the history: the merge rule (any order, any partition: the same bucket), the record layout, the
tier and chunk geometry, the batch's aggregation into the script's arguments, reading back (tier choice, merging to
a wider step), the events' samples and the CLI's output.
*/
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {addSample, type BucketAgg, emptyAgg, mergeInto} from '../../src/history/bucket-agg.js';
import {
	bucketPlace,
	chunkExpireAtSeconds,
	chunkSpan,
	decodeRecord,
	encodeRecord,
	float32Text,
	positionIn,
	RECORD_BYTES,
	STEP_SLOTS,
	stepWidthFor,
	TIERS,
	tierKeeps,
	toFloat32,
} from '../../src/history/rollup-layout.js';
import {chooseTier, chunkBuckets, mergeToWidth, stepFactor, stepRollupBuckets, toBucket} from '../../src/history/bucket-read.js';
import {StepSeries} from '../../src/history/step-rollups.js';
import {RECORD_ARG_BYTES, RollupBatch} from '../../src/history/rollup-batch.js';
import {sampleEvent, SeriesNames, type SampleSink} from '../../src/history/event-series.js';
import {historyCsv, historyJson, historyTable} from '../../src/history/history-output.js';
import {isSeriesName, seriesName} from '../../src/history/history-source.js';
import {gpuHistorySamples} from '../../src/gpu/gpu-history.js';
import {DemoRunner} from '../../src/demo/simulator.js';
import {type GpuRow} from '../../src/gpu/gpu-snapshot.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A sample: a time within a bucket, and a value (quarters, so every sum is exact whatever the order), or NaN. */
const sample = fc.record({at: fc.integer({min: 0, max: 9_999}), value: fc.oneof({weight: 9, arbitrary: fc.integer({min: -4000, max: 4000}).map((n) => n / 4)}, {weight: 1, arbitrary: fc.constant(Number.NaN)})});

function aggOf(samples: ReadonlyArray<{at: number; value: number}>): BucketAgg {
	const agg = emptyAgg(0);
	for (const s of samples) addSample(agg, s.at, s.value);
	return agg;
}

describe('the merge rule', () => {
	it('samples merged in any order and any partition give the same bucket', () => {
		fc.assert(
			fc.property(fc.array(sample, {maxLength: 60}), fc.array(fc.integer({min: 0, max: 5}), {maxLength: 60}), fc.integer(), (samples, cuts, seed) => {
				const whole = aggOf(samples);
				// Partition into batches by `cuts`, aggregate each, merge the batches in a shuffled order.
				const batches: Array<Array<{at: number; value: number}>> = [[]];
				samples.forEach((s, i) => {
					if ((cuts[i] ?? 0) === 0) batches.push([]);
					batches.at(-1)!.push(s);
				});
				const shuffled = batches.map((b, i) => ({b, k: (i * 7919 + seed) % 101})).sort((x, y) => x.k - y.k);
				const merged = emptyAgg(0);
				for (const {b} of shuffled) mergeInto(merged, aggOf(b));
				expect(merged).toEqual(whole);
			}),
		);
	});

	it('non-finite samples are counted, never in min, max, sum or last', () => {
		const agg = aggOf([
			{at: 1, value: 2},
			{at: 5, value: Number.NaN},
			{at: 6, value: Number.POSITIVE_INFINITY},
		]);
		expect(agg).toMatchObject({min: 2, max: 2, sum: 2, count: 1, last: 2, lastAt: 1, nonFinite: 2});
	});

	it('the latest sample is last; as late, the larger', () => {
		expect(aggOf([{at: 9, value: 1}, {at: 3, value: 8}]).last).toBe(1);
		expect(aggOf([{at: 4, value: 1}, {at: 4, value: 8}]).last).toBe(8);
		expect(aggOf([{at: 4, value: 8}, {at: 4, value: 1}]).last).toBe(8);
	});
});

describe('the record layout', () => {
	it('a record reads back as written; an all-zero slot is empty', () => {
		fc.assert(
			fc.property(
				fc.record({
					min: fc.float({noNaN: true, noDefaultInfinity: true}),
					max: fc.float({noNaN: true, noDefaultInfinity: true}),
					last: fc.float({noNaN: true, noDefaultInfinity: true}),
					lastPos: fc.integer({min: 0, max: 65_535}),
					nonFinite: fc.integer({min: 0, max: 65_535}),
					count: fc.integer({min: 1, max: 4_294_967_295}),
					sum: fc.double({noNaN: true, noDefaultInfinity: true}),
				}),
				(r) => {
					const bytes = encodeRecord(r);
					expect(bytes.length).toBe(RECORD_BYTES);
					const back = decodeRecord(bytes, 0)!;
					expect(back).toEqual({...r, min: Math.fround(r.min), max: Math.fround(r.max), last: Math.fround(r.last)});
				},
			),
		);
		expect(decodeRecord(Buffer.alloc(RECORD_BYTES), 0)).toBeUndefined();
		expect(decodeRecord(Buffer.alloc(RECORD_BYTES - 1), 0)).toBeUndefined();
	});

	it('float32: clamped into its range, printed as its shortest decimal', () => {
		expect(toFloat32(1e39)).toBe(Math.fround(3.4028234663852886e38));
		expect(toFloat32(-1e39)).toBe(-Math.fround(3.4028234663852886e38));
		expect(float32Text(Math.fround(0.1))).toBe(0.1);
		expect(float32Text(Math.fround(250.37))).toBe(250.37);
		expect(float32Text(81_559)).toBe(81_559);
		expect(float32Text(Number.NaN)).toBeNaN();
		fc.assert(
			fc.property(fc.float({noNaN: true, noDefaultInfinity: true}), (f) => {
				expect(Math.fround(float32Text(f)) === f).toBe(true);
			}),
		);
	});

	it('positions: exact to the ms in 10 s and 1 min buckets, to the step up to 65,536 wide', () => {
		const seen = new Set<number>();
		for (let ms = 0; ms < 60_000; ms++) seen.add(positionIn(ms, 60_000));
		expect(seen.size).toBe(60_000);
		expect(positionIn(3, 8)).toBe(3 * 8192);
		expect(positionIn(HOUR - 1, HOUR)).toBe(65_535);
	});

	it('tiers: chunks, expiry at chunk end plus retention, what a tier still keeps', () => {
		const tier = TIERS[0]!;
		const t = Date.UTC(2026, 11, 6, 3, 0, 7);
		const {chunk, slot} = bucketPlace(tier, t - (t % tier.widthMs));
		const span = chunkSpan(tier, chunk);
		expect(span.fromMs + slot * tier.widthMs).toBe(t - (t % tier.widthMs));
		expect(span.toMs - span.fromMs).toBe(438 * 10_000);
		expect(chunkExpireAtSeconds(tier, chunk)).toBe(Math.ceil((span.toMs + DAY) / 1000));
		expect(tierKeeps(tier, t - DAY + 1, t)).toBe(true);
		expect(tierKeeps(tier, t - DAY - 10_000, t)).toBe(false);
		// Chunk strings fill jemalloc's size classes: 12 KiB and 4 KiB with the string header.
		expect(TIERS.map((x) => x.bucketsPerChunk * RECORD_BYTES)).toEqual([12_264, 12_264, 4088]);
	});

	it('step widths: the smallest power of two that fits the largest step in 4,096 buckets', () => {
		expect(stepWidthFor(0)).toBe(1);
		expect(stepWidthFor(STEP_SLOTS - 1)).toBe(1);
		expect(stepWidthFor(STEP_SLOTS)).toBe(2);
		expect(stepWidthFor(1_000_000)).toBe(256);
		fc.assert(
			fc.property(fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}), (step) => {
				const w = stepWidthFor(step);
				expect(Math.floor(step / w)).toBeLessThan(STEP_SLOTS);
				if (w > 1) expect(Math.floor(step / (w / 2))).toBeGreaterThanOrEqual(STEP_SLOTS);
			}),
		);
	});
});

/** A binary records argument as [slot, min, max, last, pos, nonFinite, count, sum] rows. */
function recordRows(blob: Buffer): number[][] {
	const rows: number[][] = [];
	for (let at = 0; at < blob.length; at += RECORD_ARG_BYTES) {
		const r = decodeRecord(blob, at + 4)!;
		rows.push([blob.readUInt32LE(at), r.min, r.max, r.last, r.lastPos, r.nonFinite, r.count, r.sum]);
	}
	return rows;
}

/** The script's arguments of a batch, decoded into {key: [records]} (for the batch's own checks). */
function commandGroups(batch: RollupBatch, now: number): {index: string[]; chunks: Map<string, number[][]>} {
	const index: string[] = [];
	const chunks = new Map<string, number[][]>();
	for (const command of batch.toCommands(now)) {
		const numkeys = command[2] as number;
		const keys = command.slice(3, 3 + numkeys) as string[];
		const args = command.slice(3 + numkeys);
		let a = 2;
		const next = () => args[a++]!;
		const nIndex = Number(next());
		for (let i = 0; i < nIndex; i++) {
			index.push(String(next()));
			next();
		}
		let k = 1;
		const nChunks = Number(next());
		for (let c = 0; c < nChunks; c++) {
			next();
			next();
			chunks.set(keys[k++]!, recordRows(next() as Buffer));
		}
	}
	return {index, chunks};
}

describe('a batch of samples', () => {
	const now = Date.UTC(2026, 11, 6, 12, 0, 0);

	it('one record per bucket per tier; the coarser tiers merged from the 10 s buckets', () => {
		const batch = new RollupBatch();
		for (let i = 0; i < 120; i++) batch.sample('gpu:box:0:util', now - 120_000 + i * 1000, i);
		const {index, chunks} = commandGroups(batch, now);
		expect(index).toEqual(['gpu:box:0:util']);
		const byTier = (tier: string) => [...chunks].filter(([key]) => key.startsWith(`mycotop:history:${tier}:`)).flatMap(([, records]) => records);
		expect(byTier('10s')).toHaveLength(12);
		expect(byTier('1m')).toHaveLength(2);
		expect(byTier('1h').length).toBeGreaterThanOrEqual(1);
		// Every tier counts all 120 samples, sums 0..119, min 0, max 119.
		for (const tier of ['10s', '1m', '1h']) {
			const records = byTier(tier);
			expect(records.reduce((n, r) => n + r[6]!, 0)).toBe(120);
			expect(records.reduce((n, r) => n + r[7]!, 0)).toBe((119 * 120) / 2);
			expect(Math.min(...records.map((r) => r[1]!))).toBe(0);
			expect(Math.max(...records.map((r) => r[2]!))).toBe(119);
		}
	});

	it('a past-stamped sample goes only to the tiers that still keep it; one past 90 days makes nothing', () => {
		const batch = new RollupBatch();
		batch.sample('tasks:duration', now - 3 * DAY, 40);
		const {chunks} = commandGroups(batch, now);
		expect([...chunks.keys()].map((k) => k.split(':')[2])).toEqual(['1m', '1h']);
		const old = new RollupBatch();
		old.sample('tasks:duration', now - 91 * DAY, 40);
		expect(old.toCommands(now)).toEqual([]);
	});

});

describe('step rollups (the writer state)', () => {
	const stepSample = fc.record({step: fc.integer({min: 0, max: 50_000}), value: fc.oneof({weight: 9, arbitrary: fc.integer({min: -400, max: 400}).map((n) => n / 4)}, {weight: 1, arbitrary: fc.constant(Number.NaN)})});

	it('samples in any order give the same buckets, at the width the largest step needs', () => {
		fc.assert(
			fc.property(fc.array(stepSample, {minLength: 1, maxLength: 150}), fc.integer(), (samples, seed) => {
				const a = StepSeries.fromBytes(null);
				for (const s of samples) a.add(s.step, s.value);
				const b = StepSeries.fromBytes(null);
				const shuffled = samples.map((s, i) => ({s, k: (i * 7919 + seed) % 1009})).sort((x, y) => x.k - y.k);
				for (const {s} of shuffled) b.add(s.step, s.value);
				expect(b.width).toBe(stepWidthFor(Math.max(...samples.map((s) => s.step))));
				expect(b.encode(0, STEP_SLOTS - 1, true).equals(a.encode(0, STEP_SLOTS - 1, true))).toBe(true);
				// Every sample is in a bucket: finite ones in count, the others in nonFinite.
				const read = stepRollupBuckets(a.encode(0, STEP_SLOTS - 1, true));
				expect(read.buckets.reduce((n, x) => n + x.count + x.nonFinite, 0)).toBe(samples.length);
			}),
			{numRuns: 60},
		);
	});

	it('a run widening keeps min, max and the latest value per bucket; read back from its bytes', () => {
		const s = StepSeries.fromBytes(null);
		for (let step = 0; step < 10_000; step++) s.add(step, step === 7777 ? 99 : 1);
		expect(s.width).toBe(4);
		const back = StepSeries.fromBytes(s.encode(0, STEP_SLOTS - 1, true));
		expect(back.encode(0, STEP_SLOTS - 1, true).equals(s.encode(0, STEP_SLOTS - 1, true))).toBe(true);
		const {width, buckets} = stepRollupBuckets(s.encode(0, STEP_SLOTS - 1, true));
		expect(width).toBe(4);
		expect(buckets).toHaveLength(2500);
		expect(buckets.find((b) => b.max === 99)!.start).toBe(7776);
		expect(buckets.every((b) => b.count === 4)).toBe(true);
	});

	it('writes: the whole state first, then the header and the changed span, with the TTL', () => {
		const s = StepSeries.fromBytes(null);
		s.add(3, 1);
		const first = s.takeWrites('k');
		expect(first.map((c) => [c[0], c[2]])).toEqual([
			['SETRANGE', 0],
			['EXPIRE', 7_776_000],
		]);
		// The slots held: a new series starts with 16 (its buckets grow with its run), not all STEP_SLOTS.
		expect((first[0]![3] as Buffer).length).toBe(8 + 16 * RECORD_BYTES);
		expect(s.capacity).toBe(16);
		expect(s.takeWrites('k')).toEqual([]);
		s.add(10, 2);
		s.add(12, 2);
		const next = s.takeWrites('k');
		expect(next.map((c) => [c[0], c[2], (c[3] as Buffer | undefined)?.length])).toEqual([
			['SETRANGE', 0, 8],
			['SETRANGE', 8 + 10 * RECORD_BYTES, 3 * RECORD_BYTES],
			['EXPIRE', 7_776_000, undefined],
		]);
	});

	it('holds a short run in a few slots, grows as the run does, and reads back a short string as it was written', () => {
		const s = StepSeries.fromBytes(null);
		for (let step = 0; step < 40; step++) s.add(step, step);
		expect(s.capacity).toBe(64);
		const whole = Buffer.concat(s.takeWrites('k').filter((c) => c[0] === 'SETRANGE').map((c) => c[3] as Buffer));
		expect(whole.length).toBe(8 + 64 * RECORD_BYTES);
		const back = StepSeries.fromBytes(whole);
		expect(back.dirty).toBe(false);
		expect(Array.from(back.count.slice(0, 40))).toEqual(Array(40).fill(1));
		for (let step = 40; step < 10_000; step++) s.add(step, step);
		expect(s.capacity).toBe(STEP_SLOTS);
	});
});

describe('reading back', () => {
	const now = Date.UTC(2026, 11, 6, 12, 0, 0);

	it('the finest tier that keeps the range, unless the step asks for a coarser one', () => {
		expect(chooseTier(now - HOUR, now).name).toBe('10s');
		expect(chooseTier(now - 2 * DAY, now).name).toBe('1m');
		expect(chooseTier(now - 30 * DAY, now).name).toBe('1h');
		expect(chooseTier(now - 200 * DAY, now).name).toBe('1h');
		expect(chooseTier(now - HOUR, now, 60_000).name).toBe('1m');
		expect(chooseTier(now - HOUR, now, HOUR).name).toBe('1h');
		expect(chooseTier(now - 7 * DAY - 1000, now).name).toBe('1m');
	});

	it('a chunk: its non-empty buckets in the range; merged wider by the merge rule', () => {
		const tier = TIERS[0]!;
		const bytes = Buffer.alloc(tier.bucketsPerChunk * RECORD_BYTES);
		encodeRecord({min: 1, max: 4, last: 2, lastPos: 100, nonFinite: 0, count: 3, sum: 7}).copy(bytes, 0);
		encodeRecord({min: 0, max: 9, last: 9, lastPos: 0, nonFinite: 1, count: 2, sum: 9}).copy(bytes, 3 * RECORD_BYTES);
		encodeRecord({min: 0, max: 0, last: 0, lastPos: 0, nonFinite: 2, count: 0, sum: 0}).copy(bytes, 5 * RECORD_BYTES);
		const base = chunkSpan(tier, 7).fromMs;
		const buckets = chunkBuckets(bytes, tier, 7, base, base + HOUR);
		expect(buckets.map((b) => b.start - base)).toEqual([0, 30_000, 50_000]);
		expect(toBucket(buckets[2]!)).toMatchObject({count: 0, nonFinite: 2, sum: 0});
		expect(toBucket(buckets[2]!).min).toBeNaN();
		const wide = mergeToWidth(buckets, 60_000).map(toBucket);
		expect(wide).toEqual([{start: base - (base % 60_000), min: 0, max: 9, sum: 16, count: 5, last: 9, nonFinite: 3}]);
		expect(chunkBuckets(null, tier, 7, base, base + HOUR)).toEqual([]);
		expect(chunkBuckets(bytes, tier, 7, base + 20_000, base + 40_000).map((b) => b.start - base)).toEqual([30_000]);
	});

	it('step factors: a power of two that brings the buckets under the maximum', () => {
		expect(stepFactor(4096, 4096)).toBe(1);
		expect(stepFactor(4096, 100)).toBe(64);
		expect(stepFactor(0, 10)).toBe(1);
	});
});

describe('what events sample', () => {
	function sink(): SampleSink & {samples: string[]} {
		const samples: string[] = [];
		return {samples, sample: (s, t, v) => samples.push(`${s}@${t}=${v}`), stepSample: (s, step, v) => samples.push(`${s}#${step}=${v}`)};
	}

	it('training (loss and WER by time and step), completions (throughput, SLA, duration), agent load', () => {
		const s = sink();
		const names = new SeriesNames();
		sampleEvent({kind: 'training', projectId: 'p', step: 7, loss: 0.5, wer: 0.2, timestamp: 1, timeMs: 1000}, names, s);
		sampleEvent({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 1801, timestamp: 1, timeMs: 2000}, names, s);
		sampleEvent({kind: 'task', taskId: 't', status: 'done', agent: 'a', durationSeconds: 1800, timestamp: 1, timeMs: 2500}, names, s);
		sampleEvent({kind: 'task', taskId: 't', status: 'running', agent: 'a', timestamp: 1, timeMs: 2000}, names, s);
		sampleEvent({kind: 'agent', agentType: 'a', status: 'busy', taskCount: 3, timeMs: 3000}, names, s);
		sampleEvent({kind: 'error', errorId: 'e', timeMs: 4000}, names, s);
		expect(s.samples).toEqual([
			'training:p:loss@1000=0.5',
			'training:p:loss#7=0.5',
			'training:p:wer@1000=0.2',
			'training:p:wer#7=0.2',
			'tasks:throughput@2000=1',
			'tasks:sla@2000=0',
			'tasks:duration@2000=1801',
			'tasks:throughput@2500=1',
			'tasks:sla@2500=1',
			'tasks:duration@2500=1800',
			'agent:a:load@3000=3',
		]);
	});

	it('GPU frames: fresh readings per GPU; stale, unknown and lost ones make no sample', () => {
		const reading = (value: number | undefined, stale = false) => ({value, ...(stale ? {stale} : {})});
		const row = (index: number, lost = false) =>
			({index, lost, utilizationPercent: reading(50), memoryUsedMb: reading(1000), temperatureC: reading(60, true), powerDrawW: reading(undefined)}) as unknown as GpuRow;
		expect(gpuHistorySamples('box-1', [row(0), row(1, true)])).toEqual([
			{series: 'gpu:box-1:0:util', value: 50},
			{series: 'gpu:box-1:0:mem', value: 1000},
		]);
		expect(gpuHistorySamples('.', [row(0)])).toEqual([]);
	});

	it('GPU history samples: the names built once per host and GPU are the names seriesName builds, host after host', () => {
		const reading = (value: number) => ({value});
		const row = (index: number) => ({index, lost: false, utilizationPercent: reading(1), memoryUsedMb: reading(2), temperatureC: reading(3), powerDrawW: reading(4)}) as unknown as GpuRow;
		const rows = [row(0), row(7), row(255), row(256), row(4096)];
		const expected = (host: string) => rows.flatMap((r) => ['util', 'mem', 'temp', 'power'].map((m, i) => ({series: seriesName('gpu', host, r.index, m), value: i + 1})));
		for (const [host, part] of [['box-1', 'box-1'], ['box 2', 'box_2'], ['box-1', 'box-1'], ['box 2', 'box_2']] as const) {
			expect(gpuHistorySamples(host, rows)).toEqual(expected(part));
			expect(gpuHistorySamples(host, rows)).toEqual(expected(part));
		}
		expect(gpuHistorySamples('.', rows)).toEqual([]);
		expect(gpuHistorySamples('box-1', rows)).toEqual(expected('box-1'));
	});

	it('series names: a known family and key-safe parts', () => {
		expect(isSeriesName(seriesName('gpu', 'box', 3, 'util'))).toBe(true);
		expect(isSeriesName('tasks:sla')).toBe(true);
		expect(isSeriesName('training:a b:loss')).toBe(false);
		expect(isSeriesName('training::loss')).toBe(false);
		expect(isSeriesName('weather:x')).toBe(false);
		expect(isSeriesName('tasks')).toBe(false);
	});
});

describe('mycotop history output', () => {
	const answer = {
		series: 'training:p:loss',
		resolution: HOUR,
		buckets: [
			{start: Date.UTC(2026, 0, 1), min: 1, max: 3, sum: 4, count: 2, last: 3},
			{start: Date.UTC(2026, 0, 1, 1), min: Number.NaN, max: Number.NaN, sum: 0, count: 0, last: Number.NaN, nonFinite: 2},
		],
	};

	it('JSON: null for figures of a bucket without finite samples, the mean computed', () => {
		const parsed = JSON.parse(historyJson(answer, 'time')) as {buckets: Array<Record<string, unknown>>};
		expect(parsed.buckets[0]).toMatchObject({time: '2026-01-01T00:00:00.000Z', min: 1, max: 3, mean: 2, count: 2, last: 3, nonFinite: 0});
		expect(parsed.buckets[1]).toMatchObject({min: null, max: null, mean: null, last: null, nonFinite: 2});
	});

	it('CSV: a header and one line per bucket, empty cells for no figure', () => {
		expect(historyCsv(answer, 'time').split('\n')).toEqual([
			'time,min,max,mean,sum,count,last,non_finite',
			'2026-01-01T00:00:00.000Z,1,3,2,4,2,3,0',
			'2026-01-01T01:00:00.000Z,,,,0,0,,2',
		]);
	});

	it('the table: aligned columns, "-" for no figure', () => {
		const lines = historyTable(answer, 'time', '1h');
		expect(lines[0]).toBe('training:p:loss: 2 buckets of 1h');
		expect(lines[1]).toMatch(/^time\s+min\s+max\s+mean\s+last\s+count\s+nan\/inf$/);
		expect(lines[3]).toMatch(/^2026-01-01T01:00:00.000Z\s+-\s+-\s+-\s+-\s+0\s+2$/);
		expect(new Set(lines.slice(1).map((l) => l.length)).size).toBe(1);
	});
});

describe('the demo backfill', () => {
	it('past ticks stamped across the backfill window, the live run still from its first step', () => {
		const published: Array<{channel: string; message: Record<string, unknown>}> = [];
		const now = Date.UTC(2026, 11, 6, 12);
		const runner = new DemoRunner((channel, message) => published.push({channel, message: JSON.parse(message) as Record<string, unknown>}), 42, 250, () => now, DAY);
		runner.start();
		runner.stop();
		const times = published.map((p) => Date.parse(String(p.message['timestamp'])));
		expect(Math.min(...times)).toBe(now - DAY);
		// One coarse tick per 5 minutes for the day, then the 120 ticks of the last 30 s.
		const training = published.filter((p) => p.channel === 'events:training:progress' && p.message['projectId'] === 'vision-vit');
		expect(training).toHaveLength(288 + 120);
		expect(training[288]!.message['step']).toBe(5);
		expect(new DemoRunner(() => undefined, 42, 250, () => now).published).toBe(0);
	});
});
