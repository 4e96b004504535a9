/**
Immutable snapshots of the store for the UI, the headless log and `--once --json`, published at most 10 times a
second (and at least once a second, for the clock). Per-project summaries are cached by the project's version,
so a snapshot of 1,000 quiet projects costs almost nothing.
*/
import {type TrendAnalysis} from '../analysis/training-trend.js';
import {trendOfTail} from '../analysis/trend-window.js';
import {type Completion, type TaskAggregates} from '../analysis/task-aggregates.js';
import {type LoadBalance} from '../analysis/load-balance.js';
import {systemFigures} from '../analysis/system-figures.js';
import {lossEta, targetLossFor, type LossEta} from '../analysis/loss-eta.js';
import {slaBudgetOfColumns, type SlaBudget} from '../analysis/sla-budget.js';
import {DEFAULT_FORECASTS, type ForecastSettings} from '../analysis/forecast-settings.js';
import {type BusStatus} from '../bus/bus-manager.js';
import {every, type Periodic} from '../periodic.js';
import {type WriterStats} from '../writer/seed-writer.js';
import {type FamilyCounts} from '../writer/key-family.js';
import {type GpuSnapshot} from '../gpu/gpu-snapshot.js';
import {type HostView} from '../host/host-sampler.js';
import {type RedisHealth} from '../redis-health/info-parse.js';
import {type AlertsSnapshot} from '../rules/alert-snapshot.js';
import {type ExternalAlert} from '../contract/events.js';
import {type FleetSnapshot} from '../fleet/fleet-view.js';
import {averageDuration, type MetricsStore, type ProjectSeries, type RejectRecord, type TimeCounters} from './metrics-store.js';
import {compareIds} from '../format/id-order.js';

/** Points of each series carried in a snapshot (enough for the widest sparkline). */
const SNAPSHOT_TAIL = 240;

export interface ProjectSummary {
	readonly projectId: string;
	readonly points: number;
	readonly lastLoss: number | undefined;
	readonly lastWer: number | undefined;
	readonly lastStep: number;
	readonly lastUpdatedMs: number;
	/** When the project was last heard from (its newest time stamp; `lastUpdatedMs` is the last one to arrive). */
	readonly lastSeenMs?: number;
	/** Oldest first. */
	readonly lossTail: readonly number[];
	readonly werTail: readonly number[];
	readonly analysis: TrendAnalysis;
	/** ETA to the configured target loss (`training:` in the config), when a target is set and the fit gives one. */
	readonly eta?: LossEta;
}

export interface AgentSummary {
	readonly agent: string;
	readonly status: 'busy' | 'idle' | 'unknown';
	readonly currentTasks: number;
	readonly completed: number;
	readonly failed: number;
	readonly avgDurationSeconds: number;
	readonly lastSeenMs: number;
	/** When its figures were read back from Redis at start (an agent without a message since); see liveness.ts. */
	readonly readBackMs?: number;
}

export interface Snapshot {
	readonly takenAtMs: number;
	readonly host: string;
	readonly instanceId: string;
	readonly bus: BusStatus;
	readonly counters: {
		readonly received: number;
		readonly stored: number;
		readonly rejected: number;
		readonly refused: number;
		/** History entries and keys skipped at start (hydration): not messages, so in none of the counts above. */
		readonly hydrationRejected?: number;
		readonly refusedBy: Readonly<Record<string, number>>;
		/** Messages stored with a part refused by a cap (a completion from an agent over store.maxAgents): in `stored`. */
		readonly partlyRefusedBy?: Readonly<Record<string, number>>;
		/** Idle projects and agents evicted to make room for new ones (not messages). */
		readonly evictedBy?: Readonly<Record<string, number>>;
		readonly rejectReasons: Readonly<Record<string, number>>;
		readonly recentRejects: readonly RejectRecord[];
		/** Messages stored with an adjusted time (future stamps clamped, µs/ns converted); see contract/limits.ts. */
		readonly time?: Readonly<TimeCounters>;
	};
	readonly writer: WriterStats | undefined;
	/** `--once`: the list entries every writer reported as given up (mycotop:writes:dropped), by key family. */
	readonly writesDroppedInRedis?: FamilyCounts;
	readonly training: readonly ProjectSummary[];
	readonly tasks: TaskAggregates & {
		readonly completedToday: number;
		readonly recent: readonly Completion[];
		readonly lastHourDurations: readonly number[];
		/** The SLA's error budget (`sla:` in the config); absent without a timed task in its window. */
		readonly budget?: SlaBudget;
	};
	readonly agents: readonly AgentSummary[];
	readonly loadBalance: LoadBalance;
	readonly workflows: ReadonlyArray<{readonly workflowId: string; readonly stepId: string; readonly count: number; readonly avgSeconds: number}>;
	readonly criticalErrors: ReadonlyArray<{readonly errorId: string; readonly message?: string; readonly timeMs: number}>;
	readonly externalAlerts: readonly ExternalAlert[];
	readonly gpu: GpuSnapshot | undefined;
	readonly alerts: AlertsSnapshot | undefined;
	/** The host's /proc figures and the dataloader hint; absent when host sampling is off. */
	readonly hostView?: HostView;
	/** Redis's own health (INFO, SLOWLOG LEN, PING round trip); absent without Redis. */
	readonly redisHealth?: RedisHealth;
	/** The host registry as last read (src/fleet): the hosts pane; absent without a fleet part. */
	readonly fleet?: FleetSnapshot;
}

