import React, {memo} from 'react';
import {Text} from 'ink';
import {type Snapshot} from '../src/store/snapshot.js';
import {type Completion} from '../src/analysis/task-aggregates.js';
import {SLA_SECONDS} from '../src/contract/names.js';
import {histogramLine} from '../src/format/sparkline.js';
import {fit, formatDuration, formatSpan} from '../src/format/units.js';
import {histogramCounts, slaColor, WITHIN_SLA_BUCKETS} from '../src/format/tasks-view.js';
import {windowStart} from '../src/format/pane-rows.js';
import {Line, Panel, rowMarker} from './Panel.js';

export interface TasksPaneProps {
	readonly tasks: Snapshot['tasks'];
	/** Recent completions that pass the filter, newest first. */
	readonly completions: readonly Completion[];
	readonly nowMs: number;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
	readonly ascii?: boolean;
}

/**
Throughput per hour, average and p50/p95/p99 durations, SLA compliance against 30 minutes (coloured), the
last hour's durations as a one-line histogram (buckets of 5 minutes up to the SLA, then 45 m, 60 m, more),
and the recent completions.
*/
export const TasksPane = memo(function TasksPane({tasks, completions, nowMs, width, height, focused, selectedIndex, ascii}: TasksPaneProps) {
	const inner = Math.max(20, width - 1);
	const counts = histogramCounts(tasks.lastHourDurations);
	const histWidth = Math.max(9, Math.min(36, inner - 32));
	const within = Math.round((histWidth * WITHIN_SLA_BUCKETS) / counts.length);
	const hist = histogramLine(counts, histWidth, ascii);
	const noTasks = tasks.lastHourDurations.length === 0;
	const content = Math.max(0, height - 1);
	const tableRows = Math.max(0, content - 3);
	const start = windowStart(completions.length, selectedIndex, tableRows);
	const taskWidth = Math.max(8, Math.floor((inner - 1 - 10 - 6) * 0.55));
	const agentWidth = Math.max(6, inner - 1 - taskWidth - 10 - 6 - 3);
	return (
		<Panel index={3} title="Tasks" info={`${tasks.completedToday} completed today`} focused={focused} width={width} height={height} ascii={ascii}>
			<Line ascii={ascii}>
				<Text bold>{tasks.throughputPerHour}</Text>/h avg <Text bold>{formatDuration(tasks.avgDurationSeconds)}</Text> p50 {formatDuration(tasks.p50Seconds)} p95{' '}
				{formatDuration(tasks.p95Seconds)} p99 {formatDuration(tasks.p99Seconds)}
			</Line>
			<Line ascii={ascii}>
				SLA{' '}
				{noTasks ? (
					<Text dimColor>-- (no tasks in the last hour)</Text>
				) : (
					<Text color={slaColor(tasks.slaCompliancePercent)} bold>
						{tasks.slaCompliancePercent.toFixed(1)}%
					</Text>
				)}{' '}
				<Text dimColor>{ascii ? '<=30m' : '≤30m'}</Text> 0<Text color="green">{hist.slice(0, within)}</Text>
				<Text color="red">{hist.slice(within)}</Text>
				<Text dimColor>60m+</Text>
				{tasks.slaViolations > 0 ? <Text color="red"> {tasks.slaViolations} over</Text> : null}
			</Line>
			<Line ascii={ascii} dimColor>
				{' '}
				{fit('task', taskWidth, ascii ? '~' : '…')} {fit('agent', agentWidth, ascii ? '~' : '…')} {'duration'.padStart(10)} {'ago'.padStart(5)}
			</Line>
			{completions.length === 0 ? <Line ascii={ascii} dimColor>no completions yet (events:tasks:updates, status done)</Line> : null}
			{completions.slice(start, start + tableRows).map((c, i) => (
				<Line ascii={ascii} key={`${c.taskId}@${c.timeMs}`}>
					{rowMarker(start + i === selectedIndex, focused, ascii)}
					{fit(c.taskId, taskWidth, ascii ? '~' : '…')} {fit(c.agent, agentWidth, ascii ? '~' : '…')}{' '}
					<Text color={c.durationSeconds > SLA_SECONDS ? 'red' : undefined}>{formatDuration(c.durationSeconds).padStart(10)}</Text>{' '}
					<Text dimColor>{formatSpan(Math.max(0, nowMs - c.timeMs)).padStart(5)}</Text>
				</Line>
			))}
		</Panel>
	);
});
