/**
The store: everything mycotop knows, in bounded memory, with no React and no I/O.
Inputs (bus events, hydration, GPU frames, status changes) mutate it and bump `version`; the snapshot
publisher turns it into immutable snapshots for the UI at most 10 times a second.
*/
import {DONE_STATUSES, FAILED_STATUSES, type BusEvent, type CriticalError, type ExternalAlert} from '../contract/events.js';
import {type Completion, type TaskAggregates} from '../analysis/task-aggregates.js';
import {type TimeNote} from '../contract/time.js';
import {NumericRing, ObjectRing, TimeRing} from './ring-buffer.js';
import {CompletionRing} from './completion-ring.js';
import {addClaim, type ProcessClaim} from './project-processes.js';
import {agentEvictionSeenMs, agentSeenMs, chooseEviction, IDLE_AFTER_MS, isLive, readBackSeen, seenAfter} from './liveness.js';

export interface StoreLimits {
	/** Points kept per series (loss, wer, workflow step). Default 10,000. */
	readonly seriesCapacity: number;
	/**
	Distinct projects kept. When full, a new name evicts the least recently seen project idle for longer than
	`idleAfterMs`; when every one is live, the new name is refused and counted. Default 1,000.
	*/
	readonly maxProjects: number;
	/** Distinct agents kept, as projects are. Default 1,000. */
	readonly maxAgents: number;
	/** Distinct workflow steps accepted. Default 1,000. */
	readonly maxWorkflowSteps: number;
	/** Task completions kept (for the last-hour aggregates and the recent table). Default 10,000. */
	readonly completionsCapacity: number;
	/**
	A project or agent not heard from for longer than this is idle (liveness.ts): not busy, no current readings in
	Prometheus, and evictable under a full cap. Default IDLE_AFTER_MS (1 hour); not in the config file.
	*/
	readonly idleAfterMs: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
	seriesCapacity: 10_000,
	maxProjects: 1000,
	maxAgents: 1000,
	maxWorkflowSteps: 1000,
	completionsCapacity: 10_000,
	idleAfterMs: IDLE_AFTER_MS,
};

/** Load samples kept per agent (status messages, newest kept). */
const AGENT_LOAD_POINTS = 2000;

export class ProjectSeries {
	readonly loss: NumericRing;
	private werRing: NumericRing | undefined;
	lastStep = 0;
	/** The time stamp of the last training event applied (in arrival order). */
	lastUpdatedMs = 0;
	/** When it was last heard from, for liveness (see `lastSeenMs`). */
	private seenMs = 0;
	/** The trainer processes its messages named (`pid`, `host`), newest first: the GPU part ties GPU processes to them. */
	processes: readonly ProcessClaim[] = [];
	/** Bumped on every change; the snapshot builder re-summarises only changed projects. */
	version = 0;

	constructor(private readonly capacity: number) {
		this.loss = new NumericRing(capacity);
	}

	/**
	When the project was last heard from, for liveness: the receive time of its newest message (the receive clock,
	not the producer's stamp), or for history read back at start its newest entry's stamp capped at the read time.
	Only moves forward, whatever the path (liveness.ts `seenAfter`), which the store's eviction relies on.
	*/
	get lastSeenMs(): number {
		return this.seenMs;
	}

	/** Note a training event stamped `timeMs`, received at `receivedMs`. */
	seen(timeMs: number, receivedMs: number): void {
		this.lastUpdatedMs = timeMs;
		this.seenMs = seenAfter(this.seenMs, receivedMs);
	}

	/** Note an entry stamped `timeMs` read back from Redis at `readMs` (hydration). */
	readBack(timeMs: number, readMs: number): void {
		this.seenMs = seenAfter(this.seenMs, readBackSeen(timeMs, readMs));
	}

	get wer(): NumericRing | undefined {
		return this.werRing;
	}

	ensureWer(): NumericRing {
		this.werRing ??= new NumericRing(this.capacity);
		return this.werRing;
	}
}

