import React, {type ReactNode} from 'react';
import {Box, Text, type TextProps} from 'ink';
import {toAscii} from '../src/format/units.js';

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
				<Line ascii={ascii}>
					<Text bold inverse={focused} color={focused ? 'cyan' : undefined}>
						{`${marker}${index} ${title} `}
					</Text>
					{info ? <Text dimColor> {ascii ? toAscii(info) : info}</Text> : null}
				</Line>
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

export type LineProps = Omit<TextProps, 'wrap'> & {readonly ascii?: boolean};

/**
One line of text, cut at the right edge. Ink's truncate-end ends a cut line with '…'; with --ascii the line is
hard-wrapped instead inside a box one line tall, so the overflow is clipped without any non-ASCII marker.
*/
export function Line({ascii, children, ...text}: LineProps) {
	if (!ascii) {
		return (
			<Text wrap="truncate-end" {...text}>
				{children}
			</Text>
		);
	}
	return (
		<Box height={1} flexShrink={0} overflow="hidden">
			<Text wrap="wrap" {...text}>
				{children}
			</Text>
		</Box>
	);
}
