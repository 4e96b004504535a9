/**
Whether a host of the fleet is still reporting, from when it was last seen: a pure decision, the same for the hosts
pane, `--once` and the tests.

  fresh  seen within `staleAfterMs` (default 3 of its sampling intervals)
  stale  seen within `lostAfterMs`: it missed a few writes (a slow Redis, a restart)
  lost   seen longer ago: it stopped reporting; kept on screen, marked, until `expireAfterMs`
  (gone) older than `expireAfterMs`: the writers drop it from the registry and its summary key has expired

A last-seen time in the future (another box's clock ahead of ours) counts as just seen: the skew is shown, not
punished.
*/
export type HostState = 'fresh' | 'stale' | 'lost';

export interface FleetThresholds {
	readonly staleAfterMs: number;
	readonly lostAfterMs: number;
	readonly expireAfterMs: number;
}

/** Stale after 3 intervals (at least 3 s), lost after 60 s (or 3 stale spans), gone after 24 h. */
const DEFAULT_LOST_AFTER_MS = 60_000;
const DEFAULT_EXPIRE_AFTER_MS = 24 * 3_600_000;
/** The most a threshold may be (the registry's own TTL is the expiry): 30 days. */
export const MAX_THRESHOLD_MS = 30 * 86_400_000;

/** The thresholds for a sampling interval, with the configured ones over the defaults; ordered stale < lost < expire. */
export function fleetThresholds(intervalMs: number, configured: Partial<FleetThresholds> = {}): FleetThresholds {
	const clamp = (ms: number) => Math.min(MAX_THRESHOLD_MS, Math.max(1, Math.round(ms)));
	// A configured value that is not a finite number is no value (the config validates durations; this is the bound).
	const given = (ms: number | undefined) => (ms !== undefined && Number.isFinite(ms) ? ms : undefined);
	const interval = Number.isFinite(intervalMs) ? intervalMs : 1000;
	const staleAfterMs = clamp(given(configured.staleAfterMs) ?? Math.max(3000, 3 * interval));
	const lostAfterMs = Math.max(staleAfterMs + 1, clamp(given(configured.lostAfterMs) ?? Math.max(DEFAULT_LOST_AFTER_MS, 3 * staleAfterMs)));
	const expireAfterMs = Math.max(lostAfterMs + 1, clamp(given(configured.expireAfterMs) ?? DEFAULT_EXPIRE_AFTER_MS));
	return {staleAfterMs, lostAfterMs, expireAfterMs};
}

/**
A host's state `nowMs`, last seen at `lastSeenMs`, or undefined once it is past the expiry (the registry forgets it).
A host whose summary names its own (longer) sampling interval is judged by 3 of its intervals when that is longer.
*/
export function hostState(lastSeenMs: number, nowMs: number, thresholds: FleetThresholds, hostIntervalMs?: number): HostState | undefined {
	const age = Math.max(0, nowMs - lastSeenMs);
	if (!Number.isFinite(age)) return 'lost';
	if (age > thresholds.expireAfterMs) return undefined;
	const staleAfter = hostIntervalMs !== undefined && Number.isFinite(hostIntervalMs) ? Math.max(thresholds.staleAfterMs, 3 * hostIntervalMs) : thresholds.staleAfterMs;
	if (age <= staleAfter) return 'fresh';
	if (age <= Math.max(thresholds.lostAfterMs, staleAfter + 1)) return 'stale';
	return 'lost';
}
