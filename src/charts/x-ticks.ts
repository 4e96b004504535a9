/**
X-axis ticks for a step axis, a relative-time axis (time since the first point, as TensorBoard's "relative") and a
wall-clock axis: nice positions inside the x range and short labels. Pure (the wall clock uses the local zone).
*/
import {formatCount} from '../format/units.js';
import {niceStep} from './ticks.js';

export type XMode = 'step' | 'relative' | 'wall';

export interface XTick {
	readonly x: number;
	readonly label: string;
}

/** Time steps a time axis may use, in ms. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30].map((s) => s * 1000)
	.concat([1, 2, 5, 10, 15, 30].map((m) => m * 60_000))
	.concat([1, 2, 3, 6, 12].map((h) => h * 3_600_000))
	.concat([1, 2, 7, 14, 30].map((d) => d * 86_400_000));

function timeStep(span: number, count: number): number {
	const raw = span / Math.max(1, count);
	return TIME_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 86_400_000) * 86_400_000;
}

/** A relative time: 45s, 12m, 3h, 2d, 1h30m. */
export function formatRelative(ms: number): string {
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s}s`;
	if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m${s % 60}s`;
	if (s < 86_400) return s % 3600 === 0 ? `${s / 3600}h` : `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`;
	return s % 86_400 === 0 ? `${s / 86_400}d` : `${Math.floor(s / 86_400)}d${Math.round((s % 86_400) / 3600)}h`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A wall-clock label: HH:MM (HH:MM:SS under a minute's step); MM-DD from a day's step. */
export function formatWall(ms: number, step: number): string {
	const d = new Date(ms);
	if (Number.isNaN(d.getTime())) return '?';
	if (step >= 86_400_000) return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
	if (step < 60_000) return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
	return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/**
Ticks over [x0, x1] for an axis about `columns` cells wide (roughly one label per 12 cells). `origin` is the
relative axis's zero (the first point's time).
*/
export function xTicks(mode: XMode, x0: number, x1: number, columns: number, origin = x0): XTick[] {
	if (!(x1 > x0) || !Number.isFinite(x0) || !Number.isFinite(x1)) return Number.isFinite(x0) ? [{x: x0, label: xLabel(mode, x0, 1, origin)}] : [];
	const count = Math.max(1, Math.floor(columns / 12));
	const span = x1 - x0;
	const step = mode === 'step' ? Math.max(1, niceStep(span, count)) : timeStep(span, count);
	// Wall ticks fall on local round times; relative and step ticks on multiples from the origin (step: from 0).
	const base = mode === 'step' ? 0 : mode === 'relative' ? origin : new Date(x0).getTimezoneOffset() * 60_000;
	const out: XTick[] = [];
	for (let x = Math.ceil((x0 - base) / step) * step + base; x <= x1 && out.length < 200; x += step) out.push({x, label: xLabel(mode, x, step, origin)});
	return out;
}

function xLabel(mode: XMode, x: number, step: number, origin: number): string {
	if (mode === 'step') return formatCount(Math.round(x));
	if (mode === 'relative') return formatRelative(Math.max(0, x - origin));
	return formatWall(x, step);
}
