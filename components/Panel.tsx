import {memo, type ReactNode} from 'react';
import {Box, Text, type TextProps} from 'ink';
import {type Glyphs} from '../src/format/theme.js';
import {styled} from '../src/format/styled-text.js';
import {cellWidth} from '../src/format/text-width.js';
import {useTheme} from './theme.js';

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
	readonly children?: ReactNode;
}

/**
A pane: one title line (the focused one marked with ▶ and shown inverse, so focus survives NO_COLOR) and its
content, clipped to `height` lines and `width` columns. No borders: every line goes to data.
*/
export function Panel({index, title, info, focused, width, height, children}: PanelProps) {
	const {glyphs, colors} = useTheme();
	const marker = focused ? glyphs.focus : ' ';
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden" paddingRight={1}>
			<Box flexShrink={0} height={1}>
				<StyledLine
					text={styled(`${marker}${index} ${title} `, {bold: true, inverse: focused, color: focused ? colors.selection : undefined}) + (info ? styled(` ${glyphs.text(info)}`, {dimColor: true}) : '')}
				/>
			</Box>
			<Box flexDirection="column" flexShrink={1} overflow="hidden">
				{children}
			</Box>
		</Box>
	);
}

/** The selection marker in front of a row: shown only in the focused pane. */
export function rowMarker(selected: boolean, focused: boolean, glyphs: Glyphs): string {
	return selected && focused ? glyphs.selected : ' ';
}

export type LineProps = Omit<TextProps, 'wrap'>;

/**
One line of text, cut at the right edge. Ink's truncate-end ends a cut line with '…'; with the ASCII glyphs the
line is hard-wrapped instead inside a box one line tall, so the overflow is clipped without any non-ASCII marker.
*/
export function Line({children, ...text}: LineProps) {
	const {glyphs} = useTheme();
	if (glyphs.lineCut === 'truncate-end') {
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

interface StyledLineProps extends Omit<LineProps, 'children'> {
	/** The line's text, pre-styled (src/format/styled-text.ts): one text node however many colours it has. */
	readonly text: string;
}

/**
One pre-styled line: a <Line> with a single string child, so React renders and commits, and Ink squashes, one text
node for it instead of one per coloured piece. Memoised on its text and style: a row that reads as it did is not
rendered again.
*/
export const StyledLine = memo(function StyledLine({text, ...style}: StyledLineProps) {
	return <Line {...style}>{text}</Line>;
});

export interface StyledRow {
	/** The row's id (a React key when the rows are drawn one by one). */
	readonly key: string;
	/** The row, pre-styled. */
	readonly text: string;
	/** The whole row inverse (the selection). */
	readonly inverse?: boolean;
}

interface StyledRowsProps {
	readonly rows: readonly StyledRow[];
	/** Cells the rows have: the pane's width less its right padding. */
	readonly width: number;
}

/**
A pane's rows as one text node when every row is non-empty and fits `width` cells: Ink then neither wraps nor cuts
any of them, and writes each where the rows drawn one by one would be (one yoga node, one measure and one write for
the table instead of one each per row; an inverse row is the same bytes as <Line inverse> gives a row it does not
cut). Otherwise each row is a StyledLine, cut by Ink as before. Only for rows a pane has counted to fit its height.
*/
export const StyledRows = memo(function StyledRows({rows, width}: StyledRowsProps) {
	if (rows.length > 1 && rows.every((row) => row.text !== '' && cellWidth(row.text) <= width)) {
		return <Text>{rows.map((row) => (row.inverse ? styled(row.text, {inverse: true}) : row.text)).join('\n')}</Text>;
	}
	return rows.map((row) => <StyledLine key={row.key} text={row.text} {...(row.inverse ? {inverse: true} : {})} />);
});
