/**
A zoomed live chart's caches from one redraw to the next: per series (a project's loss or WER) the smoothed values
and the fine columns of the raw and smoothed lines, so a redraw with a new point folds it into a column or two and
continues the average instead of recomputing both over every point. The frame is the same as without the caches
(property-tested); a change of window, size, options or x range simply misses them. Pure: caches in, caches out.
*/
import {type Tone} from '../format/theme.js';
import {downsample, xExtent} from './downsample.js';
import {ascendingExtent, liveColumns, type ColumnsCache, type LivePoints} from './live-columns.js';
import {liveSmoothed, type SmoothCache} from './live-smoothing.js';
import {rawAndSmoothed} from './pane-series.js';
import {type ChartData, type ChartSeries} from './render-chart.js';

export interface LiveCache {
	readonly smooth?: SmoothCache;
	readonly raw?: ColumnsCache;
	readonly smoothed?: ColumnsCache;
}

/** Where a chart series came from: a live series' raw or smoothed line, under its cache key. */
interface LiveOrigin {
	readonly key: string;
	readonly kind: 'raw' | 'smoothed';
	readonly first: number;
	readonly changed?: readonly [number, number];
}

/** The series of one redraw's charts and the caches they leave for the next. */
export class LiveFrame {
	private readonly next = new Map<string, LiveCache>();
	private readonly origins = new Map<ChartSeries, LiveOrigin>();
	constructor(private readonly prev: ReadonlyMap<string, LiveCache>) {}

	/** A live series as raw (faint) and smoothed lines (rawAndSmoothed), the average continued from the cache. */
	rawAndSmoothed(key: string, name: string, points: LivePoints, weight: number, tone: Tone, overlaid: boolean): ChartSeries[] {
		const smooth = liveSmoothed(this.prev.get(key)?.smooth, points.ys, points.first, weight);
		this.next.set(key, {...this.next.get(key), smooth: smooth.cache});
		const [raw, smoothed] = rawAndSmoothed(name, points, weight, tone, overlaid, smooth.cache.values);
		this.origins.set(raw!, {key, kind: 'raw', first: points.first});
		this.origins.set(smoothed!, {key, kind: 'smoothed', first: points.first, changed: smooth.changed});
		return [raw!, smoothed!];
	}

	/** renderChart's extent and columns: from the caches for live series, a scan and `downsample` for the others. */
	readonly data: ChartData = {
		extent: (s) => {
			const origin = this.origins.get(s);
			return (origin === undefined ? undefined : ascendingExtent(this.prev.get(origin.key)?.raw, {xs: s.xs, ys: s.ys, first: origin.first})) ?? xExtent(s);
		},
		columns: (s, x0, x1, columns) => {
			const origin = this.origins.get(s);
			if (origin === undefined) return downsample(s, x0, x1, columns);
			const cache = liveColumns(this.prev.get(origin.key)?.[origin.kind], {xs: s.xs, ys: s.ys, first: origin.first}, x0, x1, columns, origin.changed);
			this.next.set(origin.key, {...this.next.get(origin.key), [origin.kind]: cache});
			return cache.columns;
		},
	};

	/** The caches for the next redraw (series not drawn this time are dropped). */
	caches(): ReadonlyMap<string, LiveCache> {
		return this.next;
	}
}
