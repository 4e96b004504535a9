/**
The `--query-gpu` and `--query-compute-apps` field sets. `name` goes last: it contains spaces and, on some boards,
could contain a comma, which the parser then folds back into the name.
*/

/** The numeric readings of a GPU row and the nvidia-smi field each comes from. */
export const NUMERIC_FIELDS = {
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

export type GpuMetric = keyof typeof NUMERIC_FIELDS;

export const GPU_METRICS = Object.keys(NUMERIC_FIELDS) as GpuMetric[];

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

/**
The field set to try after the driver refused `fields`: drop the field it named (unless required), else fall back to
the minimal set, else give up (undefined). Pure.
*/
export function reduceFields(fields: readonly string[], rejected: string | undefined): readonly string[] | undefined {
	const required = REQUIRED_FIELDS as readonly string[];
	if (rejected !== undefined && fields.includes(rejected)) {
		return required.includes(rejected) ? undefined : fields.filter((f) => f !== rejected);
	}
	const alreadyMinimal = fields.length <= MINIMAL_GPU_FIELDS.length && fields.every((f) => MINIMAL_GPU_FIELDS.includes(f));
	return alreadyMinimal ? undefined : MINIMAL_GPU_FIELDS;
}
