/**
Simulated GPUs for `--demo` on a machine without an NVIDIA driver: four H100s whose readings move like a training
box's (one hot, one slowly filling its memory, one idle), printed in nvidia-smi's `--format=csv,noheader,nounits`
shape so the real sampler, parser and store run on them unchanged. `demoGpuRows` is pure; the command-line front
end that answers like nvidia-smi is `demo-nvidia-smi.ts`.
*/

export interface DemoGpu {
	readonly index: number;
	readonly uuid: string;
	readonly busId: string;
	/** Base utilization (percent) and its swing. */
	readonly util: number;
	readonly swing: number;
	/** Memory used at t=0 (MiB) and its growth (MiB per minute, wrapping). */
	readonly memory: number;
	readonly leakPerMinute: number;
	readonly baseTemp: number;
}

export const DEMO_GPUS: readonly DemoGpu[] = [
	{index: 0, uuid: 'GPU-d3m0a0a0-0000-4000-8000-000000000000', busId: '00000000:18:00.0', util: 94, swing: 5, memory: 61_000, leakPerMinute: 0, baseTemp: 66},
	{index: 1, uuid: 'GPU-d3m0a0a0-0000-4000-8000-000000000001', busId: '00000000:2A:00.0', util: 90, swing: 8, memory: 58_000, leakPerMinute: 0, baseTemp: 84},
	{index: 2, uuid: 'GPU-d3m0a0a0-0000-4000-8000-000000000002', busId: '00000000:3A:00.0', util: 70, swing: 25, memory: 40_000, leakPerMinute: 600, baseTemp: 62},
	{index: 3, uuid: 'GPU-d3m0a0a0-0000-4000-8000-000000000003', busId: '00000000:5D:00.0', util: 0, swing: 0, memory: 4, leakPerMinute: 0, baseTemp: 33},
];

const NAME = 'NVIDIA H100 80GB HBM3';
const TOTAL_MB = 81_559;

/** nvidia-smi's timestamp field: `YYYY/MM/DD HH:MM:SS.mmm` (local time). */
function smiTimestamp(ms: number): string {
	const d = new Date(ms);
	const p = (n: number, w = 2) => String(n).padStart(w, '0');
	return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** The value of one `--query-gpu` field for a simulated GPU at `ms`; unknown fields give nvidia-smi's `[N/A]`. */
function demoGpuField(gpu: DemoGpu, field: string, ms: number, startMs: number): string {
	const t = (ms - startMs) / 1000;
	const busy = gpu.util > 0;
	const util = busy ? Math.round(Math.min(100, Math.max(0, gpu.util + gpu.swing * Math.sin(t / 7 + gpu.index)))) : 0;
	const memory = busy ? Math.round(gpu.memory + ((gpu.leakPerMinute * t) / 60) % (TOTAL_MB - gpu.memory - 2000)) : gpu.memory;
	const temp = Math.round(gpu.baseTemp + (busy ? 3 * Math.sin(t / 23 + gpu.index) : 0));
	const power = busy ? 180 + 5 * util : 69.5;
	switch (field) {
		case 'timestamp':
			return smiTimestamp(ms);
		case 'index':
			return String(gpu.index);
		case 'uuid':
			return gpu.uuid;
		case 'pci.bus_id':
			return gpu.busId;
		case 'utilization.gpu':
			return String(util);
		case 'utilization.memory':
			return String(Math.round(util * 0.4));
		case 'memory.used':
			return String(memory);
		case 'memory.total':
			return String(TOTAL_MB);
		case 'temperature.gpu':
			return String(temp);
		case 'power.draw':
			return power.toFixed(2);
		case 'power.limit':
			return '700.00';
		case 'fan.speed':
			return '[N/A]'; // passively cooled, as real H100 boards report
		case 'clocks.sm':
			return busy ? '1980' : '345';
		case 'pstate':
			return 'P0';
		case 'persistence_mode':
			return 'Enabled';
		case 'mig.mode.current':
			return 'Disabled';
		case 'name':
			return NAME;
		case 'clocks.max.sm':
			return '1980';
		case 'clocks.mem':
			return busy ? '2619' : '1593';
		case 'pcie.link.gen.current':
			return busy ? '5' : '1'; // an idle GPU lowers its link generation: normal, not degraded
		case 'pcie.link.gen.max':
			return '5';
		case 'pcie.link.width.current':
		case 'pcie.link.width.max':
			return '16';
		case 'retired_pages.pending':
		case 'remapped_rows.pending':
			return 'No';
		case 'total_energy_consumption':
			// Millijoules since the driver loaded (as if loaded at startMs, drawing about this much all along).
			return String(Math.round(power * (ms - startMs)));
		default:
			if (field.startsWith('ecc.errors.')) return '0';
			if (field.startsWith('clocks_event_reasons.') || field.startsWith('clocks_throttle_reasons.')) {
				// The hot GPU's driver holds its temperature target: software thermal slowdown while above 85 C.
				const thermal = field.endsWith('.sw_thermal_slowdown') && temp >= 85;
				return thermal ? 'Active' : 'Not Active';
			}
			return '[N/A]';
	}
}

/** One frame of `--query-gpu` rows (one line per selected GPU). */
export function demoGpuRows(fields: readonly string[], ms: number, startMs: number, ids?: readonly number[]): string[] {
	return DEMO_GPUS.filter((g) => ids === undefined || ids.includes(g.index)).map((g) => fields.map((f) => demoGpuField(g, f, ms, startMs)).join(', '));
}

/** `--query-compute-apps` rows: a training process on each busy GPU. */
export function demoAppRows(fields: readonly string[], ms: number, startMs: number): string[] {
	return DEMO_GPUS.filter((g) => g.util > 0).map((g, i) =>
		fields
			.map((f) => {
				if (f === 'gpu_uuid') return g.uuid;
				if (f === 'pid') return String(41_000 + i);
				if (f === 'used_memory') return String(Number(demoGpuField(g, 'memory.used', ms, startMs)) - 520);
				if (f === 'process_name') return i === 2 ? 'python3 eval.py' : 'python3 train.py';
				return '[N/A]';
			})
			.join(', '),
	);
}

/**
`nvidia-smi dmon -s t` lines for one tick (after the two header lines on the first): each busy GPU reads its input
batches over PCIe (a few GB/s in, swinging with its utilization) and sends little back; an idle GPU moves nothing.
*/
export function demoDmonLines(ms: number, startMs: number, first: boolean, ids?: readonly number[]): string[] {
	const t = (ms - startMs) / 1000;
	const rows = DEMO_GPUS.filter((g) => ids === undefined || ids.includes(g.index)).map((g) => {
		const rx = g.util > 0 ? Math.round(1800 + 900 * Math.sin(t / 5 + g.index) + 10 * g.util) : 0;
		const tx = g.util > 0 ? Math.round(rx / 6) : 0;
		return `${String(g.index).padStart(5)}${String(rx).padStart(8)}${String(tx).padStart(8)}`;
	});
	return first ? ['# gpu   rxpci   txpci', '# Idx    MB/s    MB/s', ...rows] : rows;
}
