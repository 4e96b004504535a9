import {memo, useMemo, useRef} from 'react';
import {Box} from 'ink';
import {type GpuRow} from '../src/gpu/gpu-snapshot.js';
import {gpuHistory, type GpuMetric} from '../src/gpu/gpu-store.js';
import {seriesName, type HistorySource} from '../src/history/history-source.js';
import {type ChartSettings, windowRange, wantedResolution} from '../src/charts/chart-settings.js';
import {type CellMode, dotsPerCell} from '../src/charts/cells.js';
import {ChartMemo, renderChart, type ChartLine, type ChartSeries, type ChartSpan} from '../src/charts/render-chart.js';
import {bucketPoints} from '../src/charts/bucket-points.js';
import {percentOf} from '../src/charts/pane-series.js';
import {type SeriesPoints} from '../src/charts/downsample.js';
import {legendValue} from '../src/charts/legend.js';
import {chartGlyphs} from '../src/charts/chart-glyphs.js';
import {type YUnit} from '../src/charts/ticks.js';
import {zoomTitle, type Resolution} from '../src/charts/zoom-title.js';
import {gpuGrid} from '../src/charts/gpu-grid.js';
import {shortGpuName} from '../src/format/units.js';
import {type Tone} from '../src/format/theme.js';
import {historyFor, historyNote, useHistory, type HistoryRequest, type HistoryState} from '../hooks/use-history.js';
import {ChartLines, ChartNote} from './ChartLines.js';
import {processLines} from './GpuPane.js';
import {Line, Panel} from './Panel.js';
import {useTheme} from './theme.js';

export interface ZoomedGpuProps {
	/** GPUs that pass the filter. */
	readonly rows: readonly GpuRow[];
	/** Why there is no telemetry, when there is none. */
	readonly unavailable: string | undefined;
	readonly host: string;
	readonly selectedIndex: number;
	readonly history: HistorySource | undefined;
	readonly settings: ChartSettings;
	/** The dashboard's clock (the latest snapshot's time): where a window ends. */
	readonly clock: () => number;
	readonly cells: CellMode;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
}

interface MetricSpec {
	readonly metric: GpuMetric;
	/** The history series' last part. */
	readonly part: 'util' | 'mem' | 'temp' | 'power';
	readonly label: string;
	readonly tone: Tone;
	readonly unit: YUnit;
}

const METRICS: readonly MetricSpec[] = [
	{metric: 'utilizationPercent', part: 'util', label: 'util', tone: 'accent', unit: 'percent'},
	{metric: 'memoryUsedMb', part: 'mem', label: 'memory', tone: 'secondary', unit: 'mb'},
	{metric: 'temperatureC', part: 'temp', label: 'temperature', tone: 'warn', unit: 'celsius'},
	{metric: 'powerDrawW', part: 'power', label: 'power', tone: 'info', unit: 'watts'},
];

type GpuPoints = Partial<Record<MetricSpec['part'], SeriesPoints>>;

/** A GPU's series: its live rings, or its history buckets for a window. */
function gpuPoints(row: GpuRow, host: string, state: HistoryState, fromHistory: boolean): GpuPoints {
	const out: GpuPoints = {};
	const rings = gpuHistory(row);
	for (const m of METRICS) {
		if (fromHistory) {
			const answer = state.status === 'ok' ? state.answers.find((a) => a.series === seriesName('gpu', host, row.index, m.part)) : undefined;
			if (answer !== undefined) out[m.part] = bucketPoints(answer);
			continue;
		}
		const ring = rings?.[m.metric];
		if (ring === undefined) continue;
		const w = ring.since(Number.NEGATIVE_INFINITY);
		out[m.part] = {xs: w.times, ys: w.values};
	}
	return out;
}

function historyRequest(rows: readonly GpuRow[], host: string, settings: ChartSettings, dotColumns: number, clock: () => number): HistoryRequest | undefined {
	const {window} = settings;
	if (window === 'live' || rows.length === 0) return undefined;
	const names = rows.flatMap((r) => METRICS.map((m) => seriesName('gpu', host, r.index, m.part)));
	return {
		key: `gpu|${names.join(',')}|${window}|${settings.scrollBack}|${dotColumns}`,
		fetch: (history) => {
			const [fromMs, toMs] = windowRange(settings, clock())!;
			return Promise.all(names.map((n) => history.timeBuckets({series: n, fromMs, toMs, stepMs: wantedResolution(window, dotColumns)})));
		},
	};
}

