/**
Per-GPU state and recent history, keyed by UUID, with no I/O. Frames from the sampler go in; the snapshot, the
box-wide aggregates for the seed's keys and a small query API for the rules come out.

An unknown reading keeps the last good value, marked stale, with the reason; it is never stored as 0 and never
enters the history (history has gaps instead). A GPU missing from a frame is marked lost.
*/
import {type PointSeries, TimeRing} from '../store/ring-buffer.js';
import {type ParsedApp, type ParsedGpuRow, type Parsed} from './csv-parse.js';
import {CORE_METRICS, GPU_METRICS, HEALTH_METRICS, type CoreMetric, type HealthMetric} from './query-fields.js';
import {type GpuProcess, type GpuRow, type GpuSnapshot, type PcieState, type LinkThroughput, type Reading} from './gpu-snapshot.js';
import {timeToCapacity} from '../analysis/forecasts.js';
import {type HostProcess} from './proc-join.js';
import {addSample, boxEnergy, EMPTY_ENERGY, gpuEnergy, localDay, type EnergyPricing, type EnergyState} from './energy.js';
import {addShare, addUnattributed, joinStored, NO_UNATTRIBUTED, projectEnergy, splitInterval, type ProjectEnergyState, type UnattributedState} from './project-energy.js';
import {projectsOf} from './project-join.js';
import {activeThrottles, eccState, linkState, nextThrottleSince, pciKey, throttleFlag, type GpuHealth, type ThrottleMetric, type XidEvent} from './gpu-health.js';
import {compareIds} from '../format/id-order.js';

/**
The series kept per GPU: the core readings, and the health series the rules read (1/0 while a thermal or power
throttle reason is active, 1/0 while the PCIe link is degraded, the Xid events counted since start, the volatile
uncorrectable ECC count).
*/
const HEALTH_SERIES = ['throttleThermal', 'throttlePower', 'linkDegraded', 'xidTotal', 'eccUncorrected'] as const;
type HealthSeries = (typeof HEALTH_SERIES)[number];
export type GpuSeries = CoreMetric | HealthSeries;
/** The name the GPU store's series had before the health series (components read it). */
export type GpuMetric = GpuSeries;
const SERIES: readonly GpuSeries[] = [...CORE_METRICS, ...HEALTH_SERIES];

/** Xid events kept for the snapshot (per GPU the newest; for the box the newest few). */
const XID_RECENT = 8;

/** Samples kept per GPU and metric: 30 minutes at 1 Hz. */
const DEFAULT_HISTORY = 1800;
/** Utilization samples carried in each row of the snapshot. */
const ROW_HISTORY = 60;

export interface GpuSample {
	readonly timeMs: number;
	readonly value: number;
}

export interface GpuStatus {
	readonly state: GpuSnapshot['state'];
	readonly reason?: string;
	readonly mode?: 'stream' | 'oneshot';
	readonly droppedFields?: readonly string[];
	readonly retryAtMs?: number;
}

/** The whole box, for the seed's single-GPU keys: mean utilization, summed memory and power, hottest temperature. */
export interface BoxAggregates {
	readonly gpuCount: number;
	/** GPUs that are not lost and gave a fresh utilization or memory reading in their last row. */
	readonly reporting: number;
	readonly utilizationPercent: number | undefined;
	readonly memoryUsedMb: number | undefined;
	readonly memoryTotalMb: number | undefined;
	readonly temperatureC: number | undefined;
	readonly powerDrawW: number | undefined;
	/** The seed's capacity rule on any one GPU: utilization < 80 % and more than 5000 MB free. */
	readonly gpuAvailable: boolean;
	/** How many GPUs satisfy that rule. */
	readonly gpusAvailable: number;
}