export interface AgentState {
	status: 'busy' | 'idle' | 'unknown';
	currentTasks: number;
	completed: number;
	failed: number;
	totalDurationSeconds: number;
	/** Completions that carried a duration (the divisor of the average: a missing duration is not 0 s). */
	timedCompletions: number;
	/**
	When its newest message was received (the receive clock); 0 when known only from the Redis keys read at start.
	Only moves forward.
	*/
	lastSeenMs: number;
	/** When its figures were read back from Redis at start (hydration); liveness counts from it until a message comes. */
	readBackMs?: number;
}

export interface RejectRecord {
	readonly timeMs: number;
	readonly channel: string;
	readonly reason: string;
}

export type Cardinality = 'projects' | 'agents' | 'workflowSteps';

/** The caps that evict idle ids (workflow steps are only refused). */
export type EvictingCardinality = 'projects' | 'agents';

/**
What `apply` did with an event: stored whole; stored box-wide only (a task completion or failure from an agent over
store.maxAgents: its per-agent part was refused, so the writer leaves that agent's keys alone); or refused whole.
*/
export type ApplyOutcome = 'stored' | 'stored-box-wide' | 'refused';

/** The outcome of an event that was stored (whole or box-wide only). */
export type StoredOutcome = Exclude<ApplyOutcome, 'refused'>;

/** Messages whose time was adjusted on the way in (limits.ts): each was still stored. */
export interface TimeCounters {
	/** Stamped beyond the future skew: their time became the receive time. */
	futureClamped: number;
	/** Microsecond or nanosecond epoch readings converted to milliseconds. */
	unitConverted: number;
	/** Completions received today but stamped before today's local midnight (still counted in completed_today). */
	completionsStampedEarlier: number;
}

export interface StoreCounters {
	received: number;
	stored: number;
	rejected: number;
	refused: number;
	/** Keys and entries of the history read back at start that were skipped (not messages: not in `received`). */
	hydrationRejected: number;
	readonly rejectReasons: Map<string, number>;
	/** Messages refused whole by a cap (in `refused`): nothing of them was stored. */
	readonly refusedBy: Record<Cardinality, number>;
	/**
	Messages stored with a part refused by a cap (in `stored`): a task completion or failure from an agent over
	store.maxAgents counts box-wide, its per-agent figures are left out.
	*/
	readonly partlyRefusedBy: Record<'agents', number>;
	/** Idle ids evicted to make room for a new one (not messages). */
	readonly evictedBy: Record<EvictingCardinality, number>;
	readonly time: TimeCounters;
}

