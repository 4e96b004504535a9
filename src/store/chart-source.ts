/**
The in-memory series behind the zoomed charts: a project's whole retained loss and WER (10,000 points by default),
each agent's load and the task completions. Reads the store's rings on demand (arrays cached per project version; a
training series copies only its new points, src/store/ring-mirror.ts), never on every snapshot. GPU history comes
with each GPU row (gpu/gpu-store.ts `gpuHistory`).
*/
import {type Completion} from '../analysis/task-aggregates.js';
import {type MetricsStore, type ProjectSeries} from './metrics-store.js';
import {type SeriesRing} from './ring-buffer.js';
import {RingMirror} from './ring-mirror.js';

/** A series as arrays, oldest first: `xs` the steps (training) or the times. */
interface SeriesArrays {
	readonly xs: Float64Array;
	readonly values: Float64Array;
	readonly times: Float64Array;
	/** The serial number of the first point (the ring's `firstSerial`): a live chart's caches line up by it. */
	readonly first: number;
}

export interface TrainingSeries {
	readonly loss: SeriesArrays;
	readonly wer: SeriesArrays | undefined;
	/** Changes whenever the project gets a point. */
	readonly version: number;
}

export interface ChartSource {
	training(projectId: string): TrainingSeries | undefined;
	/** An agent's current task count over time (xs are times). */
	agentLoad(agent: string): SeriesArrays | undefined;
	/** Completions kept in memory, oldest first. */
	completions(): readonly Completion[];
}

export function storeChartSource(store: MetricsStore): ChartSource {
	const cache = new WeakMap<ProjectSeries, TrainingSeries>();
	// A training series is read for each new point of a zoomed project: only its new points are copied.
	const mirrors = new WeakMap<SeriesRing, RingMirror>();
	const mirrored = (ring: SeriesRing): SeriesArrays => {
		let mirror = mirrors.get(ring);
		if (mirror === undefined) mirrors.set(ring, (mirror = new RingMirror()));
		return mirror.sync(ring);
	};
	return {
		training(projectId) {
			const series = store.projects.get(projectId);
			if (series === undefined) return undefined;
			const hit = cache.get(series);
			if (hit !== undefined && hit.version === series.version) return hit;
			const out: TrainingSeries = {loss: mirrored(series.loss), wer: series.wer === undefined ? undefined : mirrored(series.wer), version: series.version};
			cache.set(series, out);
			return out;
		},
		agentLoad(agent) {
			const ring = store.agentLoad.get(agent);
			if (ring === undefined) return undefined;
			const c = ring.columns();
			return {xs: c.times, values: c.values, times: c.times, first: ring.firstSerial};
		},
		completions: () => store.completions.toArray(),
	};
}
