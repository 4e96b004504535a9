/** A grid of equal chart cells over an area: how many columns, each cell's size, and the lines joined side by side. Pure. */
import {type ChartLine} from './render-chart.js';

export interface Grid {
	readonly columns: number;
	readonly cellWidth: number;
	readonly cellHeight: number;
	/** Cells that fit (at most the count asked). */
	readonly count: number;
	/** Cells' lines (row-major) into the area's lines: cells side by side, one space between. */
	join(cells: readonly ChartLine[][]): ChartLine[];
}

/** Narrowest cell worth drawing. */
const MIN_CELL_WIDTH = 30;

/**
The grid for `count` cells in `width` x `height`: the fewest columns that give every cell at least `minHeight` lines
(at least 30 cells wide each); when even the most columns cannot, as many cells as fit.
*/
export function gpuGrid(count: number, width: number, height: number, minHeight: number): Grid {
	const maxColumns = Math.max(1, Math.min(count, Math.floor((width + 1) / (MIN_CELL_WIDTH + 1))));
	let columns = maxColumns;
	for (let c = 1; c <= maxColumns; c++) {
		if (Math.floor(height / Math.ceil(count / c)) >= minHeight) {
			columns = c;
			break;
		}
	}
	const rows = Math.max(1, Math.min(Math.ceil(count / columns), Math.floor(height / minHeight)));
	const cellHeight = Math.max(1, Math.floor(height / rows));
	const cellWidth = Math.max(1, Math.floor((width - (columns - 1)) / columns));
	const fit = Math.min(count, rows * columns);
	return {
		columns,
		cellWidth,
		cellHeight,
		count: fit,
		join(cells) {
			const out: ChartLine[] = [];
			for (let r = 0; r * columns < cells.length; r++) {
				const group = cells.slice(r * columns, (r + 1) * columns);
				for (let line = 0; line < cellHeight; line++) {
					const spans = group.flatMap((cell, i) => [...(i > 0 ? [{text: ' '}] : []), ...(cell[line] ?? [{text: ' '.repeat(cellWidth)}])]);
					out.push(spans);
				}
			}
			return out;
		},
	};
}
