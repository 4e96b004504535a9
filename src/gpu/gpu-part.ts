/**
The GPU telemetry part of the runtime: sampler + store, and the Redis writes (through the seed writer, so only the
lease holder writes). Per frame: the store is touched (a snapshot gets published). At most once a second: the
current hashes (a per-GPU hash with only its changed fields and `last_updated`, hash-delta.ts). Every
`historyEveryMs` (10 s): one entry per history list, so the seed's 10,000-entry trim holds more than its 24 h TTL,
every field of the per-GPU hashes, and the frames' history samples of the period (held here, merged in one go).
*/
import {TTL_SECONDS, keys} from '../contract/names.js';
import {journal, type JournalRecord} from '../journal.js';
import {type GpuSourcePart} from '../parts.js';
import {GpuSampler, type SamplerOptions} from './gpu-sampler.js';
import {PcieSampler} from './pcie-sampler.js';
import {NvlinkSampler} from './nvlink-sampler.js';
import {type EnergyPricing} from './energy.js';
import {GpuStore, type GpuQuery} from './gpu-store.js';
import {requestedNotFound, type GpuSnapshot} from './gpu-snapshot.js';
import {gpuHistorySamples} from './gpu-history.js';
import {HashDeltas} from './hash-delta.js';
import {projectHydrator} from './project-hydrate.js';
import {type ClaimedPid} from './project-join.js';
import {boxCurrentFields, boxListEntries, capacityFields, gpuCurrentFields, gpuKeyOf, gpuListEntries, hostStateFields, keySegment, projectEnergyValue} from './redis-entries.js';

/** What the part needs of the runtime (the Runtime satisfies it). */
export interface GpuPartHost {
	readonly host: string;
	readonly store: {touch(): void};
	/** 'host' writes need the host lease (one instance per box), the seed's box-wide keys the shared one. */
	readonly writer: {
		enqueueList(key: string, entry: string, ttlSeconds: number, scope?: 'shared' | 'host'): void;
		enqueueHash(key: string, fields: Record<string, string>, scope?: 'shared' | 'host', ttlSeconds?: number): void;
		/** A history sample (history/history-source.ts's series), under the host lease: every frame. */
		enqueueSample?(series: string, timeMs: number, value: number, scope?: 'shared' | 'host'): void;
		/** Whether a write of `scope` enqueued now would be taken (write-batcher.ts); absent: always. */
		accepts?(scope: 'shared' | 'host'): boolean;
		/**
		A frame's turn (write-batcher.ts): its writes, and those of the work run on it, go in one transaction once the
		work's `ready` settles, in the wake-up that brought the frame. Absent: each write is batched as usual.
		*/
		turn?(): (ready?: Promise<unknown>) => void;
	};
	/** The seed's events:errors:monitoring report, when the sampler fails ({component, error, timestamp}). */
	reportCollectorError?(component: string, error: string): void;
}

export interface GpuPartOptions {
	readonly bin?: string;
	readonly intervalMs?: number;
	readonly gpus?: readonly number[];
	readonly processesEveryMs?: number;
	/** History list period. Default 10 s. */
	readonly historyEveryMs?: number;
	/** Current-hash period. Default 1 s. */
	readonly currentEveryMs?: number;
	readonly historyCapacity?: number;
	readonly env?: NodeJS.ProcessEnv;
	readonly sampler?: Partial<SamplerOptions>;
	/** Read the nvidia-smi children's output once a second, on the shared schedule's passes (pipe-reads-on-passes.ts). */
	readonly readOnPasses?: boolean;
	readonly journal?: (record: JournalRecord) => void;
	readonly now?: () => number;
}

