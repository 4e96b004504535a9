/** A series' legend figures: its latest value (non-finite spelled out), min and max; and how each value is written. Pure. */
import {formatCount, formatMb, formatValue} from '../format/units.js';
import {type Columns} from './downsample.js';
import {type YUnit} from './ticks.js';

export interface LegendFigures {
	/** The value at the largest x (NaN stays NaN: the latest step was not finite). */
	readonly latest: number | undefined;
	readonly min: number | undefined;
	readonly max: number | undefined;
	/** Non-finite samples in the series. */
	readonly nonFinite: number;
}

/** Latest, min and max of a series from its columns (every point inside the x range was folded into them). */
export function legendFigures(columns: Columns): LegendFigures {
	let min = Number.POSITIVE_INFINITY;
	let max = Number.NEGATIVE_INFINITY;
	let nonFinite = 0;
	for (let c = 0; c < columns.count.length; c++) {
		nonFinite += columns.nonFinite[c]!;
		if (columns.count[c] === 0) continue;
		if (columns.min[c]! < min) min = columns.min[c]!;
		if (columns.max[c]! > max) max = columns.max[c]!;
	}
	return {latest: columns.latest, min: min <= max ? min : undefined, max: min <= max ? max : undefined, nonFinite};
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