/** Read-only view for the rules and the UI. */
export interface GpuQuery {
	/** Current rows, in index order. */
	rows(): readonly GpuRow[];
	row(uuid: string): GpuRow | undefined;
	/** Fresh samples of a metric, oldest first, optionally only those at or after `sinceMs`. Unknown readings are gaps. */
	series(uuid: string, metric: GpuSeries, sinceMs?: number): readonly GpuSample[];
	/** The same history as a live series (no copy): what the rules read. */
	history(uuid: string, metric: GpuSeries): PointSeries | undefined;
	status(): GpuStatus & {readonly lastFrameMs?: number};
	box(): BoxAggregates;
	/** Bumped on every change. */
	readonly version: number;
}

interface Entry {
	uuid: string;
	index: number;
	name: string;
	busId: string | undefined;
	pstate: string | undefined;
	persistenceMode: boolean | undefined;
	migEnabled: boolean | undefined;
	readings: Record<AnyMetric, Reading>;
	lastGood: Partial<Record<AnyMetric, number>>;
	/** The GPU's history, the only copy: the rules read these rings directly (gpuHistory). */
	rings: Record<GpuSeries, TimeRing>;
	/** Since when each active throttle reason has been active. */
	throttleSince: Partial<Record<ThrottleMetric, number>>;
	xidCount: number;
	lastXid: XidEvent | undefined;
	/** Whether any health field was in a row (an old driver may know none). */
	healthQueried: boolean;
	energy: EnergyState;
	/** The memory forecast and when it was computed (recomputed every 10 s at most: it reads 5 minutes of history). */
	forecast: {atMs: number; memoryFullInMs: number | undefined} | undefined;
	lost: boolean;
	lostSinceMs: number | undefined;
	lostReason: string | undefined;
	lastSeenMs: number | undefined;
	processes: GpuProcess[];
	/** The cached row; undefined after a change. */
	row: GpuRow | undefined;
}

export interface FrameChanges {
	readonly added: readonly string[];
	readonly lost: ReadonlyArray<{uuid: string; index: number; reason: string}>;
	readonly recovered: readonly string[];
}

type AnyMetric = CoreMetric | HealthMetric;

const MIG_REASON = 'not available with MIG enabled';

/** Each row the store hands out, to its GPU's history rings: so whoever holds a row reads the one history. */
const rowHistories = new WeakMap<GpuRow, Readonly<Record<GpuSeries, PointSeries>>>();

/**
The history behind a row a GpuStore produced (live rings, times ascending, fresh readings only), or undefined for a
row built elsewhere (tests, other sources). The rules' GPU series are these rings: GPU history is kept once.
*/
export function gpuHistory(row: GpuRow): Readonly<Record<GpuSeries, PointSeries>> | undefined {
	return rowHistories.get(row);
}

/** The Reading for a parsed value given the last good value. Pure. */
export function toReading(parsed: Parsed | undefined, lastGood: number | undefined, notQueried = 'not queried'): Reading {
	if (parsed === undefined) return lastGood === undefined ? {value: undefined, reason: notQueried} : {value: lastGood, reason: notQueried, stale: true};
	if (parsed.value !== undefined) return {value: parsed.value};
	return lastGood === undefined ? {value: undefined, reason: parsed.reason} : {value: lastGood, reason: parsed.reason, stale: true};
}

/** A reading turned stale (the GPU or the whole sampler stopped answering). Pure. */
export function staleReading(reading: Reading, reason: string): Reading {
	if (reading.value === undefined) return {value: undefined, reason: reading.reason ?? reason};
	return {value: reading.value, reason, stale: true};
}

function fresh(reading: Reading): number | undefined {
	return reading.stale || reading.value === undefined ? undefined : reading.value;
}