export interface GpuPart extends GpuSourcePart {
	readonly gpu: () => GpuSnapshot;
	/** Read-only per-GPU state and history for the rules. */
	readonly query: GpuQuery;
	readonly sampler: GpuSampler;
	/** Price per kWh, PUE, grid intensity (config `energy:`) for the box's energy figures. */
	readonly setPricing: (pricing: EnergyPricing) => void;
	/** Where the training messages' claimed pids come from (pid -> project, this box's only): project-join.ts. */
	readonly setProjectClaims: (claims: () => ReadonlyMap<number, ClaimedPid>) => void;
	/**
	Work to run on each frame after its writes are queued (frame-ticks.ts: the host sampler, the fleet line). A listener
	that returns a promise (a reading still being made) holds the frame's transaction until it settles (turn).
	*/
	readonly onEachFrame: (listener: (nowMs: number) => unknown) => void;
}

export const DEFAULT_GPU_INTERVAL_MS = 1000;
const NO_KEYS: ReadonlySet<string> = new Set();

/** Writes one frame's worth to Redis (via the writer), rate-limited. Exported for tests. */
export class GpuRedisWriter {
	private lastCurrentMs = -Infinity;
	private lastHistoryMs = -Infinity;
	private lastStateKey = '';
	/** Per project, the figures last written (without their timestamp): unchanged ones are not written again. */
	private readonly lastProjectValues = new Map<string, string>();
	/** What the per-GPU current hashes hold: each second only changed fields are written, all of them after each history tick. */
	private readonly gpuHashes = new HashDeltas();
	/**
	Whether the next current write carries every field: set at each history tick, cleared by that write (a history
	tick may fall on a frame where the current hashes are not due; the full write then comes with the next one).
	*/
	private fullDue = true;
	/** Each GPU's current-hash key by UUID (the host and UUID made key-safe once, not every second). */
	private readonly currentKeys = new Map<string, string>();
	/**
	The frames' history samples since the last history tick (series, time, value), handed to the writer together:
	one merge of the rollups per `historyEveryMs` instead of one per frame (the finest bucket is 10 s anyway).
	*/
	private heldSeries: string[] = [];
	private heldTimes: number[] = [];
	private heldValues: number[] = [];

	constructor(
		private readonly store: GpuStore,
		private readonly host: GpuPartHost,
		private readonly currentEveryMs = 1000,
		private readonly historyEveryMs = 10_000,
	) {}

	/**
	The history samples of the frame just stored, held for the next history tick. Called for every stored frame: by
	onFrame, and alone for the older of frames read together (the sampler does the frame's work for the newest only).
	*/
	holdSamples(nowMs: number): void {
		// Another instance may hold this host's lease: what it writes is its own frames' samples and hash fields. Samples
		// are kept only while this instance may write them (as when each frame's went to the writer, which dropped them),
		// else a lease taken over would write again, from here, frames the other instance wrote; and the hashes' memo is
		// forgotten (onFrame), so the first write after the lease is taken sets every field.
		if (this.host.writer.accepts?.('host') === false) {
			this.heldSeries = [];
			this.heldTimes = [];
			this.heldValues = [];
		} else if (this.host.writer.enqueueSample !== undefined) {
			for (const s of gpuHistorySamples(this.host.host, this.store.rows())) {
				this.heldSeries.push(s.series);
				this.heldTimes.push(nowMs);
				this.heldValues.push(s.value);
			}
		}
	}

