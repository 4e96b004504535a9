/**
A vertical-bar histogram of the task durations with the SLA line: 13 buckets of 5 minutes (the last one "60m+"),
bars in eighth blocks (whole cells of '#' under ASCII), a vertical line at 30 minutes, bars past it in the
critical tone. Exactly `width` x `height` cells. Pure.
*/
import {padCells} from '../format/text-width.js';
import {type CellMode} from './cells.js';
import {chartGlyphs} from './chart-glyphs.js';
import {type ChartLine, type ChartSpan} from './render-chart.js';
import {DURATION_BUCKET_MINUTES, DURATION_BUCKETS} from './task-series.js';

const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export function durationHistogram(counts: readonly number[], width: number, height: number, cells: CellMode, slaMinutes = 30): ChartLine[] {
	if (width <= 0 || height <= 0) return [];
	const glyphs = chartGlyphs(cells);
	const max = Math.max(0, ...counts);
	const labelWidth = Math.max(1, String(max).length);
	const plotWidth = Math.max(DURATION_BUCKETS, width - labelWidth - 1);
	const rows = Math.max(1, height - 2);
	const slaBucket = slaMinutes / DURATION_BUCKET_MINUTES;
	const cellsPer = (i: number) => Math.floor(((i + 1) * plotWidth) / DURATION_BUCKETS) - Math.floor((i * plotWidth) / DURATION_BUCKETS);
	const slaColumn = Math.floor((slaBucket * plotWidth) / DURATION_BUCKETS);
	const lines: ChartLine[] = [];
	for (let row = 0; row < rows; row++) {
		const label = row === rows - 1 ? '0' : row === 0 && max > 0 ? String(max) : '';
		const spans: ChartSpan[] = [{text: padCells(label, labelWidth, 'right') + (label === '' ? glyphs.vertical : glyphs.yTick), faint: true}];
		let col = 0;
		for (let i = 0; i < DURATION_BUCKETS; i++) {
			const eighths = max === 0 ? 0 : Math.round(((counts[i] ?? 0) / max) * rows * 8);
			const level = Math.max(0, Math.min(8, eighths - (rows - 1 - row) * 8));
			const glyph = cells === 'ascii' ? (level >= 4 ? '#' : ' ') : EIGHTHS[level]!;
			for (let k = 0; k < cellsPer(i); k++, col++) {
				if (col === slaColumn && level === 0) spans.push({text: glyphs.vertical, tone: 'critical'});
				else spans.push({text: glyph, tone: i >= slaBucket ? 'critical' : 'ok'});
			}
		}
		lines.push(merge(spans));
	}
	const axis = [...glyphs.horizontal.repeat(plotWidth)];
	axis[slaColumn] = glyphs.xTick;
	lines.push([{text: ' '.repeat(labelWidth) + glyphs.corner + axis.join(''), faint: true}]);
	const labels = new Array<string>(labelWidth + 1 + plotWidth).fill(' ');
	for (const [minutes, text] of [[0, '0'], [15, '15m'], [slaMinutes, `SLA ${slaMinutes}m`], [45, '45m'], [60, '60m+']] as const) {
		const at = Math.min(labels.length - text.length, labelWidth + 1 + Math.floor(((minutes / DURATION_BUCKET_MINUTES) * plotWidth) / DURATION_BUCKETS));
		if (labels.slice(Math.max(0, at - 1), at + text.length + 1).some((c) => c !== ' ')) continue;
		for (let i = 0; i < text.length; i++) labels[at + i] = text[i]!;
	}
	lines.push([{text: labels.join(''), faint: true}]);
	return lines.slice(0, height).map((l) => padLine(l, width));
}

function merge(spans: readonly ChartSpan[]): ChartSpan[] {
	const out: ChartSpan[] = [];
	for (const s of spans) {
		const last = out.at(-1);
		if (last !== undefined && last.tone === s.tone && last.faint === s.faint) out[out.length - 1] = {...last, text: last.text + s.text};
		else out.push(s);
	}
	return out;
}

/** Pad (or cut) a line of narrow glyphs to `width` cells. */
function padLine(line: ChartLine, width: number): ChartLine {
	let used = 0;
	const out: ChartSpan[] = [];
	for (const s of line) {
		if (used >= width) break;
		const text = [...s.text].slice(0, width - used).join('');
		used += [...text].length;
		out.push({...s, text});
	}
	if (used < width) out.push({text: ' '.repeat(width - used)});
	return out;
}
