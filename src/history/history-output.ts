/**
`mycotop history`'s output, as pure functions: a table for people, JSON or CSV for scripts. A bucket's mean is
sum / count; a bucket with only non-finite samples prints empty (CSV), null (JSON) or "-" (table) for its figures.
*/
import {type BucketAnswer} from './history-source.js';

/** Bucket starts print as ISO times for time buckets, as steps for step buckets. */
export type StartKind = 'time' | 'step';

const num = (value: number): number | null => (Number.isFinite(value) ? value : null);

function startText(start: number, kind: StartKind): string {
	return kind === 'time' ? new Date(start).toISOString() : String(start);
}

/**
What the answer's step is, when it is not the step asked (`format`: a duration's text): rounded up to the tier's
multiple, or capped at the range. Undefined when it is the step asked, or none was. Pure.
*/
export function stepNote(answer: BucketAnswer, format: (ms: number) => string): string | undefined {
	if (answer.step === undefined || answer.step.askedMs === answer.resolution) return undefined;
	if (answer.step.capped) return `--step ${format(answer.step.askedMs)} is longer than the range: capped at ${format(answer.resolution)}`;
	return `--step ${format(answer.step.askedMs)} answered in ${format(answer.resolution)} buckets (a multiple of the stored tier's width)`;
}

export function historyJson(answer: BucketAnswer, kind: StartKind): string {
	return JSON.stringify({
		series: answer.series,
		by: kind,
		resolution: answer.resolution,
		...(answer.step !== undefined ? {askedStep: answer.step.askedMs, stepCapped: answer.step.capped} : {}),
		buckets: answer.buckets.map((b) => ({
			start: b.start,
			...(kind === 'time' ? {time: startText(b.start, kind)} : {}),
			min: num(b.min),
			max: num(b.max),
			mean: b.count > 0 ? b.sum / b.count : null,
			sum: b.sum,
			count: b.count,
			last: num(b.last),
			nonFinite: b.nonFinite ?? 0,
		})),
	});
}

const csvNum = (value: number): string => (Number.isFinite(value) ? String(value) : '');

export function historyCsv(answer: BucketAnswer, kind: StartKind): string {
	const lines = [`${kind === 'time' ? 'time' : 'step'},min,max,mean,sum,count,last,non_finite`];
	for (const b of answer.buckets)
		lines.push(
			[startText(b.start, kind), csvNum(b.min), csvNum(b.max), b.count > 0 ? String(b.sum / b.count) : '', String(b.sum), String(b.count), csvNum(b.last), String(b.nonFinite ?? 0)].join(','),
		);
	return lines.join('\n');
}

/** A figure for the table: 4 significant digits, "-" when there is none. */
function figure(value: number): string {
	if (!Number.isFinite(value)) return '-';
	if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) return value.toExponential(3);
	return String(Number(value.toPrecision(4)));
}

/** Rows for people: a heading with the resolution, then one line per bucket. */
export function historyTable(answer: BucketAnswer, kind: StartKind, resolutionText: string): string[] {
	const head = `${answer.series}: ${answer.buckets.length} bucket${answer.buckets.length === 1 ? '' : 's'} of ${resolutionText}`;
	if (answer.buckets.length === 0) return [head];
	const rows = answer.buckets.map((b) => [
		startText(b.start, kind),
		figure(b.min),
		figure(b.max),
		b.count > 0 ? figure(b.sum / b.count) : '-',
		figure(b.last),
		String(b.count),
		String(b.nonFinite ?? 0),
	]);
	const header = [kind === 'time' ? 'time' : 'step', 'min', 'max', 'mean', 'last', 'count', 'nan/inf'];
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
	const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
	return [head, line(header), ...rows.map(line)];
}
