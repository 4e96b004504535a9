import React, {memo} from 'react';
import {Text} from 'ink';
import {type AgentSummary} from '../src/store/snapshot.js';
import {type LoadBalance} from '../src/analysis/load-balance.js';
import {gauge} from '../src/format/sparkline.js';
import {fit, toAscii} from '../src/format/units.js';
import {padCells} from '../src/format/text-width.js';
import {agentAverage, avgTasksPerBusyAgent, durationFigure, loadVariance, noData} from '../src/format/figures.js';
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

/**
Agents (busy/idle, current tasks as a bar, completed, average duration) and the load variance of busy agents.
With no busy agent the variance reads "no data" (the seed's 0% would read as a balanced load), and an agent that
has completed nothing has no average. Names are cut and padded in display cells (they can be CJK or emoji).
*/
export const AgentsPane = memo(function AgentsPane({agents, loadBalance, width, height, focused, selectedIndex, ascii}: AgentsPaneProps) {
	const inner = Math.max(20, width - 1);
	const maxTasks = Math.max(1, ...agents.map((a) => a.currentTasks));
	const barWidth = Math.max(4, Math.min(16, Math.floor(inner / 6)));
	const nameWidth = Math.max(8, inner - 1 - 5 - (barWidth + 4) - 6 - 9 - 5);
	const content = Math.max(0, height - 1);
	const tableRows = Math.max(0, content - 2);
	const start = windowStart(agents.length, selectedIndex, tableRows);
	const variance = loadVariance(loadBalance);
	const perAgent = avgTasksPerBusyAgent(loadBalance);
	const warn = variance !== undefined && variance > VARIANCE_WARN_PERCENT;
	const cut = ascii ? '~' : '…';
	const text = (s: string) => (ascii ? toAscii(s) : s);
	return (
		<Panel index={4} title="Agents" info={`${agents.filter((a) => a.status === 'busy').length} busy of ${agents.length}`} focused={focused} width={width} height={height} ascii={ascii}>
			<Line ascii={ascii}>
				load variance{' '}
				{variance === undefined ? (
					<Text dimColor>{noData(ascii)} (no data: no busy agent)</Text>
				) : (
					<>
						<Text color={warn ? 'yellow' : 'green'} bold={warn}>
							{variance.toFixed(0)}%{warn ? ' (over 30%)' : ''}
						</Text>{' '}
						<Text dimColor>avg {perAgent === undefined ? noData(ascii) : perAgent.toFixed(1)} tasks/busy agent</Text>
					</>
				)}
			</Line>
			<Line ascii={ascii} dimColor>
				{' '}
				{fit('agent', nameWidth, cut)} {fit('state', 5, cut)} {fit('tasks', barWidth + 3, cut)} {padCells('done', 5, 'right')} {padCells('avg', 8, 'right')}
			</Line>
			{agents.length === 0 ? <Line ascii={ascii} dimColor>no agents yet (events:agents:status)</Line> : null}
			{agents.slice(start, start + tableRows).map((a, i) => (
				<Line ascii={ascii} key={a.agent}>
					{rowMarker(start + i === selectedIndex, focused, ascii)}
					{fit(text(a.agent), nameWidth, cut)} <Text color={STATUS_COLOR[a.status]}>{fit(a.status, 5, cut)}</Text>{' '}
					<Text color="cyan">{gauge((a.currentTasks / maxTasks) * 100, barWidth, ascii)}</Text>
					{padCells(String(a.currentTasks), 3, 'right')} {padCells(String(a.completed), 5, 'right')} {padCells(durationFigure(agentAverage(a), ascii), 8, 'right')}
				</Line>
			))}
		</Panel>
	);
});
