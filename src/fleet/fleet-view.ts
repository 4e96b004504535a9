/**
The fleet as the hosts pane, `--once` and `--once --json` see it: every host of the registry with its state, its
summary and whether it is this box, sorted by name. Pure: built from what one poll read.
*/
import {checkHostName} from './host-name.js';
import {hostState, type FleetThresholds, type HostState} from './host-state.js';
import {type HostSummary} from './host-summary.js';
import {type GpuSnapshot} from '../gpu/gpu-snapshot.js';

export interface FleetHost {
	readonly host: string;
	readonly state: HostState;
	/** When this viewer last saw its registry entry change (our clock; on the first read, the entry's own time, never later than now: fleet/seen-clock.ts). */
	readonly lastSeenMs: number;
	/** This box (`--host`). */
	readonly self: boolean;
	/** Its summary; undefined when the summary key is gone (expired, or deleted by hand). */
	readonly summary: HostSummary | undefined;
}

export interface FleetSnapshot {
	readonly hosts: readonly FleetHost[];
	readonly thresholds: FleetThresholds;
	/** When the registry was last read (undefined: not yet). */
	readonly readAtMs: number | undefined;
	/** Why the last read failed (timeout, Redis away), while it keeps failing. */
	readonly error?: string;
	/** The registry holds more than MAX_FLEET_HOSTS members: only the most recently seen were read. */
	readonly truncated: boolean;
	/** Members scored more than an hour ahead of this clock (fleet-part.ts CLOCK_SKEW_MARGIN_MS): counted, not read. */
	readonly farAhead?: number;
	/** Members whose name fails the host name rule (written by something else): left out, counted. */
	readonly invalidNames: number;
	/** This box's `--host` name is written by another box (name-conflict.ts): this box is not in the fleet. */
	readonly conflict?: string;
	/** Summaries with a figure out of range or unreadable (those figures are unknown). */
	readonly malformed: number;
	/** The GPUs of the host the GPU pane shows instead of this box's (the hosts pane's selection), once read. */
	readonly viewed?: {readonly host: string; readonly gpu: GpuSnapshot; readonly readAtMs: number};
}

export interface RegistryRead {
	readonly entries: ReadonlyArray<{readonly member: string; readonly score: number}>;
	/** Summary hashes, by member, for the entries read. */
	readonly summaries: ReadonlyMap<string, HostSummary | undefined>;
}

/** The hosts of a registry read at `nowMs`: expired and invalid members left out (invalid ones counted). */
export function fleetHosts(read: RegistryRead, nowMs: number, thresholds: FleetThresholds, self: string): {hosts: FleetHost[]; invalidNames: number; malformed: number} {
	const hosts: FleetHost[] = [];
	let invalidNames = 0;
	let malformed = 0;
	for (const {member, score} of read.entries) {
		if (!checkHostName(member).ok || !Number.isFinite(score)) {
			invalidNames += 1;
			continue;
		}
		const summary = read.summaries.get(member);
		if (summary?.malformed !== undefined) malformed += 1;
		const state = hostState(score, nowMs, thresholds, summary?.intervalMs);
		if (state === undefined) continue;
		hosts.push({host: member, state, lastSeenMs: score, self: member === self, summary});
	}
	hosts.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
	return {hosts, invalidNames, malformed};
}

/** What the dashboard tells the fleet part: whose GPUs the GPU pane shows (undefined: this box's). */
export interface FleetControl {
	watch(host: string | undefined): void;
}

/**
The GPU pane's snapshot for another host: its GPUs as last read, marked with the host's state when it is not fresh
(a stale or lost host's figures are its last ones, as are those of a host no longer in the registry), or "starting"
until the first read of its keys.
*/
export function viewedGpu(fleet: FleetSnapshot | undefined, host: string): GpuSnapshot {
	const viewed = fleet?.viewed;
	if (viewed === undefined || viewed.host !== host) return {state: 'starting', reason: `reading the GPU keys of ${host}`, gpus: []};
	const entry = fleet?.hosts.find((h) => h.host === host);
	if (entry?.state === 'fresh') return viewed.gpu;
	// Not listed by the read that read its GPUs: gone from the registry (or past the hosts read), so not live either.
	const note = entry === undefined ? `${host} is not in the registry: its last figures` : `${host} is ${entry.state}: its last figures`;
	return {...viewed.gpu, state: viewed.gpu.state === 'ok' ? 'degraded' : viewed.gpu.state, reason: viewed.gpu.reason === undefined ? note : `${note}; ${viewed.gpu.reason}`};
}