function latest(points: SeriesPoints | undefined): number | undefined {
	return points === undefined || points.ys.length === 0 ? undefined : points.ys[points.ys.length - 1];
}

/** One GPU in a grid cell: util, memory %, temperature and power % of the limit on one 0-100 axis, figures in the title. */
/** A chart's memo by name (renderChart reuses the plot rows that did not change since the last frame). */
function memoOf(memos: Map<string, ChartMemo>, name: string): ChartMemo {
	let memo = memos.get(name);
	if (memo === undefined) {
		memo = new ChartMemo();
		memos.set(name, memo);
	}
	return memo;
}

function gpuCell(row: GpuRow, points: GpuPoints, width: number, height: number, settings: ChartSettings, cells: CellMode, range: readonly [number, number] | undefined, degrees: string, memos: Map<string, ChartMemo>): ChartLine[] {
	const memTotal = row.memoryTotalMb.value;
	const powerLimit = row.powerLimitW.value;
	const series: ChartSeries[] = [];
	const add = (part: MetricSpec['part'], tone: Tone, ys: ArrayLike<number> | undefined) => {
		const p = points[part];
		if (p !== undefined && ys !== undefined) series.push({xs: p.xs, ys, name: part, tone});
	};
	add('util', 'accent', points.util?.ys);
	add('mem', 'secondary', points.mem === undefined ? undefined : percentOf(points.mem.ys, memTotal));
	add('temp', 'warn', points.temp?.ys);
	add('power', 'info', points.power === undefined ? undefined : percentOf(points.power.ys, powerLimit));
	const title: ChartSpan[] = [{text: `${row.index} ${shortGpuName(row.name)} `}];
	const swatch = chartGlyphs(cells).swatch;
	const figure = (tone: Tone, text: string) => title.push({text: swatch, tone}, {text: `${text} `});
	figure('accent', `util ${legendValue(latest(points.util), 'percent')}`);
	figure('secondary', `mem ${legendValue(latest(points.mem), 'mb')}`);
	figure('warn', legendValue(latest(points.temp), 'celsius', degrees));
	figure('info', legendValue(latest(points.power), 'watts'));
	if (row.lost) title.push({text: 'lost', tone: 'critical'});
	return renderChart(series, {width, height, cells, log: settings.log, ignoreOutliers: false, xMode: settings.xMode === 'step' ? 'relative' : settings.xMode, unit: 'plain', yDomain: {min: 0, max: 100}, xDomain: range, title, legend: false, degrees}, undefined, memoOf(memos, `cell ${row.index}`));
}

/** One GPU in detail: a chart per reading, in its own unit (memory up to the total, power up to the limit). */
function gpuDetail(row: GpuRow, points: GpuPoints, width: number, height: number, settings: ChartSettings, cells: CellMode, range: readonly [number, number] | undefined, degrees: string, memos: Map<string, ChartMemo>): ChartLine[] {
	const grid = gpuGrid(4, width, height, 8);
	const charts = METRICS.map((m) => {
		const p = points[m.part];
		const fixed = m.part === 'util' ? {min: 0, max: 100} : m.part === 'mem' && row.memoryTotalMb.value !== undefined ? {min: 0, max: row.memoryTotalMb.value} : m.part === 'power' && row.powerLimitW.value !== undefined ? {min: 0, max: row.powerLimitW.value} : undefined;
		return renderChart(p === undefined ? [] : [{...p, name: m.label, tone: m.tone}], {
			width: grid.cellWidth,
			height: grid.cellHeight,
			cells,
			log: settings.log && m.part !== 'util',
			ignoreOutliers: settings.ignoreOutliers && fixed === undefined,
			xMode: settings.xMode === 'step' ? 'relative' : settings.xMode,
			unit: m.unit,
			yDomain: fixed,
			xDomain: range,
			title: `GPU ${row.index} ${shortGpuName(row.name)} ${m.label}`,
			degrees,
		}, undefined, memoOf(memos, `detail ${m.part}`));
	});
	return grid.join(charts);
}

