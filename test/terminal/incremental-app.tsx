/**
A small Ink app for test/terminal/incremental-output.test.ts, drawn with the dashboard's render options (incremental
output on): a frame of the terminal's height minus one, whose lines are a pure function of the frame number, the
zoom and the size (frameLines), so the test knows what the screen must show. Keys: n draws the next frame, z zooms
(every line changes), r redraws the whole frame (the patched instance's redraw, the dashboard's Ctrl-L), q quits. Bundled by the test with Ink's patches; runs only as the bundle's entry.
*/
import {pathToFileURL} from 'node:url';
import {useEffect, useState} from 'react';
import {Box, render, Text, useApp, useInput} from 'ink';
import stringWidth from 'string-width';
import {inkRenderOptions} from '../../src/ink-render-options.js';

/** `text` cut to at most `columns` cells (a wide character that would not fit is dropped). */
function fit(text: string, columns: number): string {
	let out = '';
	for (const ch of text) {
		if (stringWidth(out + ch) > columns) break;
		out += ch;
	}
	return out;
}

/** The frame's lines: most stay the same from frame to frame, one in five changes, zoom changes them all. */
export function frameLines(frame: number, zoomed: boolean, columns: number, rows: number): string[] {
	const lines = [fit(`frame ${frame} ${zoomed ? 'zoomed' : 'overview'} ${columns}x${rows}`, columns)];
	for (let i = 1; i < rows - 1; i++) {
		const changing = i % 5 === frame % 5;
		const kind = (i + (zoomed ? 2 : 0)) % 4;
		if (kind === 0) lines.push(fit(`${zoomed ? 'Z' : 'x'}${changing ? frame : ''}`.padEnd(columns - 1, '─') + '│', columns));
		else if (kind === 1) lines.push(fit(`${i} 训练-语音 ${changing ? `#${frame}` : ''} ${'中'.repeat(columns)}`, columns));
		else if (kind === 2) lines.push(fit(`row ${i}${changing ? ` step ${frame * 7}` : ''} ⣿⣶⣤⣀ ${zoomed ? 'detail' : ''}`, columns));
		else lines.push(changing ? fit(`${frame}`, columns) : '');
	}
	return lines;
}

function terminalSize(): {columns: number; rows: number} {
	return {columns: process.stdout.columns || 80, rows: process.stdout.rows || 24};
}

/** The patched instance's redraw (scripts/ink-patches.mjs), once render() has returned it. */
let redraw = () => undefined as void;

function IncrementalApp() {
	const {exit} = useApp();
	const [frame, setFrame] = useState(0);
	const [zoomed, setZoomed] = useState(false);
	const [size, setSize] = useState(terminalSize);
	useEffect(() => {
		const onResize = () => setSize(terminalSize());
		process.stdout.on('resize', onResize);
		return () => {
			process.stdout.off('resize', onResize);
		};
	}, []);
	useInput((input) => {
		if (input === 'n') setFrame((f) => f + 1);
		if (input === 'z') setZoomed((z) => !z);
		if (input === 'r') redraw();
		if (input === 'q') exit();
	});
	return (
		<Box flexDirection="column" width={size.columns}>
			{frameLines(frame, zoomed, size.columns, size.rows).map((line, i) => (
				<Text key={i} wrap="truncate" color={i % 2 === 0 ? 'green' : undefined}>
					{line === '' ? ' ' : line}
				</Text>
			))}
		</Box>
	);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const instance = render(<IncrementalApp />, inkRenderOptions(process.stdout, 10)) as ReturnType<typeof render> & {redraw: () => void};
	redraw = instance.redraw;
}
