import React, {type ReactNode} from 'react';
import {Box, Text} from 'ink';

export interface PanelProps {
	/** 1-5: the key that focuses it. */
	readonly index: number;
	readonly title: string;
	/** Dim text after the title (counts, state). */
	readonly info?: string;
	readonly focused: boolean;
	readonly width: number;
	/** Lines, the title line included. */
	readonly height: number;
	readonly ascii?: boolean;
	readonly children?: ReactNode;
}

/**
A pane: one title line (the focused one marked with ▶ and shown inverse, so focus survives NO_COLOR) and its
content, clipped to `height` lines and `width` columns. No borders: every line goes to data.
*/
export function Panel({index, title, info, focused, width, height, ascii, children}: PanelProps) {
	const marker = focused ? (ascii ? '>' : '▶') : ' ';
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden" paddingRight={1}>
			<Box flexShrink={0} height={1}>
				<Text wrap="truncate-end">
					<Text bold inverse={focused} color={focused ? 'cyan' : undefined}>
						{`${marker}${index} ${title} `}
					</Text>
					{info ? <Text dimColor> {ascii ? info.replaceAll('·', '|').replaceAll('…', '...') : info}</Text> : null}
				</Text>
			</Box>
			<Box flexDirection="column" flexShrink={1} overflow="hidden">
				{children}
			</Box>
		</Box>
	);
}

/** The selection marker in front of a row: shown only in the focused pane. */
export function rowMarker(selected: boolean, focused: boolean, ascii?: boolean): string {
	return selected && focused ? (ascii ? '>' : '›') : ' ';
}
