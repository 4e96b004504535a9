/**
Training series by step: the writer holds each series' whole step rollup (4,096 buckets, rollup-layout.ts) in memory,
merges every sample into it (a few typed-array writes per event) and writes the buckets that changed to Redis as
absolute bytes (SETRANGE of the changed span, with the width header) at most once a second and when draining, in
the writer's transaction.

Why not merge by step in the Lua script like the time tiers: a run logs a new step with almost every event, so every
event would be one more bucket for the script to merge (about 2-3 us of Redis each on the 2-core VM), and a run
doubling its width (8 times on the way to 1,000,000 steps, 5 times in bench:ingest's 2-second runs) would be a
4,096-bucket rewrite in Lua. Held here, the merge costs nothing in Redis and a widening is a loop over typed arrays.

Bounds: at most MAX_HELD_SERIES series are held (a sample of one more is counted in `dropped`), and a series idle for
IDLE_EVICT_MS is let go once its changes are written (read back at its next sample). A step far beyond the run's range
is held back as an outlier instead of widening the buckets for good (StepSeries.add).

What this trades: a series' state is read from Redis (one GET) when the writer first samples it, and is the truth
while the writer holds the lease; writes are absolute, so a retried transaction cannot double anything. When the
lease is lost the state is dropped (the next writer reads Redis again and replays the input after the last
committed watermark). Samples merged here but not yet written when the process dies (at most the last second's)
are lost from the step view; the time tiers, merged in Redis per batch, keep them. Samples are never counted twice.
*/
import {type KvCommand} from '../bus/kv.js';
import {HISTORY_KEYS} from '../contract/names.js';
import {type SeriesKey} from './series-key.js';
import {
	HISTORY_RETENTION_MS,
	MAX_COUNT,
	MAX_NON_FINITE,
	positionIn,
	RECORD_BYTES,
	STEP_HEADER_BYTES,
	STEP_SLOTS,
	isStepWidth,
	stepWidthFor,
	toFloat32,
} from './rollup-layout.js';

/**
A step this many times beyond the range the buckets cover (width x STEP_SLOTS) is an outlier while it is alone: a
producer that once sent epoch ms as the step would otherwise widen the buckets for good and fold the whole run into
one or two of them.
*/
const OUTLIER_FACTOR = 1024;
/** Consecutive outliers after which they are the run (the producer switched scale): the range widens to hold them. */
export const OUTLIERS_BEFORE_WIDENING = 64;

/** One series' step buckets. Pure: merge, widen, encode. */
/** Slots a new series starts with in memory (see StepSeries.capacity). */
const INITIAL_SLOTS = 16;

export class StepSeries {
	width = 1;
	/** Whether any sample is held (an empty series takes any step's range without the outlier rule). */
	private holdsSamples = false;
	/** Outlying samples (step, value) in a row, held back until an in-range step drops them or enough widen the range. */
	private outlierRun: number[] = [];
	/** Outlying samples left out of the buckets (the time tiers keep them). */
	outliers = 0;
	/** When the series last had a sample, by the step rollups' clock (StepRollups: as of its last write pass). */
	usedAtMs = 0;
	/** The StepRollups generation holding this series (-1 once let go): what a SeriesKey's cached reference checks. */
	heldAs = -1;
	/** Read from a stored state that was malformed (its width not a power of two): started empty instead. */
	malformed = false;
	/**
	Slots held in memory: the buckets grow (doubling) up to STEP_SLOTS as the run's steps need them, so a project that
	logged a few steps costs a few hundred bytes, not 112 KiB; slots at or past `capacity` are empty.
	*/
	capacity = INITIAL_SLOTS;
	min = new Float32Array(INITIAL_SLOTS);
	max = new Float32Array(INITIAL_SLOTS);
	last = new Float32Array(INITIAL_SLOTS);
	pos = new Uint16Array(INITIAL_SLOTS);
	nonFinite = new Uint16Array(INITIAL_SLOTS);
	count = new Uint32Array(INITIAL_SLOTS);
	sum = new Float64Array(INITIAL_SLOTS);
	/** Changed since the last write: [lo, hi] slots, or everything (a widening, a new key). */
	dirtyLo = STEP_SLOTS;
	dirtyHi = -1;
	wholeDirty = false;