/**
The GPU pane zoomed: every GPU of the box on one screen (a grid; 8 GPUs fit 120x40), each with utilization, memory,
temperature and power over time on a 0-100 scale; with `d` (or a filter leaving one GPU) the selected GPU in detail,
one chart per reading in its unit. Live: the sampler's rings (30 minutes at 1 Hz); a window: history buckets.
*/
export const ZoomedGpu = memo(function ZoomedGpu(props: ZoomedGpuProps) {
	const {rows, unavailable, host, selectedIndex, history, settings, clock, cells, width, height, focused} = props;
	const {glyphs, colors} = useTheme();
	const inner = Math.max(1, width - 1);
	const detail = settings.detail || rows.length === 1;
	const shown = detail ? rows.slice(selectedIndex, selectedIndex + 1) : rows;
	const dotColumns = Math.max(1, Math.floor(inner / (detail ? 1 : 2)) * dotsPerCell(cells).x);
	const request = useMemo(() => historyRequest(shown, host, settings, dotColumns, clock),
		// Rows change every sample; the request only when the GPUs shown do.
		[shown.map((r) => r.index).join(','), host, settings, dotColumns, clock]);
	const state = historyFor(useHistory(history, request, settings.scrollBack === 0, clock), request?.key);
	const fromHistory = settings.window !== 'live' && state.status === 'ok';
	const range = settings.window === 'live' ? undefined : windowRange(settings, state.status === 'ok' ? state.atMs : clock());
	const note = historyNote(state);
	const theme = useTheme();
	// In detail, the GPU's processes (most memory first) go under its charts: at most a quarter of the pane.
	const processes = detail && shown[0] !== undefined ? processLines(shown[0], theme) : [];
	const processRows = Math.min(processes.length + 1, Math.max(0, Math.floor((height - 1) / 4)));
	const bodyHeight = Math.max(0, height - 1 - (note === '' ? 0 : 1) - processRows);
	// Each chart's plot rows from the last frame: a new sample redraws the rows it changed (renderChart's memo).
	const memos = useRef(new Map<string, ChartMemo>()).current;
	const lines = useMemo(() => {
		if (shown.length === 0) return [];
		if (detail) return gpuDetail(shown[0]!, gpuPoints(shown[0]!, host, state, fromHistory), inner, bodyHeight, settings, cells, range, glyphs.degrees, memos);
		const grid = gpuGrid(shown.length, inner, bodyHeight, 5);
		const charts = shown.slice(0, grid.count).map((r) => gpuCell(r, gpuPoints(r, host, state, fromHistory), grid.cellWidth, grid.cellHeight, settings, cells, range, glyphs.degrees, memos));
		return grid.join(charts);
	}, [shown, detail, host, state, fromHistory, inner, bodyHeight, settings, cells, range?.[0], range?.[1], glyphs.degrees]);
	const hidden = detail ? 0 : shown.length - gpuGrid(shown.length, inner, bodyHeight, 5).count;
	const resolution: Resolution = fromHistory && state.status === 'ok' ? {kind: 'time', ms: state.answers[0]?.resolution ?? 0} : {kind: 'points', count: shown.reduce((n, r) => n + (gpuHistory(r)?.utilizationPercent.length ?? 0), 0)};
	const info = `${detail ? `GPU ${shown[0]?.index ?? ''} in detail (d: all)` : `${shown.length} GPUs (d: selected in detail)`} · ${zoomTitle(settings, resolution)}${hidden > 0 ? ` · ${hidden} more: filter gpu:N` : ''}`;
	return (
		<Panel index={2} title="GPUs" info={unavailable ?? info} focused={focused} width={width} height={height}>
			{unavailable !== undefined ? <Line color={colors.warn}>{glyphs.text(unavailable)}</Line> : null}
			{unavailable === undefined && rows.length === 0 ? <Line dimColor>no GPU matches the filter</Line> : null}
			<ChartNote note={note} />
			<Box flexDirection="column">
				<ChartLines lines={lines} width={inner} />
			</Box>
			{processRows > 0 ? (
				<Box flexDirection="column" height={processRows} overflow="hidden">
					<Line dimColor>processes on GPU {shown[0]?.index ?? ''}</Line>
					{processes.slice(0, processRows - 1)}
				</Box>
			) : null}
		</Panel>
	);
});
