/**
Text styled exactly as Ink's <Text color dimColor bold> styles its content (chalk, the instance and colour level Ink
uses; dim first, then the colour, then bold), so a line built of pre-styled pieces in one <Text> is the same bytes
as the same pieces in nested <Text>s. One text node per line instead of one per piece: React renders and commits,
and Ink squashes and measures, a dozen nodes fewer per GPU line on every frame.
*/
import chalk, {type ChalkInstance} from 'chalk';

export interface TextStyle {
	/** An Ink colour: a chalk name (`green`), `#rrggbb`, `ansi256(n)` or `rgb(r, g, b)`. */
	readonly color?: string | undefined;
	readonly dimColor?: boolean | undefined;
	readonly bold?: boolean | undefined;
	readonly inverse?: boolean | undefined;
}

const RGB = /^rgb\(\s?(\d+),\s?(\d+),\s?(\d+)\s?\)$/;
const ANSI256 = /^ansi256\(\s?(\d+)\s?\)$/;

/** Ink's colorize (foreground): a name chalk knows, hex, ansi256(n), rgb(r, g, b); anything else leaves the text. */
function colorize(text: string, color: string): string {
	if (color in chalk) return (chalk[color as keyof ChalkInstance] as (s: string) => string)(text);
	if (color.startsWith('#')) return chalk.hex(color)(text);
	if (color.startsWith('ansi256')) {
		const m = ANSI256.exec(color);
		return m === null ? text : chalk.ansi256(Number(m[1]))(text);
	}
	if (color.startsWith('rgb')) {
		const m = RGB.exec(color);
		return m === null ? text : chalk.rgb(Number(m[1]), Number(m[2]), Number(m[3]))(text);
	}
	return text;
}

/** `text` as `<Text {...style}>{text}</Text>` inside another <Text> draws it (empty text stays empty, unstyled; Ink's
order: dim, colour, bold, inverse). */
export function styled(text: string, style: TextStyle): string {
	if (text === '') return '';
	let out = text;
	if (style.dimColor) out = chalk.dim(out);
	if (style.color) out = colorize(out, style.color);
	if (style.bold) out = chalk.bold(out);
	if (style.inverse) out = chalk.inverse(out);
	return out;
}
