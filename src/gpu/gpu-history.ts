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

/** The last host's key part (a process has one host name): made key-safe once, not every frame. */
let lastHost: {readonly host: string; readonly part: string | undefined} | undefined;
/** Series names by host part, at GPU index * METRICS.length + metric: the same few every frame, each built once. */
const namesByHost = new Map<string, string[]>();
/** GPU indices beyond this get their names built each time (nvidia-smi numbers GPUs from 0). */
const MAX_NAMED_INDEX = 256;

function gpuSeriesName(hostPart: string, index: number, m: number): string {
	if (index >= MAX_NAMED_INDEX) return seriesName('gpu', hostPart, index, METRICS[m]![0]);
	let names = namesByHost.get(hostPart);
	if (names === undefined) {
		if (namesByHost.size >= 16) namesByHost.clear();
		names = [];
		namesByHost.set(hostPart, names);
	}
	const at = index * METRICS.length + m;
	return (names[at] ??= seriesName('gpu', hostPart, index, METRICS[m]![0]));
}

export function gpuHistorySamples(host: string, rows: readonly GpuRow[]): Array<{series: string; value: number}> {
	// The host as the GPU keys carry it; a name no key id can be (".") makes no history.
	if (lastHost?.host !== host) lastHost = {host, part: keyId(keySegment(host))};
	const hostPart = lastHost.part;
	if (hostPart === undefined) return [];
	const out: Array<{series: string; value: number}> = [];
	// Indexed loops: once a second per GPU is too seldom for the optimizing compiler, and the interpreter allocates an
	// iterator result per element of a for-of (and an iterator per destructured pair).
	for (let r = 0; r < rows.length; r++) {
		const row = rows[r]!;
		if (row.lost) continue;
		for (let m = 0; m < METRICS.length; m++) {
			const reading = METRICS[m]![1](row);
			if (reading.value !== undefined && !reading.stale && Number.isFinite(reading.value)) out.push({series: gpuSeriesName(hostPart, row.index, m), value: reading.value});
		}
	}
	return out;
}