/** Box-wide figures from the current rows. Pure. Only fresh readings of GPUs that are not lost count. */
export function boxAggregates(rows: readonly GpuRow[]): BoxAggregates {
	const live = rows.filter((r) => !r.lost);
	const values = (pick: (r: GpuRow) => Reading) => live.map((r) => fresh(pick(r))).filter((v): v is number => v !== undefined);
	const sum = (xs: number[]) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0));
	const util = values((r) => r.utilizationPercent);
	const temps = values((r) => r.temperatureC);
	let gpusAvailable = 0;
	let reporting = 0;
	for (const r of live) {
		const u = fresh(r.utilizationPercent);
		const used = fresh(r.memoryUsedMb);
		const total = fresh(r.memoryTotalMb);
		if (u !== undefined || used !== undefined) reporting += 1;
		if (u !== undefined && used !== undefined && total !== undefined && u < 80 && total - used > 5000) gpusAvailable += 1;
	}
	return {
		gpuCount: rows.length,
		reporting,
		utilizationPercent: util.length === 0 ? undefined : util.reduce((a, b) => a + b, 0) / util.length,
		memoryUsedMb: sum(values((r) => r.memoryUsedMb)),
		memoryTotalMb: sum(values((r) => r.memoryTotalMb)),
		temperatureC: temps.length === 0 ? undefined : Math.max(...temps),
		powerDrawW: sum(values((r) => r.powerDrawW)),
		gpuAvailable: gpusAvailable > 0,
		gpusAvailable,
	};
}

/**
The status with the extras a separate child could not give (`dmon -s t`) named as the dropped fields are: in
`droppedFields` and the reason, while frames arrive (an unavailable GPU says why already). Pure.
*/
function withExtras(status: GpuStatus, extras: ReadonlyMap<string, string>): GpuStatus {
	if (extras.size === 0 || (status.state !== 'ok' && status.state !== 'degraded')) return status;
	const names = [...extras.keys()];
	const note = `not supported by the driver: ${[...extras].map(([name, why]) => `${name} (${why})`).join(', ')}`;
	return {...status, droppedFields: [...(status.droppedFields ?? []), ...names], reason: status.reason === undefined ? note : `${status.reason}; ${note}`};
}

const FORECAST_EVERY_MS = 10_000;

/**
Time until the GPU's memory is full at its last 5 minutes' growth (src/analysis/forecasts.ts), when there is one;
recomputed every 10 s at most and counted down in between.
*/
function memoryForecast(entry: Entry): {memoryFullInMs?: number} {
	const total = entry.readings.memoryTotalMb.value;
	const now = entry.lastSeenMs;
	if (total === undefined || now === undefined || entry.lost) return {};
	if (entry.forecast === undefined || now - entry.forecast.atMs >= FORECAST_EVERY_MS || now < entry.forecast.atMs) {
		const w = entry.rings.memoryUsedMb.since(now - 5 * 60_000);
		entry.forecast = {atMs: now, memoryFullInMs: timeToCapacity(w.times, w.values, total, now)?.inMs};
	}
	const left = entry.forecast.memoryFullInMs;
	return left === undefined ? {} : {memoryFullInMs: Math.max(0, left - (now - entry.forecast.atMs))};
}

export class GpuStore implements GpuQuery {
	private readonly entries = new Map<string, Entry>();
	/** PCIe throughput per GPU index, from the `dmon -s t` child (pcie-sampler.ts), when it runs. */
	private readonly pcie = new Map<number, LinkThroughput>();
	/** NVLink throughput per GPU index, from `nvlink -gt d` counters (nvlink-sampler.ts). */
	private readonly nvlink = new Map<number, LinkThroughput>();
	/** Extras a separate nvidia-smi child could not give (`dmon -s t`), with why: named beside droppedFields. */
	private readonly unsupportedExtras = new Map<string, string>();
	private pcieState: PcieState | undefined;
	private statusValue: GpuStatus = {state: 'starting'};
	private lastFrameMs: number | undefined;
	/** When the first `--query-compute-apps` result was applied (`--once` waits for it). */
	private processesAtMs: number | undefined;
	private snapshotCache: {version: number; snapshot: GpuSnapshot} | undefined;
	private rowsCache: {version: number; rows: GpuRow[]} | undefined;
	/** Xid events whose PCI address matched no GPU. */
	private boxXids: XidEvent[] = [];
	private pricing: EnergyPricing = {};
	/** Energy per project (project-energy.ts): only projects energy was attributed to. */
	private readonly projectEnergy = new Map<string, ProjectEnergyState>();
	/** GPU intervals no project ran, since this instance started (`--once`'s "energy tied to no project"). */
	private unattributed: UnattributedState = NO_UNATTRIBUTED;
	private boxXidCount = 0;
	version = 0;

