/** The axis, marker and legend glyphs of a chart: box-drawing with braille and block cells, plain ASCII with ASCII cells. */
import {type CellMode} from './cells.js';

export interface ChartGlyphs {
	readonly vertical: string;
	readonly yTick: string;
	readonly corner: string;
	readonly horizontal: string;
	readonly xTick: string;
	/** A value above the y range (an outlier left out of the scaling), drawn at the top edge. */
	readonly above: string;
	/** A value below the y range, or at or below zero on a log scale, drawn at the bottom edge. */
	readonly below: string;
	/** A NaN or infinite step, drawn at the top of its column. */
	readonly nonFinite: string;
	readonly swatch: string;
	readonly dot: string;
}

const UNICODE: ChartGlyphs = {vertical: '│', yTick: '┤', corner: '└', horizontal: '─', xTick: '┬', above: '▲', below: '▼', nonFinite: '!', swatch: '■', dot: '·'};
const ASCII: ChartGlyphs = {vertical: '|', yTick: '+', corner: '+', horizontal: '-', xTick: '+', above: '^', below: 'v', nonFinite: '!', swatch: '#', dot: '|'};

export function chartGlyphs(mode: CellMode): ChartGlyphs {
	return mode === 'ascii' ? ASCII : UNICODE;
}
