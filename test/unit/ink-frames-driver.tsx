/**
Bundled twice by test/unit/ink-frames-patched.test.ts, once with Ink's patches (scripts/ink-patches.mjs) and once
with stock Ink: renders a tree of boxes and texts described as data into a fake terminal (debug mode: every frame
written whole), so that the test can drive both through the same text changes and resizes and compare the frames.
*/
import {EventEmitter} from 'node:events';
import {type ReactNode} from 'react';
import {Box, render, Text} from 'ink';

export type Spec =
	| {
			readonly kind: 'box';
			readonly column: boolean;
			readonly width?: number | string;
			readonly height?: number;
			readonly paddingRight?: number;
			readonly paddingTop?: number;
			readonly gap?: number;
			readonly marginTop?: number;
			readonly overflow?: boolean;
			readonly grow?: number;
			readonly shrink?: number;
			readonly align?: 'stretch' | 'flex-start' | 'center';
			readonly children: readonly Spec[];
	  }
	| {readonly kind: 'text'; readonly leaf: number; readonly wrap: 'wrap' | 'truncate-end'; readonly nested: boolean};

function draw(spec: Spec, texts: readonly string[], key: number): ReactNode {
	if (spec.kind === 'text') {
		const t = texts[spec.leaf] ?? '';
		if (spec.nested) {
			// Two text nodes in one Text: a plain part and a coloured one (a virtual text).
			// Split between graphemes (a nested Text never holds half an emoji).
			const parts = Array.from(new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(t), (s) => s.segment);
			const half = Math.floor(parts.length / 2);
			return (
				<Text key={key} wrap={spec.wrap}>
					{parts.slice(0, half).join('')}
					<Text color="green">{parts.slice(half).join('')}</Text>
				</Text>
			);
		}
		return (
			<Text key={key} wrap={spec.wrap}>
				{t}
			</Text>
		);
	}
	return (
		<Box
			key={key}
			flexDirection={spec.column ? 'column' : 'row'}
			{...(spec.width !== undefined ? {width: spec.width as number} : {})}
			{...(spec.height !== undefined ? {height: spec.height} : {})}
			{...(spec.paddingRight ? {paddingRight: spec.paddingRight} : {})}
			{...(spec.paddingTop ? {paddingTop: spec.paddingTop} : {})}
			{...(spec.gap ? {gap: spec.gap} : {})}
			{...(spec.marginTop ? {marginTop: spec.marginTop} : {})}
			{...(spec.overflow ? {overflow: 'hidden' as const} : {})}
			{...(spec.grow !== undefined ? {flexGrow: spec.grow} : {})}
			{...(spec.shrink !== undefined ? {flexShrink: spec.shrink} : {})}
			{...(spec.align !== undefined ? {alignItems: spec.align} : {})}
		>
			{spec.children.map((c, i) => draw(c, texts, i))}
		</Box>
	);
}

export interface Session {
	/** Draws the tree with these texts; the frame written. */
	show(texts: readonly string[]): string;
	/** The terminal becomes `columns` wide; the frame written. */
	resize(columns: number): string;
	stop(): void;
}

export function session(spec: Spec, columns: number, texts: readonly string[]): Session {
	let last = '';
	const stdout = Object.assign(new EventEmitter(), {
		columns,
		rows: 200,
		isTTY: false,
		write(s: string) {
			last = s;
			return true;
		},
	});
	const stdin = Object.assign(new EventEmitter(), {isTTY: false, setRawMode() {}, setEncoding() {}, ref() {}, unref() {}, read: () => null});
	const instance = render(<Box flexDirection="column">{draw(spec, texts, 0)}</Box>, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		patchConsole: false,
		exitOnCtrlC: false,
	});
	return {
		show(next) {
			instance.rerender(<Box flexDirection="column">{draw(spec, next, 0)}</Box>);
			return last;
		},
		resize(c) {
			stdout.columns = c;
			stdout.emit('resize');
			return last;
		},
		stop() {
			instance.unmount();
		},
	};
}
