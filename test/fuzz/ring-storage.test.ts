/**
The rings keep values in a Float32Array, steps in a Uint32Array and times as Int32Array offsets from the first time
until a point does not fit, then widen to Float64Array (src/store/ring-buffer.ts); steps on one stride take no array
until a step leaves it. Whatever the storage, every answer must be the one a plain list of the
points as pushed gives, bit for bit (-0, NaN, infinities, fractions, steps past 2^32), across growth, widening in
the middle of a wrapped ring, and wrap-around. The model below is the slow computation: a bounded array.
*/
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {fitsFloat32, fitsTimeOffset, fitsUint32, NumericRing, TimeRing} from '../../src/store/ring-buffer.js';

interface Point {
	readonly x: number;
	readonly value: number;
	readonly timeMs: number;
}

/** Values as producers send them: mostly float32-exact (loss.item()), some doubles, and the odd ones. */
const valueArb = fc.oneof(
	{weight: 6, arbitrary: fc.float({noNaN: false})},
	{weight: 3, arbitrary: fc.double({noNaN: false})},
	{weight: 1, arbitrary: fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, 1e38, 3.4028234663852886e38, 1e-45, 5e-324)},
);
/** Steps: mostly small integers, some past 2^32, fractions, -0 and negatives (the ring takes any number). */
const stepArb = fc.oneof(
	{weight: 8, arbitrary: fc.nat({max: 1_000_000})},
	{weight: 1, arbitrary: fc.constantFrom(2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, 0.5, -0, -1, 1e-300)},
	{weight: 1, arbitrary: fc.double({noNaN: true, min: 0, max: 2 ** 40})},
);
/** Times: ascending runs with the odd step back (producers' clocks), so both search paths run. */
const timeDeltaArb = fc.oneof({weight: 9, arbitrary: fc.integer({min: 0, max: 5000})}, {weight: 1, arbitrary: fc.integer({min: -20_000, max: -1})});

/**
Now and then a time an int32 offset from the first cannot hold: a fraction of a millisecond, a jump past 2^31 ms
either way (a clock set years off), and -0 or a fraction as the very first time.
*/
const oddTimeArb = fc.option(fc.constantFrom('fraction', 'far-ahead', 'far-back', 'just-inside'), {freq: 30});
const firstTimeArb = fc.oneof({weight: 8, arbitrary: fc.constant(1_700_000_000_000)}, {weight: 1, arbitrary: fc.constantFrom(-0, 0, 0.25, 2 ** 31 - 1, -(2 ** 31), 1e300)});

const pointsArb = fc.tuple(firstTimeArb, fc.array(fc.record({x: stepArb, value: valueArb, dt: timeDeltaArb, odd: oddTimeArb}), {maxLength: 700})).map(([first, raw]) => {
	let t = first;
	const base = first;
	return raw.map(({x, value, dt, odd}, i): Point => {
		if (i > 0) t += dt;
		if (odd === 'fraction') t += 0.5;
		else if (odd === 'far-ahead') t = base + 2 ** 31 + dt;
		else if (odd === 'far-back') t = base - 2 ** 31 - 1 - dt;
		else if (odd === 'just-inside') t = base + 2 ** 31 - 1;
		return {x, value, timeMs: t};
	});
});

/** Index (0 = oldest) where the newest run of points at or after `sinceMs` begins: the ring's definition, plainly. */
function suffixStart(kept: readonly Point[], sinceMs: number): number {
	let i = kept.length;
	while (i > 0 && !(kept[i - 1]!.timeMs < sinceMs)) i--;
	return i;
}