export interface SnapshotSources {
	readonly store: MetricsStore;
	readonly host: string;
	readonly instanceId: string;
	readonly bus: () => BusStatus;
	readonly writer?: () => WriterStats | undefined;
	readonly gpu?: () => GpuSnapshot | undefined;
	readonly alerts?: () => AlertsSnapshot | undefined;
	readonly hostView?: () => HostView | undefined;
	readonly redisHealth?: () => RedisHealth | undefined;
	/** The SLA budget's settings and the target losses; default: 90 % over 24 h, no targets. */
	readonly forecasts?: ForecastSettings;
	readonly fleet?: () => FleetSnapshot | undefined;
}

const summaryCache = new WeakMap<ProjectSeries, {version: number; target: number | undefined; summary: ProjectSummary}>();

/**
A project's ETA is refitted at most every 5 s of its own time (a fit reads up to 2,000 points; at 100 projects
changing every snapshot that was 20 ms a snapshot): in between the last one stands, counting down by its `atMs`.
*/
const ETA_REFIT_MS = 5000;
const etaCache = new WeakMap<ProjectSeries, {target: number; fittedAtMs: number; eta: LossEta | undefined}>();

function etaOf(series: ProjectSeries, target: number): LossEta | undefined {
	const cached = etaCache.get(series);
	const newest = series.lastUpdatedMs;
	if (cached !== undefined && cached.target === target && newest >= cached.fittedAtMs && newest - cached.fittedAtMs < ETA_REFIT_MS) return cached.eta;
	const eta = lossEta(series.loss.tail(2000), target);
	etaCache.set(series, {target, fittedAtMs: newest, eta});
	return eta;
}

function summarizeProject(projectId: string, series: ProjectSeries, target: number | undefined): ProjectSummary {
	const cached = summaryCache.get(series);
	if (cached !== undefined && cached.version === series.version && cached.target === target) return cached.summary;
	const eta = target === undefined ? undefined : etaOf(series, target);
	const lossTail = series.loss.tailValues(SNAPSHOT_TAIL);
	const summary: ProjectSummary = {
		projectId,
		points: series.loss.length,
		lastLoss: series.loss.lastValue(),
		lastWer: series.wer?.lastValue(),
		lastStep: series.lastStep,
		lastUpdatedMs: series.lastUpdatedMs,
		lastSeenMs: series.lastSeenMs,
		lossTail,
		werTail: series.wer?.tailValues(SNAPSHOT_TAIL) ?? [],
		// The trend over the retained window (bounded by the ring): the seed's analysis, on what the user sees.
		analysis: trendOfTail(series.loss, 2000),
		...(eta !== undefined ? {eta} : {}),
	};
	summaryCache.set(series, {version: series.version, target, summary});
	return summary;
}

