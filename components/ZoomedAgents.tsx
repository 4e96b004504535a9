import {memo, useMemo} from 'react';
import {Box} from 'ink';
import {type AgentSummary} from '../src/store/snapshot.js';
import {type ChartSource} from '../src/store/chart-source.js';
import {seriesName, type HistorySource} from '../src/history/history-source.js';
import {type ChartSettings, windowRange, wantedResolution} from '../src/charts/chart-settings.js';
import {type CellMode, dotsPerCell} from '../src/charts/cells.js';
import {renderChart, type ChartSeries} from '../src/charts/render-chart.js';
import {bucketPoints} from '../src/charts/bucket-points.js';
import {seriesTone} from '../src/charts/pane-series.js';
import {zoomTitle, type Resolution} from '../src/charts/zoom-title.js';
import {historyFor, historyNote, useHistory, type HistoryRequest} from '../hooks/use-history.js';
import {useStableList} from '../hooks/use-stable-list.js';
import {ChartLines, ChartNote} from './ChartLines.js';
import {Panel} from './Panel.js';
import {compareIds} from '../src/format/id-order.js';

export interface ZoomedAgentsProps {
	/** Agents that pass the filter. */
	readonly agents: readonly AgentSummary[];
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

/** Agents drawn at most: the busiest now (the legend names each; the filter narrows). */
const MAX_AGENTS = 8;

function historyRequest(agents: readonly AgentSummary[], settings: ChartSettings, dotColumns: number, clock: () => number): HistoryRequest | undefined {
	const {window} = settings;
	if (window === 'live' || agents.length === 0) return undefined;
	const names = agents.map((a) => seriesName('agent', a.agent, 'load'));
	return {
		key: `agents|${names.join(',')}|${window}|${settings.scrollBack}|${dotColumns}`,
		fetch: (history) => {
			const [fromMs, toMs] = windowRange(settings, clock())!;
			return Promise.all(names.map((series) => history.timeBuckets({series, fromMs, toMs, stepMs: wantedResolution(window, dotColumns)})));
		},
	};
}

/** The agents pane zoomed: each agent's current task count over time, one line per agent (the busiest 8). */
export const ZoomedAgents = memo(function ZoomedAgents({agents, source, history, settings, clock, cells, width, height, focused}: ZoomedAgentsProps) {
	const shown = useStableList([...agents].sort((a, b) => b.currentTasks - a.currentTasks || compareIds(a.agent, b.agent)).slice(0, MAX_AGENTS));
	const names = shown.map((a) => a.agent).join(',');
	const dotColumns = Math.max(1, width * dotsPerCell(cells).x);
	const request = useMemo(() => historyRequest(shown, settings, dotColumns, clock), [names, settings, dotColumns, clock]);
	const state = historyFor(useHistory(history, request, settings.scrollBack === 0, clock), request?.key);
	const fromHistory = settings.window !== 'live' && state.status === 'ok';
	const range = settings.window === 'live' ? undefined : windowRange(settings, state.status === 'ok' ? state.atMs : clock());
	const note = historyNote(state);
	const bodyHeight = Math.max(0, height - 1 - (note === '' ? 0 : 1));
	const {lines, resolution} = useMemo(() => {
		let resolution: Resolution = {kind: 'points', count: 0};
		const series: ChartSeries[] = [];
		shown.forEach((a, i) => {
			if (fromHistory && state.status === 'ok') {
				const answer = state.answers.find((x) => x.series === seriesName('agent', a.agent, 'load'));
				if (answer === undefined) return;
				resolution = {kind: 'time', ms: answer.resolution};
				series.push({...bucketPoints(answer), name: a.agent, tone: seriesTone(i)});
				return;
			}
			// Without the store (a snapshot alone), the load now is the one point there is.
			const load = source === undefined ? {xs: [clock()], values: [a.currentTasks]} : source.agentLoad(a.agent);
			if (load === undefined) return;
			if (resolution.kind === 'points') resolution = {kind: 'points', count: resolution.count + load.xs.length};
			series.push({xs: load.xs, ys: load.values, name: a.agent, tone: seriesTone(i)});
		});
		const lines = renderChart(series, {
			width: Math.max(1, width - 1),
			height: bodyHeight,
			cells,
			log: settings.log,
			ignoreOutliers: settings.ignoreOutliers,
			xMode: settings.xMode === 'step' ? 'relative' : settings.xMode,
			unit: 'count',
			xDomain: range,
			title: 'current tasks per agent',
		});
		return {lines, resolution};
	}, [shown, source, clock, fromHistory, state, settings, cells, width, bodyHeight, range?.[0], range?.[1]]);
	const more = agents.length > shown.length ? ` · busiest ${shown.length} of ${agents.length} (filter agent:)` : '';
	return (
		<Panel index={4} title="Agents" info={`${zoomTitle(settings, resolution)}${more}`} focused={focused} width={width} height={height}>
			<ChartNote note={note} />
			<Box flexDirection="column">
				<ChartLines lines={lines} width={Math.max(1, width - 1)} />
			</Box>
		</Panel>
	);
});
