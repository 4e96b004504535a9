/**
Another box's GPUs, read back from the keys its host-lease holder writes (`metrics:gpu:{host}:state` and
`metrics:gpu:{host}:{uuid}:current`, gpu/redis-entries.ts), as the GPU pane's rows. Pure. What another program
(or another version) left there is data from outside: every figure is bounded by the sampler's own ranges, names
are made terminal-safe, an unreadable figure is unknown with a reason, never 0.
*/
import {MAX_HOST_GPUS, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS} from '../contract/limits.js';
import {sanitizeText} from '../contract/sanitize.js';
import {METRIC_RANGE, type GpuMetric} from '../gpu/query-fields.js';
import {type GpuProcess, type GpuRow, type GpuSnapshot, type Reading} from '../gpu/gpu-snapshot.js';
import {ROW_FIELDS} from '../gpu/redis-entries.js';

const GPU_STATES = new Set(['starting', 'ok', 'degraded', 'unavailable', 'disabled']);
/** Most processes read per GPU, and samples of utilization history. */
const MAX_PROCESSES = 32;
export const REMOTE_HISTORY = 60;

/** `field=reason;field=reason` (the hash's `unknown` and `stale`) as a map. */
function reasons(text: string | undefined): Map<string, string> {
	const out = new Map<string, string>();
	for (const part of (text ?? '').split(';').slice(0, 64)) {
		const eq = part.indexOf('=');
		if (eq > 0) out.set(part.slice(0, eq), sanitizeText(part.slice(eq + 1), {maxLength: 64}));
	}
	return out;
}

function numberIn(text: string | undefined, [min, max]: readonly [number, number]): number | undefined {
	if (text === undefined || !/^-?\d{1,20}(\.\d{1,6})?$/.test(text)) return undefined;
	const value = Number(text);
	return Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

function reading(hash: Readonly<Record<string, string>>, field: string, range: readonly [number, number], unknown: Map<string, string>, stale: Map<string, string>): Reading {
	const text = hash[field];
	const value = numberIn(text, range);
	if (value === undefined) return {value: undefined, reason: unknown.get(field) ?? (text === undefined || text === '' ? 'not reported' : 'unreadable in Redis')};
	const staleReason = stale.get(field);
	return staleReason === undefined ? {value} : {value, reason: staleReason, stale: true};
}

function processes(text: string | undefined): GpuProcess[] {
	if (text === undefined || text === '' || text.length > 64 * 1024) return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return [];
	}
	if (!Array.isArray(parsed)) return [];
	const out: GpuProcess[] = [];
	for (const p of parsed.slice(0, MAX_PROCESSES)) {
		if (p === null || typeof p !== 'object') continue;
		const {pid, name, used_memory_mb: used} = p as Record<string, unknown>;
		if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0 || pid > 4_194_304) continue;
		const usedMemoryMb = typeof used === 'number' && Number.isFinite(used) && used >= 0 && used <= METRIC_RANGE.memoryTotalMb[1] ? used : undefined;
		out.push({pid, name: sanitizeText(typeof name === 'string' ? name : '?', {maxLength: 128}), usedMemoryMb});
	}
	return out;
}

/** Utilization history entries (`{value, timestamp}`, newest first as the list keeps them) as values, oldest first. */
export function historyValues(entries: readonly string[]): number[] {
	const out: number[] = [];
	for (const entry of entries.slice(0, REMOTE_HISTORY)) {
		try {
			const value = (JSON.parse(entry) as {value?: unknown}).value;
			if (typeof value === 'number' && value >= 0 && value <= 100) out.push(value);
		} catch {
			// An unreadable entry is skipped.
		}
	}
	return out.reverse();
}

function timeMs(text: string | undefined): number | undefined {
	if (text === undefined || text.length > 64) return undefined;
	const ms = Date.parse(text);
	return Number.isFinite(ms) && ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS ? ms : undefined;
}

/** One GPU's row from its current hash (and its utilization history), or undefined when the hash is empty. */
export function gpuRowFromHash(uuid: string, hash: Readonly<Record<string, string>>, history: readonly number[] = []): GpuRow | undefined {
	if (Object.keys(hash).length === 0) return undefined;
	const unknown = reasons(hash['unknown']);
	const stale = reasons(hash['stale']);
	const index = numberIn(hash['index'], [0, MAX_HOST_GPUS * 4]);
	const read = (metric: GpuMetric, field: string) => reading(hash, field, METRIC_RANGE[metric], unknown, stale);
	const readings = Object.fromEntries(ROW_FIELDS.map(([metric, field]) => [metric, read(metric, field)])) as Pick<GpuRow, (typeof ROW_FIELDS)[number][0]>;
	const lost = hash['lost'] === 'true';
	const lastSeenMs = timeMs(hash['last_updated']);
	return {
		index: index !== undefined && Number.isInteger(index) ? index : 0,
		uuid: sanitizeText(uuid, {maxLength: 128}),
		name: sanitizeText(hash['name'] ?? '?', {maxLength: 96}),
		...readings,
		pstate: hash['pstate'] === undefined || hash['pstate'] === '' ? undefined : sanitizeText(hash['pstate'], {maxLength: 8}),
		utilizationHistory: history,
		lost,
		...(lost ? {lostReason: 'lost on its box'} : {}),
		processes: processes(hash['processes']),
		...(lastSeenMs !== undefined ? {lastSeenMs} : {}),
	};
}

/** The GPU pane's snapshot of another box: its state hash, and the rows read for the UUIDs it names (index order). */
export function remoteGpuSnapshot(stateHash: Readonly<Record<string, string>>, rows: ReadonlyArray<GpuRow | undefined>): GpuSnapshot {
	const gpus = rows.filter((r): r is GpuRow => r !== undefined).sort((a, b) => a.index - b.index);
	const stateText = stateHash['state'];
	const lastFrameMs = timeMs(stateHash['last_updated']);
	if (stateText === undefined) return {state: 'unavailable', reason: 'no GPU state in Redis for this host', gpus};
	const state = GPU_STATES.has(stateText) ? (stateText as GpuSnapshot['state']) : 'unavailable';
	const reason = stateHash['reason'] === undefined || stateHash['reason'] === '' ? (state === stateText ? undefined : 'unreadable GPU state in Redis') : sanitizeText(stateHash['reason'], {maxLength: 200});
	return {state, ...(reason !== undefined ? {reason} : {}), gpus, ...(lastFrameMs !== undefined ? {lastFrameMs} : {})};
}

/** The UUIDs a state hash names (`uuids`, comma separated), bounded in count and length. */
export function stateUuids(stateHash: Readonly<Record<string, string>>): string[] {
	return (stateHash['uuids'] ?? '')
		.split(',')
		.filter((u) => u.length > 0 && u.length <= 128)
		.slice(0, MAX_HOST_GPUS);
}
