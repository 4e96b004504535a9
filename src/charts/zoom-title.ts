/** The words in a zoomed chart pane's title: window, resolution, smoothing, scale and x axis. Pure. */
import {formatCount, formatSpan} from '../format/units.js';
import {type ChartSettings, windowTitle} from './chart-settings.js';

export type Resolution = {readonly kind: 'points'; readonly count: number} | {readonly kind: 'time'; readonly ms: number} | {readonly kind: 'steps'; readonly steps: number};

function resolutionText(resolution: Resolution): string {
	switch (resolution.kind) {
		case 'points':
			return `${formatCount(resolution.count)} points`;
		case 'time':
			return `${formatSpan(resolution.ms)} buckets`;
		case 'steps':
			return `${formatCount(resolution.steps)} steps/bucket`;
	}
}

/** "last 1h · 1m buckets · log · outliers ignored · x wall" (smoothing only where it applies). */
export function zoomTitle(settings: ChartSettings, resolution: Resolution, options: {readonly smoothing?: boolean; readonly xAxis?: boolean; readonly wholeRun?: boolean} = {}): string {
	const parts = [options.wholeRun === true ? 'whole run by step' : windowTitle(settings), resolutionText(resolution)];
	if (options.smoothing === true) parts.push(`smoothing ${settings.smoothing}`);
	parts.push(settings.log ? 'log' : 'linear');
	parts.push(settings.ignoreOutliers ? 'outliers ignored' : 'full range');
	if (options.xAxis !== false) parts.push(`x ${settings.xMode}`);
	return parts.join(' · ');
}
