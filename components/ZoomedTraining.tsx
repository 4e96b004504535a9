import {memo, useMemo, useRef} from 'react';
import {Box} from 'ink';
import {type ProjectSummary} from '../src/store/snapshot.js';
import {type ChartSource, type TrainingSeries} from '../src/store/chart-source.js';
import {seriesName, type BucketAnswer, type HistorySource} from '../src/history/history-source.js';
import {type ChartSettings, windowRange, wantedResolution} from '../src/charts/chart-settings.js';
import {type CellMode, dotsPerCell} from '../src/charts/cells.js';
import {ChartMemo, renderChart, type ChartLine, type ChartSeries} from '../src/charts/render-chart.js';
import {bucketPoints} from '../src/charts/bucket-points.js';
import {rawAndSmoothed, seriesTone} from '../src/charts/pane-series.js';
import {type SeriesPoints} from '../src/charts/downsample.js';
import {LiveFrame, type LiveCache} from '../src/charts/live-chart.js';
import {type LivePoints} from '../src/charts/live-columns.js';
import {zoomTitle, type Resolution} from '../src/charts/zoom-title.js';
import {historyFor, historyNote, useHistory, type HistoryRequest, type HistoryState} from '../hooks/use-history.js';
import {useStableList} from '../hooks/use-stable-list.js';
import {ChartLines, ChartNote} from './ChartLines.js';
import {Panel} from './Panel.js';
import {useTheme} from './theme.js';

export interface ZoomedTrainingProps {
	/** Projects that pass the filter. */
	readonly projects: readonly ProjectSummary[];
	/** A filter is applied: several matching projects are overlaid. */
	readonly filtered: boolean;
	readonly selectedIndex: number;
	readonly source: ChartSource | undefined;
	readonly history: HistorySource | undefined;
	readonly settings: ChartSettings;
	/** The dashboard's clock (the latest snapshot's time): where a window ends. */
	readonly clock: () => number;
	readonly cells: CellMode;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
}

/** Overlaid projects at most (the legend names each). */
const MAX_OVERLAID = 5;

/** The projects drawn: every filtered one (up to 5) when a filter picks several, else the selected one. */
function shownProjects(projects: readonly ProjectSummary[], filtered: boolean, selectedIndex: number): ProjectSummary[] {
	if (filtered && projects.length > 1) return projects.slice(0, MAX_OVERLAID);
	const p = projects[selectedIndex] ?? projects[0];
	return p === undefined ? [] : [p];
}

/** The project's points from the store (every retained point), or from its summary's tail without a store. */
function livePoints(summary: ProjectSummary, series: TrainingSeries | undefined, metric: 'loss' | 'wer', byTime: boolean): SeriesPoints | LivePoints | undefined {
	if (series !== undefined) {
		const arrays = metric === 'loss' ? series.loss : series.wer;
		if (arrays === undefined) return undefined;
		return {xs: byTime ? arrays.times : arrays.xs, ys: arrays.values, first: arrays.first};
	}
	const tail = metric === 'loss' ? summary.lossTail : summary.werTail;
	if (tail.length === 0) return undefined;
	return {xs: tail.map((_, i) => summary.lastStep - (tail.length - 1 - i)), ys: tail};
}

function isLive(points: SeriesPoints | LivePoints): points is LivePoints {
	return 'first' in points;
}

function historyRequest(shown: readonly ProjectSummary[], settings: ChartSettings, dotColumns: number, clock: () => number): HistoryRequest | undefined {
	const {window} = settings;
	if (window === 'live' || shown.length === 0) return undefined;
	const byStep = settings.xMode === 'step';
	const wer = shown.map((p) => p.werTail.length > 0 || p.lastWer !== undefined);
	const names = shown.flatMap((p, i) => [seriesName('training', p.projectId, 'loss'), ...(wer[i] ? [seriesName('training', p.projectId, 'wer')] : [])]);
	return {
		key: `training|${names.join(',')}|${byStep ? 'step' : `${window}|${settings.scrollBack}|${dotColumns}`}`,
		fetch: (history) => {
			if (byStep) return Promise.all(names.map((n) => history.stepBuckets(n, Math.max(64, dotColumns))));
			const [fromMs, toMs] = windowRange(settings, clock())!;
			return Promise.all(names.map((n) => history.timeBuckets({series: n, fromMs, toMs, stepMs: wantedResolution(window, dotColumns)})));
		},
	};
}

interface TrainingFrame {
	readonly lines: ChartLine[];
	readonly title: string;
	/** The live series' caches for the next frame (src/charts/live-chart.ts). */
	readonly caches: ReadonlyMap<string, LiveCache>;
}

function answerFor(state: HistoryState, series: string): BucketAnswer | undefined {
	return state.status === 'ok' ? state.answers.find((a) => a.series === series) : undefined;
}

/** The charts of the shown projects: loss (raw faint, smoothed bright), and WER below it where any project sends it. */
/** The two charts' plot rows from the last frame (renderChart's memo: unchanged rows are reused, not redrawn). */
interface TrainingMemos {
	readonly loss: ChartMemo;
	readonly wer: ChartMemo;
}