	constructor(private readonly historyCapacity = DEFAULT_HISTORY) {}

	/** Price per kWh, PUE and grid intensity for the box's energy figures. */
	setPricing(pricing: EnergyPricing): void {
		this.pricing = pricing;
		this.version += 1;
	}

	/** GPUs seen so far (the size of a complete frame). */
	get knownCount(): number {
		return this.entries.size;
	}

	private entry(row: ParsedGpuRow): {entry: Entry; added: boolean} {
		const existing = this.entries.get(row.uuid);
		if (existing !== undefined) return {entry: existing, added: false};
		const readings = {} as Record<AnyMetric, Reading>;
		const rings = {} as Record<GpuSeries, TimeRing>;
		for (const metric of GPU_METRICS) readings[metric] = {value: undefined, reason: 'no sample yet'};
		for (const series of SERIES) rings[series] = new TimeRing(this.historyCapacity);
		const entry: Entry = {
			uuid: row.uuid,
			index: row.index,
			name: row.name,
			busId: row.busId,
			pstate: undefined,
			persistenceMode: undefined,
			migEnabled: undefined,
			readings,
			lastGood: {},
			rings,
			lost: false,
			lostSinceMs: undefined,
			lostReason: undefined,
			lastSeenMs: undefined,
			processes: [],
			row: undefined,
			throttleSince: {},
			xidCount: 0,
			lastXid: undefined,
			healthQueried: false,
			energy: EMPTY_ENERGY,
			forecast: undefined,
		};
		this.entries.set(row.uuid, entry);
		return {entry, added: true};
	}

	/** Apply one frame (the rows of one interval). GPUs known but missing from it are marked lost. */
	applyFrame(rows: readonly ParsedGpuRow[], nowMs: number): FrameChanges {
		const added: string[] = [];
		const lost: Array<{uuid: string; index: number; reason: string}> = [];
		const recovered: string[] = [];
		const seen = new Set<string>();
		for (const row of rows) {
			seen.add(row.uuid);
			const {entry, added: isNew} = this.entry(row);
			if (isNew) added.push(row.uuid);
			entry.index = row.index;
			entry.name = row.name;
			entry.busId = row.busId ?? entry.busId;
			entry.pstate = row.pstate;
			entry.persistenceMode = row.persistenceMode ?? entry.persistenceMode;
			entry.migEnabled = row.migEnabled ?? entry.migEnabled;
			entry.lastSeenMs = nowMs;
			let anyKnown = false;
			let anyQueried = false;
			for (const metric of GPU_METRICS) {
				let parsed = row.readings[metric];
				const core = (CORE_METRICS as readonly string[]).includes(metric);
				if (parsed !== undefined && core) anyQueried = true;
				if (parsed?.value !== undefined && core) anyKnown = true;
				if (parsed !== undefined && !core) entry.healthQueried = true;
				if (parsed?.reason !== undefined && entry.migEnabled && (metric === 'utilizationPercent' || metric === 'memoryUtilizationPercent'))
					parsed = {reason: MIG_REASON};
				const reading = toReading(parsed, entry.lastGood[metric]);
				entry.readings[metric] = reading;
				if (parsed?.value !== undefined) {
					entry.lastGood[metric] = parsed.value;
					if (core) entry.rings[metric as CoreMetric].push(nowMs, parsed.value);
				}
			}
			this.applyHealth(entry, nowMs);
			// Energy from fresh readings only: the counter when the GPU gives it, else the power draw (an estimate).
			const fresh = (m: 'energyMj' | 'powerDrawW') => (entry.readings[m].stale ? undefined : entry.readings[m].value);
			const before = entry.energy;
			entry.energy = addSample(before, nowMs, fresh('energyMj'), fresh('powerDrawW'));
			this.attributeEnergy(entry, before, nowMs);
			const allUnavailable = anyQueried && !anyKnown;
			if (allUnavailable) {
				if (!entry.lost) {
					entry.lost = true;
					entry.lostSinceMs = nowMs;
					entry.lostReason = 'every reading unavailable';
					lost.push({uuid: entry.uuid, index: entry.index, reason: entry.lostReason});
				}
			} else if (entry.lost) {
				entry.lost = false;
				entry.lostSinceMs = undefined;
				entry.lostReason = undefined;
				recovered.push(entry.uuid);
			}
			entry.row = undefined;
		}
		for (const entry of this.entries.values()) {
			if (seen.has(entry.uuid)) continue;
			if (!entry.lost) {
				entry.lost = true;
				entry.lostSinceMs = nowMs;
				entry.lostReason = 'missing from nvidia-smi output';
				lost.push({uuid: entry.uuid, index: entry.index, reason: entry.lostReason});
			}
			this.staleEntry(entry, 'GPU lost');
		}
		this.lastFrameMs = nowMs;
		this.version += 1;
		return {added, lost, recovered};
	}

