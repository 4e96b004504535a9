import React from 'react';
import {Box, Text} from 'ink';
import {BINDINGS} from '../hooks/keymap.js';

export interface HelpOverlayProps {
	readonly width: number;
	readonly height: number;
}

/** Every binding of the keymap (the same table the footer and the input hook use). */
export function HelpOverlay({width, height}: HelpOverlayProps) {
	const labelWidth = Math.max(...BINDINGS.map((b) => b.label.length)) + 2;
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<Text bold wrap="truncate-end">
				Keys <Text dimColor>(? or Enter closes; no mouse needed; alert keys act in the alert log)</Text>
			</Text>
			{BINDINGS.map((b) => (
				<Text key={b.label} wrap="truncate-end">
					{'  '}
					<Text color="cyan">{b.label.padEnd(labelWidth)}</Text>
					{b.help}
					{b.scope === 'alerts' ? <Text dimColor> (alert log)</Text> : null}
				</Text>
			))}
		</Box>
	);
}
