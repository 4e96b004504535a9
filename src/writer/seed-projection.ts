/**
The seed's projection (its Patterns 1, 2 and 4): which keys each stored event writes, and the aggregates written
from the store. It decides what goes into the writer's shared batch (list entries with the HINCRBY counters that
count them, hash fields, set members) and what is published (events:dashboard:update, the rankings insight); it
never talks to Redis and knows nothing of leases, retries or flushes: the batching (write-batcher.ts) does.
Aggregates are computed from the store (systemFigures, rankAgents, analyzeTrend), never read back from Redis.
*/
import {type BusEvent} from '../contract/events.js';
import {DONE_STATUSES, FAILED_STATUSES} from '../contract/events.js';
import {keys, messageSource, OUTPUT_CHANNELS, TTL_SECONDS} from '../contract/names.js';
import {averageDuration, localDayRange, localDayStamp, type MetricsStore, type StoredOutcome} from '../store/metrics-store.js';
import {rankAgents} from '../analysis/load-balance.js';
import {systemFigures} from '../analysis/system-figures.js';
import {trendOfTail} from '../analysis/trend-window.js';
import {type PendingBatch} from './pending-batch.js';
import {isoTime} from '../contract/time.js';
import {sampleEvent, type SampleSink, SeriesNames} from '../history/event-series.js';
import {type SeriesKey} from '../history/series-key.js';
import {type RollupBatch} from '../history/rollup-batch.js';
import {completionEntry, figure, trainingCurrentFields, workflowEntry} from './seed-entries.js';

/** Where the projection's writes go: the batching's shared batch and its accounting, as the writer gives them. */
export interface ProjectionSink {
	/** The shared batch the next transaction takes (a fresh one after each transaction). */
	shared(): PendingBatch;
	/**
	Shared writes are taken now (lease held, or being retaken after an outage). Asked once per event: the writer
	answers from the lease once per turn of the event loop (write-batcher.ts mayWriteSharedThisTurn).
	*/
	mayWrite(): boolean;
	/** The shared lease is held now: aggregates, analysis and publications are made only then. */
	canWrite(): boolean;
	/** One list entry given up (the batch was full): counted by the batching. */
	dropEntry(key: string): void;
	/** Flush soon. */
	schedule(): void;
	publish(channel: string, message: string): void;
	readonly instanceId: string;
	now(): number;
	/** Whether events also make history samples (the batch's rollups): with Redis only. */
	readonly history: boolean;
	/** Where the events' samples by time go: the writer's rollups, held across transactions (write-batcher.ts). */
	rollups(): RollupBatch;
	/** A training series' sample by step (the writer's step rollups). */
	stepSample(series: SeriesKey, step: number, value: number): void;
}

export class SeedProjection {
	/** The local day (YYYY-MM-DD, by this instance's clock) the completed_today counter is counting. */
	private counterDay: string | undefined;
	/**
	Completions counted since this instance became the writer, while the day of the count in Redis is not yet known
	(undefined once it is): what completed_today is set to if Redis's count turns out to be another day's.
	*/
	private countedSinceAcquired: number | undefined;
	/** The pending batch that already carries `completed_day`. */
	private dayWrittenIn: object | undefined;
	/** [start, end) in epoch ms of `counterDay`, so most completions need no Date. */
	private dayRange: [number, number] = [0, 0];
	/** Each project's latest values since the last flush (the `current` hash is last-write-wins). */
	private readonly currentTraining = new Map<string, {loss: number; wer: number | undefined; timestamp: string | number}>();
	/** Key names per project, built once: the hot path then hashes the same string objects. */
	private readonly projectKeys = new Map<string, {loss: string; wer: string; current: string}>();
	private readonly agentKeys = new Map<string, {performance: string; workload: string}>();
	private readonly analysisDirty = new Set<string>();
	private readonly dirtyAgents = new Set<string>();
	private tasksDirty = true;
	private agentsDirty = true;
	private readonly seriesNames = new SeriesNames();
	/** Where events' history samples go: by time into the writer's held rollups, by step to the writer's step rollups. */
	private readonly historySink: SampleSink = {
		sample: (series, timeMs, value) => this.sink.rollups().sampleKey(series, timeMs, value),
		stepSample: (series, step, value) => this.sink.stepSample(series, step, value),
	};

