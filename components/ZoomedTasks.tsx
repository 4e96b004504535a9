import {memo, useMemo} from 'react';
import {Box} from 'ink';
import {type Completion} from '../src/analysis/task-aggregates.js';
import {SLA_SECONDS} from '../src/contract/names.js';
import {seriesName, type HistorySource} from '../src/history/history-source.js';
import {type ChartSettings, windowRange, wantedResolution} from '../src/charts/chart-settings.js';
import {type CellMode, dotsPerCell} from '../src/charts/cells.js';
import {renderChart, type ChartLine} from '../src/charts/render-chart.js';
import {bucketPoints, bucketRatePerHour} from '../src/charts/bucket-points.js';
import {durationCounts, taskSeries} from '../src/charts/task-series.js';
import {durationHistogram} from '../src/charts/histogram.js';
import {type SeriesPoints} from '../src/charts/downsample.js';
import {zoomTitle, type Resolution} from '../src/charts/zoom-title.js';
import {historyFor, historyNote, useHistory, type HistoryRequest} from '../hooks/use-history.js';
import {ChartLines, ChartNote} from './ChartLines.js';
import {Panel} from './Panel.js';

export interface ZoomedTasksProps {
	/** Completions in memory, oldest first. */
	readonly completions: readonly Completion[];
	readonly nowMs: number;
	readonly history: HistorySource | undefined;
	readonly settings: ChartSettings;
	/** The dashboard's clock (the latest snapshot's time): where a window ends. */
	readonly clock: () => number;
	readonly cells: CellMode;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
}

const THROUGHPUT = seriesName('tasks', 'throughput');
const SLA = seriesName('tasks', 'sla');

function historyRequest(settings: ChartSettings, dotColumns: number, clock: () => number): HistoryRequest | undefined {
	const {window} = settings;
	if (window === 'live') return undefined;
	return {
		key: `tasks|${window}|${settings.scrollBack}|${dotColumns}`,
		fetch: (history) => {
			const [fromMs, toMs] = windowRange(settings, clock())!;
			const stepMs = wantedResolution(window, dotColumns);
			return Promise.all([THROUGHPUT, SLA].map((series) => history.timeBuckets({series, fromMs, toMs, stepMs})));
		},
	};
}

/** The live range: from the oldest completion in memory (at most 24 h back) to now. */
function liveRange(completions: readonly Completion[], nowMs: number): [number, number] {
	const oldest = completions.length > 0 ? Math.min(completions[0]!.timeMs, nowMs - 60_000) : nowMs - 3_600_000;
	return [Math.max(oldest, nowMs - 86_400_000), nowMs];
}

/** Completions per hour beside (or over) the SLA compliance, the duration histogram with the 30-minute line below. */
function tasksLines(props: ZoomedTasksProps, body: number, throughput: SeriesPoints, sla: SeriesPoints, range: readonly [number, number], durations: readonly number[]): ChartLine[] {
	const {settings, cells} = props;
	const width = Math.max(1, props.width - 1);
	const histHeight = Math.max(4, Math.floor(body * 0.35));
	const top = Math.max(0, body - histHeight);
	const common = {cells, log: settings.log, ignoreOutliers: settings.ignoreOutliers, xMode: settings.xMode === 'step' ? ('relative' as const) : settings.xMode, xDomain: range, origin: range[0]};
	const side = width >= 120;
	const tw = side ? Math.floor((width - 1) / 2) : width;
	const th = side ? top : Math.ceil(top / 2);
	const left = renderChart([{...throughput, name: 'completions/h', tone: 'accent'}], {...common, width: tw, height: th, unit: 'per-hour', title: 'throughput'});
	const right = renderChart([{...sla, name: `within ${SLA_SECONDS / 60}m`, tone: 'ok'}], {...common, log: false, ignoreOutliers: false, width: side ? width - tw - 1 : width, height: side ? top : top - th, unit: 'share', yDomain: {min: 0, max: 1}, title: 'SLA compliance'});
	const charts = side ? left.map((l, i) => [...l, {text: ' '}, ...(right[i] ?? [])]) : [...left, ...right];
	const histogram = durationHistogram(durationCounts(durations), width, histHeight - 1, cells, SLA_SECONDS / 60);
	return [...charts, [{text: `durations (${durations.length} tasks) in 5-minute buckets, SLA line at ${SLA_SECONDS / 60}m`, faint: true}], ...histogram];
}

/**
The tasks pane zoomed: throughput and SLA compliance over time and the duration histogram with the 30-minute line.
Live: the completions in memory; a window: history buckets (the histogram keeps to the completions in memory
inside the window).
*/
export const ZoomedTasks = memo(function ZoomedTasks(props: ZoomedTasksProps) {
	const {completions, nowMs, history, settings, clock, cells, width, height, focused} = props;
	const dotColumns = Math.max(1, width * dotsPerCell(cells).x);
	const request = useMemo(() => historyRequest(settings, dotColumns, clock), [settings, dotColumns, clock]);
	const state = historyFor(useHistory(history, request, settings.scrollBack === 0, clock), request?.key);
	const fromHistory = settings.window !== 'live' && state.status === 'ok';
	// Live, the chart follows the clock by the minute (a bin), not by the frame.
	const minute = Math.floor(nowMs / 60_000) * 60_000;
	const range = settings.window === 'live' ? liveRange(completions, minute) : windowRange(settings, state.status === 'ok' ? state.atMs : minute)!;
	const note = historyNote(state);
	const bodyHeight = Math.max(0, height - 1 - (note === '' ? 0 : 1));
	const {lines, resolution} = useMemo(() => {
		const inRange = completions.filter((c) => c.timeMs >= range[0] && c.timeMs <= range[1]);
		const durations = inRange.map((c) => c.durationSeconds);
		if (fromHistory && state.status === 'ok') {
			const [t, s] = state.answers;
			const throughput = t === undefined ? {xs: [], ys: []} : bucketRatePerHour(t);
			const sla = s === undefined ? {xs: [], ys: []} : bucketPoints(s);
			return {lines: tasksLines(props, bodyHeight, throughput, sla, range, durations), resolution: {kind: 'time', ms: t?.resolution ?? 0} as Resolution};
		}
		const series = taskSeries(completions, range[0], range[1], SLA_SECONDS);
		return {lines: tasksLines(props, bodyHeight, series.throughput, series.sla, range, durations), resolution: {kind: 'time', ms: series.binMs} as Resolution};
	}, [completions, fromHistory, state, range[0], range[1], settings, cells, width, bodyHeight]);
	return (
		<Panel index={3} title="Tasks" info={zoomTitle(settings, resolution, {xAxis: false})} focused={focused} width={width} height={height}>
			<ChartNote note={note} />
			<Box flexDirection="column">
				<ChartLines lines={lines} width={Math.max(1, width - 1)} />
			</Box>
		</Panel>
	);
});
