/**
What the GPU sampler writes to Redis, as pure functions. The seed's single-GPU keys describe the whole box (mean
utilization, summed memory and power, hottest temperature); per-GPU detail goes under keys of our own that carry the
host name. An unknown figure is left out (or named in `unknown`), never written as 0.
*/
import {ourKeys} from '../contract/names.js';
import {type BoxAggregates} from './gpu-store.js';
import {type GpuProcess, type GpuRow, type Reading} from './gpu-snapshot.js';
import {type GpuMetric, type HealthMetric} from './query-fields.js';
import {type ProjectEnergy} from './project-energy.js';
import {projectsOf} from './project-join.js';

/** A host name or UUID made safe for a key segment (no `:`, whitespace or glob characters). */
export function keySegment(text: string): string {
	const safe = text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128);
	return safe === '' ? '_' : safe;
}

function num(value: number, digits = 2): string {
	return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** `{value, timestamp}`, the seed's list entry. */
function seriesEntry(value: number, timestampIso: string): string {
	return JSON.stringify({value: Number.isInteger(value) ? value : Number(value.toFixed(2)), timestamp: timestampIso});
}

/** Entries for the seed's `metrics:gpu:utilization|memory_used_mb|temperature` lists; missing figures are left out. */
export function boxListEntries(box: BoxAggregates, timestampIso: string): Array<{series: 'utilization' | 'memory_used_mb' | 'temperature'; entry: string}> {
	const out: Array<{series: 'utilization' | 'memory_used_mb' | 'temperature'; entry: string}> = [];
	if (box.utilizationPercent !== undefined) out.push({series: 'utilization', entry: seriesEntry(box.utilizationPercent, timestampIso)});
	if (box.memoryUsedMb !== undefined) out.push({series: 'memory_used_mb', entry: seriesEntry(box.memoryUsedMb, timestampIso)});
	if (box.temperatureC !== undefined) out.push({series: 'temperature', entry: seriesEntry(box.temperatureC, timestampIso)});
	return out;
}

/** Fields of the seed's `metrics:gpu:current` hash for the whole box (plus gpu_count, gpus_reporting, host). */
export function boxCurrentFields(box: BoxAggregates, host: string, timestampIso: string): Record<string, string> {
	const fields: Record<string, string> = {gpu_count: String(box.gpuCount), gpus_reporting: String(box.reporting), host, last_updated: timestampIso};
	if (box.utilizationPercent !== undefined) fields['utilization_percent'] = num(box.utilizationPercent);
	if (box.memoryUsedMb !== undefined) fields['memory_used_mb'] = num(box.memoryUsedMb);
	if (box.memoryTotalMb !== undefined) fields['memory_total_mb'] = num(box.memoryTotalMb);
	if (box.temperatureC !== undefined) fields['temperature_celsius'] = num(box.temperatureC);
	if (box.powerDrawW !== undefined) fields['power_draw_watts'] = num(box.powerDrawW);
	return fields;
}

/** `context:system:capacity` fields: the seed's gpu_available, and how many GPUs qualify. */
export function capacityFields(box: BoxAggregates | undefined): Record<string, string> {
	if (box === undefined) return {gpu_available: 'false', gpus_available: '0'};
	return {gpu_available: box.gpuAvailable ? 'true' : 'false', gpus_available: String(box.gpusAvailable)};
}

/** The GPU row's readings and their fields in the per-GPU hash (written here, read back by fleet/gpu-from-hash.ts). */
export const ROW_FIELDS: ReadonlyArray<readonly [GpuMetric & keyof GpuRow, string]> = [
	['utilizationPercent', 'utilization_percent'],
	['memoryUtilizationPercent', 'memory_utilization_percent'],
	['memoryUsedMb', 'memory_used_mb'],
	['memoryTotalMb', 'memory_total_mb'],
	['temperatureC', 'temperature_celsius'],
	['powerDrawW', 'power_draw_watts'],
	['powerLimitW', 'power_limit_watts'],
	['fanPercent', 'fan_percent'],
	['smClockMhz', 'sm_clock_mhz'],
];

/** The health readings in the per-GPU hash (our own fields; the seed's keys keep their shapes). */
const HEALTH_ROW_FIELDS: ReadonlyArray<[HealthMetric, string]> = [
	['throttleSwPowerCap', 'throttle_sw_power_cap'],
	['throttleHwSlowdown', 'throttle_hw_slowdown'],
	['throttleHwThermal', 'throttle_hw_thermal_slowdown'],
	['throttleHwPowerBrake', 'throttle_hw_power_brake_slowdown'],
	['throttleSwThermal', 'throttle_sw_thermal_slowdown'],
	['throttleSyncBoost', 'throttle_sync_boost'],
	['eccCorrectedVolatile', 'ecc_corrected_volatile'],
	['eccUncorrectedVolatile', 'ecc_uncorrected_volatile'],
	['eccCorrectedAggregate', 'ecc_corrected_aggregate'],
	['eccUncorrectedAggregate', 'ecc_uncorrected_aggregate'],
	['retiredPagesPending', 'retired_pages_pending'],
	['remappedRowsPending', 'remapped_rows_pending'],
	['pcieGenCurrent', 'pcie_gen_current'],
	['pcieGenMax', 'pcie_gen_max'],
	['pcieWidthCurrent', 'pcie_width_current'],
	['pcieWidthMax', 'pcie_width_max'],
	['smClockMaxMhz', 'sm_clock_max_mhz'],
	['memoryClockMhz', 'memory_clock_mhz'],
	['energyMj', 'energy_mj'],
];

/**
The health part of the per-GPU hash: each reading (1/0 for reasons and pending flags), the active throttle reasons
with their start (`HW-THERM@2026-...;PWR-CAP@...`), the link verdict, the Xid count and the newest Xid. Unknown
readings go to `unknown`/`stale` like the others. Pure.
*/
function healthFields(row: GpuRow, fields: Record<string, string>, unknown: string[], stale: string[]): void {
	const health = row.health;
	if (health === undefined) return;
	// Indexed loops, not for-of with destructuring: this runs once a second per GPU, too seldom for the optimizing
	// compiler, and the interpreter allocates an iterator result per element and an iterator per destructured pair.
	for (let i = 0; i < HEALTH_ROW_FIELDS.length; i++) {
		const metric = HEALTH_ROW_FIELDS[i]![0];
		const field = HEALTH_ROW_FIELDS[i]![1];
		const reading = health.readings[metric];
		if (reading === undefined) continue;
		fields[field] = reading.value === undefined ? '' : num(reading.value);
		if (reading.reason !== undefined) (reading.value === undefined ? unknown : stale).push(`${field}=${reading.reason}`);
	}
	fields['throttle_reasons'] = health.throttles.map((t) => `${t.name}@${new Date(t.sinceMs).toISOString()}`).join(';');
	fields['pcie_link_degraded'] = health.link.degraded === undefined ? '' : String(health.link.degraded);
	fields['pcie_link_reason'] = health.link.reason ?? '';
	fields['ecc_state'] = health.ecc.level;
	fields['xid_count'] = String(health.xidCount);
	fields['last_xid'] = health.lastXid === undefined ? '' : String(health.lastXid.xid);
	fields['last_xid_at'] = health.lastXid === undefined ? '' : new Date(health.lastXid.timeMs).toISOString();
}

/** A process list as the hash's `processes` and `projects` fields (JSON). Pure. */
function processFieldsOf(processes: readonly GpuProcess[]): {readonly processes: string; readonly projects: string} {
	return {
		processes: JSON.stringify(
			processes.slice(0, 32).map((p) => ({
				pid: p.pid,
				name: p.name,
				used_memory_mb: p.usedMemoryMb ?? null,
				...(p.projectId !== undefined ? {project_id: p.projectId} : {}),
				...(p.host !== undefined
					? {
							user: p.host.user ?? null,
							command: p.host.command ?? null,
							cpu_percent: p.host.cpuPercent === undefined ? null : Number(p.host.cpuPercent.toFixed(1)),
							rss_bytes: p.host.rssBytes ?? null,
							elapsed_s: p.host.elapsedMs === undefined ? null : Math.round(p.host.elapsedMs / 1000),
						}
					: {}),
			})),
		),
		projects: JSON.stringify(projectsOf(processes)),
	};
}

/**
The store keeps a GPU's process list (an array of readonly entries) until the list changes (gpu-store.ts
setProcesses), so its JSON is made once per list, not once a second per GPU.
*/
const processFieldsMemo = new WeakMap<readonly GpuProcess[], {readonly processes: string; readonly projects: string}>();

function processFields(processes: readonly GpuProcess[]): {readonly processes: string; readonly projects: string} {
	let fields = processFieldsMemo.get(processes);
	if (fields === undefined) {
		fields = processFieldsOf(processes);
		processFieldsMemo.set(processes, fields);
	}
	return fields;
}

/**
`metrics:gpu:{host}:{uuid}:current`: every known value (a stale one is the last good value and is listed in `stale`),
unknown ones named with their reason in `unknown` (`field=reason;...`), so a reader never mistakes a gap for 0.
*/
export function gpuCurrentFields(row: GpuRow, timestampIso: string): Record<string, string> {
	const processes = processFields(row.processes);
	const fields: Record<string, string> = {
		index: String(row.index),
		name: row.name,
		lost: row.lost ? 'true' : 'false',
		pstate: row.pstate ?? '',
		processes: processes.processes,
		projects: processes.projects,
		last_updated: timestampIso,
	};
	const unknown: string[] = [];
	const stale: string[] = [];
	for (let i = 0; i < ROW_FIELDS.length; i++) {
		const field = ROW_FIELDS[i]![1];
		const reading = row[ROW_FIELDS[i]![0]] as Reading;
		if (reading.value !== undefined) fields[field] = num(reading.value);
		else fields[field] = '';
		if (reading.reason !== undefined) (reading.value === undefined ? unknown : stale).push(`${field}=${reading.reason}`);
	}
	healthFields(row, fields, unknown, stale);
	// MB/s from `nvidia-smi dmon -s t` and `nvlink -gt d`; unknown and stale as the other readings.
	const links = [
		...(row.pcie !== undefined ? ([['pcie_rx_mb_s', row.pcie.rxMBps], ['pcie_tx_mb_s', row.pcie.txMBps]] as const) : []),
		...(row.nvlink !== undefined ? ([['nvlink_rx_mb_s', row.nvlink.rxMBps], ['nvlink_tx_mb_s', row.nvlink.txMBps]] as const) : []),
	];
	for (const [field, reading] of links) {
		fields[field] = reading.value === undefined ? '' : num(reading.value);
		if (reading.reason !== undefined) (reading.value === undefined ? unknown : stale).push(`${field}=${reading.reason}`);
	}
	if (row.energy !== undefined) {
		fields['energy_kwh_today'] = row.energy.todayKwh.toFixed(4);
		fields['energy_kwh_since_start'] = row.energy.sinceStartKwh.toFixed(4);
		fields['gpu_hours_today'] = row.energy.todayGpuHours.toFixed(3);
		fields['energy_source'] = row.energy.source ?? '';
	}
	fields['unknown'] = unknown.join(';');
	fields['stale'] = stale.join(';');
	return fields;
}

/** Per-GPU list entries (fresh readings only). */
export function gpuListEntries(row: GpuRow, timestampIso: string): Array<{series: 'utilization' | 'memory_used_mb' | 'temperature' | 'power_draw_watts'; entry: string}> {
	const out: Array<{series: 'utilization' | 'memory_used_mb' | 'temperature' | 'power_draw_watts'; entry: string}> = [];
	if (row.lost) return out;
	const add = (series: 'utilization' | 'memory_used_mb' | 'temperature' | 'power_draw_watts', reading: Reading) => {
		if (reading.value !== undefined && !reading.stale) out.push({series, entry: seriesEntry(reading.value, timestampIso)});
	};
	add('utilization', row.utilizationPercent);
	add('memory_used_mb', row.memoryUsedMb);
	add('temperature', row.temperatureC);
	add('power_draw_watts', row.powerDrawW);
	return out;
}

/** `metrics:gpu:{host}:state`: the sampler's visible state for other agents. */
export function hostStateFields(state: string, reason: string | undefined, rows: readonly GpuRow[], timestampIso: string): Record<string, string> {
	return {
		state,
		reason: reason ?? '',
		gpu_count: String(rows.length),
		lost: String(rows.filter((r) => r.lost).length),
		uuids: rows.map((r) => r.uuid).join(','),
		last_updated: timestampIso,
	};
}

function rounded(value: number, digits: number): number {
	return Number(value.toFixed(digits));
}

/**
The value of this host's field in `metrics:training:{projectId}:energy`: the project's energy on this box's GPUs
(JSON; kWh to 4 decimals, GPU-hours to 3, money to 4, kg to 4). Pure.
*/
export function projectEnergyValue(p: ProjectEnergy, timestampIso: string): string {
	return JSON.stringify({
		today_kwh: rounded(p.todayKwh, 4),
		today_gpu_hours: rounded(p.todayGpuHours, 3),
		run_kwh: rounded(p.runKwh, 4),
		run_gpu_hours: rounded(p.runGpuHours, 3),
		since: new Date(p.sinceMs).toISOString(),
		gpus: p.gpus,
		source: p.estimated ? 'estimate' : 'counter',
		...(p.todayCost !== undefined ? {today_cost: rounded(p.todayCost, 4), run_cost: rounded(p.runCost ?? 0, 4), currency: p.currency ?? null} : {}),
		...(p.todayCo2eKg !== undefined ? {today_co2e_kg: rounded(p.todayCo2eKg, 4), run_co2e_kg: rounded(p.runCo2eKg ?? 0, 4)} : {}),
		last_updated: timestampIso,
	});
}

export const gpuKeyOf = {
	series: (host: string, uuid: string, series: 'utilization' | 'memory_used_mb' | 'temperature' | 'power_draw_watts') =>
		ourKeys.gpuSeries(keySegment(host), keySegment(uuid), series),
	current: (host: string, uuid: string) => ourKeys.gpuCurrent(keySegment(host), keySegment(uuid)),
	host: (host: string) => ourKeys.gpuHost(keySegment(host)),
	/** The project id came through keyId (the store's projects): keyPart checks it again. */
	projectEnergy: (projectId: string) => ourKeys.projectEnergy(projectId),
};