/** A local calendar day stamp (YYYY-MM-DD) for completed_today: the store's, the writer's and hydration's. */
export function localDayStamp(ms: number): string {
	const d = new Date(ms);
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** [start, end) in epoch ms of `ms`'s local day: the store's and the writer's test for "still today". */
export function localDayRange(ms: number): [number, number] {
	const start = new Date(ms);
	start.setHours(0, 0, 0, 0);
	const end = new Date(start);
	end.setDate(end.getDate() + 1);
	return [start.getTime(), end.getTime()];
}

/** An agent's average task duration over the completions that carried one (0 when none did). */
export function averageDuration(agent: Pick<AgentState, 'totalDurationSeconds' | 'timedCompletions'>): number {
	return agent.timedCompletions === 0 ? 0 : agent.totalDurationSeconds / agent.timedCompletions;
}

export class MetricsStore {
	readonly limits: StoreLimits;
	readonly projects = new Map<string, ProjectSeries>();
	readonly agents = new Map<string, AgentState>();
	/** Each agent's current task count over time (the zoomed agents chart): one ring per accepted agent. */
	readonly agentLoad = new Map<string, TimeRing>();
	readonly completions: CompletionRing;
	readonly criticalErrors = new ObjectRing<CriticalError>(500);
	readonly externalAlerts = new ObjectRing<ExternalAlert>(500);
	readonly workflowSteps = new Map<string, {workflowId: string; stepId: string; durations: NumericRing}>();
	readonly recentRejects = new ObjectRing<RejectRecord>(100);
	readonly counters: StoreCounters = {
		received: 0,
		stored: 0,
		rejected: 0,
		refused: 0,
		hydrationRejected: 0,
		rejectReasons: new Map(),
		refusedBy: {projects: 0, agents: 0, workflowSteps: 0},
		partlyRefusedBy: {agents: 0},
		evictedBy: {projects: 0, agents: 0},
		time: {futureClamped: 0, unitConverted: 0, completionsStampedEarlier: 0},
	};

	completedToday = 0;
	completedDay = '';
	/** Bumped on every change. */
	version = 0;

	/**
	`clock` is the receive clock: it alone decides which day completed_today belongs to (and is the receive time of
	an event applied without one).
	*/
	constructor(
		limits: Partial<StoreLimits> = {},
		private readonly clock: () => number = Date.now,
	) {
		this.limits = {...DEFAULT_LIMITS, ...limits};
		this.completions = new CompletionRing(this.limits.completionsCapacity);
	}

	/** Mark the store changed (for inputs that mutate parts of it directly, like status). */
	touch(): void {
		this.version += 1;
	}

	/**
	Count a message that failed validation; on the 'hydration' channel, a history entry (or key) skipped at start,
	which is `hydrationRejected`, not a received message. Both keep their reason. Never throws.
	*/
	recordReject(channel: string, reason: string, now: number): void {
		if (channel === 'hydration') this.counters.hydrationRejected += 1;
		else {
			this.counters.received += 1;
			this.counters.rejected += 1;
		}
		this.counters.rejectReasons.set(reason, (this.counters.rejectReasons.get(reason) ?? 0) + 1);
		this.recentRejects.push({timeMs: now, channel, reason});
		this.version += 1;
	}

	/** Count a message whose time was clamped or converted (it is stored as well). */
	recordTimeNote(note: TimeNote): void {
		if (note === 'future-clamped') this.counters.time.futureClamped += 1;
		else this.counters.time.unitConverted += 1;
		this.version += 1;
	}

	private refuse(kind: Cardinality): ApplyOutcome {
		this.counters.refused += 1;
		this.counters.refusedBy[kind] += 1;
		this.version += 1;
		return 'refused';
	}

	/**
	Per evicting cap: while the receive clock is at or before this, every id is live and a new one is refused without
	a scan (last-seen times only move forward); cleared whenever an id comes or goes.
	*/
	private readonly refuseUntilMs: Record<EvictingCardinality, number | undefined> = {projects: undefined, agents: undefined};

	/**
	Room for one more id under a full cap at `now`: evicts the least recently seen idle id (liveness.ts) and returns
	true, or returns false when every id is live. Eviction is the store's alone: the contract's Redis keys stay.
	*/
	private makeRoom(kind: EvictingCardinality, now: number): boolean {
		const until = this.refuseUntilMs[kind];
		if (until !== undefined && now <= until) return false;
		const choice = chooseEviction(kind === 'projects' ? projectsSeen(this.projects) : agentsHeard(this.agents), now, this.limits.idleAfterMs);
		if (!('evict' in choice)) {
			this.refuseUntilMs[kind] = choice.refuseUntilMs;
			return false;
		}
		if (kind === 'projects') this.projects.delete(choice.evict);
		else {
			this.agents.delete(choice.evict);
			this.agentLoad.delete(choice.evict);
		}
		this.counters.evictedBy[kind] += 1;
		this.generation += 1;
		return true;
	}

	/**
	Changes whenever a project or an agent is added or evicted (never otherwise): caches of the id sets (the rules'
	series catalog) key on it, not on the maps' sizes, which one id evicting another leaves unchanged.
	*/
	generation = 0;

	/**
	The project's series, creating it if the cap allows (an idle project may be evicted to make room, at `now` by the
	receive clock, unless `evict` is false: hydration never evicts, it skips); undefined when refused.
	*/
	project(projectId: string, now: number = this.clock(), evict = true): ProjectSeries | undefined {
		let series = this.projects.get(projectId);
		if (series === undefined) {
			if (this.projects.size >= this.limits.maxProjects && (!evict || !this.makeRoom('projects', now))) return undefined;
			series = new ProjectSeries(this.limits.seriesCapacity);
			this.projects.set(projectId, series);
			this.refuseUntilMs.projects = undefined;
			this.generation += 1;
		}
		return series;
	}

	/** The agent's state, creating it if the cap allows (as `project`); undefined when refused. */
	agent(agentType: string, now: number = this.clock(), evict = true): AgentState | undefined {
		let state = this.agents.get(agentType);
		if (state === undefined) {
			if (this.agents.size >= this.limits.maxAgents && (!evict || !this.makeRoom('agents', now))) return undefined;
			state = {status: 'unknown', currentTasks: 0, completed: 0, failed: 0, totalDurationSeconds: 0, timedCompletions: 0, lastSeenMs: 0};
			this.agents.set(agentType, state);
			this.refuseUntilMs.agents = undefined;
			this.generation += 1;
		}
		return state;
	}

	/** Whether an id last seen at `lastSeenMs` is live at `now` (liveness.ts, with this store's idle age). */
	isLive(lastSeenMs: number, now: number = this.clock()): boolean {
		return isLive(lastSeenMs, now, this.limits.idleAfterMs);
	}

	/**
	Apply one validated event, received at `receivedMs` (the receive clock; the store's clock when omitted).
	Returns 'refused' when a cardinality cap keeps a new name out and nothing of the event is stored; a task
	completion or failure from an agent over the cap is 'stored-box-wide' (counted as stored), its per-agent part
	counted in `partlyRefusedBy`.
	*/
	apply(event: BusEvent, receivedMs: number = this.clock()): ApplyOutcome {
		this.counters.received += 1;
		const outcome = this.applyEvent(event, receivedMs);
		if (outcome !== 'refused') this.counters.stored += 1;
		this.version += 1;
		return outcome;
	}

	private applyEvent(event: BusEvent, receivedMs: number): ApplyOutcome {
		switch (event.kind) {
			case 'training': {
				const series = this.project(event.projectId, receivedMs);
				if (series === undefined) return this.refuse('projects');
				series.loss.push(event.step, event.loss, event.timeMs);
				if (event.wer !== undefined) series.ensureWer().push(event.step, event.wer, event.timeMs);
				series.lastStep = event.step;
				series.seen(event.timeMs, receivedMs);
				if (event.pid !== undefined) series.processes = addClaim(series.processes, event.pid, event.host, receivedMs);
				series.version += 1;
				return 'stored';
			}
			case 'task': {
				const done = DONE_STATUSES.has(event.status);
				const failed = !done && FAILED_STATUSES.has(event.status);
				// The box-wide part (the completion list, completed_today, the task counters) has no agent label and
				// is never refused for the agent cap; only the per-agent part is. A status with no box-wide part is.
				const agent = this.agent(event.agent, receivedMs);
				if (agent === undefined) {
					if (!done && !failed) return this.refuse('agents');
					this.counters.partlyRefusedBy.agents += 1;
				} else agent.lastSeenMs = seenAfter(agent.lastSeenMs, receivedMs);
				if (done) {
					// A completion without duration_seconds counts toward throughput, not toward durations or the SLA.
					const duration = event.durationSeconds ?? Number.NaN;
					if (agent !== undefined) {
						agent.completed += 1;
						if (Number.isFinite(duration)) {
							agent.totalDurationSeconds += duration;
							agent.timedCompletions += 1;
						}
					}
					this.completions.push({taskId: event.taskId, agent: event.agent, durationSeconds: duration, timeMs: event.timeMs});
					this.countCompletion(event.timeMs, receivedMs);
				} else if (failed && agent !== undefined) {
					agent.failed += 1;
				}
				return agent === undefined ? 'stored-box-wide' : 'stored';
			}
			case 'agent': {
				const agent = this.agent(event.agentType, receivedMs);
				if (agent === undefined) return this.refuse('agents');
				agent.status = event.status;
				agent.currentTasks = event.taskCount;
				agent.lastSeenMs = seenAfter(agent.lastSeenMs, receivedMs);
				let load = this.agentLoad.get(event.agentType);
				if (load === undefined) this.agentLoad.set(event.agentType, (load = new TimeRing(AGENT_LOAD_POINTS)));
				load.push(event.timeMs, event.taskCount);
				return 'stored';
			}
			case 'error':
				this.criticalErrors.push(event);
				return 'stored';
			case 'workflow': {
				const key = `${event.workflowId}\u0000${event.stepId}`;
				let entry = this.workflowSteps.get(key);
				if (entry === undefined) {
					if (this.workflowSteps.size >= this.limits.maxWorkflowSteps) return this.refuse('workflowSteps');
					entry = {workflowId: event.workflowId, stepId: event.stepId, durations: new NumericRing(Math.min(1000, this.limits.seriesCapacity))};
					this.workflowSteps.set(key, entry);
				}
				entry.durations.push(entry.durations.length, event.durationSeconds, event.timeMs);
				return 'stored';
			}
			case 'external-alert':
				this.externalAlerts.push(event);
				return 'stored';
		}
	}

	/** [start, end) of `completedDay` in epoch ms, so most completions need no Date object. */
	private completedDayRange: [number, number] = [0, 0];

	/** Make `ms`'s local day the current one for completed_today (a new day starts at `count`). */
	private startDay(ms: number, count: number): void {
		this.completedDay = localDayStamp(ms);
		this.completedToday = count;
		this.completedDayRange = localDayRange(ms);
	}

	/** The count read back from Redis at start belongs to today (the writer keeps it per local day). */
	hydrateCompletedToday(count: number, now: number): void {
		this.rollDay(now);
		if (count > this.completedToday) this.completedToday = count;
	}

	/**
	The day of completed_today comes from the receive clock only, never from a message: at local midnight by the
	clock it starts again at 0 (even with no completion yet). It only moves forward: a clock stepped back by NTP
	keeps the current day.
	*/
	rollDay(now: number): void {
		if (!Number.isFinite(now)) return;
		if (this.completedDay !== '' && now < this.completedDayRange[1]) return;
		if (this.completedDay === '' || localDayStamp(now) > this.completedDay) this.startDay(now, 0);
	}

	/**
	A completion counts toward the day it was received in, whatever its stamp says: completed_today and the
	completion list move together, and a message stamped years ahead (clamped by validation anyway) or days behind
	cannot move or freeze the day. A stamp before today's midnight is counted as `completionsStampedEarlier`.
	*/
	private countCompletion(timeMs: number, receivedMs: number): void {
		this.rollDay(receivedMs);
		this.completedToday += 1;
		if (timeMs < this.completedDayRange[0]) this.counters.time.completionsStampedEarlier += 1;
	}

	/**
	Completions at or after `sinceMs`, newest first. The whole ring is scanned (10,000 by default, tens of microseconds):
	arrival order is not time order, and stopping at the first older one let a single completion stamped a day ago
	(a producer's clock off) hide every completion that arrived before it.
	*/
	completionsSince(sinceMs: number): Completion[] {
		return this.completions.newestWhere((c) => c.timeMs >= sinceMs);
	}

	/** The last hour's task figures over the completions kept (systemFigures' fast path: no sort per read). */
	taskAggregates(now: number, slaSeconds?: number): TaskAggregates {
		return this.completions.aggregates(now, slaSeconds);
	}

	/** Finite durations of the completions stamped after `afterMs`, newest first (systemFigures' fast path). */
	timedDurationsAfter(afterMs: number): number[] {
		return this.completions.timedDurationsAfter(afterMs);
	}

	/**
	Agents busy at `now`, with their current task counts: their last status said busy and they are live (an agent
	not heard from for longer than the idle age is not counted busy: the load variance is over live agents).
	*/
	busyAgents(now: number = this.clock()): Array<{agent: string; currentTasks: number}> {
		const out: Array<{agent: string; currentTasks: number}> = [];
		for (const [agent, state] of this.agents) if (state.status === 'busy' && this.isLive(agentSeenMs(state), now)) out.push({agent, currentTasks: state.currentTasks});
		return out;
	}
}

function* projectsSeen(projects: ReadonlyMap<string, ProjectSeries>): Generator<readonly [string, number]> {
	for (const [id, series] of projects) yield [id, series.lastSeenMs];
}

/**
The agents' last-seen times for eviction: only what was heard since start counts (an agent known only from the keys
read back at start is 0, evictable at once and first), unlike the busy figures, which count the read-back time.
*/
function* agentsHeard(agents: ReadonlyMap<string, AgentState>): Generator<readonly [string, number]> {
	for (const [id, state] of agents) yield [id, agentEvictionSeenMs(state)];
}
