/**
Y-axis ticks: "nice" values (1, 2 or 5 times a power of ten) inside a range, decades on a log scale, and their
labels in the series' unit (%, MB/GB, °C, W, per hour). Pure.
*/
import {formatMb} from '../format/units.js';
import {type YScale} from './scale.js';

export type YUnit = 'plain' | 'percent' | 'share' | 'mb' | 'celsius' | 'watts' | 'per-hour' | 'count';

export interface Tick {
	/** Position in scale units (log10 on a log scale). */
	readonly unit: number;
	readonly label: string;
}

/** The nice step (1, 2, 5 x 10^k) that gives at most `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
	if (!(span > 0) || count < 1) return 1;
	const raw = span / count;
	const power = 10 ** Math.floor(Math.log10(raw));
	for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
	return 10 * power;
}

/** Multiples of a nice step inside [min, max], at most `count` + 1 of them. */
export function niceTicks(min: number, max: number, count: number): number[] {
	if (!(max > min)) return Number.isFinite(min) ? [min] : [];
	const step = niceStep(max - min, Math.max(1, count));
	// A span at the edge of float precision (a flat series whose smoothing differs in the last bits): k * step no longer
	// moves as k counts up, and counting would never end. Such a range has one tick.
	if (!(step > Math.max(Math.abs(min), Math.abs(max)) * 1e-12)) return [min];
	const out: number[] = [];
	for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9 && out.length <= count + 1; k++) out.push(Number((k * step).toPrecision(12)));
	return out;
}

/** A plain number for an axis whose ticks are `step` apart: as few decimals as the step needs; k/M, or an exponent. */
export function formatPlain(value: number, step: number): string {
	const abs = Math.abs(value);
	if (value === 0) return '0';
	if (abs >= 1e6 && abs < 1e9 && step >= 1e5) return `${Number((value / 1e6).toFixed(Math.max(0, -Math.floor(Math.log10(step / 1e6)))))}M`;
	if (abs >= 1e4 && abs < 1e6 && step >= 100) return `${Number((value / 1e3).toFixed(Math.max(0, -Math.floor(Math.log10(step / 1e3)))))}k`;
	if (abs >= 1e9 || abs < 1e-3) return value.toExponential(abs >= 1e9 ? 1 : 0).replace('e+', 'e');
	const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step > 0 ? step : abs) + 1e-9)));
	return value.toFixed(decimals);
}

/** A tick value in its unit. `degrees` is the theme's (°C, or C under --ascii). */
export function formatTick(value: number, unit: YUnit, step: number, degrees = '°C'): string {
	switch (unit) {
		case 'percent':
			return `${formatPlain(value, step)}%`;
		case 'share':
			return `${formatPlain(value * 100, step * 100)}%`;
		case 'mb':
			return formatMb(value);
		case 'celsius':
			return `${formatPlain(value, step)}${degrees}`;
		case 'watts':
			return `${formatPlain(value, step)}W`;
		case 'per-hour':
			return `${formatPlain(value, step)}/h`;
		case 'count':
		case 'plain':
			return formatPlain(value, step);
	}
}

/**
Ticks for a scale and a plot of `rows` text rows: about one every three rows. On a log scale the decades inside
the range (every other one, or fewer, when they are many); with fewer than two decades inside, nice steps of log10.
*/
export function yTicks(scale: YScale, rows: number, unit: YUnit, degrees?: string): Tick[] {
	const {min, max} = scale.range;
	const count = Math.max(2, Math.min(8, Math.floor(rows / 3)));
	if (scale.log) {
		const decades: number[] = [];
		for (let d = Math.ceil(min - 1e-9); d <= max + 1e-9; d++) decades.push(d);
		if (decades.length >= 2) {
			const every = Math.ceil(decades.length / (count + 1));
			return decades.filter((_, i) => i % every === 0).map((d) => ({unit: d, label: formatTick(10 ** d, unit, 10 ** d, degrees)}));
		}
		// Under two decades: 1, 2 and 5 times the powers of ten inside (or every digit, when those are too few).
		for (const multiples of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
			const values: number[] = [];
			for (let d = Math.floor(min) - 1; d <= Math.ceil(max); d++) for (const m of multiples) values.push(m * 10 ** d);
			const inside = values.filter((v) => Math.log10(v) >= min - 1e-9 && Math.log10(v) <= max + 1e-9);
			if (inside.length >= 2) return inside.map((v) => ({unit: Math.log10(v), label: formatTick(v, unit, v / 10, degrees)}));
		}
		return niceTicks(min, max, count).map((u) => ({unit: u, label: formatTick(10 ** u, unit, 10 ** u / 10, degrees)}));
	}
	const values = niceTicks(min, max, count);
	const step = values.length > 1 ? values[1]! - values[0]! : Math.abs(values[0] ?? 1) || 1;
	return values.map((v) => ({unit: v, label: formatTick(v, unit, step, degrees)}));
}
