/**
The alert lifecycle of one rule instance (rule + label set), as a pure function of (state, observation, time):
Prometheus's inactive -> pending -> firing, with `keep_firing_for` (the "recovering" phase), a recovery
threshold (hysteresis: a firing alert resolves only when the rule says the value is clear, not merely below the
trigger), an explicit "nodata" phase when the series goes stale, and a 15-minute retention of resolved alerts.

  (none) --breach--> pending --(t - activeAt >= for)--> firing --clear--> recovering --(keepFiringFor)--> resolved
  pending --no breach (one miss)--> (none)                    firing/recovering --stale--> nodata --clear--> resolved
  firing --severity up--> firing (escalated)                  recovering --not clear--> firing
Severity only rises within an episode (a new episode starts at the severity it is first seen with).
*/
import {type Labels} from './labels.js';

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {info: 0, warning: 1, critical: 2};

export type Phase = 'pending' | 'firing' | 'recovering' | 'nodata' | 'resolved';

export interface InstanceState {
	readonly phase: Phase;
	readonly labels: Labels;
	/** When the condition first held in this episode (pending start). */
	readonly activeAtMs: number;
	/** When it fired (undefined while pending). */
	readonly firedAtMs?: number;
	readonly recoveringSinceMs?: number;
	readonly nodataSinceMs?: number;
	readonly resolvedAtMs?: number;
	readonly severity: Severity;
	readonly value: number;
	readonly message: string;
	/** Last time the phase changed. */
	readonly changedAtMs: number;
}

/** What a rule saw for one instance at one evaluation. */
export type Observation =
	| {
			readonly kind: 'sample';
			readonly labels: Labels;
			/** The trigger condition holds. */
			readonly breach: boolean;
			/** The recovery condition holds (defaults to !breach). A firing alert resolves only when clear. */
			readonly clear: boolean;
			readonly severity: Severity;
			readonly value: number;
			readonly message: string;
	  }
	| {readonly kind: 'stale'}
	| {readonly kind: 'absent'};

export interface Timing {
	readonly forMs: number;
	readonly keepFiringForMs: number;
	/** How long a resolved alert is kept for display. Default 15 min (Prometheus's resolvedRetention). */
	readonly resolvedRetentionMs?: number;
	/** A nodata alert that stays without data this long resolves (reason: missing series). Default 1 h. */
	readonly nodataResolveMs?: number;
}

export type TransitionKind = 'pending' | 'firing' | 'escalated' | 'resolved' | 'nodata' | 'cancelled';

export interface StepResult {
	/** undefined: the instance no longer exists (never fired, or its retention ended). */
	readonly state: InstanceState | undefined;
	readonly transition?: TransitionKind;
}

/** The one result of a cancelled pending instance (results are never mutated: one object serves every one). */
const CANCELLED: StepResult = Object.freeze({state: undefined, transition: 'cancelled'});

const RESOLVED_RETENTION_MS = 15 * 60_000;
const NODATA_RESOLVE_MS = 60 * 60_000;

function resolve(state: InstanceState, now: number): StepResult {
	return {
		state: {...state, phase: 'resolved', resolvedAtMs: now, recoveringSinceMs: undefined, nodataSinceMs: undefined, changedAtMs: now},
		transition: 'resolved',
	};
}

function startEpisode(obs: Extract<Observation, {kind: 'sample'}>, now: number, timing: Timing): StepResult {
	const base: InstanceState = {
		phase: 'pending',
		labels: obs.labels,
		activeAtMs: now,
		severity: obs.severity,
		value: obs.value,
		message: obs.message,
		changedAtMs: now,
	};
	if (timing.forMs <= 0) return {state: {...base, phase: 'firing', firedAtMs: now}, transition: 'firing'};
	return {state: base, transition: 'pending'};
}

/** Advance one instance by one evaluation. Pure: the same inputs give the same result. */
export function step(state: InstanceState | undefined, obs: Observation, now: number, timing: Timing): StepResult {
	if (state === undefined || state.phase === 'resolved') {
		if (obs.kind === 'sample' && obs.breach) return startEpisode(obs, now, timing);
		if (state !== undefined && now - (state.resolvedAtMs ?? now) >= (timing.resolvedRetentionMs ?? RESOLVED_RETENTION_MS)) return {state: undefined};
		return {state};
	}

	if (obs.kind === 'stale') {
		switch (state.phase) {
			case 'pending':
				return CANCELLED;
			case 'firing':
			case 'recovering':
				return {state: {...state, phase: 'nodata', nodataSinceMs: now, recoveringSinceMs: undefined, changedAtMs: now}, transition: 'nodata'};
			case 'nodata':
				return now - (state.nodataSinceMs ?? now) >= (timing.nodataResolveMs ?? NODATA_RESOLVE_MS) ? resolve(state, now) : {state};
		}
	}

	if (obs.kind === 'absent') {
		switch (state.phase) {
			case 'pending':
				return CANCELLED;
			case 'nodata':
				return resolve(state, now);
			case 'firing':
			case 'recovering':
				return recover(state, now, timing);
		}
	}

	// A sample.
	const refreshed = {value: obs.value, message: obs.message, labels: obs.labels};
	switch (state.phase) {
		case 'pending': {
			if (!obs.breach) return CANCELLED;
			const severity = higher(state.severity, obs.severity);
			if (now - state.activeAtMs >= timing.forMs)
				return {state: {...state, ...refreshed, severity, phase: 'firing', firedAtMs: now, changedAtMs: now}, transition: 'firing'};
			return {state: {...state, ...refreshed, severity}};
		}
		case 'firing':
		case 'recovering':
		case 'nodata': {
			if (obs.breach || !obs.clear) {
				// Still (or again) in breach, or inside the hysteresis band. Severity only rises within an episode, so
				// a value wavering across a level boundary escalates (and notifies) once, not on every crossing.
				const severity = obs.breach ? higher(state.severity, obs.severity) : state.severity;
				const escalated = SEVERITY_RANK[severity] > SEVERITY_RANK[state.severity];
				const back = state.phase !== 'firing';
				const next: InstanceState = {
					...state,
					...refreshed,
					severity,
					phase: 'firing',
					recoveringSinceMs: undefined,
					nodataSinceMs: undefined,
					changedAtMs: back || escalated ? now : state.changedAtMs,
				};
				if (escalated) return {state: next, transition: 'escalated'};
				if (state.phase === 'nodata') return {state: next, transition: 'firing'};
				return {state: next};
			}
			if (state.phase === 'nodata') return resolve({...state, ...refreshed}, now);
			return recover({...state, ...refreshed}, now, timing);
		}
	}
}

