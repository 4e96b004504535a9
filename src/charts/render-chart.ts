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
import {yScale, type YScale} from './scale.js';
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

/** A value's placement on the y scale as a number (scale.place without an object per call; see scale.ts). */
const IN = 0;
const ABOVE = 1;
const BELOW = 2;
const NON_FINITE = 3;
const NON_POSITIVE = 4;

/**
`scale.place` and the dot row it gives, as plain numbers: this runs three times for every dot column of every series,
and objects of several shapes there made V8 throw its optimized code away ("wrong map") and compile it again.
Equal to `scale.place` for every value (property-tested).
*/
class DotPlacer {
	private readonly min: number;
	private readonly max: number;
	private readonly span: number;
	private readonly eps: number;
	private readonly log: boolean;
	constructor(
		scale: YScale,
		private readonly dotsY: number,
	) {
		this.min = scale.range.min;
		this.max = scale.range.max;
		this.span = this.max - this.min;
		this.eps = Math.abs(this.span) * 1e-9;
		this.log = scale.log;
	}

	kind(value: number): number {
		if (!Number.isFinite(value)) return NON_FINITE;
		if (this.log && value <= 0) return NON_POSITIVE;
		const u = this.log ? Math.log10(value) : value;
		if (u > this.max + this.eps) return ABOVE;
		if (u < this.min - this.eps) return BELOW;
		return IN;
	}

	/** The dot row (0 top) of a value of this kind: at the edge it left by, -1 for a non-finite one. */
	row(value: number, kind: number): number {
		if (kind === IN) {
			const u = this.log ? Math.log10(value) : value;
			const fraction = this.span > 0 ? Math.min(1, Math.max(0, (u - this.min) / this.span)) : 0.5;
			return Math.round((1 - fraction) * (this.dotsY - 1));
		}
		if (kind === ABOVE) return 0;
		return kind === NON_FINITE ? -1 : this.dotsY - 1;
	}
}

/** The placement kind's name (scale.ts's `Placement['kind']`), for the property test against `scale.place`. */
export function placementOf(scale: YScale, dotsY: number, value: number): {kind: string; row: number} {
	const placer = new DotPlacer(scale, dotsY);
	const kind = placer.kind(value);
	return {kind: ['in', 'above', 'below', 'non-finite', 'non-positive'][kind]!, row: placer.row(value, kind)};
}

const isBelowKind = (kind: number) => kind === BELOW || kind === NON_POSITIVE;

function markAt(markers: Map<number, Marker>, canvas: DotCanvas, px: number, row: number, marker: Marker): void {
	const key = row * canvas.columns + Math.floor(px / (canvas.dotsX / canvas.columns));
	const had = markers.get(key);
	if (had === undefined || had.tone !== 'critical') markers.set(key, marker);
}

/** Draw one series onto the canvas and record its edge and NaN markers. */
function drawSeries(canvas: DotCanvas, placer: DotPlacer, series: ChartSeries, cols: Columns, owner: number, markers: Map<number, Marker>, glyphs: ChartGlyphs): void {
	const nonFinite: Marker = {glyph: glyphs.nonFinite, tone: 'critical'};
	const above: Marker = {glyph: glyphs.above, tone: series.tone};
	const below: Marker = {glyph: glyphs.below, tone: series.tone};
	let prevPx = -1;
	let prevPy = 0;
	for (let px = 0; px < canvas.dotsX; px++) {
		if (cols.nonFinite[px]! > 0) markAt(markers, canvas, px, 0, nonFinite);
		if (cols.count[px] === 0) continue;
		// Rows as plain numbers (no object per dot row): this loop runs for every dot column of every series.
		const max = cols.max[px]!;
		const min = cols.min[px]!;
		const hiKind = placer.kind(max);
		const loKind = placer.kind(min);
		const hi = placer.row(max, hiKind);
		const lo = placer.row(min, loKind);
		if (hi < 0 || lo < 0) continue;
		const lastValue = cols.last[px]!;
		const last = placer.row(lastValue, placer.kind(lastValue));
		if (hiKind === ABOVE || loKind === ABOVE) markAt(markers, canvas, px, 0, above);
		if (isBelowKind(hiKind) || isBelowKind(loKind)) markAt(markers, canvas, px, canvas.rows - 1, below);
		const top = Math.min(hi, lo);
		const bottom = Math.max(hi, lo);
		if (prevPx >= 0) joinColumns(canvas, prevPx, prevPy, px, Math.min(bottom, Math.max(top, prevPy)), owner);
		canvas.vertical(px, top, bottom, owner);
		prevPx = px;
		prevPy = last < 0 ? bottom : last;
	}
}