	/** This GPU's last interval, split evenly among the projects on it (none: attributed to no project). */
	private attributeEnergy(entry: Entry, before: EnergyState, nowMs: number): void {
		// The interval counts toward the day it ended in (as the GPU's own today figure does).
		const after = entry.energy;
		const joules = after.joules - before.joules;
		const seconds = after.seconds - before.seconds;
		if (seconds <= 0) return;
		const startMs = before.lastTimeMs ?? nowMs;
		const shares = splitInterval(joules, seconds, projectsOf(entry.processes));
		if (shares.length === 0) this.unattributed = addUnattributed(this.unattributed, joules, after.day);
		for (const share of shares)
			this.projectEnergy.set(share.projectId, addShare(this.projectEnergy.get(share.projectId), share, startMs, after.source === 'estimate', after.day));
	}

	/**
	A project's energy read back from Redis at start (project-hydrate.ts). When live figures came first (Redis reached
	late), the stored ones are added to them (project-energy.ts `joinStored`), not dropped: the next write would
	otherwise overwrite the stored run with this instance's part of it.
	*/
	seedProjectEnergy(projectId: string, state: ProjectEnergyState): void {
		const live = this.projectEnergy.get(projectId);
		this.projectEnergy.set(projectId, live === undefined ? state : joinStored(live, state));
		this.version += 1;
	}

	/** The energy no project ran, today (local day of the last frame) and since this instance started, in kWh. */
	private unattributedFigures(): {todayKwh: number; sinceStartKwh: number} {
		const u = this.unattributed;
		const today = u.day !== undefined && u.day === localDay(this.lastFrameMs ?? Date.now());
		return {todayKwh: today ? u.todayJoules / 3_600_000 : 0, sinceStartKwh: u.joules / 3_600_000};
	}

