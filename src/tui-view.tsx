/**
The Ink side of the TUI: loaded by src/tui.ts while the runtime connects and hydrates (Ink and React are most of
the start-up time), then rendered once the first snapshot holds the history.
*/
import {render, type Instance} from 'ink';
import {inkRenderOptions} from './ink-render-options.js';
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {App} from '../components/App.js';
import {type FleetControl} from './fleet/fleet-view.js';
import {ThemeProvider, themeFor} from '../components/theme.js';
import {type AlertActions} from './rules/alert-actions.js';
import {type TerminalSource} from '../hooks/use-terminal-size.js';
import {type SnapshotSource} from '../hooks/use-snapshot.js';
import {type ChartSource} from './store/chart-source.js';
import {type HistorySource} from './history/history-source.js';

/** The real terminal's size and resize events, for the App's layout. */
function terminalSource(stdout: NodeJS.WriteStream): TerminalSource {
	return {
		get columns() {
			return stdout.columns;
		},
		get rows() {
			return stdout.rows;
		},
		on: (event, listener) => stdout.on(event, listener),
		off: (event, listener) => stdout.off(event, listener),
	};
}

/** What the dashboard draws and acts on, given by the TUI: the runtime's snapshots and the rules part's alert actions. */
export interface DashboardSources {
	readonly snapshots: SnapshotSource;
	/** Undefined without a rules part: the alert keys then say so. */
	readonly alertActions: AlertActions | undefined;
	/** The store's series for the zoomed charts (without it they draw the snapshot's tails). */
	readonly charts?: ChartSource;
	/** Redis history for the chart windows; without it those windows say so. */
	readonly history?: HistorySource;
	/** The fleet part: whose GPUs the GPU pane shows (the hosts pane's Enter). */
	readonly fleet?: FleetControl;
}

/** Where and how often to draw: the process's terminal at most 10 frames a second, or a stand-in (bench:frame). */
export interface DrawTarget {
	readonly stdout: NodeJS.WriteStream;
	/** Default: the process's stdin. */
	readonly stdin?: NodeJS.ReadStream;
	readonly maxFps: number;
}

/**
How often the whole frame is drawn again although only changed rows are written between (see inkRenderOptions):
text that something else wrote to the terminal (a background job's "Done", a wall message) is gone within this
long even without Ctrl-L. One full frame (about 3.4 KB at 120x40) per period.
*/
const FULL_REDRAW_MS = 10_000;

/** Ink's instance plus `redraw` (the whole last frame written again), added by scripts/ink-patches.mjs. */
export interface DashboardInstance extends Instance {
	readonly redraw: () => void;
}

/** Render the dashboard over the runtime's snapshots. */
export function renderDashboard(sources: DashboardSources, flags: Flags, config: MycotopConfig, target: DrawTarget = {stdout: process.stdout, maxFps: 10}): DashboardInstance {
	const {stdout} = target;
	const theme = themeFor({ascii: flags.ascii || config.ui.ascii === true});
	// The App's Ctrl-L needs the instance that render() is about to return.
	let redraw = () => undefined as void;
	const instance = render(
		<ThemeProvider theme={theme}>
			<App
				source={sources.snapshots}
				terminal={terminalSource(stdout)}
				smoothing={config.ui.smoothing ?? 0.6}
				alertActions={sources.alertActions}
				charts={sources.charts}
				history={sources.history}
				cells={flags.charts ?? 'braille'}
				{...(sources.fleet !== undefined ? {fleet: sources.fleet} : {})}
				onRedraw={() => {
					redraw();
				}}
			/>
		</ThemeProvider>,
		inkRenderOptions(stdout, target.maxFps, target.stdin),
	) as Instance & Partial<DashboardInstance>;
	// Stock Ink (bench:frame's reference run) has no redraw: nothing to repeat. The bundle's build fails without it
	// (assertPatchesApplied).
	if (typeof instance.redraw !== 'function') return {...instance, redraw: () => undefined};
	redraw = instance.redraw;
	const timer = setInterval(redraw, FULL_REDRAW_MS);
	timer.unref();
	const stop = () => {
		clearInterval(timer);
	};
	instance.waitUntilExit().then(stop, stop);
	return instance as DashboardInstance;
}