	/** The state stored in Redis (`null`: none yet, written whole at the first write). */
	static fromBytes(bytes: Buffer | null): StepSeries {
		const s = new StepSeries();
		if (bytes === null || bytes.length < STEP_HEADER_BYTES) {
			s.wholeDirty = true;
			return s;
		}
		const width = bytes.readDoubleLE(0);
		if (!isStepWidth(width)) {
			// Not a width the writer writes (another version, another program): the series restarts, counted.
			s.wholeDirty = true;
			s.malformed = true;
			return s;
		}
		s.width = width;
		const stored = Math.min(STEP_SLOTS, Math.floor((bytes.length - STEP_HEADER_BYTES) / RECORD_BYTES));
		if (stored > 0) s.ensure(stored - 1);
		for (let i = 0; i < STEP_SLOTS; i++) {
			const at = STEP_HEADER_BYTES + i * RECORD_BYTES;
			if (at + RECORD_BYTES > bytes.length) {
				// The string ends at the last slot written (a series' buckets grow with its run): the rest are empty. A
				// record cut short is completed at the next write.
				if (at < bytes.length) s.wholeDirty = true;
				break;
			}
			s.min[i] = bytes.readFloatLE(at);
			s.max[i] = bytes.readFloatLE(at + 4);
			s.last[i] = bytes.readFloatLE(at + 8);
			s.pos[i] = bytes.readUInt16LE(at + 12);
			s.nonFinite[i] = bytes.readUInt16LE(at + 14);
			s.count[i] = bytes.readUInt32LE(at + 16);
			s.sum[i] = bytes.readDoubleLE(at + 20);
			if (s.count[i]! > 0 || s.nonFinite[i]! > 0) s.holdsSamples = true;
		}
		return s;
	}

	/**
	Let go by the writer (evicted, or the lease lost): its buckets are freed at once (a SeriesKey may still point here
	until its next sample, which reads the series again), so what is held stays bounded by MAX_HELD_SERIES.
	*/
	release(): void {
		this.heldAs = -1;
		this.capacity = 0;
		for (const field of ['min', 'max', 'last'] as const) this[field] = new Float32Array(0);
		this.pos = new Uint16Array(0);
		this.nonFinite = new Uint16Array(0);
		this.count = new Uint32Array(0);
		this.sum = new Float64Array(0);
	}

	/** Outliers held back, waiting to be dropped or merged (not in Redis: the series is not let go while it has any). */
	get holdsOutliers(): boolean {
		return this.outlierRun.length > 0;
	}

	get dirty(): boolean {
		return this.wholeDirty || this.dirtyHi >= 0;
	}

	/** Merge one sample (the rule of bucket-agg.ts: the latest position wins, as late: the larger value). */
	add(step: number, value: number): void {
		if (Math.floor(step / this.width) >= STEP_SLOTS) {
			const width = stepWidthFor(step);
			if (this.holdsSamples && isOutlier(width, this.width)) {
				this.outlierRun.push(step, value);
				this.outliers += 1;
				if (this.outlierRun.length < 2 * OUTLIERS_BEFORE_WIDENING) return;
				// Enough in a row: the run's scale changed. Widen to the largest and merge them all.
				const held = this.outlierRun;
				this.outlierRun = [];
				this.outliers -= held.length / 2;
				let most = 0;
				for (let i = 0; i < held.length; i += 2) most = Math.max(most, held[i]!);
				this.widen(stepWidthFor(most));
				for (let i = 0; i < held.length; i += 2) this.merge(held[i]!, held[i + 1]!);
				return;
			}
			this.widen(width);
		}
		if (this.outlierRun.length > 0) this.outlierRun = [];
		this.merge(step, value);
	}