	/** Energy per project now, with the GPUs each is on (by index), cost and CO2e. */
	private projectFigures(nowDay: string) {
		const gpusOf = new Map<string, number[]>();
		for (const entry of this.entries.values())
			for (const project of projectsOf(entry.processes)) gpusOf.set(project, [...(gpusOf.get(project) ?? []), entry.index].sort((a, b) => a - b));
		return [...this.projectEnergy]
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([id, state]) => projectEnergy(id, state, nowDay, gpusOf.get(id) ?? [], this.pricing));
	}

	/** The health state and series after a row: throttle since-times, and one point per health series that is known. */
	private applyHealth(entry: Entry, nowMs: number): void {
		if (!entry.healthQueried) return;
		const r = entry.readings;
		entry.throttleSince = nextThrottleSince(entry.throttleSince, r, nowMs);
		const push = (series: HealthSeries, value: number | undefined) => {
			if (value !== undefined) entry.rings[series].push(nowMs, value);
		};
		push('throttleThermal', throttleFlag(r, 'thermal'));
		push('throttlePower', throttleFlag(r, 'power'));
		const link = linkState(r, r.utilizationPercent.stale ? undefined : r.utilizationPercent.value);
		push('linkDegraded', link.degraded === undefined ? undefined : link.degraded ? 1 : 0);
		push('xidTotal', entry.xidCount);
		push('eccUncorrected', r.eccUncorrectedVolatile.stale ? undefined : r.eccUncorrectedVolatile.value);
	}

	/**
	An Xid event from the loop output: counted on the GPU whose PCI address it names (or the only GPU, when the line
	names none), else on the box. Returns the GPU's UUID, or undefined when it went to the box.
	*/
	recordXid(event: XidEvent): string | undefined {
		const key = event.pci === undefined ? undefined : pciKey(event.pci);
		let target: Entry | undefined;
		for (const entry of this.entries.values()) if (key !== undefined && entry.busId !== undefined && pciKey(entry.busId) === key) target = entry;
		if (target === undefined && key === undefined && this.entries.size === 1) target = [...this.entries.values()][0];
		this.version += 1;
		if (target === undefined) {
			this.boxXids = [...this.boxXids, event].slice(-XID_RECENT);
			this.boxXidCount += 1;
			return undefined;
		}
		target.xidCount += 1;
		target.lastXid = event;
		target.rings.xidTotal.push(event.timeMs, target.xidCount);
		target.row = undefined;
		return target.uuid;
	}

	private staleEntry(entry: Entry, reason: string): void {
		for (const metric of GPU_METRICS) entry.readings[metric] = staleReading(entry.readings[metric], reason);
		entry.row = undefined;
	}

	/** Every reading becomes stale (the sampler lost nvidia-smi); the last good values stay visible. */
	markAllStale(reason: string): void {
		for (const entry of this.entries.values()) this.staleEntry(entry, reason);
		this.version += 1;
	}

	/**
	Replace the process lists from a `--query-compute-apps` result, joined by GPU UUID (and to /proc by pid, and to
	projects by pid, when given).
	*/
	setProcesses(apps: readonly ParsedApp[], host?: ReadonlyMap<number, HostProcess>, projects?: ReadonlyMap<number, string>, nowMs = Date.now()): void {
		if (this.processesAtMs === undefined) {
			this.processesAtMs = nowMs;
			this.version += 1;
		}
		const byGpu = new Map<string, GpuProcess[]>();
		for (const app of apps) {
			const list = byGpu.get(app.gpuUuid) ?? [];
			const h = host?.get(app.pid);
			const projectId = projects?.get(app.pid);
			list.push({pid: app.pid, name: app.name, usedMemoryMb: app.usedMemoryMb, ...(h !== undefined ? {host: h} : {}), ...(projectId !== undefined ? {projectId} : {})});
			byGpu.set(app.gpuUuid, list);
		}
		for (const entry of this.entries.values()) {
			const next = (byGpu.get(entry.uuid) ?? []).sort((a, b) => (b.usedMemoryMb ?? -1) - (a.usedMemoryMb ?? -1));
			const same =
				next.length === entry.processes.length &&
				next.every(
					(p, i) =>
						p.pid === entry.processes[i]!.pid &&
						p.usedMemoryMb === entry.processes[i]!.usedMemoryMb &&
						p.host?.cpuPercent === entry.processes[i]!.host?.cpuPercent &&
						p.projectId === entry.processes[i]!.projectId,
				);
			if (same) continue;
			entry.processes = next;
			entry.row = undefined;
			this.version += 1;
		}
	}

	/** A GPU's PCIe throughput sample (MB/s); an unknown value keeps the last good one, marked stale. */
	setLinkThroughput(index: number, rx: Parsed, tx: Parsed, timeMs: number): void {
		const before = this.pcie.get(index);
		const next: LinkThroughput = {rxMBps: toReading(rx, before?.rxMBps.value), txMBps: toReading(tx, before?.txMBps.value), timeMs};
		this.pcie.set(index, next);
		this.touchIndex(index);
	}

	/** A GPU's NVLink throughput (MB/s, from two counter readings); an unknown value keeps the last good one, stale. */
	setNvlinkThroughput(index: number, rx: Parsed, tx: Parsed, timeMs: number): void {
		const before = this.nvlink.get(index);
		this.nvlink.set(index, {rxMBps: toReading(rx, before?.rxMBps.value), txMBps: toReading(tx, before?.txMBps.value), timeMs});
		this.touchIndex(index);
	}

	/** Every GPU's PCIe throughput turned stale (the dmon child stopped). */
	staleLinkThroughput(reason: string): void {
		for (const [index, t] of this.pcie) {
			this.pcie.set(index, {...t, rxMBps: staleReading(t.rxMBps, reason), txMBps: staleReading(t.txMBps, reason)});
			this.touchIndex(index);
		}
	}

	/** Every GPU's NVLink throughput turned stale (a poll did not answer). */
	staleNvlinkThroughput(reason: string): void {
		for (const [index, t] of this.nvlink) {
			this.nvlink.set(index, {...t, rxMBps: staleReading(t.rxMBps, reason), txMBps: staleReading(t.txMBps, reason)});
			this.touchIndex(index);
		}
	}

	setPcieState(state: PcieState): void {
		if (this.pcieState === state) return;
		this.pcieState = state;
		this.version += 1;
	}

	/** Name an extra the driver cannot give (`reason`), or clear it (undefined). */
	setUnsupportedExtra(name: string, reason: string | undefined): void {
		if (this.unsupportedExtras.get(name) === reason) return;
		if (reason === undefined) this.unsupportedExtras.delete(name);
		else this.unsupportedExtras.set(name, reason);
		this.version += 1;
	}

	private touchIndex(index: number): void {
		for (const entry of this.entries.values()) if (entry.index === index) entry.row = undefined;
		this.version += 1;
	}

	setStatus(status: GpuStatus): boolean {
		const before = this.statusValue;
		this.statusValue = status;
		const changed =
			before.state !== status.state ||
			before.reason !== status.reason ||
			before.mode !== status.mode ||
			before.retryAtMs !== status.retryAtMs ||
			(before.droppedFields ?? []).join() !== (status.droppedFields ?? []).join();
		if (changed) this.version += 1;
		return changed;
	}

	private toRow(entry: Entry): GpuRow {
		if (entry.row !== undefined) return entry.row;
		const r = entry.readings;
		entry.row = {
			index: entry.index,
			uuid: entry.uuid,
			name: entry.name,
			utilizationPercent: r.utilizationPercent,
			memoryUtilizationPercent: r.memoryUtilizationPercent,
			memoryUsedMb: r.memoryUsedMb,
			memoryTotalMb: r.memoryTotalMb,
			temperatureC: r.temperatureC,
			powerDrawW: r.powerDrawW,
			powerLimitW: r.powerLimitW,
			fanPercent: r.fanPercent,
			smClockMhz: r.smClockMhz,
			pstate: entry.pstate,
			utilizationHistory: entry.rings.utilizationPercent.tailValues(ROW_HISTORY),
			lost: entry.lost,
			processes: entry.processes,
			...(entry.busId !== undefined ? {busId: entry.busId} : {}),
			...(entry.migEnabled !== undefined ? {migEnabled: entry.migEnabled} : {}),
			...(entry.persistenceMode !== undefined ? {persistenceMode: entry.persistenceMode} : {}),
			...(entry.lastSeenMs !== undefined ? {lastSeenMs: entry.lastSeenMs} : {}),
			...(entry.lostSinceMs !== undefined ? {lostSinceMs: entry.lostSinceMs, lostReason: entry.lostReason} : {}),
			...(entry.healthQueried || entry.xidCount > 0 ? {health: this.health(entry)} : {}),
			...(entry.energy.lastTimeMs !== undefined ? {energy: gpuEnergy(entry.energy)} : {}),
			...memoryForecast(entry),
			...(this.pcie.has(entry.index) && !entry.lost ? {pcie: this.pcie.get(entry.index)!} : {}),
			...(this.nvlink.has(entry.index) && !entry.lost ? {nvlink: this.nvlink.get(entry.index)!} : {}),
		};
		rowHistories.set(entry.row, entry.rings);
		return entry.row;
	}

	private health(entry: Entry): GpuHealth {
		const readings: Partial<Record<HealthMetric, Reading>> = {};
		for (let i = 0; i < HEALTH_METRICS.length; i++) readings[HEALTH_METRICS[i]!] = entry.readings[HEALTH_METRICS[i]!];
		const util = entry.readings.utilizationPercent;
		return {
			readings,
			throttles: activeThrottles(entry.throttleSince),
			link: linkState(readings, util.stale ? undefined : util.value),
			ecc: eccState(readings),
			xidCount: entry.xidCount,
			...(entry.lastXid !== undefined ? {lastXid: entry.lastXid} : {}),
		};
	}

	rows(): readonly GpuRow[] {
		if (this.rowsCache?.version === this.version) return this.rowsCache.rows;
		const rows = [...this.entries.values()].map((e) => this.toRow(e)).sort((a, b) => a.index - b.index || compareIds(a.uuid, b.uuid));
		this.rowsCache = {version: this.version, rows};
		return rows;
	}

	row(uuid: string): GpuRow | undefined {
		const entry = this.entries.get(uuid);
		return entry === undefined ? undefined : this.toRow(entry);
	}

	series(uuid: string, metric: GpuSeries, sinceMs = -Infinity): readonly GpuSample[] {
		const ring = this.entries.get(uuid)?.rings[metric];
		if (ring === undefined) return [];
		const out: GpuSample[] = [];
		for (const point of ring.tail(ring.length)) if (point.timeMs >= sinceMs) out.push({timeMs: point.timeMs, value: point.value});
		return out;
	}

	history(uuid: string, metric: GpuSeries): PointSeries | undefined {
		return this.entries.get(uuid)?.rings[metric];
	}

	status(): GpuStatus & {readonly lastFrameMs?: number} {
		return this.lastFrameMs === undefined ? this.statusValue : {...this.statusValue, lastFrameMs: this.lastFrameMs};
	}

	box(): BoxAggregates {
		return boxAggregates(this.rows());
	}

	/** Lost GPUs now (for the state line). */
	lostCount(): number {
		let n = 0;
		for (const entry of this.entries.values()) if (entry.lost) n += 1;
		return n;
	}

	snapshot(): GpuSnapshot {
		if (this.snapshotCache?.version === this.version) return this.snapshotCache.snapshot;
		const s = withExtras(this.statusValue, this.unsupportedExtras);
		const snapshot: GpuSnapshot = {
			state: s.state,
			...(s.reason !== undefined ? {reason: s.reason} : {}),
			gpus: this.rows(),
			...(this.lastFrameMs !== undefined ? {lastFrameMs: this.lastFrameMs} : {}),
			...(s.mode !== undefined ? {mode: s.mode} : {}),
			...(s.droppedFields !== undefined && s.droppedFields.length > 0 ? {droppedFields: s.droppedFields} : {}),
			...(s.retryAtMs !== undefined ? {retryAtMs: s.retryAtMs} : {}),
			...(this.boxXidCount > 0 ? {boxXids: {count: this.boxXidCount, recent: this.boxXids}} : {}),
			...(this.pcieState !== undefined ? {pcieThroughput: this.pcieState} : {}),
			...(this.entries.size > 0 ? {energy: boxEnergy(this.rows().flatMap((r) => (r.energy !== undefined ? [r.energy] : [])), this.pricing)} : {}),
			...(this.processesAtMs !== undefined ? {processesAtMs: this.processesAtMs} : {}),
			...(this.projectEnergy.size > 0 ? {projects: this.projectFigures(localDay(this.lastFrameMs ?? Date.now())), unattributed: this.unattributedFigures()} : {}),
		};
		this.snapshotCache = {version: this.version, snapshot};
		return snapshot;
	}
}
