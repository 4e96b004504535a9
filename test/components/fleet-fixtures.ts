/** Simulated fleets for the hosts pane's tests: N hosts of 8 GPUs each, a few of them stale or lost. */
import {type FleetHost, type FleetSnapshot} from '../../src/fleet/fleet-view.js';
import {type HostSummary} from '../../src/fleet/host-summary.js';
import {gpuRow, gpuSnapshot, NOW} from './fixtures.js';

function hostSummary(i: number, overrides: Partial<HostSummary> = {}): HostSummary {
	return {
		gpuCount: 8,
		utilMeanPercent: (i * 7) % 100,
		utilMaxPercent: 100,
		memoryUsedMb: 400_000 + i,
		memoryTotalMb: 652_472,
		hottestC: 60 + (i % 30),
		powerW: 4000 + i * 10,
		firingAlerts: i % 9 === 0 ? 2 : 0,
		gpuState: 'ok',
		version: '0.1.0',
		intervalMs: 1000,
		lastSeenMs: NOW - 1000,
		...overrides,
	};
}

export const hostName = (i: number) => `fleet-${String(i).padStart(2, '0')}`;

/** `count` hosts named fleet-00.. (fleet-01 stale, fleet-02 lost) plus this box (gpu-box-1, the fixtures' host). */
export function fleetSnapshot(count: number, extra: Partial<FleetSnapshot> = {}): FleetSnapshot {
	const hosts: FleetHost[] = Array.from({length: count}, (_, i) => ({
		host: hostName(i),
		state: i === 1 ? 'stale' : i === 2 ? 'lost' : 'fresh',
		lastSeenMs: NOW - (i === 1 ? 10_000 : i === 2 ? 300_000 : 1000),
		self: false,
		summary: hostSummary(i),
	}));
	hosts.push({host: 'gpu-box-1', state: 'fresh', lastSeenMs: NOW - 500, self: true, summary: hostSummary(99, {gpuCount: 2})});
	hosts.sort((a, b) => (a.host < b.host ? -1 : 1));
	return {hosts, thresholds: {staleAfterMs: 3000, lostAfterMs: 60_000, expireAfterMs: 86_400_000}, readAtMs: NOW, truncated: false, invalidNames: 0, malformed: 0, ...extra};
}

/** Another host's 8 GPUs as the fleet part reads them. */
export function viewedGpus(host: string) {
	return {host, readAtMs: NOW, gpu: gpuSnapshot(Array.from({length: 8}, (_, i) => gpuRow(i, {uuid: `GPU-${host}-${i}`, name: 'NVIDIA H100 80GB HBM3'})))};
}
