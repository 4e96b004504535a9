import React, {memo} from 'react';
import {Text} from 'ink';
import {type AgentSummary} from '../src/store/snapshot.js';
import {type LoadBalance} from '../src/analysis/load-balance.js';
import {gauge} from '../src/format/sparkline.js';
import {fit, formatDuration} from '../src/format/units.js';
import {windowStart} from '../src/format/pane-rows.js';
import {Line, Panel, rowMarker} from './Panel.js';

export interface AgentsPaneProps {
	readonly agents: readonly AgentSummary[];
	readonly loadBalance: LoadBalance;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
	readonly ascii?: boolean;
}

/** The seed's imbalance threshold: above 30% the load variance is shown as a warning. */
export const VARIANCE_WARN_PERCENT = 30;

const STATUS_COLOR: Record<AgentSummary['status'], string | undefined> = {busy: 'green', idle: undefined, unknown: 'gray'};

/** Agents (busy/idle, current tasks as a bar, completed, average duration) and the load variance of busy agents. */
export const AgentsPane = memo(function AgentsPane({agents, loadBalance, width, height, focused, selectedIndex, ascii}: AgentsPaneProps) {
	const inner = Math.max(20, width - 1);
	const maxTasks = Math.max(1, ...agents.map((a) => a.currentTasks));
	const barWidth = Math.max(4, Math.min(16, Math.floor(inner / 6)));
	const nameWidth = Math.max(8, inner - 1 - 5 - (barWidth + 4) - 6 - 9 - 5);
	const content = Math.max(0, height - 1);
	const tableRows = Math.max(0, content - 2);
	const start = windowStart(agents.length, selectedIndex, tableRows);
	const warn = loadBalance.variancePercent > VARIANCE_WARN_PERCENT;
	return (
		<Panel index={4} title="Agents" info={`${agents.filter((a) => a.status === 'busy').length} busy of ${agents.length}`} focused={focused} width={width} height={height} ascii={ascii}>
			<Line ascii={ascii}>
				load variance{' '}
				<Text color={warn ? 'yellow' : 'green'} bold={warn}>
					{loadBalance.variancePercent.toFixed(0)}%{warn ? ' (over 30%)' : ''}
				</Text>{' '}
				<Text dimColor>avg {loadBalance.avgTasksPerAgent.toFixed(1)} tasks/busy agent</Text>
			</Line>
			<Line ascii={ascii} dimColor>
				{' '}
				{fit('agent', nameWidth, ascii ? '~' : '…')} {fit('state', 5, ascii ? '~' : '…')} {fit('tasks', barWidth + 3, ascii ? '~' : '…')} {'done'.padStart(5)} {'avg'.padStart(8)}
			</Line>
			{agents.length === 0 ? <Line ascii={ascii} dimColor>no agents yet (events:agents:status)</Line> : null}
			{agents.slice(start, start + tableRows).map((a, i) => (
				<Line ascii={ascii} key={a.agent}>
					{rowMarker(start + i === selectedIndex, focused, ascii)}
					{fit(a.agent, nameWidth, ascii ? '~' : '…')} <Text color={STATUS_COLOR[a.status]}>{fit(a.status, 5, ascii ? '~' : '…')}</Text>{' '}
					<Text color="cyan">{gauge((a.currentTasks / maxTasks) * 100, barWidth, ascii)}</Text>
					{String(a.currentTasks).padStart(3)} {String(a.completed).padStart(5)} {formatDuration(a.avgDurationSeconds).padStart(8)}
				</Line>
			))}
		</Panel>
	);
});
