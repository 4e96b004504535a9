/** What the GPU pane and `--once --json` see of the GPUs. Filled by the GPU sampler (src/gpu). */

/** A reading nvidia-smi may not give: a value, or unknown with the reason; `stale` when it is the last good value. */
export interface Reading {
	readonly value: number | undefined;
	readonly reason?: string;
	readonly stale?: boolean;
}

export interface GpuProcess {
	readonly pid: number;
	readonly name: string;
	readonly usedMemoryMb: number | undefined;
}

export interface GpuRow {
	readonly index: number;
	readonly uuid: string;
	readonly name: string;
	readonly utilizationPercent: Reading;
	readonly memoryUtilizationPercent: Reading;
	readonly memoryUsedMb: Reading;
	readonly memoryTotalMb: Reading;
	readonly temperatureC: Reading;
	readonly powerDrawW: Reading;
	readonly powerLimitW: Reading;
	readonly fanPercent: Reading;
	readonly smClockMhz: Reading;
	readonly pstate: string | undefined;
	/** Newest last: the last 60 utilization samples. */
	readonly utilizationHistory: readonly number[];
	readonly lost: boolean;
	readonly processes: readonly GpuProcess[];
}

export interface GpuSnapshot {
	/** 'ok' when frames arrive; otherwise why there is no telemetry. */
	readonly state: 'starting' | 'ok' | 'degraded' | 'unavailable' | 'disabled';
	readonly reason?: string;
	readonly gpus: readonly GpuRow[];
	readonly lastFrameMs?: number;
}
