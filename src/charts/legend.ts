/** A series' legend figures: its latest value (non-finite spelled out), min and max; and how each value is written. Pure. */
import {formatCount, formatMb, formatValue} from '../format/units.js';
import {type SeriesPoints} from './downsample.js';
import {type YUnit} from './ticks.js';

export interface LegendFigures {
	/** The value at the largest x (NaN stays NaN: the latest step was not finite). */
	readonly latest: number | undefined;
	readonly min: number | undefined;
	readonly max: number | undefined;
	/** Non-finite samples in the series. */
	readonly nonFinite: number;
}

/** Latest, min and max of a series over [x0, x1] (bucket extremes count). */
export function legendFigures(points: SeriesPoints, x0 = Number.NEGATIVE_INFINITY, x1 = Number.POSITIVE_INFINITY): LegendFigures {
	let latest: number | undefined;
	let latestX = Number.NEGATIVE_INFINITY;
	let min = Number.POSITIVE_INFINITY;
	let max = Number.NEGATIVE_INFINITY;
	let nonFinite = 0;
	const {xs, ys, mins, maxs} = points;
	for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
		const x = xs[i]!;
		if (!(x >= x0 && x <= x1)) continue;
		const y = ys[i]!;
		if (x >= latestX) {
			latestX = x;
			latest = y;
		}
		nonFinite += points.nonFinite?.[i] ?? 0;
		if (!Number.isFinite(y)) {
			if (points.nonFinite === undefined) nonFinite += 1;
			continue;
		}
		const lo = mins?.[i] ?? y;
		const hi = maxs?.[i] ?? y;
		if (lo < min) min = lo;
		if (hi > max) max = hi;
	}
	return {latest, min: min <= max ? min : undefined, max: min <= max ? max : undefined, nonFinite};
}

/** A value as the legend writes it, in its unit. */
export function legendValue(value: number | undefined, unit: YUnit, degrees = '°C'): string {
	if (value === undefined) return '-';
	if (!Number.isFinite(value)) return formatValue(value);
	switch (unit) {
		case 'percent':
			return `${Math.round(value)}%`;
		case 'share':
			return `${(value * 100).toFixed(1)}%`;
		case 'mb':
			return formatMb(value);
		case 'celsius':
			return `${Math.round(value)}${degrees}`;
		case 'watts':
			return `${Math.round(value)}W`;
		case 'per-hour':
			return `${formatCount(Math.round(value * 10) / 10)}/h`;
		case 'count':
			return formatCount(Math.round(value * 100) / 100);
		case 'plain':
			return formatValue(value);
	}
}
