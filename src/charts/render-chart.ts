/**
The chart renderer: series and options in, lines of exactly `width` display cells out (`height` of them): a
legend (latest, min, max per series), the plot with a y axis of ticks in the series' unit, an x axis with step or
time ticks. Values outside the y range (outliers left out of the scaling, or at or below zero on a log scale) are
drawn at the edge with a marker; a NaN/Inf step is marked at the top of its column; nothing is dropped silently.
Pure: the components turn the spans into <Text>.
*/
import {cellWidth, padCells, truncateCells} from '../format/text-width.js';
import {type Tone} from '../format/theme.js';
import {DotCanvas, dotsPerCell, type CellMode} from './cells.js';
import {chartGlyphs, type ChartGlyphs} from './chart-glyphs.js';
import {columnOf, downsample, mergeColumns, xExtent, type Columns, type SeriesPoints} from './downsample.js';
import {legendFigures, legendValue} from './legend.js';
import {yScale, type Placement, type YScale} from './scale.js';
import {niceStep, yTicks, type YUnit} from './ticks.js';
import {xTicks, type XMode} from './x-ticks.js';
import {yRange, type YRange} from './y-range.js';

export interface ChartSeries extends SeriesPoints {
	readonly name: string;
	readonly tone: Tone;
	/** Drawn dim (the raw loss under its smoothed line). */
	readonly faint?: boolean;
	/** false: not in the legend. */
	readonly legend?: boolean;
}

export interface ChartOptions {
	readonly width: number;
	readonly height: number;
	readonly cells: CellMode;
	readonly log: boolean;
	readonly ignoreOutliers: boolean;
	readonly xMode: XMode;
	readonly unit: YUnit;
	/** The x range shown; default the series' own extent. */
	readonly xDomain?: readonly [number, number];
	/** A fixed y range in data units (0..100 for a utilization); default from the data. */
	readonly yDomain?: YRange;
	/** The relative axis's zero; default the x range's start. */
	readonly origin?: number;
	/** A first line above the legend (spans keep their tones). */
	readonly title?: string | ChartLine;
	/** false: no legend lines (a small chart whose title carries the figures). */
	readonly legend?: boolean;
	/** The theme's degree sign (°C, or C under --ascii). */
	readonly degrees?: string;
}

export interface ChartSpan {
	readonly text: string;
	readonly tone?: Tone;
	readonly faint?: boolean;
}

export type ChartLine = readonly ChartSpan[];

/** A line as plain text (for tests and the ASCII check). */
export function lineText(line: ChartLine): string {
	return line.map((s) => s.text).join('');
}

interface Marker {
	readonly glyph: string;
	readonly tone: Tone;
}

/**
Spans from cells: consecutive cells with the same look are one span, and a blank cell joins the span before it
(a colour on a space shows nothing), so a line is a few spans, not one per cell: fewer nodes for Ink to draw.
*/
class LineBuilder {
	private readonly spans: ChartSpan[] = [];
	/** The open span's cells, joined once when it closes (not a string grown cell by cell: less garbage a frame). */
	private readonly parts: string[] = [];
	private tone: Tone | undefined;
	private faint: boolean | undefined;
	private open = false;
	push(text: string, tone?: Tone, faint?: boolean): void {
		if (this.open && ((this.tone === tone && this.faint === faint) || text === ' ')) {
			this.parts.push(text);
			return;
		}
		this.flush();
		this.parts.push(text);
		this.tone = tone;
		this.faint = faint;
		this.open = true;
	}
	private flush(): void {
		if (this.open) this.spans.push({text: this.parts.join(''), tone: this.tone, faint: this.faint});
		this.parts.length = 0;
		this.open = false;
	}
	done(): ChartLine {
		this.flush();
		return this.spans;
	}
}

/** Spans cut or padded to exactly `width` cells. */
function fitLine(line: ChartLine, width: number): ChartLine {
	const out: ChartSpan[] = [];
	let used = 0;
	for (const span of line) {
		if (used >= width) break;
		const w = cellWidth(span.text);
		const text = used + w <= width ? span.text : truncateCells(span.text, width - used, '');
		used += cellWidth(text);
		out.push({...span, text});
	}
	if (used < width) out.push({text: ' '.repeat(width - used)});
	return out;
}