function checkAgainstModel(ring: NumericRing | TimeRing, kept: readonly Point[], withSteps: boolean, probes: readonly number[]): void {
	const xOf = (p: Point, i: number) => (withSteps ? p.x : i);
	expect(ring.length).toBe(kept.length);
	expect(ring.lastValue()).toBe(kept.at(-1)?.value);
	expect(ring.lastTime()).toBe(kept.at(-1)?.timeMs);
	expect(ring.lastX()).toBe(kept.length === 0 ? undefined : xOf(kept.at(-1)!, kept.length - 1));
	expect(ring.tail(ring.capacity)).toEqual(kept.map((p, i) => ({x: xOf(p, i), value: p.value, timeMs: p.timeMs})));
	expect(ring.tailValues(7)).toEqual(kept.slice(-7).map((p) => p.value));
	const columns = ring.columns();
	expect(Array.from(columns.xs)).toEqual(kept.map(xOf));
	expect(Array.from(columns.values)).toEqual(kept.map((p) => p.value));
	expect(Array.from(columns.times)).toEqual(kept.map((p) => p.timeMs));
	const first = ring.firstSerial;
	const into = {xs: new Float64Array(kept.length + 2), values: new Float64Array(kept.length + 2), times: new Float64Array(kept.length + 2)};
	ring.copySerials(first + 1, first + kept.length, into, 2);
	expect(Array.from(into.values.subarray(2, 1 + kept.length))).toEqual(kept.slice(1).map((p) => p.value));
	expect(Array.from(into.xs.subarray(2, 1 + kept.length))).toEqual(kept.slice(1).map((p, i) => xOf(p, i + 1)));
	for (const since of probes) {
		const from = suffixStart(kept, since);
		const suffix = kept.slice(from);
		expect(ring.since(since)).toEqual({values: suffix.map((p) => p.value), times: suffix.map((p) => p.timeMs)});
		expect(ring.valuesSince(since)).toEqual(suffix.map((p) => p.value));
		expect(ring.countSince(since)).toBe(suffix.length);
		expect(ring.firstSince(since)).toEqual(suffix.length === 0 ? undefined : {value: suffix[0]!.value, timeMs: suffix[0]!.timeMs});
		const at = suffixStart(kept, since + 1) - 1;
		expect(ring.valueAt(since)).toBe(at < 0 ? undefined : kept[at]!.value);
	}
}

/** Whether every step pushed fits a Uint32Array and each is the one before plus one stride (what the ring keeps without an array). */
function followsStride(points: readonly Point[]): boolean {
	if (!points.every((p) => fitsUint32(p.x))) return false;
	const stride = points.length < 2 ? 0 : points[1]!.x - points[0]!.x;
	return points.every((p, i) => i === 0 || p.x - points[i - 1]!.x === stride);
}

/**
Points whose steps follow a stride (0, negative, 1, a logging interval; from 0 or near 2^32 so a stride can leave the
Uint32 range), with at most one step off it somewhere (a restart from a checkpoint, a skipped log line, a fraction).
*/
const stridePointsArb = fc
	.tuple(
		pointsArb,
		fc.constantFrom(0, 1, 5, 2 ** 32 - 300),
		fc.constantFrom(1, 10, 0, -1, 3),
		fc.option(fc.record({at: fc.nat({max: 700}), x: fc.constantFrom(0, 7, 0.5, 2 ** 32, -1)}), {freq: 2}),
	)
	.map(([points, first, stride, off]) => points.map((p, i) => ({...p, x: off !== null && off.at === i ? off.x : first + i * stride})));

const probesFor = (points: readonly Point[]) => {
	const times = points.map((p) => p.timeMs);
	return [...times.filter((_, i) => i % 37 === 0), ...times.slice(-3), (times[0] ?? 0) - 1, (times.at(-1) ?? 0) + 1, Number.NEGATIVE_INFINITY];
};

