/**
What a scrape reads, built straight from the store and the parts: the metrics' subset of the UI's snapshot without
its costlier parts (the trend analysis of every project over up to 2,000 points, recent rejects, workflows). A
project's figures are cached by its version, so a scrape re-reads only the projects that changed since the last.
*/
import {type MetricsStore, type ProjectSeries} from '../store/metrics-store.js';
import {systemFigures} from '../analysis/system-figures.js';
import {type MetricsSnapshot, type TrainingFigures} from './families.js';

/** Losses the smoothed loss is computed over: the training pane's sparkline tail (SNAPSHOT_TAIL in store/snapshot.ts). */
const LOSS_TAIL = 240;

export interface MetricsSources {
	readonly store: MetricsStore;
	readonly host: string;
	readonly bus: () => MetricsSnapshot['bus'];
	readonly writer: () => MetricsSnapshot['writer'];
	readonly gpu: () => MetricsSnapshot['gpu'];
	readonly alerts: () => MetricsSnapshot['alerts'];
}

const figuresCache = new WeakMap<ProjectSeries, {readonly version: number; readonly figures: TrainingFigures}>();

function trainingFigures(projectId: string, series: ProjectSeries): TrainingFigures {
	const hit = figuresCache.get(series);
	if (hit !== undefined && hit.version === series.version) return hit.figures;
	const figures: TrainingFigures = {
		projectId,
		points: series.loss.length,
		lastLoss: series.loss.lastValue(),
		lastWer: series.wer?.lastValue(),
		lastStep: series.lastStep,
		lastUpdatedMs: series.lastUpdatedMs,
		lastSeenMs: series.lastSeenMs,
		lossTail: series.loss.tailValues(LOSS_TAIL),
	};
	figuresCache.set(series, {version: series.version, figures});
	return figures;
}

/** The metrics' view of mycotop at `now`. Reads memory only. */
export function metricsSnapshot(sources: MetricsSources, now: number): MetricsSnapshot {
	const {store} = sources;
	const figures = systemFigures(store, now);
	const {counters} = store;
	const writer = sources.writer();
	return {
		takenAtMs: now,
		idleAfterMs: store.limits.idleAfterMs,
		host: sources.host,
		bus: sources.bus(),
		// Copies: the store and the writer count on while a scrape renders (it yields between metrics), and one
		// scrape's counters must add up (received = stored + rejected + refused), as the UI snapshot's do.
		counters: {received: counters.received, stored: counters.stored, rejected: counters.rejected, refusedBy: {...counters.refusedBy}, partlyRefusedBy: {...counters.partlyRefusedBy}, evictedBy: {...counters.evictedBy}},
		writer: writer === undefined ? undefined : {entriesWritten: writer.entriesWritten, dropped: writer.dropped, pendingEntries: writer.pendingEntries},
		// In the store's order (first seen first), stable from one scrape to the next; unsorted (Prometheus needs no order).
		training: [...store.projects].map(([id, series]) => trainingFigures(id, series)),
		tasks: {...figures.tasks, completedToday: store.completedToday},
		agents: [...store.agents].map(([agent, a]) => ({agent, status: a.status, currentTasks: a.currentTasks, lastSeenMs: a.lastSeenMs, readBackMs: a.readBackMs})),
		loadBalance: figures.loadBalance,
		gpu: sources.gpu(),
		alerts: sources.alerts(),
	};
}
