/**
The `--query-gpu` and `--query-compute-apps` field sets. `name` goes last: it contains spaces and, on some boards,
could contain a comma, which the parser then folds back into the name.
*/

/** The numeric readings of a GPU row and the nvidia-smi field each comes from. */
const NUMERIC_FIELDS = {
	utilizationPercent: 'utilization.gpu',
	memoryUtilizationPercent: 'utilization.memory',
	memoryUsedMb: 'memory.used',
	memoryTotalMb: 'memory.total',
	temperatureC: 'temperature.gpu',
	powerDrawW: 'power.draw',
	powerLimitW: 'power.limit',
	fanPercent: 'fan.speed',
	smClockMhz: 'clocks.sm',
} as const;

/** The seed's readings and their neighbours: a GPU whose every one of these is unavailable is lost. */
export type CoreMetric = keyof typeof NUMERIC_FIELDS;

export const CORE_METRICS = Object.keys(NUMERIC_FIELDS) as CoreMetric[];

/** Where the clock event (throttle) reasons live: drivers from about 535 on; older ones only know the legacy names. */
const THROTTLE_PREFIX = 'clocks_event_reasons.';
const LEGACY_THROTTLE_PREFIX = 'clocks_throttle_reasons.';

/**
The health readings of a GPU row and the field each comes from (throttle reasons under their newer name; the sampler
swaps the family to the legacy `clocks_throttle_reasons.*` names when the driver refuses the newer one).
*/
export const HEALTH_FIELDS = {
	throttleSwPowerCap: `${THROTTLE_PREFIX}sw_power_cap`,
	throttleHwSlowdown: `${THROTTLE_PREFIX}hw_slowdown`,
	throttleHwThermal: `${THROTTLE_PREFIX}hw_thermal_slowdown`,
	throttleHwPowerBrake: `${THROTTLE_PREFIX}hw_power_brake_slowdown`,
	throttleSwThermal: `${THROTTLE_PREFIX}sw_thermal_slowdown`,
	throttleSyncBoost: `${THROTTLE_PREFIX}sync_boost`,
	eccCorrectedVolatile: 'ecc.errors.corrected.volatile.total',
	eccUncorrectedVolatile: 'ecc.errors.uncorrected.volatile.total',
	eccCorrectedAggregate: 'ecc.errors.corrected.aggregate.total',
	eccUncorrectedAggregate: 'ecc.errors.uncorrected.aggregate.total',
	retiredPagesPending: 'retired_pages.pending',
	remappedRowsPending: 'remapped_rows.pending',
	pcieGenCurrent: 'pcie.link.gen.current',
	pcieGenMax: 'pcie.link.gen.max',
	pcieWidthCurrent: 'pcie.link.width.current',
	pcieWidthMax: 'pcie.link.width.max',
	smClockMaxMhz: 'clocks.max.sm',
	memoryClockMhz: 'clocks.mem',
	energyMj: 'total_energy_consumption',
} as const;

export type HealthMetric = keyof typeof HEALTH_FIELDS;

export const HEALTH_METRICS = Object.keys(HEALTH_FIELDS) as HealthMetric[];

export type GpuMetric = CoreMetric | HealthMetric;

export const GPU_METRICS: readonly GpuMetric[] = [...CORE_METRICS, ...HEALTH_METRICS];

/** How a token is read: a number, `Active`/`Not Active` (1/0), or `Yes`/`No` (1/0). */
export type ReadingKind = 'number' | 'active' | 'yesno';

export function metricKind(metric: GpuMetric): ReadingKind {
	if (metric.startsWith('throttle')) return 'active';
	if (metric === 'retiredPagesPending' || metric === 'remappedRowsPending') return 'yesno';
	return 'number';
}

/** Every field name a reading can come from (both names of a throttle reason), to its metric. */
export const METRIC_BY_FIELD: ReadonlyMap<string, GpuMetric> = new Map<string, GpuMetric>([
	...Object.entries(NUMERIC_FIELDS).map(([metric, field]) => [field, metric as GpuMetric] as const),
	...Object.entries(HEALTH_FIELDS).map(([metric, field]) => [field, metric as GpuMetric] as const),
	...Object.entries(HEALTH_FIELDS)
		.filter(([, field]) => field.startsWith(THROTTLE_PREFIX))
		.map(([metric, field]) => [LEGACY_THROTTLE_PREFIX + field.slice(THROTTLE_PREFIX.length), metric as GpuMetric] as const),
]);

const COUNT_MAX = 1e15;

