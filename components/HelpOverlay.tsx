import {Box, Text} from 'ink';
import {BINDINGS} from '../hooks/keymap.js';
import {cellWidth, padCells} from '../src/format/text-width.js';
import {Line} from './Panel.js';
import {useTheme} from './theme.js';

export interface HelpOverlayProps {
	readonly width: number;
	readonly height: number;
}

/** Every binding of the keymap (the same table the footer and the input hook use). */
export function HelpOverlay({width, height}: HelpOverlayProps) {
	const {glyphs, colors} = useTheme();
	const text = glyphs.text;
	const labelWidth = Math.max(...BINDINGS.map((b) => cellWidth(text(b.label)))) + 2;
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<Line bold>
				Keys <Text dimColor>(? or Enter closes; no mouse needed; alert keys act in the alert log)</Text>
			</Line>
			{BINDINGS.map((b) => (
				<Line key={b.label}>
					{'  '}
					<Text color={colors.accent}>{padCells(text(b.label), labelWidth)}</Text>
					{text(b.help)}
					{b.scope === 'alerts' ? <Text dimColor> (alert log)</Text> : null}
				</Line>
			))}
		</Box>
	);
}