	constructor(
		private readonly store: MetricsStore,
		private readonly sink: ProjectionSink,
	) {}

	/** Latest training values waiting to become `current` hash writes. */
	get holdsCurrent(): boolean {
		return this.currentTraining.size > 0;
	}

	/** Forget the waiting `current` values (the shared lease was lost with the batch they belong to). */
	discardCurrent(): void {
		this.currentTraining.clear();
	}

	private keysOf(projectId: string): {loss: string; wer: string; current: string} {
		let k = this.projectKeys.get(projectId);
		if (k === undefined) {
			if (this.projectKeys.size >= 10_000) this.projectKeys.clear();
			k = {loss: keys.trainingLoss(projectId), wer: keys.trainingWer(projectId), current: keys.trainingCurrent(projectId)};
			this.projectKeys.set(projectId, k);
		}
		return k;
	}

	/** Key names per agent, built once (as projectKeys): a completion and a status event each write one. */
	private agentKeysOf(agent: string): {performance: string; workload: string} {
		let k = this.agentKeys.get(agent);
		if (k === undefined) {
			if (this.agentKeys.size >= 10_000) this.agentKeys.clear();
			k = {performance: keys.agentPerformance(agent), workload: keys.agentWorkload(agent)};
			this.agentKeys.set(agent, k);
		}
		return k;
	}

	/** Move the remembered latest training values into the shared batch as `current` hash writes. */
	materializeCurrent(): void {
		const batch = this.sink.shared();
		for (const [projectId, latest] of this.currentTraining) batch.hset(this.keysOf(projectId).current, trainingCurrentFields(latest));
		this.currentTraining.clear();
	}

	/**
	Record one stored event's writes. Cheap: appends to the pending batch and schedules a flush. A task event stored
	box-wide only (its agent refused by store.maxAgents) writes the box-wide list and counters, never that agent's keys.
	*/
	onEvent(event: BusEvent, outcome: StoredOutcome = 'stored'): void {
		if (!this.sink.mayWrite()) return;
		const batch = this.sink.shared();
		if (this.sink.history) sampleEvent(event, this.seriesNames, this.historySink);
		switch (event.kind) {
			case 'training': {
				const projectKeys = this.keysOf(event.projectId);
				// The entries are encoded straight into the batch's bytes (no entry string is built); `dropped` counts
				// list entries, like every other drop of the writer.
				if (!batch.pushStep(projectKeys.loss, event.step, event.loss, event.timestamp, TTL_SECONDS.training)) this.sink.dropEntry(projectKeys.loss);
				if (event.wer !== undefined && !batch.pushStep(projectKeys.wer, event.step, event.wer, event.timestamp, TTL_SECONDS.training))
					this.sink.dropEntry(projectKeys.wer);
				// The current hash only needs each project's last values of the batch: remember them, format at flush.
				const current = this.currentTraining.get(event.projectId);
				if (current === undefined) this.currentTraining.set(event.projectId, {loss: event.loss, wer: event.wer, timestamp: event.timestamp});
				else {
					current.loss = event.loss;
					if (event.wer !== undefined) current.wer = event.wer;
					current.timestamp = event.timestamp;
				}
				this.analysisDirty.add(event.projectId);
				break;
			}
			case 'task': {
				const perAgent = outcome === 'stored';
				if (DONE_STATUSES.has(event.status)) {
					this.rollCounterDay();
					// The counters move with the list entry, in the same batch (one MULTI/EXEC), or not at all.
					if (batch.push(keys.tasksCompletionTimes, completionEntry(event), TTL_SECONDS.tasks)) {
						batch.incr(keys.tasksCounters, 'completed_today');
						// The day goes with the batch's first increment (a batch is one MULTI/EXEC: once is enough).
						if (this.dayWrittenIn !== batch) {
							batch.hset(keys.tasksCounters, {completed_day: this.counterDay!});
							this.dayWrittenIn = batch;
						}
						if (perAgent) batch.incr(this.agentKeysOf(event.agent).performance, 'tasks_completed');
						if (this.countedSinceAcquired !== undefined) this.countedSinceAcquired += 1;
					} else this.sink.dropEntry(keys.tasksCompletionTimes);
					this.tasksDirty = true;
					if (perAgent) this.dirtyAgents.add(event.agent);
				} else if (FAILED_STATUSES.has(event.status) && perAgent) {
					this.dirtyAgents.add(event.agent);
				}
				break;
			}
			case 'agent':
				batch.setMember(keys.agentsActive, event.agentType, event.status === 'busy');
				batch.hset(this.agentKeysOf(event.agentType).workload, {current_tasks: String(event.taskCount)});
				this.agentsDirty = true;
				break;
			case 'workflow':
				{
					const key = keys.workflowStepDurations(event.workflowId, event.stepId);
					if (!batch.push(key, workflowEntry(event.durationSeconds, event.timeMs), TTL_SECONDS.workflow)) this.sink.dropEntry(key);
				}
				break;
			case 'error':
			case 'external-alert':
				return;
		}
		this.sink.schedule();
	}

