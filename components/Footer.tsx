import {memo} from 'react';
import {Box} from 'ink';
import {styled} from '../src/format/styled-text.js';
import {footerHints} from '../hooks/keymap.js';
import {type Prompt, type Status} from '../hooks/use-dashboard-state.js';
import {type PaneId} from '../src/format/layout.js';
import {StyledLine} from './Panel.js';
import {useTheme} from './theme.js';

export interface FooterProps {
	readonly focus: PaneId;
	readonly prompt: Prompt | undefined;
	readonly status: Status | undefined;
	readonly alertsAvailable: boolean;
	/** A pane is zoomed: the chart keys are listed. */
	readonly zoomed?: boolean;
	readonly width: number;
}

/** What a prompt asks, as the footer shows it. */
function promptText(prompt: Prompt): string {
	switch (prompt.kind) {
		case 'filter':
			return `filter (project:, agent:, gpu:, rule: or any text; Enter applies, empty clears): ${prompt.text}▏`;
		case 'silence-for':
			return `silence ${prompt.rule} for (90m, 2h, 1d; Enter applies): ${prompt.text}▏`;
		case 'ack-note':
			return `acknowledge ${prompt.rule}: 2h, a comment, or 2h: comment (Enter acknowledges, Esc cancels): ${prompt.text}▏`;
		case 'confirm-ack-all':
			return `acknowledge ${prompt.ids.length} visible alerts? y/n`;
	}
}

/** The prompt when one is open; else the last action's result and the key hints of the focused pane. */
export const Footer = memo(function Footer({focus, prompt, status, alertsAvailable, zoomed = false, width}: FooterProps) {
	const {glyphs, colors} = useTheme();
	const text = glyphs.text;
	// One pre-styled string (styled(), as the nested <Text>s it replaces styled each piece).
	const statusText = status === undefined ? '' : styled(`${text(status.text)} `, {color: status.tone === 'error' ? colors.critical : colors.ok});
	const line = prompt !== undefined ? styled(text(promptText(prompt)), {color: colors.accent}) : styled(text(footerHints(focus, alertsAvailable, zoomed)), {dimColor: true});
	return (
		<Box width={width} height={1} overflow="hidden">
			<StyledLine text={statusText + line} />
		</Box>
	);
});
