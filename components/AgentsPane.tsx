import {memo} from 'react';
import {type AgentSummary} from '../src/store/snapshot.js';
import {type LoadBalance} from '../src/analysis/load-balance.js';
import {gauge} from '../src/format/sparkline.js';
import {fit} from '../src/format/units.js';
import {padCells} from '../src/format/text-width.js';
import {agentAverage, avgTasksPerBusyAgent, durationFigure, loadVariance, noData} from '../src/format/figures.js';
import {windowStart} from '../src/format/pane-rows.js';
import {colorOf, type Tone} from '../src/format/theme.js';
import {Line, Panel, rowMarker, StyledLine, StyledRows} from './Panel.js';
import {styled} from '../src/format/styled-text.js';
import {useTheme} from './theme.js';
import {samePaneProps} from '../src/format/same-value.js';

export interface AgentsPaneProps {
	readonly agents: readonly AgentSummary[];
	readonly loadBalance: LoadBalance;
	readonly width: number;
	readonly height: number;
	readonly focused: boolean;
	readonly selectedIndex: number;
}

/** The seed's imbalance threshold: above 30% the load variance is shown as a warning. */
const VARIANCE_WARN_PERCENT = 30;

const STATUS_TONE: Record<AgentSummary['status'], Tone | undefined> = {busy: 'ok', idle: undefined, unknown: 'muted'};

/**
Agents (busy/idle, current tasks as a bar, completed, average duration) and the load variance of busy agents.
With no busy agent the variance reads "no data" (the seed's 0% would read as a balanced load), and an agent that
has completed nothing has no average. Names are cut and padded in display cells (they can be CJK or emoji).
*/
export const AgentsPane = memo(function AgentsPane({agents, loadBalance, width, height, focused, selectedIndex}: AgentsPaneProps) {
	const {glyphs, colors} = useTheme();
	const inner = Math.max(20, width - 1);
	const maxTasks = Math.max(1, ...agents.map((a) => a.currentTasks));
	const barWidth = Math.max(4, Math.min(16, Math.floor(inner / 6)));
	const nameWidth = Math.max(8, inner - 1 - 5 - (barWidth + 4) - 6 - 9 - 5);
	const content = Math.max(0, height - 1);
	const tableRows = Math.max(0, content - 2);
	const start = windowStart(agents.length, selectedIndex, tableRows);
	const shownAgents = agents.slice(start, start + tableRows);
	const variance = loadVariance(loadBalance);
	const perAgent = avgTasksPerBusyAgent(loadBalance);
	const warn = variance !== undefined && variance > VARIANCE_WARN_PERCENT;
	const cut = glyphs.ellipsis;
	const text = glyphs.text;
	return (
		<Panel index={4} title="Agents" info={`${agents.filter((a) => a.status === 'busy').length} busy of ${agents.length}`} focused={focused} width={width} height={height}>
			<StyledLine
				text={`load variance ${
					variance === undefined
						? styled(`${noData(glyphs)} (no data: no busy agent)`, {dimColor: true})
						: `${styled(`${variance.toFixed(0)}%${warn ? ' (over 30%)' : ''}`, {color: warn ? colors.warn : colors.ok, bold: warn})} ${styled(`avg ${perAgent === undefined ? noData(glyphs) : perAgent.toFixed(1)} tasks/busy agent`, {dimColor: true})}`
				}`}
			/>
			<StyledLine dimColor text={` ${fit('agent', nameWidth, cut)} ${fit('state', 5, cut)} ${fit('tasks', barWidth + 3, cut)} ${padCells('done', 5, 'right')} ${padCells('avg', 8, 'right')}`} />
			{agents.length === 0 ? <Line dimColor>no agents yet (events:agents:status)</Line> : null}
			<StyledRows
				rows={shownAgents.map((a, i) => ({
					key: a.agent,
					text:
						`${rowMarker(start + i === selectedIndex, focused, glyphs)}${fit(text(a.agent), nameWidth, cut)} ${styled(fit(a.status, 5, cut), {color: colorOf(colors, STATUS_TONE[a.status])})} ` +
						`${styled(gauge((a.currentTasks / maxTasks) * 100, barWidth, glyphs), {color: colors.accent})}${padCells(String(a.currentTasks), 3, 'right')} ${padCells(String(a.completed), 5, 'right')} ${padCells(durationFigure(agentAverage(a), glyphs), 8, 'right')}`,
				}))}
				width={width - 1}
			/>
		</Panel>
	);
}, samePaneProps);
