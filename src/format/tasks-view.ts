/** The tasks pane's decisions: SLA colour, duration histogram buckets. Pure. */
import {SLA_SECONDS} from '../contract/names.js';
import {durationHistogram} from '../analysis/task-aggregates.js';
import {type Tone} from './theme.js';

/** Bucket edges in seconds: 5-minute steps to the 30-minute SLA, then 45 and 60 minutes; the last bucket is open. */
const HISTOGRAM_EDGES = [300, 600, 900, 1200, 1500, SLA_SECONDS, 2700, 3600] as const;

/** Ok at or above 95%, a warning at or above 90% (the seed's alert threshold), critical below. */
export function slaTone(percent: number): Tone {
	if (percent >= 95) return 'ok';
	if (percent >= 90) return 'warn';
	return 'critical';
}

export function histogramCounts(durations: readonly number[]): number[] {
	return durationHistogram(durations, HISTOGRAM_EDGES);
}

/** Buckets at or under the SLA (the first six); the histogram draws those apart from the breaching ones. */
export const WITHIN_SLA_BUCKETS = HISTOGRAM_EDGES.indexOf(SLA_SECONDS) + 1;