	/**
	completed_today counts the completions this instance's clock puts in today (local time): a new day starts it at 0
	in the batch that carries the day's first increments. Never moved by a message's timestamp. The first day seen
	after start is adopted as it is (hydration read today's count).
	*/
	private rollCounterDay(): void {
		// Once per completion: the day's stamp is formatted again only when the clock leaves the day last seen.
		const now = this.sink.now();
		if (now >= this.dayRange[0] && now < this.dayRange[1]) return;
		this.dayRange = localDayRange(now);
		const day = localDayStamp(now);
		if (this.counterDay !== undefined && day !== this.counterDay) {
			this.sink.shared().resetCounter(keys.tasksCounters, 'completed_today');
			this.sink.shared().hset(keys.tasksCounters, {completed_day: day});
			if (this.countedSinceAcquired !== undefined) this.countedSinceAcquired = 0;
		}
		this.counterDay = day;
	}

	/** This instance just became the writer: count completions until the day of Redis's count is known. */
	noteAcquired(): void {
		this.countedSinceAcquired = 0;
	}

	/**
	The day Redis's completed_today belongs to (its `completed_day` field, read when this instance became the writer;
	undefined when absent, as written by older versions: then it is taken to be today's). Another day's count (the
	previous writer died before midnight, or this box restarts the next day) starts again from what this instance
	counted since it became the writer, instead of carrying yesterday's completions into today.
	*/
	adoptStoredDay(storedDay: string | undefined): void {
		this.rollCounterDay();
		const counted = this.countedSinceAcquired ?? 0;
		this.countedSinceAcquired = undefined;
		if (storedDay === undefined || storedDay === this.counterDay) return;
		this.sink.shared().resetCounter(keys.tasksCounters, 'completed_today', counted);
		this.sink.shared().hset(keys.tasksCounters, {completed_day: this.counterDay!});
		this.sink.schedule();
	}

	/** Queue the aggregates that changed: task SLA figures, per-agent performance, load balance. */
	queueAggregates(): void {
		if (!this.sink.canWrite()) return;
		const now = this.sink.now();
		this.store.rollDay(now);
		this.rollCounterDay();
		const batch = this.sink.shared();
		const figures = systemFigures(this.store, now);
		if (this.tasksDirty || this.store.completions.length > 0) {
			// Recomputed every period even without new events: the last-hour window moves.
			const agg = figures.tasks;
			batch.hset(keys.tasksAggregated, {
				throughput_per_hour: figure(agg.throughputPerHour),
				avg_duration_seconds: figure(agg.avgDurationSeconds),
				sla_compliance_percent: figure(agg.slaCompliancePercent),
			});
			this.tasksDirty = false;
		}
		for (const agentType of this.dirtyAgents) {
			const agent = this.store.agents.get(agentType);
			if (agent === undefined) continue;
			const finished = agent.completed + agent.failed;
			// tasks_completed is a counter, incremented with each completion's list entry (onEvent).
			batch.hset(keys.agentPerformance(agentType), {
				avg_duration_seconds: figure(averageDuration(agent)),
				error_rate_percent: figure(finished === 0 ? 0 : (agent.failed / finished) * 100),
			});
		}
		this.dirtyAgents.clear();
		if (this.agentsDirty) {
			const lb = figures.loadBalance;
			batch.hset(keys.agentsLoadBalance, {variance_percent: figure(lb.variancePercent), avg_tasks_per_agent: figure(lb.avgTasksPerAgent)});
			this.agentsDirty = false;
		}
		if (!batch.isEmpty) this.sink.schedule();
	}

