/**
How the dashboard hands its frames to Ink: the options every render of it uses (the TUI, bench:frame and the
real-terminal test of incremental output, test/terminal/incremental-output.test.ts).
*/
import {type RenderOptions} from 'ink';

/**
The stdout Ink writes to, minus `rows`. Ink 6.8 compares its last frame's height with `rows` and, when the
frame is as tall as the terminal (which happens for one frame after a terminal shrinks, before React has the
new size), writes clearTerminal: a full clear that wipes tmux scrollback and flickers. Our frames are sized by
the real terminal (rows - 1) through the App's terminal source, so Ink never needs `rows`.
*/
function inkStdout(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
	return new Proxy(stdout, {
		get(target, property) {
			if (property === 'rows') return undefined;
			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}

/** Ink's render options for a frame of the terminal's height drawn to `stdout` at most `maxFps` times a second. */
export function inkRenderOptions(stdout: NodeJS.WriteStream, maxFps: number, stdin?: NodeJS.ReadStream): RenderOptions {
	return {
		stdout: inkStdout(stdout),
		...(stdin !== undefined ? {stdin} : {}),
		maxFps,
		// Rewrite only the rows that changed (most of a frame is what it was a second ago): fewer bytes to the
		// terminal (they cross ssh) and less for it to parse. Made correct by scripts/ink-patches.mjs (log-update).
		incrementalRendering: true,
		patchConsole: false,
		exitOnCtrlC: false,
	};
}
