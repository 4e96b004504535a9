/** What the training pane shows of a project, decided by pure functions over its snapshot summary. */
import {debiasedEma} from '../analysis/smoothing.js';
import {type ProjectSummary} from '../store/snapshot.js';
import {glyphsOf, type GlyphChoice} from './theme.js';

export type TrainingBadge = 'diverging' | 'converged' | 'plateau';

export interface TrainingView {
	readonly smoothed: readonly number[];
	readonly smoothedLast: number | undefined;
	readonly arrow: string;
	readonly badge: TrainingBadge | undefined;
	/** The last loss is NaN or ±Infinity. */
	readonly nonFinite: boolean;
}

/** The trend arrow from the least-squares slope: down is good for a loss. */
function trendArrow(summary: ProjectSummary, glyphs?: GlyphChoice): string {
	const {trend} = summary.analysis;
	const arrows = glyphsOf(glyphs).arrows;
	if (trend === 'improving') return arrows.improving;
	if (trend === 'degrading') return arrows.degrading;
	if (trend === 'stable') return arrows.stable;
	return ' ';
}

function lastFinite(values: readonly number[]): number | undefined {
	for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i]!)) return values[i];
	return undefined;
}

function minFinite(values: readonly number[]): number {
	let min = Number.POSITIVE_INFINITY;
	for (const v of values) if (Number.isFinite(v) && v < min) min = v;
	return min;
}

/**
The badge, most urgent first:
- diverging: the last loss is not finite, or the trend is degrading and the smoothed loss is 20% above its low;
- converged: the seed's test (the last 10% of samples within 1%);
- plateau: not converged, at least 20 points, and the smoothed loss over the second half of the shown window
  improved by less than 2%.
*/
function trainingBadge(summary: ProjectSummary, smoothed: readonly number[]): TrainingBadge | undefined {
	const last = summary.lastLoss;
	if (last !== undefined && !Number.isFinite(last)) return 'diverging';
	const smoothedLast = lastFinite(smoothed);
	if (smoothedLast === undefined) return undefined;
	const low = minFinite(smoothed);
	if (summary.analysis.trend === 'degrading' && low > 0 && smoothedLast > low * 1.2) return 'diverging';
	if (summary.analysis.converged) return 'converged';
	const finite = smoothed.filter(Number.isFinite);
	if (finite.length >= 20 && summary.analysis.trend !== 'degrading') {
		const mid = finite[Math.floor(finite.length / 2)]!;
		if (mid !== 0 && (mid - smoothedLast) / Math.abs(mid) < 0.02) return 'plateau';
	}
	return undefined;
}

const cache = new WeakMap<ProjectSummary, {weight: number; view: TrainingView}>();

/** The view of one project, cached per summary object (summaries are rebuilt only when the project changes). */
export function trainingView(summary: ProjectSummary, weight: number, glyphs?: GlyphChoice): TrainingView {
	const hit = cache.get(summary);
	if (hit !== undefined && hit.weight === weight) return {...hit.view, arrow: trendArrow(summary, glyphs)};
	const smoothed = debiasedEma(summary.lossTail, weight);
	const view: TrainingView = {
		smoothed,
		smoothedLast: lastFinite(smoothed),
		arrow: trendArrow(summary, glyphs),
		badge: trainingBadge(summary, smoothed),
		nonFinite: summary.lastLoss !== undefined && !Number.isFinite(summary.lastLoss),
	};
	cache.set(summary, {weight, view});
	return view;
}
