/** How a GPU row is written: pure decisions about widths, unknown and stale readings, colours. */
import {type GpuProcess, type GpuSnapshot, type Reading} from '../gpu/gpu-snapshot.js';
import {type HostProcess} from '../gpu/proc-join.js';
import {shortDuration} from '../gpu/gpu-health.js';
import {formatMb} from './units.js';
import {cellWidth} from './text-width.js';
import {type Tone} from './theme.js';

const TEMP_WARN_C = 75;
/** The seed's high-temperature alert threshold. */
const TEMP_HOT_C = 85;
/** Critical above the seed's alert threshold, a warning from 75 °C, else ok; no tone for an unknown reading. */
export function temperatureTone(celsius: number | undefined): Tone | undefined {
	if (celsius === undefined || !Number.isFinite(celsius)) return undefined;
	if (celsius > TEMP_HOT_C) return 'critical';
	if (celsius >= TEMP_WARN_C) return 'warn';
	return 'ok';
}

/** A busy GPU is ok, a half-idle one a warning, an idle one muted; no tone for an unknown reading. */
export function utilizationTone(percent: number | undefined): Tone | undefined {
	if (percent === undefined || !Number.isFinite(percent)) return undefined;
	if (percent >= 90) return 'ok';
	if (percent >= 30) return 'warn';
	return 'muted';
}

/** A reading as text: the formatted value, '?' when unknown, a trailing '*' when it is a stale last value. */
export function readingText(reading: Reading, format: (value: number) => string): string {
	if (reading.value === undefined || !Number.isFinite(reading.value)) return '?';
	return `${format(reading.value)}${reading.stale ? '*' : ''}`;
}

/** The widest GPU sparkline (it reads the GPU's history rings; a row carries only its last 60 samples). */
const SPARK_SAMPLES = 240;

export interface GpuColumns {
	readonly name: number;
	readonly gauge: number;
	readonly spark: number;
	/** Cells for the biggest process at the end of the line (0: no room). */
	readonly proc: number;
	/** Cells for the health badge after the history (0: none asked, or no room). */
	readonly badge: number;
	/**
	Cells for the project column at the end when there is no process column (narrow panes) and some GPU runs a known
	project (0 otherwise: with a process column the project takes its place).
	*/
	readonly project: number;
}

/**
Column widths for a GPU line of `width` columns: gauges 4 to 12 cells, the sparkline the rest (up to 240 samples) and, when
some GPU has processes, the biggest process at the end.
*/
export function gpuColumns(width: number, withProcesses = false, badgeWanted = 0, withProjects = false): GpuColumns {
	// marker(1) idx(2) sp name sp [gauge] sp pct(5) sp [gauge] sp mem(11) sp temp(5) sp power(10) sp spark
	const name = width >= 120 ? 14 : 10;
	const fixed = 1 + 2 + 1 + name + 1 + 1 + 5 + 1 + 1 + 11 + 1 + 5 + 1 + 10 + 1;
	const all = Math.max(0, width - fixed);
	// The health badge (throttling, link, ECC, Xid) comes before the history and the process: it says why a GPU is slow.
	const badge = badgeWanted > 0 ? Math.min(badgeWanted, Math.max(0, all - 2 * 4 - 1)) : 0;
	const available = Math.max(0, all - (badge > 0 ? badge + 1 : 0));
	const gauge = Math.max(4, Math.min(12, Math.floor(available / 5)));
	// The biggest process (who holds the memory) gets up to 24 cells once the history keeps at least 16.
	const proc = withProcesses && available - 2 * gauge >= 16 + 1 + 12 ? Math.min(24, available - 2 * gauge - 16 - 1) : 0;
	const spark = Math.max(0, Math.min(SPARK_SAMPLES, available - 2 * gauge - (proc > 0 ? proc + 1 : 0)));
	// Which project runs here matters more than the history's oldest samples: up to 10 cells, the history keeps 6.
	const project = withProjects && proc === 0 ? Math.max(0, Math.min(10, spark - 1 - 6)) : 0;
	return {name, gauge, spark: project >= 4 ? spark - project - 1 : spark, proc, badge, project: project >= 4 ? project : 0};
}