/** Join the previous column's last value to this column's range through the columns in between. */
function joinColumns(canvas: DotCanvas, prevPx: number, prevPy: number, px: number, target: number, owner: number): void {
	let from = prevPy;
	for (let k = prevPx + 1; k < px; k++) {
		const to = Math.round(prevPy + ((target - prevPy) * (k - prevPx)) / (px - prevPx));
		canvas.vertical(k, from, to, owner);
		from = to;
	}
	canvas.vertical(px, from, target, owner);
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

/**
What the last render of one chart leaves for the next (renderChart's `memo`): its plot rows with what each was drawn
from (the canvas, the row's tick label and markers, and `key` for everything all rows share). A row whose inputs are
the same again is the same line object: a live chart that gains a point draws a few rows, not all of them, and
ChartLines sees the rest unchanged at once. Reuse is decided by comparing inputs, never assumed, so the lines are
exactly a fresh render's (property-tested); a memo used for another chart only misses.
*/
export class ChartMemo {
	key = '';
	canvas: DotCanvas | undefined;
	labels: ReadonlyArray<string | undefined> = [];
	marks: readonly string[] = [];
	rows: readonly ChartLine[] = [];
}

/** The lines of a chart: always `options.height` lines of exactly `options.width` cells. */
export function renderChart(series: readonly ChartSeries[], options: ChartOptions, data: ChartData = scanned, memo?: ChartMemo): ChartLine[] {
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
	const canvas = new DotCanvas(plotWidth, plotRows, options.cells);
	const markers = new Map<number, Marker>();
	if (scale !== undefined) {
		const placer = new DotPlacer(scale, canvas.dotsY);
		for (let i = 0; i < series.length; i++) drawSeries(canvas, placer, series[i]!, mergeColumns(fine[i]!, canvas.dotsX), i, markers, glyphs);
	}
	const empty = scale === undefined ? (series.some((s) => s.ys.length > 0) ? 'no finite value to draw' : 'no data') : undefined;
	const plot: PlotInput = {series, glyphs, canvas, markers, labels: tickLabels(scale, ticks, plotRows), labelWidth, empty};
	for (const line of plotLines(plot, memo)) lines.push(line);
	lines.push(...xAxis(options, glyphs, x0, x1, labelWidth, plotWidth, extent !== undefined));
	return lines;
}

/** The tick label of each plot row (undefined: none). */
function tickLabels(scale: YScale | undefined, ticks: ReturnType<typeof yTicks>, plotRows: number): Array<string | undefined> {
	const labels = new Array<string | undefined>(plotRows).fill(undefined);
	if (scale === undefined) return labels;
	const span = scale.range.max - scale.range.min;
	for (const t of ticks) {
		const row = span > 0 ? Math.round((1 - (t.unit - scale.range.min) / span) * (plotRows - 1)) : Math.floor(plotRows / 2);
		if (row >= 0 && row < plotRows && labels[row] === undefined) labels[row] = t.label;
	}
	return labels;
}

interface PlotInput {
	readonly series: readonly ChartSeries[];
	readonly glyphs: ChartGlyphs;
	readonly canvas: DotCanvas;
	readonly markers: ReadonlyMap<number, Marker>;
	readonly labels: ReadonlyArray<string | undefined>;
	readonly labelWidth: number;
	/** Why nothing is drawn (said in the middle row), or undefined. */
	readonly empty: string | undefined;
}

/** The markers of each plot row as text (what a row's reuse compares). */
function rowMarks(markers: ReadonlyMap<number, Marker>, columns: number, rows: number): string[] {
	const out = new Array<string>(rows).fill('');
	for (const [key, m] of markers) {
		const row = Math.floor(key / columns);
		out[row] += `${key - row * columns}:${m.glyph}:${m.tone};`;
	}
	return out;
}

/** The plot's rows: from `memo` where a row's inputs are unchanged, drawn otherwise; `memo` then holds these. */
function plotLines(plot: PlotInput, memo: ChartMemo | undefined): readonly ChartLine[] {
	const {canvas, labels} = plot;
	const rows: ChartLine[] = [];
	if (memo === undefined) {
		for (let row = 0; row < canvas.rows; row++) rows.push(plotLine(plot, row));
		return rows;
	}
	const key = `${plot.labelWidth}|${canvas.columns}|${canvas.rows}|${canvas.mode}|${plot.empty ?? ''}|${plot.series.map((s) => `${s.tone}/${s.faint === true}`).join(',')}`;
	const marks = rowMarks(plot.markers, canvas.columns, canvas.rows);
	const prev = memo.key === key ? memo.canvas : undefined;
	for (let row = 0; row < canvas.rows; row++) {
		const same = prev !== undefined && memo.labels[row] === labels[row] && memo.marks[row] === marks[row] && canvas.sameRow(prev, row);
		rows.push(same ? memo.rows[row]! : plotLine(plot, row));
	}
	memo.key = key;
	memo.canvas = canvas;
	memo.labels = labels;
	memo.marks = marks;
	memo.rows = rows;
	return rows;
}

/** One plot row: its tick label, the axis, and the canvas's cells (markers over dots). */
function plotLine(plot: PlotInput, row: number): ChartLine {
	const {canvas, glyphs, labelWidth, markers, series} = plot;
	const plotWidth = canvas.columns;
	const b = new LineBuilder();
	const label = plot.labels[row];
	b.push(padCells(truncateCells(label ?? '', labelWidth, '~'), labelWidth, 'right'), undefined, true);
	b.push(label === undefined ? glyphs.vertical : glyphs.yTick, undefined, true);
	if (plot.empty !== undefined && row === Math.floor((canvas.rows - 1) / 2)) {
		const text = truncateCells(plot.empty, plotWidth, '~');
		const left = Math.floor((plotWidth - cellWidth(text)) / 2);
		b.push(' '.repeat(left) + text + ' '.repeat(plotWidth - left - cellWidth(text)), 'muted');
		return b.done();
	}
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
	return b.done();
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