	onFrame(nowMs: number): void {
		this.holdSamples(nowMs);
		const writable = this.host.writer.accepts?.('host') !== false;
		// A wall clock stepped back (NTP, a VM resumed) starts the periods again rather than stopping them until it
		// catches up: the hashes would go stale, and the samples be held, for as long as the step.
		const historyDue = periodDue(nowMs, this.lastHistoryMs, this.historyEveryMs);
		const currentDue = periodDue(nowMs, this.lastCurrentMs, this.currentEveryMs);
		if (historyDue) this.flushSamples();
		if (!historyDue && !currentDue) return;
		const timestamp = new Date(nowMs).toISOString();
		const rows = this.store.rows();
		const box = this.store.box();
		const {writer, host} = this.host;
		if (historyDue) {
			this.lastHistoryMs = nowMs;
			this.fullDue = true;
			for (const {series, entry} of boxListEntries(box, timestamp)) {
				const key = series === 'utilization' ? keys.gpuUtilization : series === 'memory_used_mb' ? keys.gpuMemoryUsed : keys.gpuTemperature;
				writer.enqueueList(key, entry, TTL_SECONDS.gpu);
			}
			for (const row of rows) for (const {series, entry} of gpuListEntries(row, timestamp)) writer.enqueueList(gpuKeyOf.series(host, row.uuid, series), entry, TTL_SECONDS.gpu, 'host');
		}
		if (currentDue) {
			this.lastCurrentMs = nowMs;
			writer.enqueueHash(keys.gpuCurrent, boxCurrentFields(box, host, timestamp));
			writer.enqueueHash(keys.systemCapacity, capacityFields(box));
			// Every field at the first write after a history tick (fullDue), else the changed ones: the hash in Redis is
			// the same either way.
			const full = this.fullDue;
			this.fullDue = false;
			const keep = new Set<string>();
			for (const row of rows) {
				let key = this.currentKeys.get(row.uuid);
				if (key === undefined) {
					key = gpuKeyOf.current(host, row.uuid);
					this.currentKeys.set(row.uuid, key);
				}
				keep.add(key);
				writer.enqueueHash(key, this.gpuHashes.fieldsToWrite(key, gpuCurrentFields(row, timestamp), full), 'host');
			}
			if (keep.size !== this.currentKeys.size) for (const [uuid, key] of this.currentKeys) if (!keep.has(key)) this.currentKeys.delete(uuid);
			this.gpuHashes.retain(writable ? keep : NO_KEYS);
			this.writeProjects(timestamp);
			this.writeState(nowMs, true);
		}
	}

	/** Hand the held history samples to the writer (every history tick, and when the part stops). */
	flushSamples(): void {
		const sample = this.host.writer.enqueueSample;
		const series = this.heldSeries;
		if (sample === undefined || series.length === 0) return;
		const times = this.heldTimes;
		const values = this.heldValues;
		this.heldSeries = [];
		this.heldTimes = [];
		this.heldValues = [];
		for (let i = 0; i < series.length; i++) sample.call(this.host.writer, series[i]!, times[i]!, values[i]!, 'host');
	}

	/** This host's field of `metrics:training:{projectId}:energy` for each project whose figures changed (7 d TTL). */
	private writeProjects(timestampIso: string): void {
		const field = keySegment(this.host.host);
		for (const p of this.store.snapshot().projects ?? []) {
			const figures = projectEnergyValue(p, '');
			if (this.lastProjectValues.get(p.projectId) === figures) continue;
			this.lastProjectValues.set(p.projectId, figures);
			this.host.writer.enqueueHash(gpuKeyOf.projectEnergy(p.projectId), {[field]: projectEnergyValue(p, timestampIso)}, 'host', TTL_SECONDS.training);
		}
	}

	/** The per-host state hash; on a state change at once, otherwise with the current hashes. */
	writeState(nowMs: number, force = false): void {
		const status = this.store.status();
		const stateKey = `${status.state}\u0000${status.reason ?? ''}`;
		if (!force && stateKey === this.lastStateKey) return;
		const changed = stateKey !== this.lastStateKey;
		this.lastStateKey = stateKey;
		if (changed && (status.state === 'unavailable' || status.state === 'degraded'))
			this.host.reportCollectorError?.('gpu_metrics_collector', status.reason ?? status.state);
		const timestamp = new Date(nowMs).toISOString();
		this.host.writer.enqueueHash(gpuKeyOf.host(this.host.host), hostStateFields(status.state, status.reason, this.store.rows(), timestamp), 'host');
		// Without telemetry no GPU can be confirmed free: say so rather than leave an old "true".
		if (status.state === 'unavailable') this.host.writer.enqueueHash(keys.systemCapacity, capacityFields(undefined));
	}
}

