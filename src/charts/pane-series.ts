/**
The series each zoomed pane draws, from in-memory arrays or history buckets: a loss as raw (faint) and smoothed
(bright, TensorBoard's debiased EMA; a live chart passes the one it keeps up to date), several projects or agents in distinct tones, GPU readings. Pure.
*/
import {debiasedEmaArray} from '../analysis/smoothing.js';
import {type Tone} from '../format/theme.js';
import {type SeriesPoints} from './downsample.js';
import {type ChartSeries} from './render-chart.js';

/** Tones for overlaid series, in order. */
const SERIES_TONES: readonly Tone[] = ['accent', 'secondary', 'ok', 'warn', 'info'];

export function seriesTone(i: number): Tone {
	return SERIES_TONES[i % SERIES_TONES.length]!;
}

/**
A series drawn twice: its raw points faint (bucket extremes kept) and its debiased EMA bright. Alone, both are in
the legend ("raw", "smoothed 0.6"); overlaid with others, only the smoothed line is, under the series' name.
*/
export function rawAndSmoothed(name: string, points: SeriesPoints, weight: number, tone: Tone, overlaid: boolean, smoothed: ArrayLike<number> = debiasedEmaArray(points.ys, weight)): ChartSeries[] {
	return [
		{...points, name: overlaid ? `${name} raw` : `${name} raw`, tone, faint: true, legend: !overlaid},
		{xs: points.xs, ys: smoothed, name: overlaid ? name : `${name} smoothed ${weight}`, tone},
	];
}

/** Values as a percentage of another reading (memory used of total, power of its limit); NaN where unknown. */
export function percentOf(values: ArrayLike<number>, total: number | undefined): Float64Array {
	const out = new Float64Array(values.length);
	for (let i = 0; i < values.length; i++) out[i] = total !== undefined && total > 0 ? (values[i]! / total) * 100 : Number.NaN;
	return out;
}
