import {useCallback, useEffect, useMemo, useRef} from 'react';
import {Box, Text, useApp} from 'ink';
import {useSnapshot, type SnapshotSource} from '../hooks/use-snapshot.js';
import {useTerminalSize, type TerminalSource} from '../hooks/use-terminal-size.js';
import {useDashboardState, selectedIndex, selectionToPin, type DashboardState} from '../hooks/use-dashboard-state.js';
import {useDashboardKeys} from '../hooks/use-dashboard-keys.js';
import {useThrottled} from '../hooks/use-throttled.js';
import {type AlertActions} from '../src/rules/alert-actions.js';
import {parseFilter} from '../src/format/filter.js';
import {computeLayout, MIN_COLUMNS, MIN_ROWS, type PaneBox, type PaneDemand, type PaneId} from '../src/format/layout.js';
import {paneRows, selectionIds, type PaneRows} from '../src/format/pane-rows.js';
import {type Snapshot} from '../src/store/snapshot.js';
import {Header} from './Header.js';
import {Footer} from './Footer.js';
import {HelpOverlay} from './HelpOverlay.js';
import {TrainingPane} from './TrainingPane.js';
import {GpuPane} from './GpuPane.js';
import {TasksPane} from './TasksPane.js';
import {AgentsPane} from './AgentsPane.js';
import {AlertLog} from './AlertLog.js';
import {HostsPane} from './HostsPane.js';
import {viewedGpu, type FleetControl} from '../src/fleet/fleet-view.js';
import {ZoomedTraining} from './ZoomedTraining.js';
import {ZoomedGpu} from './ZoomedGpu.js';
import {ZoomedTasks} from './ZoomedTasks.js';
import {ZoomedAgents} from './ZoomedAgents.js';
import {useTheme} from './theme.js';
import {type ChartSource} from '../src/store/chart-source.js';
import {type HistorySource} from '../src/history/history-source.js';
import {type CellMode} from '../src/charts/cells.js';
import {DEFAULT_CHART_SETTINGS} from '../src/charts/chart-settings.js';
import {gpuUnavailable} from '../src/format/gpu-view.js';
import {alertsClock, tasksClock, trainingClock} from '../src/format/pane-clock.js';

export interface AppProps {
	readonly source: SnapshotSource;
	/** The terminal to size the frame by; default: Ink's stdout. */
	readonly terminal?: TerminalSource;
	/** Weight of the smoothed loss line (TensorBoard's debiased EMA). */
	readonly smoothing?: number;
	/** What the alert keys do; without it they say "alerts not available". */
	readonly alertActions?: AlertActions;
	readonly onQuit?: () => void;
	/** Draw the whole frame again, not only the rows that changed (Ctrl-L). */
	readonly onRedraw?: () => void;
	/** The in-memory series the zoomed charts draw (the store's); without it they draw the snapshot's tails. */
	readonly charts?: ChartSource;
	/** Buckets for the chart windows beyond live (Redis history); without it those windows say so. */
	readonly history?: HistorySource;
	/** How charts are drawn: braille (default), block; ASCII under --ascii. */
	readonly cells?: CellMode;
	/** For tests: start with this UI state. */
	readonly initialState?: Partial<DashboardState>;
	/** The fleet part: told which host's GPUs the GPU pane shows (the hosts pane's Enter). */
	readonly fleet?: FleetControl;
}

/** How often a zoomed chart takes new data. */
const CHART_PERIOD_MS = 1000;
/**
The chart's own throttle is this much shorter than the subscription's period, so that a snapshot delivered at the
end of a period (a timer that fires a millisecond early by Date.now) is taken at once instead of by another timer.
*/
const CHART_SLACK_MS = 50;

/** Lines each pane would like (title line included). */
function paneDemands(rows: PaneRows, snapshot: Snapshot): Record<PaneId, PaneDemand> {
	// The hosts pane: a title, the column heads and a row per host (none while no other box reports).
	const otherBoxes = (snapshot.fleet?.hosts ?? []).some((h) => h.host !== snapshot.host) || snapshot.fleet?.conflict !== undefined;
	const hosts = otherBoxes ? Math.max(1, rows.hosts.length) : 0;
	const gpuLines = snapshot.gpu === undefined || rows.gpu.length === 0 ? 1 : rows.gpu.length;
	const projects = Math.max(1, rows.training.length);
	return {
		training: {need: 1 + projects, want: 1 + projects * 2},
		gpu: {need: 1 + gpuLines + (snapshot.hostView !== undefined ? 1 : 0), want: 1 + gpuLines + (snapshot.hostView !== undefined ? 1 : 0)},
		tasks: {need: 1 + 3 + Math.min(3, Math.max(1, rows.completions.length)), want: 1 + 3 + Math.min(15, Math.max(1, rows.completions.length))},
		agents: {need: 1 + 2 + Math.min(5, Math.max(1, rows.agents.length)), want: 1 + 2 + Math.max(1, rows.agents.length)},
		alerts: {
			need: 1 + Math.min(3, Math.max(1, rows.alerts.length)) + (rows.silences.length > 0 ? 2 : 0),
			want: 1 + Math.max(1, rows.alerts.length) + (rows.silences.length > 0 ? 1 + rows.silences.length : 0),
		},
		hosts: hosts === 0 ? {need: 0, want: 0} : {need: 2 + Math.min(4, hosts), want: 2 + hosts},
	};
}

