/**
What a starting instance (a restart, a viewer, `--once`) reads back of the GPU projects on its host, so it need not
wait for the next training message carrying a `pid`:

- the claims: each `project_id` of a process in this host's `metrics:gpu:{host}:{uuid}:current` (the pid as a claim
  of that project, last seen when the hash was written: it expires like a message's claim);
- the energy: this host's field of `metrics:training:{projectId}:energy`, so a project's run totals go on across
  restarts (today's only when written today).

Everything read is untrusted: pids, project ids, times and figures pass the same validators and limits as live data;
a bad entry is skipped and counted as a hydration reject. Pure parsers, one I/O function.
*/
import {type Hydrator} from '../ingest/hydrate.js';
import {keyId, pidValue} from '../contract/validate.js';
import {MAX_STORED_ENERGY, MIN_TIMESTAMP_MS} from '../contract/limits.js';
import {readTime} from '../contract/time.js';
import {addClaim} from '../store/project-processes.js';
import {localDay} from './energy.js';
import {gpuKeyOf, keySegment} from './redis-entries.js';
import {type ProjectEnergyState} from './project-energy.js';

/** GPU hashes and process entries read per host at most (a box has at most 16 GPUs; the hash keeps 32 processes). */
const MAX_GPUS = 64;
const MAX_PROCESSES = 32;

/** A stored ISO time at or before `now`, else undefined. */
function storedTime(value: unknown, now: number): number | undefined {
	if (typeof value !== 'string') return undefined;
	const time = readTime(value, now);
	if (typeof time === 'string' || time.note === 'future-clamped' || time.timeMs < MIN_TIMESTAMP_MS) return undefined;
	return time.timeMs;
}

function parseJson(text: string | undefined): unknown {
	if (text === undefined) return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** The (pid, project, when) claims of one per-GPU hash; `bad` counts entries that did not pass. Pure. */
export function claimsFromGpuHash(fields: Readonly<Record<string, string>>, now: number): {claims: Array<{pid: number; projectId: string; seenMs: number}>; bad: number} {
	const seenMs = storedTime(fields['last_updated'], now);
	const processes = parseJson(fields['processes']);
	if (seenMs === undefined || !Array.isArray(processes)) return {claims: [], bad: fields['processes'] === undefined ? 0 : 1};
	const claims: Array<{pid: number; projectId: string; seenMs: number}> = [];
	let bad = 0;
	for (const p of processes.slice(0, MAX_PROCESSES) as unknown[]) {
		const entry = p as Record<string, unknown> | null;
		if (entry === null || typeof entry !== 'object' || entry['project_id'] === undefined) continue;
		const pid = pidValue(entry['pid']);
		const projectId = keyId(entry['project_id']);
		if (pid === undefined || projectId === undefined) bad += 1;
		else claims.push({pid, projectId, seenMs});
	}
	return {claims, bad};
}

const figure = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_STORED_ENERGY ? value : undefined);

/** A project's stored energy (this host's field) as a ledger state at `now`, or undefined when it does not pass. Pure. */
export function energyFromValue(text: string, now: number): ProjectEnergyState | undefined {
	const v = parseJson(text) as Record<string, unknown> | undefined;
	if (v === undefined || v === null || typeof v !== 'object') return undefined;
	const runKwh = figure(v['run_kwh']);
	const runHours = figure(v['run_gpu_hours']);
	const todayKwh = figure(v['today_kwh']);
	const todayHours = figure(v['today_gpu_hours']);
	const sinceMs = storedTime(v['since'], now);
	const updatedMs = storedTime(v['last_updated'], now);
	if (runKwh === undefined || runHours === undefined || todayKwh === undefined || todayHours === undefined || sinceMs === undefined || updatedMs === undefined) return undefined;
	if (todayKwh > runKwh || todayHours > runHours) return undefined;
	// Today's figures only while it is still the day they were written on.
	const today = localDay(updatedMs) === localDay(now);
	return {
		joules: runKwh * 3_600_000,
		seconds: runHours * 3600,
		day: localDay(updatedMs),
		todayJoules: today ? todayKwh * 3_600_000 : 0,
		todaySeconds: today ? todayHours * 3600 : 0,
		sinceMs,
		estimated: v['source'] === 'estimate',
	};
}

/** The GPU part's hydrator for `host`: claims into the store's projects, energy into the GPU store (via `seedEnergy`). */
export function projectHydrator(host: string, seedEnergy: (projectId: string, state: ProjectEnergyState) => void, now: () => number = Date.now): Hydrator {
	return async (kv, store) => {
		const at = now();
		const reject = (what: string) => store.recordReject('hydration', `hydration: bad ${what}`, at);
		// A key another agent made something else (WRONGTYPE) is a bad entry, not a failed start.
		const read = (key: string, what: string) =>
			kv.hgetall(key).catch(() => {
				reject(`${what} (unreadable)`);
				return {} as Record<string, string>;
			});
		const state = await read(gpuKeyOf.host(host), 'GPU state hash');
		const uuids = (state['uuids'] ?? '').split(',').filter((u) => u !== '').slice(0, MAX_GPUS);
		const hashes = await Promise.all(uuids.map((uuid) => read(gpuKeyOf.current(host, uuid), 'GPU hash')));
		for (const fields of hashes) {
			const {claims, bad} = claimsFromGpuHash(fields, at);
			for (let i = 0; i < bad; i++) reject('GPU process project entry');
			for (const c of claims) {
				// Only projects the store knows (from their history): a stored id alone creates none.
				const series = store.projects.get(c.projectId);
				if (series !== undefined && !series.processes.some((p) => p.pid === c.pid)) series.processes = addClaim(series.processes, c.pid, undefined, c.seenMs);
			}
		}
		const field = keySegment(host);
		const ids = [...store.projects.keys()];
		const values = await Promise.all(ids.map((id) => read(gpuKeyOf.projectEnergy(id), 'project energy entry')));
		ids.forEach((id, i) => {
			const text = values[i]![field];
			if (text === undefined) return;
			const energy = energyFromValue(text, at);
			if (energy === undefined) reject('project energy entry');
			else seedEnergy(id, energy);
		});
	};
}
