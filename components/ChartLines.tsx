import {memo} from 'react';
import {Box, Text} from 'ink';
import {type ChartLine} from '../src/charts/render-chart.js';
import {colorOf} from '../src/format/theme.js';
import {Line} from './Panel.js';
import {useTheme} from './theme.js';

export interface ChartLinesProps {
	/** Lines of exactly `width` cells (src/charts/render-chart.ts). */
	readonly lines: readonly ChartLine[];
	readonly width: number;
}

function sameLine(a: ChartLine, b: ChartLine): boolean {
	return a.length === b.length && a.every((s, i) => s.text === b[i]!.text && s.tone === b[i]!.tone && s.faint === b[i]!.faint);
}

/** One chart line; redrawn only when its spans changed (a live chart that gains a point changes a line or two). */
const ChartLineText = memo(
	function ChartLineText({line}: {readonly line: ChartLine}) {
		const {colors} = useTheme();
		return (
			<Text wrap="truncate-end">
				{line.map((span, j) => (
					<Text key={j} color={colorOf(colors, span.tone)} dimColor={span.faint === true}>
						{span.text}
					</Text>
				))}
			</Text>
		);
	},
	(a, b) => sameLine(a.line, b.line),
);

/** Rendered chart lines as Ink text: one <Text> per line, a nested one per span (its tone's colour, dim when faint). */
export const ChartLines = memo(function ChartLines({lines, width}: ChartLinesProps) {
	return (
		<Box flexDirection="column" width={width} height={lines.length} flexShrink={0} overflow="hidden">
			{lines.map((line, i) => (
				<ChartLineText key={i} line={line} />
			))}
		</Box>
	);
});

/** The history's state above a chart (off, loading, failed), in the warning colour; nothing when the answer is there. */
export function ChartNote({note}: {readonly note: string}) {
	const {glyphs, colors} = useTheme();
	return note === '' ? null : <Line color={colors.warn}>{glyphs.text(note)}</Line>;
}
