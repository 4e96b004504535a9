/**
A frame's history samples per GPU (gpu:{host}:{index}:util|mem|temp|power, history/history-source.ts): fresh
readings only (a stale value is the last good one, not a new sample; a lost GPU has none). Pure.
*/
import {keyId} from '../contract/ids.js';
import {seriesName} from '../history/history-source.js';
import {type GpuRow, type Reading} from './gpu-snapshot.js';
import {keySegment} from './redis-entries.js';

const METRICS: ReadonlyArray<readonly [string, (row: GpuRow) => Reading]> = [
	['util', (row) => row.utilizationPercent],
	['mem', (row) => row.memoryUsedMb],
	['temp', (row) => row.temperatureC],
	['power', (row) => row.powerDrawW],
];

export function gpuHistorySamples(host: string, rows: readonly GpuRow[]): Array<{series: string; value: number}> {
	// The host as the GPU keys carry it; a name no key id can be (".") makes no history.
	const hostPart = keyId(keySegment(host));
	if (hostPart === undefined) return [];
	const out: Array<{series: string; value: number}> = [];
	// Indexed loops: once a second per GPU is too seldom for the optimizing compiler, and the interpreter allocates an
	// iterator result per element of a for-of (and an iterator per destructured pair).
	for (let r = 0; r < rows.length; r++) {
		const row = rows[r]!;
		if (row.lost) continue;
		for (let m = 0; m < METRICS.length; m++) {
			const metric = METRICS[m]![0];
			const reading = METRICS[m]![1](row);
			if (reading.value !== undefined && !reading.stale && Number.isFinite(reading.value)) out.push({series: seriesName('gpu', hostPart, row.index, metric), value: reading.value});
		}
	}
	return out;
}