function plainLine(text: string, width: number, tone?: Tone, faint?: boolean): ChartLine {
	return [{text: padCells(truncateCells(text, width, '~'), width), tone, faint}];
}

function legendLine(series: ChartSeries, columns: Columns, options: ChartOptions, glyphs: ChartGlyphs, width: number): ChartLine {
	const f = legendFigures(columns);
	const value = (v: number | undefined) => legendValue(v, options.unit, options.degrees);
	let text = ` ${series.name} ${value(f.latest)}  min ${value(f.min)}  max ${value(f.max)}`;
	if (f.nonFinite > 0) text += `  ${glyphs.nonFinite}${f.nonFinite} NaN/Inf`;
	if (options.log && columns.nonPositive > 0) text += `  ${glyphs.below}${columns.nonPositive} <=0 off log scale`;
	const body = truncateCells(text, Math.max(0, width - 1), '~');
	const out: ChartSpan[] = [{text: glyphs.swatch, tone: series.tone, faint: series.faint}, {text: body}];
	const used = cellWidth(glyphs.swatch) + cellWidth(body);
	if (used < width) out.push({text: ' '.repeat(width - used)});
	return out;
}

/** The values that set the y range: each column's extremes (what the chart draws), every series. */
function rangeValues(columns: readonly Columns[]): number[] {
	const out: number[] = [];
	for (const cols of columns) {
		for (let c = 0; c < cols.count.length; c++) {
			if (cols.count[c] === 0) continue;
			out.push(cols.min[c]!, cols.max[c]!);
		}
	}
	return out;
}

/** The dot row of a placement (0 top; a value outside the range at the edge it left by), or -1 for a non-finite one. */
function dotRow(p: Placement, dotsY: number): number {
	switch (p.kind) {
		case 'in':
			return Math.round((1 - p.fraction) * (dotsY - 1));
		case 'above':
			return 0;
		case 'below':
		case 'non-positive':
			return dotsY - 1;
		case 'non-finite':
			return -1;
	}
}

const isBelow = (p: Placement) => p.kind === 'below' || p.kind === 'non-positive';

/** Draw one series onto the canvas and record its edge and NaN markers. */
function drawSeries(canvas: DotCanvas, scale: YScale, series: ChartSeries, cols: Columns, owner: number, markers: Map<number, Marker>, glyphs: ChartGlyphs): void {
	const perCell = canvas.dotsX / canvas.columns;
	const mark = (px: number, row: number, marker: Marker) => {
		const key = row * canvas.columns + Math.floor(px / perCell);
		const had = markers.get(key);
		if (had === undefined || had.tone !== 'critical') markers.set(key, marker);
	};
	let prevPx = -1;
	let prevPy = 0;
	for (let px = 0; px < canvas.dotsX; px++) {
		if (cols.nonFinite[px]! > 0) mark(px, 0, {glyph: glyphs.nonFinite, tone: 'critical'});
		if (cols.count[px] === 0) continue;
		// Rows as plain numbers (no object per dot row): this loop runs for every dot column of every series.
		const hiAt = scale.place(cols.max[px]!);
		const loAt = scale.place(cols.min[px]!);
		const hi = dotRow(hiAt, canvas.dotsY);
		const lo = dotRow(loAt, canvas.dotsY);
		const last = dotRow(scale.place(cols.last[px]!), canvas.dotsY);
		if (hi < 0 || lo < 0) continue;
		if (hiAt.kind === 'above' || loAt.kind === 'above') mark(px, 0, {glyph: glyphs.above, tone: series.tone});
		if (isBelow(hiAt) || isBelow(loAt)) mark(px, canvas.rows - 1, {glyph: glyphs.below, tone: series.tone});
		const top = Math.min(hi, lo);
		const bottom = Math.max(hi, lo);
		if (prevPx >= 0) {
			// Join the previous column's last value to this column's range through the columns in between.
			const target = Math.min(bottom, Math.max(top, prevPy));
			let from = prevPy;
			for (let k = prevPx + 1; k < px; k++) {
				const to = Math.round(prevPy + ((target - prevPy) * (k - prevPx)) / (px - prevPx));
				canvas.vertical(k, from, to, owner);
				from = to;
			}
			canvas.vertical(px, from, target, owner);
		}
		canvas.vertical(px, top, bottom, owner);
		prevPx = px;
		prevPy = last < 0 ? bottom : last;
	}
}

