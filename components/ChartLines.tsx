import {memo} from 'react';
import {Box, Text} from 'ink';
import chalk from 'chalk';
import {type ChartLine} from '../src/charts/render-chart.js';
import {colorOf, type Palette} from '../src/format/theme.js';
import {Line} from './Panel.js';
import {useTheme} from './theme.js';

export interface ChartLinesProps {
	/** Lines of exactly `width` cells (src/charts/render-chart.ts). */
	readonly lines: readonly ChartLine[];
	readonly width: number;
}

function sameLine(a: ChartLine, b: ChartLine): boolean {
	// A row the renderer reused is the same object (renderChart's memo).
	if (a === b) return true;
	return a.length === b.length && a.every((s, i) => s.text === b[i]!.text && s.tone === b[i]!.tone && s.faint === b[i]!.faint);
}

type ChalkColor = keyof typeof chalk & string;

/**
A line's spans as one styled string, exactly as Ink styles a nested <Text color dimColor> (chalk, the same instance
and colour level Ink uses: dim first, then the colour), so the frame is the same as with a <Text> per span. One text
node per line instead of one per span: Ink squashes and styles every nested <Text> of the screen on every frame,
changed or not, which made a full-screen chart cost several times the dashboard.
*/
function styledLine(line: ChartLine, colors: Palette): string {
	let out = '';
	for (const span of line) {
		let text = span.faint === true ? chalk.dim(span.text) : span.text;
		const color = colorOf(colors, span.tone);
		if (color !== undefined && color in chalk) text = (chalk[color as ChalkColor] as (s: string) => string)(text);
		out += text;
	}
	return out;
}

/** One chart line; redrawn only when its spans changed (a live chart that gains a point changes a line or two). */
const ChartLineText = memo(
	function ChartLineText({line}: {readonly line: ChartLine}) {
		const {colors} = useTheme();
		return <Text wrap="truncate-end">{styledLine(line, colors)}</Text>;
	},
	(a, b) => sameLine(a.line, b.line),
);

/** Rendered chart lines as Ink text: one <Text> per line, its spans pre-styled (their tone's colour, dim when faint). */
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