/**
Whether a write every `everyMs` is due at `nowMs`, the last at `lastMs`: `nowMs` is nearest a later point of the
period's grid on the wall clock than the last (periods counted from the epoch, each point owning the half period
either side of it: a frame read at a pass a millisecond before its whole second or late by a loaded machine still
writes once a second; as it comes, a 1 Hz frame drifting a millisecond a second skips one second in a thousand), or
the wall clock stepped back before the last (the periods start again). Pure.
*/
export function periodDue(nowMs: number, lastMs: number, everyMs: number): boolean {
	return Math.round(nowMs / everyMs) > Math.round(lastMs / everyMs) || nowMs < lastMs;
}

export function createGpuPart(host: GpuPartHost, options: GpuPartOptions = {}): GpuPart {
	const store = new GpuStore(options.historyCapacity);
	const now = options.now ?? Date.now;
	const redis = new GpuRedisWriter(store, host, options.currentEveryMs, options.historyEveryMs);
	let projectClaims: (() => ReadonlyMap<number, ClaimedPid>) | undefined;
	const frameListeners: Array<(nowMs: number) => unknown> = [];
	// Work on a frame that failed (a reading that threw) is journalled, not lost in the turn's wait for it.
	const record = options.journal ?? ((r: JournalRecord) => journal.record(r));
	const journalFailures = (results: ReadonlyArray<PromiseSettledResult<unknown>>): void => {
		for (const result of results) if (result.status === 'rejected') record({type: 'gpu', event: 'frame-work-failed', error: result.reason instanceof Error ? result.reason.message : String(result.reason), timeMs: now()});
	};
	const sampler = new GpuSampler(store, {
		projectClaims: () => projectClaims?.() ?? new Map<number, ClaimedPid>(),
		bin: options.bin ?? 'nvidia-smi',
		intervalMs: options.intervalMs ?? DEFAULT_GPU_INTERVAL_MS,
		...(options.gpus !== undefined ? {gpus: options.gpus} : {}),
		...(options.processesEveryMs !== undefined ? {processesEveryMs: options.processesEveryMs} : {}),
		...(options.env !== undefined ? {env: options.env} : {}),
		...(options.journal !== undefined ? {journal: options.journal} : {}),
		now,
		...(options.readOnPasses === true ? {readOnPasses: true} : {}),
		...options.sampler,
		onFrameStored: (atMs) => redis.holdSamples(atMs),
		onFrame: (nowMs) => {
			// One transaction for the frame and the work on it, sent once that work is done (write-batcher.ts turn).
			const end = host.writer.turn?.();
			const readings: Array<Promise<unknown>> = [];
			try {
				redis.onFrame(nowMs);
				for (const listener of frameListeners) {
					const result = listener(nowMs);
					if (result instanceof Promise) readings.push(result);
				}
			} finally {
				// Settled whatever the writer does with it: a reading that fails is journalled, never an unhandled rejection.
				const done = readings.length === 0 ? undefined : Promise.allSettled(readings).then(journalFailures);
				end?.(done);
			}
			host.store.touch();
		},
		onChange: () => {
			redis.writeState(now());
			host.store.touch();
		},
	});
	// PCIe throughput: a `dmon -s t` child of its own, probed once (pcie-sampler.ts).
	const pcie = new PcieSampler(store, {
		bin: options.bin ?? 'nvidia-smi',
		intervalMs: options.intervalMs ?? DEFAULT_GPU_INTERVAL_MS,
		...(options.gpus !== undefined ? {gpus: options.gpus} : {}),
		...(options.env !== undefined ? {env: options.env} : {}),
		now,
		...(options.readOnPasses === true ? {readOnPasses: true} : {}),
		onSample: () => host.store.touch(),
	});
	// NVLink throughput: `nvlink -gt d` counters every 30 s (nvlink-sampler.ts).
	const nvlink = new NvlinkSampler(store, {bin: options.bin ?? 'nvidia-smi', ...(options.env !== undefined ? {env: options.env} : {}), now, onSample: () => host.store.touch()});
	// With --gpus, say which requested GPUs the frames never had (the store's snapshot is cached: so is this).
	let last: {input: GpuSnapshot; output: GpuSnapshot} | undefined;
	const snapshot = (): GpuSnapshot => {
		const input = store.snapshot();
		if (options.gpus === undefined || input.state === 'starting' || input.state === 'unavailable') return input;
		if (last?.input !== input) {
			const notFound = requestedNotFound(options.gpus, input.gpus);
			last = {input, output: notFound.length === 0 ? input : {...input, notFound}};
		}
		return last.output;
	};
	return {
		start: async () => {
			void pcie.start();
			nvlink.start();
			await sampler.start();
		},
		stop: async () => {
			pcie.stop();
			nvlink.stop();
			await sampler.stop();
			// The samples held since the last history tick go with the writer's drain.
			redis.flushSamples();
		},
		gpu: snapshot,
		query: store,
		sampler,
		setPricing: (pricing) => store.setPricing(pricing),
		setProjectClaims: (claims) => {
			projectClaims = claims;
		},
		onEachFrame: (listener) => {
			frameListeners.push(listener);
		},
		// At start: this host's GPU projects and their energy from Redis (project-hydrate.ts).
		hydrator: projectHydrator(host.host, (id, state) => store.seedProjectEnergy(id, state), now),
	};
}