	/** Queue the seed's training analysis hash for projects that changed since the last round. */
	queueAnalysis(): void {
		if (!this.sink.canWrite()) {
			this.analysisDirty.clear();
			return;
		}
		const batch = this.sink.shared();
		for (const projectId of this.analysisDirty) {
			const series = this.store.projects.get(projectId);
			if (series === undefined) continue;
			const a = trendOfTail(series.loss, series.loss.capacity);
			batch.hset(keys.trainingAnalysis(projectId), {
				trend: a.trend,
				slope: String(a.slope),
				volatility: String(a.volatility),
				converged: a.converged ? 'true' : 'false',
			});
		}
		this.analysisDirty.clear();
		if (!batch.isEmpty) this.sink.schedule();
	}

	/** The seed's events:dashboard:update payload (every 5 s). */
	publishDashboard(): void {
		if (!this.sink.canWrite()) return;
		const now = this.sink.now();
		const figures = systemFigures(this.store, now);
		const agg = figures.tasks;
		const lb = figures.loadBalance;
		const projects: Record<string, {currentLoss: number | string; lastUpdated: string; lossTrend: Array<{step: number; value: number | string}>}> = {};
		for (const [id, series] of this.store.projects) {
			const last = series.loss.lastValue();
			projects[id] = {
				currentLoss: last === undefined ? 0 : Number.isFinite(last) ? last : String(last),
				lastUpdated: isoTime(series.lastUpdatedMs),
				lossTrend: series.loss.tail(50).map((p) => ({step: p.x, value: Number.isFinite(p.value) ? p.value : String(p.value)})),
			};
			if (Object.keys(projects).length >= 50) break;
		}
		const payload = {
			training: projects,
			tasks: {
				throughputPerHour: agg.throughputPerHour,
				avgDurationSeconds: agg.avgDurationSeconds,
				slaCompliancePercent: agg.slaCompliancePercent,
				recentCompletions: this.store.completions.newest(100).map((c) => ({timestamp: isoTime(c.timeMs), duration: c.durationSeconds, agent: c.agent})),
			},
			agents: {activeCount: figures.busyAgents, loadVariancePercent: lb.variancePercent, avgTasksPerAgent: lb.avgTasksPerAgent},
			timestamp: new Date(now).toISOString(),
			source: messageSource(this.sink.instanceId),
		};
		this.sink.publish(OUTPUT_CHANNELS.dashboardUpdate, JSON.stringify(payload));
	}

	/** The seed's agent rankings: the hash for task-distributor and an insight message (every 5 min). */
	publishRankings(): void {
		if (!this.sink.canWrite() || this.store.agents.size === 0) return;
		const rankings = rankAgents(
			[...this.store.agents].map(([agentType, a]) => {
				const finished = a.completed + a.failed;
				return {
					agentType,
					tasksCompleted: a.completed,
					avgDurationSeconds: averageDuration(a),
					errorRatePercent: finished === 0 ? 0 : (a.failed / finished) * 100,
				};
			}),
		);
		this.sink.shared().hset(keys.agentsRankings, {performance_ranked: JSON.stringify(rankings)});
		this.sink.schedule();
		this.sink.publish(
			OUTPUT_CHANNELS.insightsAgentPerformance,
			JSON.stringify({type: 'performance_rankings_updated', rankings, timestamp: new Date(this.sink.now()).toISOString(), source: messageSource(this.sink.instanceId)}),
		);
	}
}