function trainingFrame(props: ZoomedTrainingProps, shown: readonly ProjectSummary[], live: ReadonlyArray<TrainingSeries | undefined>, state: HistoryState, degrees: string, bodyHeight: number, caches: ReadonlyMap<string, LiveCache>, memos: TrainingMemos): TrainingFrame {
	const {settings, cells} = props;
	const width = Math.max(1, props.width - 1);
	const byTime = settings.xMode !== 'step';
	const fromHistory = settings.window !== 'live' && state.status === 'ok';
	const range = settings.window !== 'live' && byTime ? windowRange(settings, state.status === 'ok' ? state.atMs : props.clock()) : undefined;
	const overlaid = shown.length > 1;
	const loss: ChartSeries[] = [];
	const wer: ChartSeries[] = [];
	let resolution: Resolution = {kind: 'points', count: 0};
	const liveFrame = new LiveFrame(caches);
	shown.forEach((p, i) => {
		for (const metric of ['loss', 'wer'] as const) {
			let points: SeriesPoints | undefined;
			if (fromHistory) {
				const answer = answerFor(state, seriesName('training', p.projectId, metric));
				if (answer !== undefined && answer.buckets.length > 0) {
					points = bucketPoints(answer);
					resolution = byTime ? {kind: 'time', ms: answer.resolution} : {kind: 'steps', steps: answer.resolution};
				}
			} else {
				points = livePoints(p, live[i], metric, byTime);
				if (points !== undefined && metric === 'loss') resolution = {kind: 'points', count: resolution.kind === 'points' ? resolution.count + points.xs.length : points.xs.length};
			}
			if (points === undefined) continue;
			const name = overlaid ? p.projectId : metric;
			const pair =
				isLive(points)
					? liveFrame.rawAndSmoothed(`${p.projectId}|${metric}|${byTime ? 'time' : 'step'}`, name, points, settings.smoothing, seriesTone(i), overlaid)
					: rawAndSmoothed(name, points, settings.smoothing, seriesTone(i), overlaid);
			(metric === 'loss' ? loss : wer).push(...pair);
		}
	});
	const chartHeight = bodyHeight;
	const lossHeight = wer.length > 0 ? Math.ceil(chartHeight * 0.6) : chartHeight;
	const origin = range?.[0] ?? (live[0] !== undefined && live[0].loss.times.length > 0 ? live[0].loss.times[0] : undefined);
	const common = {width, cells, log: settings.log, ignoreOutliers: settings.ignoreOutliers, xMode: settings.xMode, unit: 'plain' as const, xDomain: range, origin, degrees};
	const lines = renderChart(loss, {...common, height: lossHeight, title: overlaid ? 'loss' : `${shown[0]?.projectId ?? ''} loss`}, liveFrame.data, memos.loss);
	if (wer.length > 0) lines.push(...renderChart(wer, {...common, height: chartHeight - lossHeight, title: 'WER', log: false}, liveFrame.data, memos.wer));
	const title = zoomTitle(settings, resolution, {smoothing: true, wholeRun: settings.window !== 'live' && !byTime && fromHistory});
	return {lines, title, caches: liveFrame.caches()};
}

/**
The training pane zoomed: the selected project's loss over its whole retained run (10,000 points by default), raw
faint and smoothed bright, WER as a second chart where sent; several projects overlaid when the filter picks them.
A window other than live reads history buckets (by step with the step axis); without history it says so and
draws what is in memory. The lines are recomputed only when data, size or settings change.
*/
export const ZoomedTraining = memo(function ZoomedTraining(props: ZoomedTrainingProps) {
	const {projects, filtered, selectedIndex, source, history, settings, clock, cells, width, height, focused} = props;
	const {glyphs} = useTheme();
	const shown = useStableList(shownProjects(projects, filtered, selectedIndex));
	// Read from the store when the shown projects' summaries change (each summary stands for one version of its project).
	const live = useMemo(() => shown.map((p) => source?.training(p.projectId)), [shown, source]);
	const dotColumns = Math.max(1, (width - 8) * dotsPerCell(cells).x);
	const request = useMemo(() => historyRequest(shown, settings, dotColumns, clock), [shown, settings, dotColumns, clock]);
	const state = historyFor(useHistory(history, request, settings.scrollBack === 0, clock), request?.key);
	// The frame depends on these only (not on the snapshot's clock): a quiet project is not redrawn every second.
	const note = historyNote(state);
	const bodyHeight = Math.max(0, height - 1 - (note === '' ? 0 : 1));
	// The live series' caches from the last frame: a redraw with a new point updates them (src/charts/live-chart.ts).
	const caches = useRef<ReadonlyMap<string, LiveCache>>(new Map());
	const memos = useRef<TrainingMemos | undefined>(undefined);
	memos.current ??= {loss: new ChartMemo(), wer: new ChartMemo()};
	const frame = useMemo(() => {
		const next = trainingFrame(props, shown, live, state, glyphs.degrees, bodyHeight, caches.current, memos.current!);
		caches.current = next.caches;
		return next;
	}, [shown, live, state, settings, cells, width, bodyHeight, glyphs.degrees]);
	return (
		<Panel index={1} title="Training" info={shown.length === 0 ? 'no project yet' : frame.title} focused={focused} width={width} height={height}>
			<ChartNote note={note} />
			<Box flexDirection="column">
				<ChartLines lines={frame.lines} width={width - 1} />
			</Box>
		</Panel>
	);
});