/**
The dashboard. The frame is exactly rows - 1 lines (Ink 6.8 clears the whole screen, scrollback included, for
frames as tall as the terminal): header, panes, footer. Re-renders once per published snapshot and per key.
Glyphs and colours come from the ThemeProvider above it (Unicode without one).
*/
export function App({source, terminal, smoothing = 0.6, alertActions, onQuit, onRedraw, initialState, charts, history, cells = 'braille', fleet}: AppProps) {
	const [state, dispatch, latestState] = useDashboardState({...initialState, chart: {...DEFAULT_CHART_SETTINGS, smoothing, ...initialState?.chart}});
	const zoomedChart = state.zoomed && state.focus !== 'alerts' && state.focus !== 'hosts';
	// A zoomed chart takes new data once a second (below): the dashboard is then re-rendered once a second by the
	// snapshots too, not by each of the (up to 1000 / --refresh) published in between, which it would not show.
	const live = useSnapshot(source, state.paused, zoomedChart ? CHART_PERIOD_MS : 0);
	// Another host picked in the hosts pane: its GPUs (read from its keys by the fleet part) in the GPU pane.
	const viewHost = state.viewHost !== undefined && state.viewHost !== live.host ? state.viewHost : undefined;
	useEffect(() => {
		fleet?.watch(viewHost);
	}, [fleet, viewHost]);
	// The host line (/proc) is this box's: not shown over another host's GPUs.
	const snapshot = useMemo(() => {
		if (viewHost === undefined) return live;
		const {hostView: _thisBox, ...rest} = live;
		return {...rest, gpu: viewedGpu(live.fleet, viewHost)};
	}, [live, viewHost]);
	const {columns, rows} = useTerminalSize(terminal);
	const {exit} = useApp();
	const {colors, glyphs} = useTheme();
	const chartCells: CellMode = glyphs.name === 'ascii' ? 'ascii' : cells;
	// The charts' clock: the latest snapshot's time, read when a window's range is needed (stable across renders).
	const clockRef = useRef(snapshot.takenAtMs);
	clockRef.current = snapshot.takenAtMs;
	const clock = useCallback(() => clockRef.current, []);
	const filter = useMemo(() => parseFilter(state.filterText), [state.filterText]);
	const visible = useMemo(() => paneRows(snapshot, filter), [snapshot, filter]);
	// A zoomed chart takes new data at most once a second (keys still act at once); its rows come from that snapshot,
	// and so does the header's clock above it: data and clock change in one frame a second, not in two.
	const chartSnapshot = useThrottled(snapshot, zoomedChart ? CHART_PERIOD_MS - CHART_SLACK_MS : 0);
	const chartRows = useMemo(() => (zoomedChart ? paneRows(chartSnapshot, filter) : undefined), [zoomedChart, chartSnapshot, filter]);
	// The completions are read from the store once per chart snapshot, and only while the tasks chart is shown.
	const completions = useMemo(
		() => (zoomedChart && state.focus === 'tasks' ? (charts?.completions() ?? [...chartSnapshot.tasks.recent].reverse()) : []),
		[zoomedChart, state.focus, charts, chartSnapshot],
	);
	// The alert log's selection is held by id from the first render: an alert arriving on top never moves `a`'s target.
	const pinAlert = selectionToPin(
		visible.alerts.map((a) => a.id),
		state.selected.alerts,
	);
	useEffect(() => {
		if (pinAlert !== undefined) dispatch({type: 'select', pane: 'alerts', id: pinAlert});
	}, [pinAlert, dispatch]);
	// The hosts pane went away (no other box reports any more): focus the GPU pane instead of nothing.
	const hostsShown = visible.hosts.length > 0;
	useEffect(() => {
		if (state.focus === 'hosts' && !hostsShown) dispatch({type: 'focus', pane: 'gpu'});
	}, [state.focus, hostsShown, dispatch]);
	useDashboardKeys({
		state: latestState,
		dispatch,
		rows: visible,
		actions: alertActions,
		onQuit: () => {
			onQuit?.();
			exit();
		},
		...(onRedraw !== undefined ? {onRedraw} : {}),
	});
	const height = Math.max(1, rows - 1);
	const layout = computeLayout(columns, rows, paneDemands(visible, snapshot), state.zoomed ? state.focus : undefined);
	if (layout.kind === 'too-small') {
		return (
			<Box height={Math.min(height, 3)} width={columns} overflow="hidden">
				<Text color={colors.warn} wrap="wrap">
					terminal too small: {columns}x{rows}; mycotop needs at least {MIN_COLUMNS}x{MIN_ROWS} (q quits)
				</Text>
			</Box>
		);
	}
	const selected = (pane: PaneId) => selectedIndex(selectionIds(visible, pane), state.selected[pane]);
	const pane = (box: PaneBox) => {
		const common = {width: box.width, height: box.height, focused: state.focus === box.pane, selectedIndex: selected(box.pane)};
		const chart = {settings: state.chart, clock, cells: chartCells, history, width: box.width, height: box.height, focused: common.focused};
		if (chartRows !== undefined) {
			const chartSelected = selectedIndex(selectionIds(chartRows, box.pane), state.selected[box.pane]);
			switch (box.pane) {
				case 'training':
					return <ZoomedTraining key="z-training" {...chart} projects={chartRows.training} filtered={state.filterText !== ''} selectedIndex={chartSelected} source={charts} />;
				case 'gpu':
					return <ZoomedGpu key="z-gpu" {...chart} rows={chartRows.gpu} unavailable={gpuUnavailable(chartSnapshot.gpu)} host={chartSnapshot.host} selectedIndex={chartSelected} />;
				case 'tasks':
					return <ZoomedTasks key="z-tasks" {...chart} completions={completions} nowMs={chartSnapshot.takenAtMs} />;
				case 'agents':
					return <ZoomedAgents key="z-agents" {...chart} agents={chartRows.agents} source={charts} />;
				case 'alerts':
				case 'hosts':
					break;
			}
		}
		switch (box.pane) {
			case 'training':
				return (
					<TrainingPane
						key="training"
						{...common}
						projects={visible.training}
						total={snapshot.training.length}
						smoothing={state.chart.smoothing}
						nowMs={trainingClock(visible.training, snapshot.takenAtMs)}
						{...(snapshot.gpu?.projects !== undefined ? {energy: snapshot.gpu.projects} : {})}
					/>
				);
			case 'gpu':
				return (
					<GpuPane
						key="gpu"
						{...common}
						gpu={snapshot.gpu}
						rows={visible.gpu}
						zoomed={state.zoomed}
						{...(viewHost !== undefined ? {title: `GPUs of ${viewHost}`} : {})}
						{...(snapshot.hostView !== undefined ? {hostView: snapshot.hostView} : {})}
					/>
				);
			case 'hosts':
				return snapshot.fleet === undefined ? null : (
					<HostsPane key="hosts" {...common} fleet={snapshot.fleet} hosts={visible.hosts} viewHost={viewHost} nowMs={snapshot.takenAtMs} />
				);
			case 'tasks':
				return <TasksPane key="tasks" {...common} tasks={snapshot.tasks} completions={visible.completions} nowMs={tasksClock(visible.completions, snapshot.takenAtMs)} />;
			case 'agents':
				return <AgentsPane key="agents" {...common} agents={visible.agents} loadBalance={snapshot.loadBalance} />;
			case 'alerts':
				return (
					<AlertLog
						key="alerts"
						{...common}
						rows={visible.alerts}
						silences={visible.silences}
						nowMs={alertsClock(visible.alerts, visible.silences, snapshot.alerts?.receivers, snapshot.takenAtMs)}
						zoomed={state.zoomed}
						canExpire={alertActions?.expireSilence !== undefined}
						rulesRunning={snapshot.alerts !== undefined}
						ruleErrors={snapshot.alerts?.errors?.length}
						unwrittenTransitions={snapshot.alerts?.unwrittenTransitions}
						receivers={snapshot.alerts?.receivers}
					/>
				);
		}
	};
	return (
		<Box flexDirection="column" width={columns} height={height} overflow="hidden">
			<Header snapshot={zoomedChart ? chartSnapshot : snapshot} width={columns} paused={state.paused} filterText={state.filterText} />
			{state.help ? (
				<HelpOverlay width={columns} height={layout.height} />
			) : (
				<Box flexDirection="column" width={columns} height={layout.height} overflow="hidden">
					{layout.rows.map((row) => (
						<Box key={row.cells.map((c) => c.pane).join('+')} flexDirection="row" width={columns} height={row.height} overflow="hidden">
							{row.cells.map(pane)}
						</Box>
					))}
				</Box>
			)}
			<Footer focus={state.focus} prompt={state.prompt} status={state.status} alertsAvailable={alertActions !== undefined} zoomed={state.zoomed} width={columns} />
		</Box>
	);
}