describe('ring storage: narrow until a point does not fit, never lossy', () => {
	it('fitsFloat32 and fitsUint32 say exactly which numbers survive the narrow arrays', () => {
		fc.assert(
			fc.property(fc.oneof(fc.double(), fc.float(), fc.integer(), fc.constantFrom(-0, 2 ** 32, 2 ** 32 - 1, -1)), (v) => {
				expect(fitsFloat32(v)).toBe(Object.is(new Float32Array([v])[0], v));
				expect(fitsUint32(v)).toBe(Object.is(new Uint32Array([v])[0], v));
			}),
			{numRuns: 2000},
		);
	});

	it('fitsTimeOffset says exactly which times survive an Int32Array offset from the base', () => {
		const timeArb = fc.oneof(fc.integer({min: -(2 ** 33), max: 2 ** 33}), fc.double(), fc.constantFrom(-0, 0, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 0.5));
		fc.assert(
			fc.property(fc.oneof(fc.constantFrom(-0, 0, 1_700_000_000_000), fc.integer()), timeArb, (base, t) => {
				const stored = new Int32Array([t - base])[0]!;
				expect(fitsTimeOffset(t, base)).toBe(stored === t - base && Object.is(base + stored, t));
			}),
			{numRuns: 3000},
		);
	});

	it('NumericRing answers as a plain bounded list of the points pushed', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 300}), pointsArb, (capacity, points) => {
				const ring = new NumericRing(capacity);
				const kept: Point[] = [];
				points.forEach((p, i) => {
					ring.push(p.x, p.value, p.timeMs);
					kept.push(p);
					if (kept.length > capacity) kept.shift();
					// Midway checks catch a widening that loses what was already stored (in a wrapped ring too).
					if (i % 97 === 96) checkAgainstModel(ring, kept, true, probesFor(kept));
				});
				checkAgainstModel(ring, kept, true, probesFor(points));
				const wide = {values: !kept.every((p) => fitsFloat32(p.value)), xs: !kept.every((p) => fitsUint32(p.x))};
				// Narrow while everything pushed fit (widening is for good: a point gone from the ring still widened it).
				if (points.every((p) => fitsFloat32(p.value))) expect(ring.storage.values).toBe('float32');
				if (wide.values) expect(ring.storage.values).toBe('float64');
				if (points.every((p) => fitsUint32(p.x))) expect(ring.storage.xs).toBe(followsStride(points) ? 'stride' : 'uint32');
				if (wide.xs) expect(ring.storage.xs).toBe('float64');
				const timeBase = Number.isSafeInteger(points[0]?.timeMs) ? points[0]!.timeMs : 0;
				if (points.every((p) => fitsTimeOffset(p.timeMs, timeBase))) expect(ring.storage.times).toBe('int32');
				if (!kept.every((p) => fitsTimeOffset(p.timeMs, timeBase))) expect(ring.storage.times).toBe('float64');
			}),
			{numRuns: 300},
		);
	});

	it('NumericRing keeps steps on a stride without an array, and writes them out exactly when one leaves it', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 300}), stridePointsArb, (capacity, points) => {
				const ring = new NumericRing(capacity);
				const kept: Point[] = [];
				points.forEach((p, i) => {
					ring.push(p.x, p.value, p.timeMs);
					kept.push(p);
					if (kept.length > capacity) kept.shift();
					if (i % 97 === 96) checkAgainstModel(ring, kept, true, probesFor(kept));
					// Written out for good at the first step off the stride (a point gone from the ring still wrote them out).
					const pushed = points.slice(0, i + 1);
					expect(ring.storage.xs).toBe(followsStride(pushed) ? 'stride' : pushed.every((q) => fitsUint32(q.x)) ? 'uint32' : 'float64');
				});
				checkAgainstModel(ring, kept, true, probesFor(points));
			}),
			{numRuns: 300},
		);
	});

	it('NumericRing starts a new stride after clear() while it keeps no array', () => {
		const ring = new NumericRing(50);
		for (let i = 0; i < 80; i++) ring.push(100 + 2 * i, i, 1000 + i);
		ring.clear();
		for (let i = 0; i < 30; i++) ring.push(7 + 5 * i, i, 5000 + i);
		expect(ring.storage.xs).toBe('stride');
		expect(Array.from(ring.columns().xs)).toEqual(Array.from({length: 30}, (_, i) => 7 + 5 * i));
		expect(ring.tail(2)).toEqual([{x: 7 + 5 * 28, value: 28, timeMs: 5028}, {x: 7 + 5 * 29, value: 29, timeMs: 5029}]);
	});

	it('NumericRing on a stride answers as the plain list across clear() at any point, huge and negative strides, and steps off it after a clear', () => {
		// Runs of steps on a stride (from near 0 or near 2^32, strides up to 2^32 - 1 either way), a clear() between runs
		// at any length (before, at or after a wrap), and now and then a step off the stride or out of the Uint32 range.
		const runArb = fc.record({
			first: fc.oneof(fc.nat({max: 10}), fc.constantFrom(2 ** 32 - 1, 2 ** 31, 2 ** 32 - 7)),
			stride: fc.oneof(fc.integer({min: -3, max: 3}), fc.constantFrom(2 ** 32 - 1, -(2 ** 32 - 1), 2 ** 31, 1000)),
			length: fc.nat({max: 90}),
			off: fc.option(fc.record({at: fc.nat({max: 90}), x: fc.constantFrom(0.5, -1, 2 ** 32, 3, Number.NaN, -0)}), {freq: 4}),
		});
		fc.assert(
			fc.property(fc.integer({min: 1, max: 40}), fc.array(runArb, {minLength: 1, maxLength: 5}), (capacity, runs) => {
				const ring = new NumericRing(capacity);
				let kept: Point[] = [];
				let t = 1_700_000_000_000;
				let everOff = false;
				let everWide = false;
				for (const run of runs) {
					ring.clear();
					kept = [];
					const pushed: Point[] = [];
					for (let i = 0; i < run.length; i++) {
						const x = run.off !== null && run.off.at === i ? run.off.x : run.first + i * run.stride;
						const p = {x, value: i, timeMs: (t += 1000)};
						ring.push(p.x, p.value, p.timeMs);
						pushed.push(p);
						kept.push(p);
						if (kept.length > capacity) kept.shift();
						if (!fitsUint32(x)) everWide = true;
						if (!followsStride(pushed)) everOff = true;
						expect(ring.storage.xs).toBe(everWide ? 'float64' : everOff ? 'uint32' : 'stride');
						if (i % 13 === 12) checkAgainstModel(ring, kept, true, []);
					}
					checkAgainstModel(ring, kept, true, probesFor(kept));
				}
			}),
			{numRuns: 400},
		);
	});

	it('TimeRing drops only points older than the newest, and answers as the plain list of those it kept', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 300}), pointsArb, (capacity, points) => {
				const ring = new TimeRing(capacity);
				const kept: Point[] = [];
				for (const p of points) {
					const newest = kept.at(-1)?.timeMs;
					const accepted = ring.push(p.timeMs, p.value);
					expect(accepted).toBe(newest === undefined || p.timeMs >= newest);
					if (!accepted) continue;
					kept.push(p);
					if (kept.length > capacity) kept.shift();
				}
				expect(ring.storage.xs).toBe('none');
				checkAgainstModel(ring, kept, false, probesFor(points));
			}),
			{numRuns: 300},
		);
	});

	it('widens in the middle of a full, wrapped ring without touching the points it holds', () => {
		const ring = new NumericRing(100);
		const kept: Point[] = [];
		const push = (p: Point) => {
			ring.push(p.x, p.value, p.timeMs);
			kept.push(p);
			if (kept.length > 100) kept.shift();
		};
		for (let i = 0; i < 250; i++) push({x: i, value: Math.fround(1 / (i + 1)), timeMs: 1000 + i});
		expect(ring.storage).toEqual({xs: 'stride', values: 'float32', times: 'int32'});
		checkAgainstModel(ring, kept, true, [0, 1200]);
		push({x: 250.5, value: 0.1, timeMs: 1250.5});
		expect(ring.storage).toEqual({xs: 'float64', values: 'float64', times: 'float64'});
		for (let i = 251; i < 320; i++) push({x: i, value: 1 / (i + 1), timeMs: 1000 + i});
		checkAgainstModel(ring, kept, true, [0, 1200, 1250, 1250.5, 1251, 1319, 1320]);
	});
});