/**
Where the chart's x extent and fine columns come from: a scan and `downsample` by default; a live chart passes caches
that give the same, equal to the bit, without going over every point (src/charts/live-chart.ts).
*/
export interface ChartData {
	extent(series: ChartSeries): {min: number; max: number} | undefined;
	columns(series: ChartSeries, x0: number, x1: number, columns: number): Columns;
}

const scanned: ChartData = {extent: xExtent, columns: (s, x0, x1, columns) => downsample(s, x0, x1, columns)};

/** The x extents of the series (once per distinct xs array: a raw and its smoothed series share theirs). */
function seriesExtent(series: readonly ChartSeries[], data: ChartData): {min: number; max: number} | undefined {
	const seen = new Set<ArrayLike<number>>();
	let out: {min: number; max: number} | undefined;
	for (const s of series) {
		if (seen.has(s.xs)) continue;
		seen.add(s.xs);
		const e = data.extent(s);
		if (e !== undefined) out = out === undefined ? e : {min: Math.min(out.min, e.min), max: Math.max(out.max, e.max)};
	}
	return out;
}

/** The lines of a chart: always `options.height` lines of exactly `options.width` cells. */
export function renderChart(series: readonly ChartSeries[], options: ChartOptions, data: ChartData = scanned): ChartLine[] {
	const {width, height} = options;
	if (width <= 0 || height <= 0) return [];
	const glyphs = chartGlyphs(options.cells);
	const lines: ChartLine[] = [];
	if (typeof options.title === 'string') lines.push(plainLine(options.title, width, undefined, true));
	else if (options.title !== undefined) lines.push(fitLine(options.title, width));
	if (height - lines.length < 3) {
		while (lines.length < height) lines.push(plainLine(lines.length === 0 ? 'chart: no room' : '', width));
		return lines;
	}
	const extent = seriesExtent(series, data);
	const [x0, x1] = options.xDomain ?? (extent === undefined ? [0, 0] : stableRange(extent.min, extent.max));
	// One pass over each series' points, at the finest resolution the width allows: the y range, the legend and the
	// plot (its columns folded from these) all come from it.
	const fine = series.map((s) => data.columns(s, x0, x1, Math.max(1, width * dotsPerCell(options.cells).x)));
	const legends = options.legend === false ? [] : series.flatMap((s, i) => (s.legend === false ? [] : [i]));
	const legendRoom = Math.max(0, Math.min(legends.length, height - lines.length - 4, Math.max(1, Math.floor((height - lines.length) / 4))));
	for (const i of legends.slice(0, legendRoom)) lines.push(legendLine(series[i]!, fine[i]!, options, glyphs, width));
	const plotRows = height - lines.length - 2;
	const range = options.yDomain !== undefined ? fixedRange(options.yDomain, options.log) : yRange(rangeValues(fine), {ignoreOutliers: options.ignoreOutliers, log: options.log});
	const scale = range === undefined ? undefined : yScale(options.yDomain !== undefined ? range : steady(atLeastZero(range, options)), options.log);
	const ticks = scale === undefined ? [] : yTicks(scale, plotRows, options.unit, options.degrees);
	const labelWidth = Math.min(Math.floor(width / 3), Math.max(1, ...ticks.map((t) => cellWidth(t.label))));
	const plotWidth = Math.max(1, width - labelWidth - 1);
	const tickRows = new Map<number, string>();
	if (scale !== undefined) {
		const span = scale.range.max - scale.range.min;
		for (const t of ticks) {
			const row = span > 0 ? Math.round((1 - (t.unit - scale.range.min) / span) * (plotRows - 1)) : Math.floor(plotRows / 2);
			if (row >= 0 && row < plotRows && !tickRows.has(row)) tickRows.set(row, t.label);
		}
	}
	const canvas = new DotCanvas(plotWidth, plotRows, options.cells);
	const markers = new Map<number, Marker>();
	if (scale !== undefined) series.forEach((s, i) => drawSeries(canvas, scale, s, mergeColumns(fine[i]!, canvas.dotsX), i, markers, glyphs));
	const empty = scale === undefined ? (series.some((s) => s.ys.length > 0) ? 'no finite value to draw' : 'no data') : undefined;
	for (let row = 0; row < plotRows; row++) {
		const b = new LineBuilder();
		const label = tickRows.get(row);
		b.push(padCells(truncateCells(label ?? '', labelWidth, '~'), labelWidth, 'right'), undefined, true);
		b.push(label === undefined ? glyphs.vertical : glyphs.yTick, undefined, true);
		if (empty !== undefined && row === Math.floor((plotRows - 1) / 2)) {
			const text = truncateCells(empty, plotWidth, '~');
			const left = Math.floor((plotWidth - cellWidth(text)) / 2);
			b.push(' '.repeat(left) + text + ' '.repeat(plotWidth - left - cellWidth(text)), 'muted');
		} else {
			for (let col = 0; col < plotWidth; col++) {
				const marker = markers.get(row * plotWidth + col);
				if (marker !== undefined) {
					b.push(marker.glyph, marker.tone);
					continue;
				}
				const owner = canvas.ownerOf(col, row);
				const s = owner >= 0 ? series[owner] : undefined;
				b.push(canvas.glyph(col, row), s?.tone, s?.faint);
			}
		}
		lines.push(b.done());
	}
	lines.push(...xAxis(options, glyphs, x0, x1, labelWidth, plotWidth, extent !== undefined));
	return lines;
}

