import React, {memo} from 'react';
import {Box, Text} from 'ink';
import {footerHints} from '../hooks/keymap.js';
import {type Prompt, type Status} from '../hooks/use-dashboard-state.js';
import {type PaneId} from '../src/format/layout.js';
import {toAscii} from '../src/format/units.js';
import {Line} from './Panel.js';

export interface FooterProps {
	readonly focus: PaneId;
	readonly prompt: Prompt | undefined;
	readonly status: Status | undefined;
	readonly alertsAvailable: boolean;
	readonly width: number;
	readonly ascii?: boolean;
}

/** What a prompt asks, as the footer shows it. */
export function promptText(prompt: Prompt): string {
	switch (prompt.kind) {
		case 'filter':
			return `filter (project:, agent:, gpu:, rule: or any text; Enter applies, empty clears): ${prompt.text}▏`;
		case 'silence-for':
			return `silence ${prompt.rule} for (90m, 2h, 1d; Enter applies): ${prompt.text}▏`;
		case 'confirm-ack-all':
			return `acknowledge ${prompt.ids.length} visible alerts? y/n`;
	}
}

/** The prompt when one is open; else the last action's result and the key hints of the focused pane. */
export const Footer = memo(function Footer({focus, prompt, status, alertsAvailable, width, ascii}: FooterProps) {
	const text = (s: string) => (ascii ? toAscii(s) : s);
	return (
		<Box width={width} height={1} overflow="hidden">
			{prompt !== undefined ? (
				<Line ascii={ascii}>
					{status !== undefined ? <Text color={status.tone === 'error' ? 'red' : 'green'}>{text(status.text)} </Text> : null}
					<Text color="cyan">{text(promptText(prompt))}</Text>
				</Line>
			) : (
				<Line ascii={ascii}>
					{status !== undefined ? <Text color={status.tone === 'error' ? 'red' : 'green'}>{text(status.text)} </Text> : null}
					<Text dimColor>{text(footerHints(focus, alertsAvailable))}</Text>
				</Line>
			)}
		</Box>
	);
});