/**
The badge parts that fit in `width` cells (joined by one space), most serious first; when not even the first fits,
it is cut. Pure.
*/
export function fitBadges<T extends {readonly text: string}>(parts: readonly T[], width: number, cut: (text: string, width: number) => string): T[] {
	const out: T[] = [];
	let used = 0;
	for (const part of parts) {
		const w = cellWidth(part.text) + (out.length > 0 ? 1 : 0);
		if (used + w > width) break;
		out.push(part);
		used += w;
	}
	if (out.length === 0 && parts.length > 0 && width > 0) return [{...parts[0]!, text: cut(parts[0]!.text, width)}];
	return out;
}

/** Memory used/total: "60.1/80G" in GiB when the total is at least 1 GiB, else "512M/1000M"; '?' for unknown. */
export function memoryText(used: Reading, total: Reading): string {
	const t = total.value;
	if (t !== undefined && Number.isFinite(t) && t >= 1024) {
		const u = readingText(used, (v) => (v / 1024).toFixed(v / 1024 >= 100 ? 0 : 1));
		return `${u}/${readingText(total, (v) => `${Math.round(v / 1024)}G`)}`;
	}
	return `${readingText(used, (v) => `${Math.round(v)}M`)}/${readingText(total, (v) => `${Math.round(v)}M`)}`;
}

/** A GPU's processes, the most memory first (unknown memory last). */
export function processesByMemory(processes: readonly GpuProcess[]): GpuProcess[] {
	return [...processes].sort((a, b) => (b.usedMemoryMb ?? -1) - (a.usedMemoryMb ?? -1) || a.pid - b.pid);
}

/** The program name without its directory: "/usr/bin/python3" -> "python3". */
function processName(name: string): string {
	const base = name.split(/[\\/]/).pop() ?? name;
	return base === '' ? name : base;
}

/** The host side of a GPU process: `root 97% 5.7G 1h` (user, CPU %, RSS, elapsed); `?` for what is unknown. Pure. */
export function hostProcessText(host: HostProcess): string {
	const rss = host.rssBytes === undefined ? '?' : formatMb(host.rssBytes / (1024 * 1024));
	const cpu = host.cpuPercent === undefined ? '?' : `${Math.round(host.cpuPercent)}%`;
	return `${host.user ?? '?'} ${cpu} ${rss} ${host.elapsedMs === undefined ? '?' : shortDuration(host.elapsedMs)}`;
}

/** One process as "python3 38.2G". */
export function processText(process: GpuProcess): string {
	return `${processName(process.name)} ${formatMb(process.usedMemoryMb)}`;
}

/**
The projects on a GPU in `width` cells: the first (its processes hold the most memory) and `+N` for the others,
`asr-large+1`; the first is cut to make room for the count. Pure.
*/
export function projectLabel(projects: readonly string[], width: number, cut: (text: string, width: number) => string): string {
	if (projects.length === 0 || width <= 0) return '';
	const more = projects.length > 1 ? `+${projects.length - 1}` : '';
	if (cellWidth(more) >= width) return cut(projects[0]!, width);
	return `${cut(projects[0]!, width - cellWidth(more))}${more}`;
}

/** Why there is nothing to show, or undefined when there are GPUs to draw. */
export function gpuUnavailable(gpu: GpuSnapshot | undefined): string | undefined {
	if (gpu === undefined) return 'GPU telemetry unavailable: no GPU sampler running';
	if (gpu.state === 'disabled') return `GPU telemetry unavailable: ${gpu.reason ?? 'disabled (--no-gpu)'}`;
	if (gpu.state === 'unavailable') return `GPU telemetry unavailable: ${gpu.reason ?? 'unknown reason'}`;
	if (gpu.state === 'starting' && gpu.gpus.length === 0) return 'GPU telemetry starting …';
	if (gpu.gpus.length === 0) return `GPU telemetry unavailable: ${gpu.reason ?? 'nvidia-smi reported no GPU'}`;
	return undefined;
}