	/** Room for `slot` (the arrays doubled, up to STEP_SLOTS, their contents kept). */
	private ensure(slot: number): void {
		if (slot < this.capacity) return;
		let capacity = Math.max(1, this.capacity);
		while (capacity <= slot) capacity *= 2;
		capacity = Math.min(STEP_SLOTS, capacity);
		const grown = <T extends Float32Array | Float64Array | Uint16Array | Uint32Array>(from: T, make: (n: number) => T): T => {
			const to = make(capacity);
			to.set(from);
			return to;
		};
		this.min = grown(this.min, (n) => new Float32Array(n));
		this.max = grown(this.max, (n) => new Float32Array(n));
		this.last = grown(this.last, (n) => new Float32Array(n));
		this.pos = grown(this.pos, (n) => new Uint16Array(n));
		this.nonFinite = grown(this.nonFinite, (n) => new Uint16Array(n));
		this.count = grown(this.count, (n) => new Uint32Array(n));
		this.sum = grown(this.sum, (n) => new Float64Array(n));
		this.capacity = capacity;
	}

	private merge(step: number, value: number): void {
		this.holdsSamples = true;
		const slot = Math.floor(step / this.width);
		this.ensure(slot);
		if (slot < this.dirtyLo) this.dirtyLo = slot;
		if (slot > this.dirtyHi) this.dirtyHi = slot;
		if (!Number.isFinite(value)) {
			if (this.nonFinite[slot]! < MAX_NON_FINITE) this.nonFinite[slot]! += 1;
			return;
		}
		const v = toFloat32(value);
		const p = positionIn(step - slot * this.width, this.width);
		if (this.count[slot] === 0) {
			this.min[slot] = v;
			this.max[slot] = v;
			this.last[slot] = v;
			this.pos[slot] = p;
		} else {
			if (v < this.min[slot]!) this.min[slot] = v;
			if (v > this.max[slot]!) this.max[slot] = v;
			if (p > this.pos[slot]! || (p === this.pos[slot] && v > this.last[slot]!)) {
				this.last[slot] = v;
				this.pos[slot] = p;
			}
		}
		if (this.count[slot]! < MAX_COUNT) this.count[slot]! += 1;
		this.sum[slot]! += value;
	}

	/**
	Widen to `width` (a power of two, wider than now): each new bucket merges the `f` buckets it covers (read before it
	is written: bucket s takes s*f.. s*f+f-1, all at or after s), positions re-expressed; the freed tail zeroed.
	*/
	widen(width: number): void {
		const f = width / this.width;
		const targets = Math.ceil(this.capacity / f);
		for (let s = 0; s < targets; s++) {
			let min = 0;
			let max = 0;
			let last = 0;
			let p = 0;
			let nf = 0;
			let count = 0;
			let sum = 0;
			for (let k = 0; k < f; k++) {
				const i = s * f + k;
				if (i >= this.capacity) break;
				const c = this.count[i]!;
				nf += this.nonFinite[i]!;
				if (c === 0) continue;
				const ip = Math.floor((k * 65_536 + this.pos[i]!) / f);
				if (count === 0) {
					min = this.min[i]!;
					max = this.max[i]!;
					last = this.last[i]!;
					p = ip;
				} else {
					if (this.min[i]! < min) min = this.min[i]!;
					if (this.max[i]! > max) max = this.max[i]!;
					// Sources come in step order: a later bucket's last is later (ip >= p), as late only within one bucket.
					if (ip > p || (ip === p && this.last[i]! > last)) {
						last = this.last[i]!;
						p = ip;
					}
				}
				count += c;
				sum += this.sum[i]!;
			}
			this.min[s] = min;
			this.max[s] = max;
			this.last[s] = last;
			this.pos[s] = p;
			this.nonFinite[s] = Math.min(MAX_NON_FINITE, nf);
			this.count[s] = Math.min(MAX_COUNT, count);
			this.sum[s] = sum;
		}
		for (const field of [this.min, this.max, this.last, this.pos, this.nonFinite, this.count, this.sum]) field.fill(0, targets);
		this.width = width;
		this.wholeDirty = true;
	}