export function buildSnapshot(sources: SnapshotSources, now: number): Snapshot {
	const {store} = sources;
	const forecasts = sources.forecasts ?? DEFAULT_FORECASTS;
	const training = [...store.projects].map(([id, series]) => summarizeProject(id, series, targetLossFor(forecasts.training, id))).sort((a, b) => compareIds(a.projectId, b.projectId));
	// The store's completion ring gives the figures and the budget from its columns (no record copied, no sort).
	const figures = systemFigures(store, now);
	const budget = slaBudgetOfColumns(store.completions.columns(), now, forecasts.sla);
	const agents: AgentSummary[] = [...store.agents]
		.map(([agent, a]) => ({
			agent,
			status: a.status,
			currentTasks: a.currentTasks,
			completed: a.completed,
			failed: a.failed,
			avgDurationSeconds: averageDuration(a),
			lastSeenMs: a.lastSeenMs,
			...(a.readBackMs !== undefined ? {readBackMs: a.readBackMs} : {}),
		}))
		.sort((a, b) => compareIds(a.agent, b.agent));
	return {
		takenAtMs: now,
		host: sources.host,
		instanceId: sources.instanceId,
		bus: sources.bus(),
		counters: {
			received: store.counters.received,
			stored: store.counters.stored,
			rejected: store.counters.rejected,
			refused: store.counters.refused,
			hydrationRejected: store.counters.hydrationRejected,
			refusedBy: {...store.counters.refusedBy},
			partlyRefusedBy: {...store.counters.partlyRefusedBy},
			evictedBy: {...store.counters.evictedBy},
			rejectReasons: Object.fromEntries(store.counters.rejectReasons),
			recentRejects: store.recentRejects.newest(20),
			time: {...store.counters.time},
		},
		writer: sources.writer?.() === undefined ? undefined : {...sources.writer()!},
		training,
		tasks: {
			...figures.tasks,
			completedToday: store.completedToday,
			recent: store.completions.newest(50),
			lastHourDurations: figures.lastHourDurations,
			...(budget !== undefined ? {budget} : {}),
		},
		agents,
		loadBalance: figures.loadBalance,
		workflows: [...store.workflowSteps.values()].slice(0, 200).map((w) => {
			const values = w.durations.tailValues(100);
			return {workflowId: w.workflowId, stepId: w.stepId, count: w.durations.length, avgSeconds: values.reduce((s, v) => s + v, 0) / Math.max(1, values.length)};
		}),
		criticalErrors: store.criticalErrors.newest(20),
		externalAlerts: store.externalAlerts.newest(50),
		gpu: sources.gpu?.(),
		alerts: sources.alerts?.(),
		...(sources.hostView?.() !== undefined ? {hostView: sources.hostView()!} : {}),
		...(sources.redisHealth?.() !== undefined ? {redisHealth: sources.redisHealth()!} : {}),
		...(sources.fleet?.() !== undefined ? {fleet: sources.fleet()!} : {}),
	};
}

/** JSON with NaN and ±Infinity kept as strings (JSON would turn them into null). */
export function snapshotToJson(value: unknown, indent?: number): string {
	return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), indent);
}

/** How much short of a second an unchanged snapshot is still rebuilt (its tick may come that much early). */
const REBUILD_SLACK_MS = 50;

/**
Publishes snapshots at most `maxHz` times a second, only when something changed (or once a second). Its tick is on the
shared schedule of periodic.ts (in the long-running modes): at the default refresh, the whole seconds the rules, the
leases and the polls already wake the dashboard for, not a moment of its own (one wake-up a second fewer), and after
the other jobs of that pass (the rules' tick) so their results are in the frame.
*/
export class SnapshotPublisher {
	private current: Snapshot;
	private lastVersion = -1;
	private lastBuiltMs = 0;
	private timer: Periodic | undefined;
	private started = false;
	private readonly listeners = new Set<() => void>();
	builds = 0;

	constructor(
		private readonly build: (now: number) => Snapshot,
		private readonly version: () => number,
		private readonly maxHz = 10,
		private readonly now: () => number = Date.now,
	) {
		this.lastBuiltMs = this.now();
		this.current = build(this.lastBuiltMs);
		this.lastVersion = version();
	}

	getSnapshot = (): Snapshot => this.current;

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		this.arm();
		return () => {
			this.listeners.delete(listener);
			this.arm();
		};
	};

	/**
	Tick while started and listened to. Nobody listening (headless) means no work at all, so no timer either: each
	wake-up of an otherwise idle process costs CPU (frame-ticks.ts).
	*/
	start(): void {
		this.started = true;
		this.arm();
	}

	stop(): void {
		this.started = false;
		this.arm();
	}

	private arm(): void {
		const wanted = this.started && this.listeners.size > 0;
		if (wanted && this.timer === undefined) {
			// Last in its pass of the shared schedule: the jobs due with it (the rules' tick) have run.
			this.timer = every(Math.round(1000 / this.maxHz), () => this.tick(), true, true);
		} else if (!wanted && this.timer !== undefined) {
			this.timer.stop();
			this.timer = undefined;
		}
	}

	/** Rebuild if the store changed or a second passed; notify listeners. Nobody listening (headless): no work. */
	tick(force = false): void {
		if (!force && this.listeners.size === 0) return;
		const now = this.now();
		const version = this.version();
		// Once a second even unchanged (ages, clocks): a tick on the shared schedule may come a millisecond early.
		if (!force && version === this.lastVersion && now - this.lastBuiltMs < 1000 - REBUILD_SLACK_MS) return;
		this.current = this.build(now);
		this.lastVersion = version;
		this.lastBuiltMs = now;
		this.builds += 1;
		for (const listener of this.listeners) listener();
	}
}
