/**
The TUI: Ink on the alternate screen, at most 10 frames a second, console output captured so nothing scribbles
over the frame, and the terminal restored on quit, on signals and on a crash.
*/
import React from 'react';
import {render} from 'ink';
import {appendFileSync} from 'node:fs';
import {format} from 'node:util';
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {type RuntimeOptions} from './runtime.js';
import {createRuntime} from './main.js';
import {App} from '../components/App.js';
import {type AlertActions} from './rules/alert-actions.js';
import {type TerminalSource} from '../hooks/use-terminal-size.js';

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

/**
The stdout Ink writes to, minus `rows`. Ink 6.8 compares its last frame's height with `rows` and, when the
frame is as tall as the terminal (which happens for one frame after a terminal shrinks, before React has the
new size), writes clearTerminal: a full clear that wipes tmux scrollback and flickers. Our frames are sized by
the real terminal (rows - 1) through `terminalSource`, so Ink never needs `rows`.
*/
export function inkStdout(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
	return new Proxy(stdout, {
		get(target, property) {
			if (property === 'rows') return undefined;
			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}

/** The real terminal's size and resize events, for the App's layout. */
export function terminalSource(stdout: NodeJS.WriteStream): TerminalSource {
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

/** The rule engine's keyboard actions, when a part provides them. */
function findAlertActions(parts: readonly object[]): AlertActions | undefined {
	for (const part of parts) {
		const actions = (part as {alertActions?: AlertActions}).alertActions;
		if (actions !== undefined) return actions;
	}
	return undefined;
}

export async function runTui(flags: Flags, config: MycotopConfig, options: RuntimeOptions): Promise<number> {
	const runtime = createRuntime(flags, config, options);
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

	await runtime.start();
	if (process.stdout.isTTY) process.stdout.write(ENTER_ALT_SCREEN);
	const ascii = flags.ascii || config.ui.ascii === true;
	const instance = render(
		<App
			source={runtime.snapshots}
			terminal={terminalSource(process.stdout)}
			ascii={ascii}
			smoothing={config.ui.smoothing ?? 0.6}
			alertActions={findAlertActions(runtime.parts)}
		/>,
		{
			stdout: inkStdout(process.stdout),
			maxFps: 10,
			patchConsole: false,
			exitOnCtrlC: false,
		},
	);
	const onSignal = () => instance.unmount();
	process.once('SIGTERM', onSignal);
	process.once('SIGHUP', onSignal);
	process.once('SIGINT', onSignal);
	await instance.waitUntilExit();
	instance.cleanup();
	restoreTerminal();
	await runtime.stop();
	return 0;
}