/**
Whether an observation leaves a firing instance firing with nothing but its value, labels and message refreshed: a
breach at no higher severity. Then `step` makes no transition and changes nothing else, so the engine can keep the
sample and fold it into the state only when someone reads it (a storm of steady firing alerts costs no state copies
and no message rendering per evaluation). Pure; `isSteadyFiring` is the same question about an Observation.
*/
export function steadyFiring(phase: Phase, current: Severity, breach: boolean, observed: Severity): boolean {
	return phase === 'firing' && breach && SEVERITY_RANK[observed] <= SEVERITY_RANK[current];
}

/**
The same question for a pending instance: a breach at no higher severity before `for` has passed leaves it pending
with only value, labels and message refreshed (step makes no transition). Pure.
*/
export function steadyPending(phase: Phase, current: Severity, activeAtMs: number, breach: boolean, observed: Severity, now: number, forMs: number): boolean {
	return phase === 'pending' && breach && SEVERITY_RANK[observed] <= SEVERITY_RANK[current] && now - activeAtMs < forMs;
}

/** Whether a sample cancels a pending instance: step gives `cancelled` whatever else the sample says (its message is never read). Pure. */
export function cancelsPending(phase: Phase, breach: boolean): boolean {
	return phase === 'pending' && !breach;
}

export function isSteadyFiring(state: InstanceState, obs: Observation): boolean {
	return obs.kind === 'sample' && steadyFiring(state.phase, state.severity, obs.breach, obs.severity);
}

function recover(state: InstanceState, now: number, timing: Timing): StepResult {
	if (timing.keepFiringForMs <= 0) return resolve(state, now);
	const since = state.recoveringSinceMs ?? now;
	if (now - since >= timing.keepFiringForMs) return resolve(state, now);
	if (state.phase === 'recovering') return {state};
	return {state: {...state, phase: 'recovering', recoveringSinceMs: since}};
}

function higher(a: Severity, b: Severity): Severity {
	return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

/** Per alert, what was last sent to the seed's channels (for the cooldown). */
export interface NotifyMemory {
	readonly lastFiringSentMs?: number;
	readonly lastSentSeverity?: Severity;
	/** Whether this episode's firing was sent (its resolved/nodata follow only if so). */
	readonly episodeSent: boolean;
}

/**
Whether a transition is published on the seed's channel. Firing is sent unless the same alert was sent less than
`repeatIntervalMs` ago (the seed's 5-minute cooldown), which a higher severity bypasses; escalations are always
sent; resolved and nodata follow only an episode whose firing was sent. Pending and cancelled never are.
*/
export function notifyDecision(
	kind: TransitionKind,
	severity: Severity,
	memory: NotifyMemory | undefined,
	now: number,
	repeatIntervalMs: number,
): {readonly send: boolean; readonly memory: NotifyMemory | undefined; readonly reason?: string} {
	const m: NotifyMemory = memory ?? {episodeSent: false};
	switch (kind) {
		case 'firing': {
			const recent = m.lastFiringSentMs !== undefined && now - m.lastFiringSentMs < repeatIntervalMs;
			const rises = m.lastSentSeverity === undefined || SEVERITY_RANK[severity] > SEVERITY_RANK[m.lastSentSeverity];
			if (recent && !rises) return {send: false, memory: {...m, episodeSent: false}, reason: 'cooldown'};
			return {send: true, memory: {lastFiringSentMs: now, lastSentSeverity: severity, episodeSent: true}};
		}
		case 'escalated':
			return {send: true, memory: {lastFiringSentMs: now, lastSentSeverity: severity, episodeSent: true}};
		case 'resolved':
		case 'nodata':
			return m.episodeSent ? {send: true, memory: kind === 'resolved' ? {...m, episodeSent: false} : m} : {send: false, memory: m, reason: 'not sent'};
		default:
			return {send: false, memory};
	}
}
