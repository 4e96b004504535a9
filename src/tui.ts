/**
The TUI: Ink on the alternate screen, at most 10 frames a second, console output captured so nothing scribbles
over the frame, and the terminal restored on quit, on signals and on a crash.

Start-up is overlapped: the runtime connects to Redis and reads the history while Ink, React and the panes load
(src/tui-view.tsx is imported only then); the first frame is drawn once both are done.
*/
import {appendFileSync} from 'node:fs';
import {format} from 'node:util';
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {type RuntimeOptions} from './runtime.js';
import {composeRuntime} from './compose.js';
import {BEL, BELL_START, bellStep} from './notify/bell.js';
import {type SnapshotPublisher} from './store/snapshot.js';
import {storeChartSource} from './store/chart-source.js';

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[?25l';
const LEAVE_ALT_SCREEN = '\u001B[?25h\u001B[?1049l';

/** Route console.* to $MYCOTOP_LOG (or nowhere) while the TUI owns the terminal. */
function captureConsole(logFile: string | undefined): () => void {
	const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
	const saved = methods.map((m) => console[m]);
	for (const m of methods) {
		console[m] = (...args: unknown[]) => {
			if (logFile) {
				try {
					appendFileSync(logFile, `${new Date().toISOString()} ${m} ${format(...args)}\n`);
				} catch {
					// logging must never break the UI
				}
			}
		};
	}
	return () => methods.forEach((m, i) => (console[m] = saved[i]!));
}

/** Ring the terminal bell (BEL on stdout, between frames) when a critical alert starts firing; returns the unsubscribe. */
function ringOnNewCritical(snapshots: Pick<SnapshotPublisher, 'getSnapshot' | 'subscribe'>): () => void {
	let state = BELL_START;
	const check = () => {
		const step = bellStep(state, snapshots.getSnapshot().alerts?.rows ?? []);
		state = step.state;
		if (step.ring && process.stdout.isTTY) process.stdout.write(BEL);
	};
	check();
	return snapshots.subscribe(check);
}

export async function runTui(flags: Flags, config: MycotopConfig, options: RuntimeOptions): Promise<number> {
	const runtime = await composeRuntime(flags, config, options);
	const restoreConsole = captureConsole(process.env['MYCOTOP_LOG']);
	let restored = false;
	const restoreTerminal = () => {
		if (restored) return;
		restored = true;
		if (process.stdout.isTTY) process.stdout.write(LEAVE_ALT_SCREEN);
		restoreConsole();
	};
	const onCrash = (error: unknown) => {
		restoreTerminal();
		process.stderr.write(`mycotop crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	};
	process.on('uncaughtException', onCrash);
	process.on('unhandledRejection', onCrash);

	const started = runtime.start(1500, {waitForParts: false});
	const view = await import('./tui-view.js');
	await started;
	if (process.stdout.isTTY) process.stdout.write(ENTER_ALT_SCREEN);
	const instance = view.renderDashboard(
		{snapshots: runtime.snapshots, alertActions: runtime.rules?.alertActions, charts: storeChartSource(runtime.store), history: runtime.history, fleet: runtime.fleet},
		flags,
		config,
	);
	const stopBell = flags.bell || config.notify?.bell === true ? ringOnNewCritical(runtime.snapshots) : () => undefined;
	const onSignal = () => instance.unmount();
	process.once('SIGTERM', onSignal);
	process.once('SIGHUP', onSignal);
	process.once('SIGINT', onSignal);
	await instance.waitUntilExit();
	stopBell();
	instance.cleanup();
	restoreTerminal();
	await runtime.stop();
	return 0;
}
