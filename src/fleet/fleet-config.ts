/**
The fleet thresholds from the config's `fleet:` section (validated by config.ts as durations) over the defaults of
host-state.ts. Pure.
*/
import {durationValue} from '../rules/duration.js';
import {fleetThresholds, type FleetThresholds} from './host-state.js';

/** `fleet: {staleAfter, lostAfter, expireAfter}` (durations) over the defaults for a sampling interval. */
export function fleetThresholdsFrom(raw: unknown, intervalMs: number): FleetThresholds {
	const section = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
	const stale = durationValue(section['staleAfter']);
	const lost = durationValue(section['lostAfter']);
	const expire = durationValue(section['expireAfter']);
	return fleetThresholds(intervalMs, {
		...(stale !== undefined ? {staleAfterMs: stale} : {}),
		...(lost !== undefined ? {lostAfterMs: lost} : {}),
		...(expire !== undefined ? {expireAfterMs: expire} : {}),
	});
}
