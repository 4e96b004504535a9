/**
A host's one-line summary in the registry (`mycotop:host:{host}:summary`, a hash): written by the box's host-lease
holder from its own GPU readings and alerts, read back by every instance for the hosts pane. Both directions are
pure. Reading bounds every figure (contract/limits.ts, the sampler's own ranges): a figure out of range or not a
number is unknown (`undefined`), never 0, and the summary says it was malformed.
*/
import {MAX_FIRING_ALERTS, MAX_HOST_GPUS, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS} from '../contract/limits.js';
import {sanitizeText} from '../contract/sanitize.js';
import {METRIC_RANGE} from '../gpu/query-fields.js';
import {type GpuRow} from '../gpu/gpu-snapshot.js';

export interface HostSummary {
	readonly gpuCount: number | undefined;
	readonly utilMeanPercent: number | undefined;
	readonly utilMaxPercent: number | undefined;
	readonly memoryUsedMb: number | undefined;
	readonly memoryTotalMb: number | undefined;
	readonly hottestC: number | undefined;
	readonly powerW: number | undefined;
	readonly firingAlerts: number | undefined;
	/** The GPU sampler's state on that box (ok, degraded, unavailable, disabled, starting). */
	readonly gpuState: string | undefined;
	readonly version: string | undefined;
	/** The box's sampling interval, so a slow box is not called stale after 3 of our intervals. */
	readonly intervalMs: number | undefined;
	/** When the box wrote it (its clock). */
	readonly lastSeenMs: number | undefined;
	/** Fields that were present but unreadable or out of range. */
	readonly malformed?: readonly string[];
}

export interface SummaryInput {
	readonly gpuState: string;
	readonly rows: readonly GpuRow[];
	readonly firingAlerts: number;
	readonly version: string;
	readonly intervalMs: number;
	readonly nowMs: number;
}

function fixed(value: number): string {
	return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The summary hash's fields from this box's readings: fresh, known readings only; unknown figures are empty. */
export function summaryFields(input: SummaryInput): Record<string, string> {
	const live = input.rows.filter((r) => !r.lost);
	const known = (pick: (r: GpuRow) => number | undefined) => live.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
	const utils = known((r) => (r.utilizationPercent.stale ? undefined : r.utilizationPercent.value));
	const used = known((r) => r.memoryUsedMb.value);
	const total = known((r) => r.memoryTotalMb.value);
	const temps = known((r) => r.temperatureC.value);
	const power = known((r) => r.powerDrawW.value);
	const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
	return {
		gpu_count: String(input.rows.length),
		util_mean: utils.length === 0 ? '' : fixed(sum(utils) / utils.length),
		util_max: utils.length === 0 ? '' : fixed(Math.max(...utils)),
		memory_used_mb: used.length === 0 ? '' : fixed(sum(used)),
		memory_total_mb: total.length === 0 ? '' : fixed(sum(total)),
		temperature_max_c: temps.length === 0 ? '' : fixed(Math.max(...temps)),
		power_w: power.length === 0 ? '' : fixed(sum(power)),
		alerts_firing: String(input.firingAlerts),
		gpu_state: input.gpuState,
		version: input.version,
		interval_ms: String(input.intervalMs),
		last_seen_ms: String(input.nowMs),
	};
}

/** A number field within [min, max], or undefined; `bad` collects fields present but unreadable. */
function bounded(hash: Readonly<Record<string, string>>, field: string, min: number, max: number, bad: string[]): number | undefined {
	const text = hash[field];
	if (text === undefined || text === '') return undefined;
	// Plain decimal only: no hex, exponents, Infinity or surrounding spaces.
	if (!/^-?\d{1,20}(\.\d{1,6})?$/.test(text)) {
		bad.push(field);
		return undefined;
	}
	const value = Number(text);
	if (!Number.isFinite(value) || value < min || value > max) {
		bad.push(field);
		return undefined;
	}
	return value;
}

function label(hash: Readonly<Record<string, string>>, field: string): string | undefined {
	const text = hash[field];
	if (text === undefined || text === '') return undefined;
	return sanitizeText(text, {maxLength: 32});
}

/** A summary hash read back from Redis (anything may be in it: another version, another program, a hostile one). */
export function parseSummary(hash: Readonly<Record<string, string>>): HostSummary {
	const bad: string[] = [];
	const [memMin, memMax] = METRIC_RANGE.memoryTotalMb;
	const [tempMin, tempMax] = METRIC_RANGE.temperatureC;
	const [, powerMax] = METRIC_RANGE.powerDrawW;
	const summary: HostSummary = {
		gpuCount: bounded(hash, 'gpu_count', 0, MAX_HOST_GPUS, bad),
		utilMeanPercent: bounded(hash, 'util_mean', 0, 100, bad),
		utilMaxPercent: bounded(hash, 'util_max', 0, 100, bad),
		memoryUsedMb: bounded(hash, 'memory_used_mb', memMin, memMax * MAX_HOST_GPUS, bad),
		memoryTotalMb: bounded(hash, 'memory_total_mb', memMin, memMax * MAX_HOST_GPUS, bad),
		hottestC: bounded(hash, 'temperature_max_c', tempMin, tempMax, bad),
		powerW: bounded(hash, 'power_w', 0, powerMax * MAX_HOST_GPUS, bad),
		firingAlerts: bounded(hash, 'alerts_firing', 0, MAX_FIRING_ALERTS, bad),
		gpuState: label(hash, 'gpu_state'),
		version: label(hash, 'version'),
		intervalMs: bounded(hash, 'interval_ms', 1, 3_600_000, bad),
		lastSeenMs: bounded(hash, 'last_seen_ms', MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS, bad),
	};
	return bad.length === 0 ? summary : {...summary, malformed: bad};
}
