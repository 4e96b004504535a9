/** How a GPU row is written: pure decisions about widths, unknown and stale readings, colours. */
import {type Reading} from '../gpu/gpu-snapshot.js';

export const TEMP_WARN_C = 75;
/** The seed's high-temperature alert threshold. */
export const TEMP_HOT_C = 85;
/** The seed's critical threshold. */
export const TEMP_CRITICAL_C = 90;

export function temperatureColor(celsius: number | undefined): string | undefined {
	if (celsius === undefined || !Number.isFinite(celsius)) return undefined;
	if (celsius > TEMP_HOT_C) return 'red';
	if (celsius >= TEMP_WARN_C) return 'yellow';
	return 'green';
}

export function utilizationColor(percent: number | undefined): string | undefined {
	if (percent === undefined || !Number.isFinite(percent)) return undefined;
	if (percent >= 90) return 'green';
	if (percent >= 30) return 'yellow';
	return 'gray';
}

/** A reading as text: the formatted value, '?' when unknown, a trailing '*' when it is a stale last value. */
export function readingText(reading: Reading, format: (value: number) => string): string {
	if (reading.value === undefined || !Number.isFinite(reading.value)) return '?';
	return `${format(reading.value)}${reading.stale ? '*' : ''}`;
}

export interface GpuColumns {
	readonly name: number;
	readonly gauge: number;
	readonly spark: number;
}

/** Column widths for a GPU line of `width` columns: gauges 4 to 12 cells, the sparkline up to 60 samples. */
export function gpuColumns(width: number): GpuColumns {
	// marker(1) idx(2) sp name sp [gauge] sp pct(5) sp [gauge] sp mem(11) sp temp(5) sp power(10) sp spark
	const name = width >= 120 ? 14 : 10;
	const fixed = 1 + 2 + 1 + name + 1 + 1 + 5 + 1 + 1 + 11 + 1 + 5 + 1 + 10 + 1;
	const available = Math.max(0, width - fixed);
	const gauge = Math.max(4, Math.min(12, Math.floor(available / 5)));
	const spark = Math.max(0, Math.min(60, available - 2 * gauge));
	return {name, gauge, spark};
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
