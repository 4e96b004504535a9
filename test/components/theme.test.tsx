/** The theme: glyph sets and the context that serves them. */
import React from 'react';
import {describe, expect, it} from 'vitest';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {ASCII_THEME, ThemeProvider, UNICODE_THEME, useTheme} from '../../components/theme.js';
import {ASCII_GLYPHS, glyphsOf, themeFor, UNICODE_GLYPHS, type Glyphs} from '../../src/format/theme.js';
import {gauge, histogramLine, sparkline} from '../../src/format/sparkline.js';

/** Every string a glyph set holds. */
function strings(glyphs: Glyphs): string[] {
	const {arrows, gauge: cells, levels, ellipsis, focus, selected, noData, degrees, atMost, nonFinite, emptyBucket} = glyphs;
	return [ellipsis, focus, selected, noData, degrees, atMost, nonFinite, emptyBucket, ...Object.values(arrows), ...levels, cells.full, cells.empty, cells.unknown, ...cells.partial];
}

function Probe() {
	const {glyphs, colors} = useTheme();
	return <Text>{`${glyphs.name} ${glyphs.ellipsis} ${colors.critical}`}</Text>;
}

describe('theme', () => {
	it('the ASCII set is printable ASCII, one cell per glyph, and spells text out', () => {
		for (const s of strings(ASCII_GLYPHS)) expect(s).toMatch(/^[\u0020-\u007e]*$/);
		expect(ASCII_GLYPHS.text('GPU 0 at 92°C · 训练')).toBe('GPU 0 at 92C | ??');
		expect(UNICODE_GLYPHS.text('训')).toBe('训');
	});

	it('both sets have the same shape: as many levels, one-cell marks', () => {
		expect(ASCII_GLYPHS.levels.length).toBe(UNICODE_GLYPHS.levels.length);
		for (const glyphs of [ASCII_GLYPHS, UNICODE_GLYPHS]) for (const s of [glyphs.focus, glyphs.selected, glyphs.ellipsis, glyphs.noData]) expect([...s]).toHaveLength(1);
	});

	it('is chosen once from --ascii / ui.ascii', () => {
		expect(themeFor({ascii: true})).toBe(ASCII_THEME);
		expect(themeFor({ascii: false})).toBe(UNICODE_THEME);
		expect(themeFor({})).toBe(UNICODE_THEME);
		expect([glyphsOf(true), glyphsOf(false), glyphsOf(undefined), glyphsOf(ASCII_GLYPHS)]).toEqual([ASCII_GLYPHS, UNICODE_GLYPHS, UNICODE_GLYPHS, ASCII_GLYPHS]);
	});

	it('the formatters draw with the glyph set they are given', () => {
		expect(gauge(50, 4, ASCII_GLYPHS)).toBe('##..');
		expect(gauge(56.25, 4, UNICODE_GLYPHS)).toBe('██▎ ');
		expect(gauge(Number.NaN, 3, ASCII_GLYPHS)).toBe('???');
		expect(sparkline([0, 1, Number.NaN], 4, {glyphs: ASCII_GLYPHS})).toBe(' _#!');
		expect(sparkline([0, 1], 2, {glyphs: UNICODE_GLYPHS})).toBe('▁█');
		expect(histogramLine([0, 2], 4, ASCII_GLYPHS)).toBe('..##');
	});

	it('the context serves the provided theme, Unicode without a provider', () => {
		const shown = (node: React.ReactElement) => {
			const {lastFrame, unmount} = render(node);
			const frame = lastFrame();
			unmount();
			return frame;
		};
		expect(shown(<Probe />)).toBe('unicode … red');
		expect(
			shown(
				<ThemeProvider theme={ASCII_THEME}>
					<Probe />
				</ThemeProvider>,
			),
		).toBe('ascii ~ red');
	});
});