	/** Slots [lo, hi] as records (rollup-layout.ts), after the width header when `withHeader`. */
	encode(lo: number, hi: number, withHeader: boolean): Buffer {
		const head = withHeader ? STEP_HEADER_BYTES : 0;
		const out = Buffer.alloc(head + Math.max(0, hi - lo + 1) * RECORD_BYTES);
		// A DataView's setters are inlined by V8; Buffer's write*LE go through a conversion each.
		const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
		if (withHeader) view.setFloat64(0, this.width, true);
		for (let i = lo; i <= Math.min(hi, this.capacity - 1); i++) {
			if (this.count[i] === 0 && this.nonFinite[i] === 0) continue;
			const at = head + (i - lo) * RECORD_BYTES;
			view.setFloat32(at, this.min[i]!, true);
			view.setFloat32(at + 4, this.max[i]!, true);
			view.setFloat32(at + 8, this.last[i]!, true);
			view.setUint16(at + 12, this.pos[i]!, true);
			view.setUint16(at + 14, this.nonFinite[i]!, true);
			view.setUint32(at + 16, this.count[i]!, true);
			view.setFloat64(at + 20, this.sum[i]!, true);
		}
		return out;
	}

	/** The writes that bring Redis's copy up to date (the header with them: a key that expired comes back whole). */
	takeWrites(key: string): KvCommand[] {
		if (!this.dirty) return [];
		const commands: KvCommand[] = this.wholeDirty
			? // The slots held (the string in Redis is never longer: it grows as they do).
				[['SETRANGE', key, 0, this.encode(0, this.capacity - 1, true)]]
			: [
					['SETRANGE', key, 0, this.encode(0, -1, true)],
					['SETRANGE', key, STEP_HEADER_BYTES + this.dirtyLo * RECORD_BYTES, this.encode(this.dirtyLo, this.dirtyHi, false)],
				];
		commands.push(['EXPIRE', key, Math.ceil(HISTORY_RETENTION_MS / 1000)]);
		this.wholeDirty = false;
		this.dirtyLo = STEP_SLOTS;
		this.dirtyHi = -1;
		return commands;
	}
}

/**
Whether widening from `current` to `needed` is an outlier's doing: the step lies OUTLIER_FACTOR or more times beyond the
range the buckets cover. Pure.
*/
function isOutlier(needed: number, current: number): boolean {
	return needed / current >= OUTLIER_FACTOR;
}

/** How the step rollups read a series' stored state (the writer's connection). */
export type StepLoader = (key: string) => Promise<Buffer | null>;

interface Loading {
	readonly samples: number[];
}

/** Samples logged (StepRollups.log) before they are merged at once: 64 KiB of numbers, a few ms of a burst. */
const LOG_CAPACITY = 4096;

/** Most samples held for one series while its state is being read; beyond it they are dropped (and counted). */
const MAX_WAITING_SAMPLES = 200_000;
/**
Most training series held at once (a series' buckets grow with its run: a few hundred bytes for a short one, 114,696
bytes for one that fills all 4,096: at most about 112 MiB); a sample of one more is refused and
counted in `dropped` (the time tiers keep it) until an idle series is let go.
*/
export const MAX_HELD_SERIES = 1024;
/** A series with no sample for this long is let go once written (read from Redis again at its next sample). */
export const IDLE_EVICT_MS = 10 * 60_000;

