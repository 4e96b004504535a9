/**
Linear and log y scales: a value to a fraction of the plot's height (0 bottom, 1 top), or where it falls outside.
A log scale maps log10(value); a value at or below zero has no place on it and is reported as `non-positive`, so the
chart can mark it instead of dropping it. Pure.
*/
import {type YRange} from './y-range.js';

type Placement =
	| {readonly kind: 'in'; readonly fraction: number}
	| {readonly kind: 'above'}
	| {readonly kind: 'below'}
	| {readonly kind: 'non-finite'}
	| {readonly kind: 'non-positive'};

export interface YScale {
	readonly log: boolean;
	/** The range in scale units (log10 on a log scale). */
	readonly range: YRange;
	place(value: number): Placement;
	/** A value in scale units back to data units (for tick labels). */
	value(unit: number): number;
}

export function yScale(range: YRange, log: boolean): YScale {
	const span = range.max - range.min;
	return {
		log,
		range,
		place(value) {
			if (!Number.isFinite(value)) return {kind: 'non-finite'};
			if (log && value <= 0) return {kind: 'non-positive'};
			const u = log ? Math.log10(value) : value;
			// A relative tolerance, so a value printed as the bound is never called an outlier by rounding.
			const eps = Math.abs(span) * 1e-9;
			if (u > range.max + eps) return {kind: 'above'};
			if (u < range.min - eps) return {kind: 'below'};
			return {kind: 'in', fraction: span > 0 ? Math.min(1, Math.max(0, (u - range.min) / span)) : 0.5};
		},
		value: (unit) => (log ? 10 ** unit : unit),
	};
}
