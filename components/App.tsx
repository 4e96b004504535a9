import React from 'react';
import {Box, Text, useApp, useInput} from 'ink';
import {useSnapshot, type SnapshotSource} from '../hooks/use-snapshot.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {Header} from './Header.js';
import {TrainingPane} from './TrainingPane.js';

export interface AppProps {
	readonly source: SnapshotSource;
	readonly ascii?: boolean;
	readonly onQuit?: () => void;
}

/** The dashboard. The frame is kept to rows - 1 lines: Ink 6.8 clears the whole screen on taller frames. */
export function App({source, ascii, onQuit}: AppProps) {
	const snapshot = useSnapshot(source);
	const {columns, rows} = useTerminalSize();
	const {exit} = useApp();
	useInput((input, key) => {
		if (input === 'q' || (key.ctrl && input === 'c')) {
			onQuit?.();
			exit();
		}
	});
	const height = Math.max(1, rows - 1);
	if (columns < 80 || rows < 24) {
		return (
			<Box height={height} width={columns}>
				<Text color="yellow">
					terminal too small: {columns}x{rows}, mycotop needs at least 80x24 (q quits)
				</Text>
			</Box>
		);
	}
	return (
		<Box flexDirection="column" width={columns} height={height} overflow="hidden">
			<Header snapshot={snapshot} width={columns} />
			<TrainingPane projects={snapshot.training} width={columns} height={height - 2} ascii={ascii} />
			<Text dimColor wrap="truncate-end">
				q quit
			</Text>
		</Box>
	);
}