/**
A range widened outward to a 50th of its span (a nice step): a live series that gains a point (or, its ring full,
loses its oldest) keeps its scale and column boundaries until it crosses a step, so most of its lines stay the same
text and Ink redraws only what changed.
*/
function stableRange(min: number, max: number): [number, number] {
	if (!(max > min)) return [min, max];
	const step = niceStep(max - min, 50);
	return [Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step];
}

/** Units that cannot go below zero: a flat line at 0 is not given a band down to -1. */
const NON_NEGATIVE: ReadonlySet<YUnit> = new Set(['percent', 'share', 'mb', 'watts', 'per-hour', 'count']);

function atLeastZero(range: YRange, options: ChartOptions): YRange {
	return !options.log && NON_NEGATIVE.has(options.unit) && range.min < 0 ? {min: 0, max: Math.max(range.max, 1e-9)} : range;
}

function steady(range: YRange): YRange {
	const [min, max] = stableRange(range.min, range.max);
	return {min, max};
}

/** A fixed range in scale units (log10 on a log scale; a non-positive bound becomes 5 decades under the top). */
function fixedRange(domain: YRange, log: boolean): YRange {
	if (!log) return domain;
	const max = Math.log10(Math.max(domain.max, 1e-300));
	const min = domain.min > 0 ? Math.log10(domain.min) : max - 5;
	return {min, max};
}

/** The x axis line with its ticks and the line of labels under it. */
function xAxis(options: ChartOptions, glyphs: ChartGlyphs, x0: number, x1: number, labelWidth: number, plotWidth: number, hasData: boolean): ChartLine[] {
	const ticks = hasData ? xTicks(options.xMode, x0, x1, plotWidth, options.origin ?? x0) : [];
	const axis = [...glyphs.horizontal.repeat(plotWidth)];
	const labels = new Array<string>(labelWidth + 1 + plotWidth).fill(' ');
	let free = 0;
	for (const t of ticks) {
		const col = columnOf(t.x, x0, x1, plotWidth);
		if (col < 0) continue;
		axis[col] = glyphs.xTick;
		const at = labelWidth + 1 + col - Math.floor(t.label.length / 2);
		const start = Math.max(free, Math.min(at, labels.length - t.label.length));
		if (start < 0 || start + t.label.length > labels.length || start > at + 1) continue;
		for (let i = 0; i < t.label.length; i++) labels[start + i] = t.label[i]!;
		free = start + t.label.length + 1;
	}
	return [
		[{text: ' '.repeat(labelWidth) + glyphs.corner + axis.join(''), faint: true}],
		[{text: labels.join(''), faint: true}],
	];
}
