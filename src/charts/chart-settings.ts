/**
What the zoomed charts show, as the keys change it: smoothing weight, log scale, outlier scaling, x-axis mode, the
time window and how far it is scrolled back. Plain data and pure steps; the dashboard reducer holds one of these.
*/
import {formatSpan} from '../format/units.js';
import {type XMode} from './x-ticks.js';

export const WINDOWS = ['live', '5m', '1h', '6h', '24h', '7d', '30d', '90d'] as const;
export type ChartWindow = (typeof WINDOWS)[number];

const WINDOW_MS: Record<Exclude<ChartWindow, 'live'>, number> = {
	'5m': 300_000,
	'1h': 3_600_000,
	'6h': 21_600_000,
	'24h': 86_400_000,
	'7d': 604_800_000,
	'30d': 2_592_000_000,
	'90d': 7_776_000_000,
};

/** The smoothing weights the +/- keys step through (TensorBoard's default 0.6 among them). */
const SMOOTHING_STEPS = [0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99] as const;

const X_MODES: readonly XMode[] = ['step', 'relative', 'wall'];

export interface ChartSettings {
	readonly smoothing: number;
	readonly log: boolean;
	/** TensorBoard's "ignore outliers in chart scaling" (on by default). */
	readonly ignoreOutliers: boolean;
	readonly xMode: XMode;
	readonly window: ChartWindow;
	/** How many half windows the view is scrolled back from now (0: ends now). */
	readonly scrollBack: number;
	/** GPU pane: the selected GPU in detail (four charts) instead of every GPU. */
	readonly detail: boolean;
}

export const DEFAULT_CHART_SETTINGS: ChartSettings = {smoothing: 0.6, log: false, ignoreOutliers: true, xMode: 'step', window: 'live', scrollBack: 0, detail: false};

/** The next (or previous) smoothing weight from the current one. */
export function stepSmoothing(current: number, direction: 1 | -1): number {
	if (direction > 0) return SMOOTHING_STEPS.find((w) => w > current + 1e-9) ?? SMOOTHING_STEPS.at(-1)!;
	return [...SMOOTHING_STEPS].reverse().find((w) => w < current - 1e-9) ?? 0;
}

/** The next window in 5m, 1h, ... 90d, live (or the previous); a new window starts at now. */
function cycleWindow(current: ChartWindow, direction: 1 | -1): ChartWindow {
	const i = WINDOWS.indexOf(current);
	return WINDOWS[(i + direction + WINDOWS.length) % WINDOWS.length]!;
}

function cycleXMode(current: XMode): XMode {
	return X_MODES[(X_MODES.indexOf(current) + 1) % X_MODES.length]!;
}

/** How far back a window may scroll: the window's end never goes past 90 days ago. */
export function maxScrollBack(window: ChartWindow): number {
	if (window === 'live') return 0;
	return Math.max(0, Math.floor((2 * (WINDOW_MS['90d'] - WINDOW_MS[window])) / WINDOW_MS[window]));
}

/** [from, to] in epoch ms of a window at `nowMs`, scrolled back by half windows; undefined for live. */
export function windowRange(settings: Pick<ChartSettings, 'window' | 'scrollBack'>, nowMs: number): readonly [number, number] | undefined {
	if (settings.window === 'live') return undefined;
	const span = WINDOW_MS[settings.window];
	const to = nowMs - (settings.scrollBack * span) / 2;
	return [to - span, to];
}

/** The title's words for the window: "live", "last 1h", "6h ending 3h ago". */
export function windowTitle(settings: Pick<ChartSettings, 'window' | 'scrollBack'>): string {
	if (settings.window === 'live') return 'live (in memory)';
	if (settings.scrollBack === 0) return `last ${settings.window}`;
	return `${settings.window} ending ${formatSpan((settings.scrollBack * WINDOW_MS[settings.window]) / 2)} ago`;
}

/** The resolution to ask the history for: about one bucket per dot column, never under 10 s. */
export function wantedResolution(window: Exclude<ChartWindow, 'live'>, dotColumns: number): number {
	return Math.max(10_000, Math.floor(WINDOW_MS[window] / Math.max(1, dotColumns)));
}

export type ChartChange =
	| 'smoothing-up'
	| 'smoothing-down'
	| 'log'
	| 'outliers'
	| 'x-mode'
	| 'window-next'
	| 'window-prev'
	| 'scroll-back'
	| 'scroll-forward'
	| 'detail';

/** The settings after one chart key. Scrolling stays inside 90 days; a new window starts at now. */
export function applyChartChange(settings: ChartSettings, change: ChartChange): ChartSettings {
	switch (change) {
		case 'smoothing-up':
			return {...settings, smoothing: stepSmoothing(settings.smoothing, 1)};
		case 'smoothing-down':
			return {...settings, smoothing: stepSmoothing(settings.smoothing, -1)};
		case 'log':
			return {...settings, log: !settings.log};
		case 'outliers':
			return {...settings, ignoreOutliers: !settings.ignoreOutliers};
		case 'x-mode':
			return {...settings, xMode: cycleXMode(settings.xMode)};
		case 'window-next':
			return {...settings, window: cycleWindow(settings.window, 1), scrollBack: 0};
		case 'window-prev':
			return {...settings, window: cycleWindow(settings.window, -1), scrollBack: 0};
		case 'scroll-back':
			return {...settings, scrollBack: Math.min(maxScrollBack(settings.window), settings.scrollBack + 1)};
		case 'scroll-forward':
			return {...settings, scrollBack: Math.max(0, settings.scrollBack - 1)};
		case 'detail':
			return {...settings, detail: !settings.detail};
	}
}
