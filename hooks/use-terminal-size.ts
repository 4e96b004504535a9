import {useCallback, useSyncExternalStore} from 'react';
import {useStdout} from 'ink';

export interface TerminalSize {
	readonly columns: number;
	readonly rows: number;
}

/**
Where the size comes from. The TUI passes the real terminal (Ink itself is given a stdout without `rows`, so
it never takes its clear-the-whole-screen path); tests pass a fake they can resize.
*/
export interface TerminalSource {
	readonly columns: number | undefined;
	readonly rows: number | undefined;
	on(event: 'resize', listener: () => void): unknown;
	off(event: 'resize', listener: () => void): unknown;
}

const cache = new WeakMap<TerminalSource, TerminalSize>();

function read(source: TerminalSource): TerminalSize {
	const columns = source.columns || 100;
	const rows = source.rows || 30;
	const last = cache.get(source);
	if (last !== undefined && last.columns === columns && last.rows === rows) return last;
	const size = {columns, rows};
	cache.set(source, size);
	return size;
}

/**
Terminal size, re-read on resize (synchronously, through useSyncExternalStore, so the next frame already has
the new size). Falls back to 100x30 where the stream has no size (tests, pipes).
*/
export function useTerminalSize(terminal?: TerminalSource): TerminalSize {
	const {stdout} = useStdout();
	const source: TerminalSource = terminal ?? stdout;
	const subscribe = useCallback(
		(listener: () => void) => {
			source.on('resize', listener);
			return () => {
				source.off('resize', listener);
			};
		},
		[source],
	);
	const get = useCallback(() => read(source), [source]);
	return useSyncExternalStore(subscribe, get, get);
}
