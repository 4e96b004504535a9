import {memo} from 'react';
import {type Snapshot} from '../src/store/snapshot.js';
import {type Completion} from '../src/analysis/task-aggregates.js';
import {SLA_SECONDS} from '../src/contract/names.js';
import {histogramLine} from '../src/format/sparkline.js';
import {fit, formatDuration, formatSpan} from '../src/format/units.js';
import {cellWidth, padCells} from '../src/format/text-width.js';
import {durationFigure, percentFigure, taskFigures} from '../src/format/figures.js';
import {histogramCounts, slaTone, WITHIN_SLA_BUCKETS} from '../src/format/tasks-view.js';
import {windowStart} from '../src/format/pane-rows.js';
import {budgetShortText, budgetText} from '../src/format/forecast-text.js';
import {Line, Panel, rowMarker, StyledLine, StyledRows} from './Panel.js';
import {styled} from '../src/format/styled-text.js';
import {useTheme} from './theme.js';
import {samePaneProps} from '../src/format/same-value.js';

export interface TasksPaneProps {
	readonly tasks: Snapshot['tasks'];
	/** Recent completions that pass the filter, newest first. */
	readonly completions: readonly Completion[];
	readonly nowMs: number;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
}

/**
Throughput per hour, average and p50/p95/p99 durations, SLA compliance against 30 minutes (coloured), the
last hour's durations as a one-line histogram (buckets of 5 minutes up to the SLA, then 45 m, 60 m, more),
the SLA's error budget (left, burn rate, when it is spent at that rate; only with a timed task in its window; on a
line of its own while three completion rows still fit, else a short form at the end of the SLA line),
and the recent completions. With no timed task in the last hour the durations and the SLA read "no data"
(never 0s or 100%). Columns are measured in display cells (task ids and agent names can be CJK or emoji).
*/
export const TasksPane = memo(function TasksPane({tasks, completions, nowMs, width, height, focused, selectedIndex}: TasksPaneProps) {
	const {glyphs, colors} = useTheme();
	const inner = Math.max(20, width - 1);
	const counts = histogramCounts(tasks.lastHourDurations);
	const content = Math.max(0, height - 1);
	// The budget gets a line of its own while three completion rows still fit under it; in a shorter pane a short form
	// ends the SLA line instead (the histogram gives up the room).
	const ownLine = tasks.budget !== undefined && content - 4 >= 3;
	const budget = tasks.budget === undefined || !ownLine ? undefined : budgetText(tasks.budget);
	const shortBudget = tasks.budget === undefined || ownLine ? undefined : budgetShortText(tasks.budget);
	const histWidth = Math.max(9, Math.min(36, inner - 32 - (shortBudget === undefined ? 0 : cellWidth(shortBudget.text) + 1)));
	const within = Math.round((histWidth * WITHIN_SLA_BUCKETS) / counts.length);
	const hist = histogramLine(counts, histWidth, glyphs);
	const figures = taskFigures(tasks);
	const noTasks = figures.timed === 0;
	const cut = glyphs.ellipsis;
	const text = glyphs.text;
	const tableRows = Math.max(0, content - 3 - (budget === undefined ? 0 : 1));
	const start = windowStart(completions.length, selectedIndex, tableRows);
	const taskWidth = Math.max(8, Math.floor((inner - 1 - 10 - 6) * 0.55));
	const agentWidth = Math.max(6, inner - 1 - taskWidth - 10 - 6 - 3);
	const shownCompletions = completions.slice(start, start + tableRows);
	return (
		<Panel index={3} title="Tasks" info={`${tasks.completedToday} completed today`} focused={focused} width={width} height={height}>
			<StyledLine
				text={
					`${styled(String(figures.throughputPerHour), {bold: true})}/h avg ${styled(durationFigure(figures.avgSeconds, glyphs), {bold: true})} p50 ${durationFigure(figures.p50Seconds, glyphs)} ` +
					`p95 ${durationFigure(figures.p95Seconds, glyphs)} p99 ${durationFigure(figures.p99Seconds, glyphs)}${noTasks ? styled(' (no data)', {dimColor: true}) : ''}`
				}
			/>
			<StyledLine
				text={
					`SLA ${noTasks ? styled(`${percentFigure(figures.slaPercent, 1, glyphs)} (no data: no tasks in the last hour)`, {dimColor: true}) : styled(percentFigure(figures.slaPercent, 1, glyphs), {color: colors[slaTone(figures.slaPercent!)], bold: true})} ` +
					`${styled(`${glyphs.atMost}30m`, {dimColor: true})} 0${styled(hist.slice(0, within), {color: colors.ok})}${styled(hist.slice(within), {color: colors.critical})}${styled('60m+', {dimColor: true})}` +
					(figures.slaViolations > 0 ? styled(` ${figures.slaViolations} over`, {color: colors.critical}) : '') +
					(shortBudget !== undefined ? styled(` ${shortBudget.text}`, {color: shortBudget.tone !== undefined ? colors[shortBudget.tone] : undefined}) : '')
				}
			/>
			{budget !== undefined ? (
				<StyledLine text={`${styled('SLA ', {dimColor: true})}${styled(fit(budget.text, inner - 4, cut).trimEnd(), {color: budget.tone !== undefined ? colors[budget.tone] : undefined})}`} />
			) : null}
			<StyledLine dimColor text={` ${fit('task', taskWidth, cut)} ${fit('agent', agentWidth, cut)} ${padCells('duration', 10, 'right')} ${padCells('ago', 5, 'right')}`} />
			{completions.length === 0 ? <Line dimColor>no completions yet (events:tasks:updates, status done)</Line> : null}
			<StyledRows
				rows={shownCompletions.map((c, i) => ({
					key: `${c.taskId}@${c.timeMs}`,
					text:
						`${rowMarker(start + i === selectedIndex, focused, glyphs)}${fit(text(c.taskId), taskWidth, cut)} ${fit(text(c.agent), agentWidth, cut)} ` +
						`${styled(padCells(formatDuration(c.durationSeconds), 10, 'right'), {color: c.durationSeconds > SLA_SECONDS ? colors.critical : undefined})} ${styled(padCells(formatSpan(Math.max(0, nowMs - c.timeMs)), 5, 'right'), {dimColor: true})}`,
				}))}
				width={width - 1}
			/>
		</Panel>
	);
}, samePaneProps);
