/** Plain-text GPU lines for `--once` (and logs). Pure. */
import {type GpuRow, type Reading} from './gpu-snapshot.js';
import {healthText, shortDuration} from './gpu-health.js';
import {projectsOf} from './project-join.js';

/** A reading as text: the value with its unit, `?` when unknown, a trailing `*` when stale (the last good value). */
function readingText(reading: Reading, unit: string, digits = 0): string {
	if (reading.value === undefined) return '?';
	return `${reading.value.toFixed(digits)}${unit}${reading.stale ? '*' : ''}`;
}

/** `  0 NVIDIA H100 80GB HBM3: util 97%, mem 61234/81559 MiB, 63C, 512/700 W, P0, 2 processes, project asr-large`. */
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
	const projects = projectsOf(row.processes);
	if (projects.length > 0) parts.push(`project${projects.length === 1 ? '' : 's'} ${projects.join(', ')}`);
	return `${head}: ${parts.join(', ')}`;
}

/**
The health line under a GPU's line (only when the driver gave health fields):
`    SM 1410/1980 MHz, mem 2619 MHz, fan ?, PCIe x8 gen5 of x16 gen5 (degraded: x8 of x16), ECC error (1 uncorrectable, pending), Xid 1; health: XID 48 2m ECC 1! LINK x8 gen5 PWR-CAP 5m`.
*/
export function gpuHealthLine(row: GpuRow, nowMs: number): string | undefined {
	const health = row.health;
	if (health === undefined || row.lost) return undefined;
	const r = health.readings;
	const parts = [
		`SM ${readingText(row.smClockMhz, '')}/${r.smClockMaxMhz === undefined ? '?' : readingText(r.smClockMaxMhz, '')} MHz`,
		`mem ${r.memoryClockMhz === undefined ? '?' : readingText(r.memoryClockMhz, '')} MHz`,
		`fan ${readingText(row.fanPercent, '%')}`,
	];
	const link = health.link;
	if (link.current !== undefined || link.max !== undefined)
		parts.push(`PCIe ${link.current ?? '?'} of ${link.max ?? '?'}${link.degraded === true ? ` (degraded: ${link.reason ?? ''})` : ''}`);
	const ecc = health.ecc;
	const eccDetail = [
		ecc.uncorrectedVolatile !== undefined && ecc.uncorrectedVolatile > 0 ? `${ecc.uncorrectedVolatile} uncorrectable` : undefined,
		ecc.correctedVolatile !== undefined && ecc.correctedVolatile > 0 ? `${ecc.correctedVolatile} corrected` : undefined,
		ecc.pending ? 'pending' : undefined,
	].filter(Boolean);
	parts.push(`ECC ${ecc.level}${eccDetail.length > 0 ? ` (${eccDetail.join(', ')})` : ''}`);
	if (health.xidCount > 0) parts.push(`Xid ${health.xidCount}`);
	if (row.memoryFullInMs !== undefined) parts.push(`memory full in ~${shortDuration(row.memoryFullInMs)} at this rate`);
	const badge = healthText(health, nowMs);
	return `    ${parts.join(', ')}${badge === '' ? '' : `; health: ${badge}`}`;
}
