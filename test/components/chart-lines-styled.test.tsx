/**
ChartLines draws each chart line as one pre-styled <Text> (components/ChartLines.tsx). Its frame must be the very
string Ink gives for the same spans drawn as nested <Text color dimColor>, colours on (chalk level 3, the same chalk
instance Ink styles with) and off, for every tone, faint or not, wide and empty text.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {Box, Text} from 'ink';
import chalk from 'chalk';
import fc from 'fast-check';
import {ChartLines} from '../../components/ChartLines.js';
import {type ChartLine, type ChartSpan} from '../../src/charts/render-chart.js';
import {colorOf, PALETTE, type Tone} from '../../src/format/theme.js';

const level = chalk.level;
afterEach(() => {
	chalk.level = level;
});

/** The spans as nested <Text>s: how the chart lines were drawn before (and how any pane draws coloured text). */
function Nested({lines, width}: {readonly lines: readonly ChartLine[]; readonly width: number}) {
	return (
		<Box flexDirection="column" width={width} height={lines.length} flexShrink={0} overflow="hidden">
			{lines.map((line, i) => (
				<Text key={i} wrap="truncate-end">
					{line.map((span, j) => (
						<Text key={j} color={colorOf(PALETTE, span.tone)} dimColor={span.faint === true}>
							{span.text}
						</Text>
					))}
				</Text>
			))}
		</Box>
	);
}

const tones: ReadonlyArray<Tone | undefined> = [undefined, 'ok', 'warn', 'critical', 'info', 'accent', 'secondary', 'muted', 'selection'];
const span: fc.Arbitrary<ChartSpan> = fc.record({
	text: fc.constantFrom('', ' ', '⣿⡀⠉', '▁▂█', '─┬─', '1.25', 'loss raw', '中文', '↑'),
	tone: fc.constantFrom(...tones),
	faint: fc.constantFrom(undefined, false, true),
});
const lines = fc.array(fc.array(span, {maxLength: 6}), {minLength: 1, maxLength: 4});

describe('ChartLines: one pre-styled text per line', () => {
	it.each([3, 0])('draws what nested <Text color dimColor> spans draw (chalk level %i)', (chalkLevel) => {
		chalk.level = chalkLevel as 0 | 3;
		fc.assert(
			fc.property(lines, fc.integer({min: 4, max: 30}), (ls, width) => {
				const ours = render(<ChartLines lines={ls} width={width} />);
				const nested = render(<Nested lines={ls} width={width} />);
				expect(ours.lastFrame()).toBe(nested.lastFrame());
				ours.unmount();
				nested.unmount();
			}),
			{numRuns: 150},
		);
	});

	it('colours a faint accent span dim cyan and leaves an untoned one plain', () => {
		chalk.level = 3;
		const {lastFrame, unmount} = render(<ChartLines lines={[[{text: 'ab', tone: 'accent', faint: true}, {text: 'cd'}]]} width={10} />);
		expect(lastFrame()).toBe('\u001B[36m\u001B[2mab\u001B[22m\u001B[39mcd');
		unmount();
	});
});
