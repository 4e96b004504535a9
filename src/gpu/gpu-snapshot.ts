/** What the GPU pane and `--once --json` see of the GPUs. Filled by the GPU sampler (src/gpu). */
import {type GpuHealth, type XidEvent} from './gpu-health.js';
import {type BoxEnergy, type GpuEnergy} from './energy.js';
import {type HostProcess} from './proc-join.js';
import {type ProjectEnergy} from './project-energy.js';

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
	/** The host process behind the pid (user, command line, CPU %, RSS, elapsed), when this /proc has it. */
	readonly host?: HostProcess;
	/** The project whose training messages name this pid or an ancestor of it (project-join.ts). */
	readonly projectId?: string;
}

/** The `dmon -s t` child: probing, sampling, unsupported by this nvidia-smi/driver, stopped (restarting), or off. */
export type PcieState = 'starting' | 'ok' | 'unsupported' | 'stopped' | 'off';

/** Link throughput in MB/s into the GPU (rx) and out of it (tx): PCIe from `nvidia-smi dmon -s t`, NVLink from `nvlink -gt d`. */
export interface LinkThroughput {
	readonly rxMBps: Reading;
	readonly txMBps: Reading;
	/** When the sample arrived. */
	readonly timeMs: number;
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
	/** PCI bus id (`00000000:19:00.0`) when the driver gives it. */
	readonly busId?: string;
	/** `mig.mode.current`: true when MIG is enabled (utilization is then not available from nvidia-smi). */
	readonly migEnabled?: boolean;
	/** `persistence_mode`: false means every one-shot query re-initializes the GPU (slow, keeps it awake). */
	readonly persistenceMode?: boolean;
	/** When this GPU's last row arrived (ms since epoch). */
	readonly lastSeenMs?: number;
	/** Since when the GPU has been missing from frames (set while `lost`). */
	readonly lostSinceMs?: number;
	/** Why the GPU is considered lost (missing from the frame, or every reading unavailable). */
	readonly lostReason?: string;
	/** Clock event reasons, PCIe link, ECC, Xid events; absent when the driver gave no health field. */
	readonly health?: GpuHealth;
	/** At the last 5 minutes' growth, when memory fills (ms from the last frame); absent when it is not growing steadily. */
	readonly memoryFullInMs?: number;
	/** Energy today and since start (counter or estimate), GPU-hours today. */
	readonly energy?: GpuEnergy;
	/** PCIe throughput, when the `dmon -s t` child runs (absent: not sampled, or the driver lacks it). */
	readonly pcie?: LinkThroughput;
	/** NVLink throughput summed over the GPU's links, from `nvlink -gt d` counters every 30 s (absent: no NVLink or not read). */
	readonly nvlink?: LinkThroughput;
}

export interface GpuSnapshot {
	/** 'ok' when frames arrive; otherwise why there is no telemetry. */
	readonly state: 'starting' | 'ok' | 'degraded' | 'unavailable' | 'disabled';
	readonly reason?: string;
	readonly gpus: readonly GpuRow[];
	readonly lastFrameMs?: number;
	/** How the samples are taken: one long-lived `-lms` child, or one-shot queries after a hang. */
	readonly mode?: 'stream' | 'oneshot';
	/** Query fields the driver rejected and that were dropped from the query. */
	readonly droppedFields?: readonly string[];
	/** When the next attempt happens while unavailable (ms since epoch). */
	readonly retryAtMs?: number;
	/** GPU indices asked for with --gpus (or gpu.gpus) that no frame has: a typo, or a GPU this box does not have. */
	readonly notFound?: readonly number[];
	/** Xid events whose PCI address matched no GPU: how many since start, and the newest few. */
	readonly boxXids?: {readonly count: number; readonly recent: readonly XidEvent[]};
	/** The box's energy today (sum of its GPUs), with cost and CO2e when configured. */
	readonly energy?: BoxEnergy;
	/** When the GPU processes were first listed (`--query-compute-apps`): absent until then. */
	readonly processesAtMs?: number;
	/** Energy per project tied to a GPU (project-energy.ts), by project id. */
	readonly projects?: readonly ProjectEnergy[];
	/** With `projects`: the GPUs' energy no project ran (intervals without one), today and since this instance started. */
	readonly unattributed?: {readonly todayKwh: number; readonly sinceStartKwh: number};
	/** The PCIe throughput child's state (absent: not run). */
	readonly pcieThroughput?: PcieState;
}

/** The requested GPU indices that none of `rows` has, in the order asked. Pure. */
export function requestedNotFound(requested: readonly number[], rows: readonly GpuRow[]): number[] {
	return requested.filter((index) => !rows.some((row) => row.index === index));
}
