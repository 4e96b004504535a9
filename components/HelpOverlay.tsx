import {Box, Text} from 'ink';
import {BINDINGS, type Binding} from '../hooks/keymap.js';
import {cellWidth, padCells} from '../src/format/text-width.js';
import {Line} from './Panel.js';
import {useTheme} from './theme.js';

export interface HelpOverlayProps {
	readonly width: number;
	readonly height: number;
}

const SCOPE_NOTE: Record<Binding['scope'], string | undefined> = {any: undefined, alerts: ' (alert log)', chart: ' (zoomed)', hosts: ' (hosts)'};

/**
Every binding of the keymap (the same table the footer and the input hook use), in two columns when one does not
fit the height.
*/
export function HelpOverlay({width, height}: HelpOverlayProps) {
	const {glyphs, colors} = useTheme();
	const text = glyphs.text;
	const labelWidth = Math.max(...BINDINGS.map((b) => cellWidth(text(b.label)))) + 2;
	const perColumn = BINDINGS.length + 1 > height ? Math.ceil(BINDINGS.length / 2) : BINDINGS.length;
	const columns = perColumn < BINDINGS.length ? [BINDINGS.slice(0, perColumn), BINDINGS.slice(perColumn)] : [BINDINGS];
	const columnWidth = Math.floor(width / columns.length);
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden">
			<Line bold>
				Keys <Text dimColor>(? or Enter closes; no mouse needed; alert keys act in the alert log)</Text>
			</Line>
			<Box flexDirection="row" width={width}>
				{columns.map((bindings, c) => (
					<Box key={c} flexDirection="column" width={columnWidth} overflow="hidden">
						{bindings.map((b, i) => (
							<Line key={i}>
								{'  '}
								<Text color={colors.accent}>{padCells(text(b.label), labelWidth)}</Text>
								{text(b.help)}
								{SCOPE_NOTE[b.scope] === undefined ? null : <Text dimColor>{SCOPE_NOTE[b.scope]}</Text>}
							</Line>
						))}
					</Box>
				))}
			</Box>
		</Box>
	);
}