/** What the step rollups could not keep, for the writer's stats. */
export interface StepRollupCounts {
	/** Samples left out of the step view: a series not read (Redis away), too many waiting, or refused (too many series). */
	readonly dropped: number;
	/** Outlying steps held back (StepSeries.outliers), kept by the time tiers only. */
	readonly outliers: number;
	/** Stored states found malformed (a width that is not a power of two): those series restarted empty. */
	readonly malformed: number;
}

/** The writer's step rollups: one StepSeries per training series, read on first use, written when due. */
export class StepRollups {
	private readonly series = new Map<string, StepSeries | Loading>();
	private clockMs = 0;
	private lastWriteMs = Number.NEGATIVE_INFINITY;
	private lastEvictMs = Number.NEGATIVE_INFINITY;
	/** Samples left out of the step view (Redis away, too many waiting, too many series): short by these. */
	dropped = 0;
	/** Stored states found malformed, each series restarted empty. */
	private malformed = 0;
	/** Outliers of series let go (the held ones count their own). */
	private outliersLetGo = 0;
	/** Generation: a load that finishes after clear() is ignored. */
	private generation = 0;
	/**
	Samples logged by `log` and not merged yet, in arrival order: the series, and (step, value) pairs. Merged together
	(mergeLogged) before anything reads the rollups, and when LOG_CAPACITY are waiting.
	*/
	private readonly logKeys: SeriesKey[] = [];
	private readonly logNumbers = new Float64Array(2 * LOG_CAPACITY);
	private logged = 0;

	constructor(
		private readonly load: StepLoader,
		private readonly onReady: () => void,
		private readonly everyMs = 1000,
	) {}

	/**
	A sample of a held series, merged later with the others logged (in the order logged) by mergeLogged: at the next
	write pass or read, or once LOG_CAPACITY wait (clear() drops them with the series). A series not held is sampled at
	once (sampleKey), so its stored state is asked for as soon as before. The writer's hot path: an event costs three
	stores instead of a merge into seven arrays, and a merge pass touches the series' buckets with nothing else in
	between.
	*/
	log(key: SeriesKey, step: number, value: number): void {
		const held = key.steps;
		if (held === undefined || held.heldAs !== this.generation) {
			// Not held yet (its stored state is read now, as sampleKey does) or let go: merged at once, after those logged.
			this.sampleKey(key, step, value);
			return;
		}
		const at = this.logged;
		this.logKeys[at] = key;
		this.logNumbers[2 * at] = step;
		this.logNumbers[2 * at + 1] = value;
		this.logged = at + 1;
		if (this.logged === LOG_CAPACITY) this.mergeLogged();
	}

	/** Merge the logged samples (as sampleKey would have one by one, in the same order). */
	mergeLogged(): void {
		const count = this.logged;
		if (count === 0) return;
		// Cleared first: a sample merged below may start a load, whose callback may read the rollups (and merge again).
		this.logged = 0;
		const keys = this.logKeys;
		const numbers = this.logNumbers;
		for (let i = 0; i < count; i++) {
			this.mergeKey(keys[i]!, numbers[2 * i]!, numbers[2 * i + 1]!);
			keys[i] = undefined!;
		}
	}

	/** The figures the writer shows. */
	counts(): StepRollupCounts {
		this.mergeLogged();
		let outliers = this.outliersLetGo;
		for (const state of this.series.values()) if (state instanceof StepSeries) outliers += state.outliers;
		return {dropped: this.dropped, outliers, malformed: this.malformed};
	}

	/** How many series are held now (loaded or loading). */
	get held(): number {
		this.mergeLogged();
		return this.series.size;
	}

	/** The same by a series key: the held series is cached on the key (no lookup by name per sample). */
	sampleKey(key: SeriesKey, step: number, value: number): void {
		this.mergeLogged();
		this.mergeKey(key, step, value);
	}

	private mergeKey(key: SeriesKey, step: number, value: number): void {
		const held = key.steps;
		if (held !== undefined && held.heldAs === this.generation) {
			held.add(step, value);
			held.usedAtMs = this.clockMs;
			return;
		}
		this.sampleNamed(key.name, step, value);
		const state = this.series.get(key.name);
		key.steps = state instanceof StepSeries ? state : undefined;
	}

