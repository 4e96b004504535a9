import React from 'react';
import {Box, Text} from 'ink';
import {BINDINGS} from '../hooks/keymap.js';
import {toAscii} from '../src/format/units.js';
import {cellWidth, padCells} from '../src/format/text-width.js';
import {Line} from './Panel.js';

export interface HelpOverlayProps {
	readonly width: number;
	readonly height: number;
	readonly ascii?: boolean;
}

/** Every binding of the keymap (the same table the footer and the input hook use). */
export function HelpOverlay({width, height, ascii}: HelpOverlayProps) {
	const text = (s: string) => (ascii ? toAscii(s) : s);
	const labelWidth = Math.max(...BINDINGS.map((b) => cellWidth(text(b.label)))) + 2;
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<Line ascii={ascii} bold>
				Keys <Text dimColor>(? or Enter closes; no mouse needed; alert keys act in the alert log)</Text>
			</Line>
			{BINDINGS.map((b) => (
				<Line ascii={ascii} key={b.label}>
					{'  '}
					<Text color="cyan">{padCells(text(b.label), labelWidth)}</Text>
					{text(b.help)}
					{b.scope === 'alerts' ? <Text dimColor> (alert log)</Text> : null}
				</Line>
			))}
		</Box>
	);
}
