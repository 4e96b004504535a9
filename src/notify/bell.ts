/**
The TUI's terminal bell: one BEL when a critical alert starts firing that was not firing (unacknowledged) at the
last snapshot; off by default (`notify.bell: true` or `--bell`). Alerts already firing when the dashboard opens
ring nothing: the first snapshot only primes. Pure: the TUI writes the BEL.
*/
import {type AlertRow} from '../rules/alert-snapshot.js';

export const BEL = '\u0007';

export interface BellState {
	/** Critical alerts firing at the last snapshot (undefined before the first). */
	readonly firing: ReadonlySet<string> | undefined;
}

export const BELL_START: BellState = {firing: undefined};

/** The next state and whether to ring for these rows. */
export function bellStep(state: BellState, rows: readonly AlertRow[]): {state: BellState; ring: boolean} {
	const firing = new Set(rows.filter((r) => r.severity === 'critical' && r.state === 'firing').map((r) => r.id));
	if (state.firing === undefined) return {state: {firing}, ring: false};
	let ring = false;
	for (const id of firing) if (!state.firing.has(id)) ring = true;
	return {state: {firing}, ring};
}