/** Accepted range per reading; a value outside it is "unknown (out of range)". Fan speed can exceed 100 %. */
export const METRIC_RANGE: Record<GpuMetric, readonly [number, number]> = {
	utilizationPercent: [0, 100],
	memoryUtilizationPercent: [0, 100],
	memoryUsedMb: [0, 16_777_216],
	memoryTotalMb: [0, 16_777_216],
	temperatureC: [-60, 200],
	powerDrawW: [0, 100_000],
	powerLimitW: [0, 100_000],
	fanPercent: [0, 1000],
	smClockMhz: [0, 100_000],
	throttleSwPowerCap: [0, 1],
	throttleHwSlowdown: [0, 1],
	throttleHwThermal: [0, 1],
	throttleHwPowerBrake: [0, 1],
	throttleSwThermal: [0, 1],
	throttleSyncBoost: [0, 1],
	eccCorrectedVolatile: [0, COUNT_MAX],
	eccUncorrectedVolatile: [0, COUNT_MAX],
	eccCorrectedAggregate: [0, COUNT_MAX],
	eccUncorrectedAggregate: [0, COUNT_MAX],
	retiredPagesPending: [0, 1],
	remappedRowsPending: [0, 1],
	pcieGenCurrent: [1, 16],
	pcieGenMax: [1, 16],
	pcieWidthCurrent: [1, 64],
	pcieWidthMax: [1, 64],
	smClockMaxMhz: [0, 100_000],
	memoryClockMhz: [0, 100_000],
	// Millijoules since the driver was loaded: 1e18 mJ is 278 GWh.
	energyMj: [0, 1e18],
};

/** Fields that every query needs; without them a row cannot be attributed to a GPU. */
const REQUIRED_FIELDS = ['timestamp', 'index', 'uuid', 'name'] as const;

/** The full query, in order. `name` must stay last. */
export const FULL_GPU_FIELDS: readonly string[] = [
	'timestamp',
	'index',
	'uuid',
	'pci.bus_id',
	'utilization.gpu',
	'utilization.memory',
	'memory.used',
	'memory.total',
	'temperature.gpu',
	'power.draw',
	'power.limit',
	'fan.speed',
	'clocks.sm',
	'pstate',
	'persistence_mode',
	'mig.mode.current',
	...Object.values(HEALTH_FIELDS),
	'name',
];

/** The fallback when the driver rejects a field it does not name: the seed's own fields plus identity. */
export const MINIMAL_GPU_FIELDS: readonly string[] = [
	'timestamp',
	'index',
	'uuid',
	'utilization.gpu',
	'memory.used',
	'memory.total',
	'temperature.gpu',
	'power.draw',
	'name',
];

/** `--query-compute-apps`: joined to GPUs by UUID (the output has no index). `process_name` last. */
export const APPS_FIELDS: readonly string[] = ['gpu_uuid', 'pid', 'used_memory', 'process_name'];

const CSV_FORMAT = '--format=csv,noheader,nounits';

/** Arguments for a `--query-gpu` run: streaming with `-lms` when `loopMs` is given, one-shot otherwise. */
export function gpuQueryArgs(fields: readonly string[], gpus: readonly number[] | undefined, loopMs?: number): string[] {
	const args = [`--query-gpu=${fields.join(',')}`, CSV_FORMAT];
	if (gpus !== undefined && gpus.length > 0) args.push(`--id=${gpus.join(',')}`);
	if (loopMs !== undefined) args.push(`-lms`, String(loopMs));
	return args;
}

export function appsQueryArgs(gpus: readonly number[] | undefined): string[] {
	const args = [`--query-compute-apps=${APPS_FIELDS.join(',')}`, CSV_FORMAT];
	if (gpus !== undefined && gpus.length > 0) args.push(`--id=${gpus.join(',')}`);
	return args;
}

/** Fields of `before` missing from `after` that were not merely renamed (a throttle reason under its legacy name). Pure. */
export function droppedBetween(before: readonly string[], after: readonly string[]): string[] {
	const metricsAfter = new Set(after.map((f) => METRIC_BY_FIELD.get(f)).filter((m) => m !== undefined));
	return before.filter((f) => !after.includes(f) && !(METRIC_BY_FIELD.has(f) && metricsAfter.has(METRIC_BY_FIELD.get(f)!)));
}

/**
The field set to try after the driver refused `fields`: drop the field it named (unless required), else fall back to
the minimal set, else give up (undefined). Pure.
*/
export function reduceFields(fields: readonly string[], rejected: string | undefined): readonly string[] | undefined {
	const required = REQUIRED_FIELDS as readonly string[];
	// Clock event reasons are one family: the newer names refused means a driver that knows only the legacy ones
	// (try them all at once), the legacy ones refused means it knows neither (drop the family at once).
	if (rejected !== undefined && fields.includes(rejected) && rejected.startsWith(THROTTLE_PREFIX))
		return fields.map((f) => (f.startsWith(THROTTLE_PREFIX) ? LEGACY_THROTTLE_PREFIX + f.slice(THROTTLE_PREFIX.length) : f));
	if (rejected !== undefined && fields.includes(rejected) && rejected.startsWith(LEGACY_THROTTLE_PREFIX))
		return fields.filter((f) => !f.startsWith(LEGACY_THROTTLE_PREFIX));
	if (rejected !== undefined && fields.includes(rejected)) {
		return required.includes(rejected) ? undefined : fields.filter((f) => f !== rejected);
	}
	const alreadyMinimal = fields.length <= MINIMAL_GPU_FIELDS.length && fields.every((f) => MINIMAL_GPU_FIELDS.includes(f));
	return alreadyMinimal ? undefined : MINIMAL_GPU_FIELDS;
}
