/** Plain-text GPU lines for `--once` (and logs). Pure. */
import {type GpuRow, type Reading} from './gpu-snapshot.js';

/** A reading as text: the value with its unit, `?` when unknown, a trailing `*` when stale (the last good value). */
function readingText(reading: Reading, unit: string, digits = 0): string {
	if (reading.value === undefined) return '?';
	return `${reading.value.toFixed(digits)}${unit}${reading.stale ? '*' : ''}`;
}

/** `  0 NVIDIA H100 80GB HBM3: util 97%, mem 61234/81559 MiB, 63C, 512/700 W, P0, 2 processes`. */
export function gpuLine(row: GpuRow): string {
	const head = `  ${row.index} ${row.name}`;
	if (row.lost) return `${head}: LOST${row.lostReason ? ` (${row.lostReason})` : ''}`;
	const parts = [
		`util ${readingText(row.utilizationPercent, '%')}${row.migEnabled ? ' (MIG)' : ''}`,
		`mem ${readingText(row.memoryUsedMb, '')}/${readingText(row.memoryTotalMb, '')} MiB`,
		readingText(row.temperatureC, 'C'),
		`${readingText(row.powerDrawW, '')}/${readingText(row.powerLimitW, '')} W`,
	];
	if (row.pstate !== undefined) parts.push(row.pstate);
	if (row.processes.length > 0) parts.push(`${row.processes.length} process${row.processes.length === 1 ? '' : 'es'}`);
	return `${head}: ${parts.join(', ')}`;
}