/** A part for `--no-gpu` / `gpu.enabled: false`: the snapshot says "disabled" and nothing runs. */
export function disabledGpuPart(): GpuSourcePart {
	const snapshot: GpuSnapshot = {state: 'disabled', reason: 'GPU sampling is off', gpus: []};
	return {start: () => undefined, stop: () => undefined, gpu: () => snapshot};
}

/** The part's options from flags over config over defaults. Pure. */
export function gpuOptionsFrom(
	flags: {readonly gpuIntervalMs?: number; readonly gpus?: readonly number[]; readonly nvidiaSmi?: string; readonly noGpu: boolean},
	config: {readonly intervalMs?: number; readonly gpus?: readonly number[]; readonly nvidiaSmi?: string; readonly enabled?: boolean},
): GpuPartOptions | undefined {
	if (flags.noGpu || config.enabled === false) return undefined;
	const gpus = flags.gpus ?? config.gpus;
	const bin = flags.nvidiaSmi ?? config.nvidiaSmi ?? 'nvidia-smi';
	const intervalMs = Math.max(250, flags.gpuIntervalMs ?? config.intervalMs ?? DEFAULT_GPU_INTERVAL_MS);
	return {
		bin,
		intervalMs,
		...(gpus !== undefined ? {gpus} : {}),
		...(readsOnPasses(intervalMs) ? {readOnPasses: true} : {}),
		// The demo's simulated GPUs have made-up pids: joining them to this machine's processes would mislead.
		...(/(^|[\\/])demo-nvidia-smi\.js$/.test(bin) ? {sampler: {joinProcesses: false}} : {}),
	};
}

/**
Whether the nvidia-smi children's output is read at the shared schedule's passes (stream-on-passes.ts) rather than as
it comes: when the GPUs are sampled every second or slower. A frame is then read at the pass after it was printed,
before that pass's jobs (the rules, the fleet line, the dashboard's redraw, which runs last in its pass), so it is
drawn and judged in the same wake-up it is read in. Sub-second sampling is read as it comes. Only where the shared
schedule is on (the long-running modes; startStream checks). Pure.
*/
function readsOnPasses(intervalMs: number): boolean {
	return intervalMs >= 1000;
}

/**
The GPU part from flags over config: the live part (whose `query` the rules read), or undefined for --no-gpu /
`gpu.enabled: false` (the composition root then uses `disabledGpuPart()`).
*/
export function gpuPartFrom(
	host: GpuPartHost,
	flags: Parameters<typeof gpuOptionsFrom>[0],
	config: Parameters<typeof gpuOptionsFrom>[1],
): GpuPart | undefined {
	const options = gpuOptionsFrom(flags, config);
	return options === undefined ? undefined : createGpuPart(host, options);
}