	sample(series: string, step: number, value: number): void {
		this.mergeLogged();
		this.sampleNamed(series, step, value);
	}

	private sampleNamed(series: string, step: number, value: number): void {
		const state = this.series.get(series);
		if (state instanceof StepSeries) {
			state.add(step, value);
			state.usedAtMs = this.clockMs;
			return;
		}
		if (state !== undefined) {
			if (state.samples.length < 2 * MAX_WAITING_SAMPLES) state.samples.push(step, value);
			else this.dropped += 1;
			return;
		}
		if (this.series.size >= MAX_HELD_SERIES) {
			this.dropped += 1;
			return;
		}
		const loading: Loading = {samples: [step, value]};
		this.series.set(series, loading);
		const generation = this.generation;
		this.load(HISTORY_KEYS.steps(series)).then(
			(bytes) => {
				if (generation !== this.generation || this.series.get(series) !== loading) return;
				const state = StepSeries.fromBytes(bytes);
				state.usedAtMs = this.clockMs;
				if (state.malformed) this.malformed += 1;
				for (let i = 0; i < loading.samples.length; i += 2) state.add(loading.samples[i]!, loading.samples[i + 1]!);
				state.heldAs = this.generation;
				this.series.set(series, state);
				this.onReady();
			},
			() => {
				// Read again with the next sample; these are lost to the step view (the time tiers keep them).
				if (generation !== this.generation || this.series.get(series) !== loading) return;
				this.dropped += loading.samples.length / 2;
				this.series.delete(series);
			},
		);
	}

	/**
	Let go of series idle for IDLE_EVICT_MS whose writes went out in an earlier transaction (not changed since): Redis
	holds exactly them, so the next sample reads them back. Runs at most once per `everyMs`, before the write pass.
	*/
	private evictIdle(nowMs: number): void {
		// Samples before the first pass were stamped before the clock was known: stamped now.
		if (this.lastEvictMs === Number.NEGATIVE_INFINITY) for (const state of this.series.values()) if (state instanceof StepSeries) state.usedAtMs = nowMs;
		this.clockMs = nowMs;
		if (nowMs - this.lastEvictMs < this.everyMs) return;
		this.lastEvictMs = nowMs;
		for (const [series, state] of this.series) {
			if (!(state instanceof StepSeries) || state.dirty || state.holdsOutliers) continue;
			if (nowMs - state.usedAtMs < IDLE_EVICT_MS) continue;
			this.outliersLetGo += state.outliers;
			state.release();
			this.series.delete(series);
		}
	}

	/** Whether a write is due at `nowMs` (something changed and the last write is `everyMs` old, or `force`). */
	due(nowMs: number, force = false): boolean {
		this.mergeLogged();
		if (!force && nowMs - this.lastWriteMs < this.everyMs) return false;
		for (const state of this.series.values()) if (state instanceof StepSeries && state.dirty) return true;
		return false;
	}

	/** The writes of every changed series, when due; none otherwise. */
	takeCommands(nowMs: number, force = false): KvCommand[] {
		this.mergeLogged();
		this.evictIdle(nowMs);
		if (!this.due(nowMs, force)) return [];
		this.lastWriteMs = nowMs;
		const commands: KvCommand[] = [];
		for (const [series, state] of this.series) if (state instanceof StepSeries) commands.push(...state.takeWrites(HISTORY_KEYS.steps(series)));
		return commands;
	}

	/** The lease was lost: the next writer owns the step rollups (it reads them from Redis). */
	clear(): void {
		this.logKeys.fill(undefined!, 0, this.logged);
		this.logged = 0;
		this.generation += 1;
		for (const state of this.series.values()) if (state instanceof StepSeries) state.release();
		this.series.clear();
	}
}
