/**
The event panes (training, tasks, agents, alerts), the header, the footer and the pane title as they were drawn before
their lines became one pre-styled string each (a <Text> per piece, nested): the plain rendering that
test/components/event-lines-styled.test.tsx holds the fast ones to, byte for byte. Kept as they were in components/ at
9b8769c; do not "fix" them here.
*/
import {memo} from 'react';
import {Box, Text} from 'ink';
import {SLA_SECONDS} from '../../src/contract/names.js';
import {agentAverage, avgTasksPerBusyAgent, durationFigure, loadVariance, noData, percentFigure, taskFigures} from '../../src/format/figures.js';
import {budgetShortText, budgetText, etaShortText, etaText} from '../../src/format/forecast-text.js';
import {cellWidth, padCells} from '../../src/format/text-width.js';
import {clip, fit, formatClock, formatCount, formatDuration, formatLabels, formatSpan, formatValue} from '../../src/format/units.js';
import {colorOf, type Tone} from '../../src/format/theme.js';
import {failing, receiverStateText} from '../../src/notify/receiver-state.js';
import {footerHints} from '../../hooks/keymap.js';
import {gauge, histogramLine, sparkline} from '../../src/format/sparkline.js';
import {histogramCounts, slaTone, WITHIN_SLA_BUCKETS} from '../../src/format/tasks-view.js';
import {kwhText, type ProjectEnergy} from '../../src/gpu/project-energy.js';
import {samePaneProps} from '../../src/format/same-value.js';
import {trainingView, type TrainingBadge} from '../../src/format/training-view.js';
import {type AgentSummary, type Snapshot} from '../../src/store/snapshot.js';
import {type AlertRow, type AlertState, type Severity} from '../../src/rules/alert-snapshot.js';
import {type ReceiverState} from '../../src/notify/notify-types.js';
import {windowStart, type Silence} from '../../src/format/pane-rows.js';
import {Line, rowMarker, type PanelProps} from '../../components/Panel.js';
import {type TrainingPaneProps} from '../../components/TrainingPane.js';
import {type TasksPaneProps} from '../../components/TasksPane.js';
import {type AgentsPaneProps} from '../../components/AgentsPane.js';
import {type AlertLogProps} from '../../components/AlertLog.js';
import {type HeaderProps} from '../../components/Header.js';
import {type FooterProps} from '../../components/Footer.js';
import {useTheme} from '../../components/theme.js';
import {type Prompt} from '../../hooks/use-dashboard-state.js';


/**
A pane: one title line (the focused one marked with ▶ and shown inverse, so focus survives NO_COLOR) and its
content, clipped to `height` lines and `width` columns. No borders: every line goes to data.
*/
function NestedPanel({index, title, info, focused, width, height, children}: PanelProps) {
	const {glyphs, colors} = useTheme();
	const marker = focused ? glyphs.focus : ' ';
	return (
		<Box flexDirection="column" width={width} height={height} overflow="hidden" paddingRight={1}>
			<Box flexShrink={0} height={1}>
				<Line>
					<Text bold inverse={focused} color={focused ? colors.selection : undefined}>
						{`${marker}${index} ${title} `}
					</Text>
					{info ? <Text dimColor> {glyphs.text(info)}</Text> : null}
				</Line>
			</Box>
			<Box flexDirection="column" flexShrink={1} overflow="hidden">
				{children}
			</Box>
		</Box>
	);
}

/** Cells of the energy column (`123.4 kWh`). */
const ENERGY_CELLS = 9;

/** The second line's energy detail: `0.50 GPU-h 0.37 EUR · run 3.40 kWh` (GPU-hours and cost today, the run's kWh). */
function energyDetail(e: ProjectEnergy): string {
	const cost = e.todayCost === undefined ? '' : ` ${e.todayCost.toFixed(2)}${e.currency !== undefined ? ` ${e.currency}` : ''}`;
	return `${e.todayGpuHours.toFixed(2)} GPU-h${cost} · run ${kwhText(e.runKwh)}`;
}

const BADGE_TONE: Record<TrainingBadge, Tone> = {diverging: 'critical', converged: 'ok', plateau: 'warn'};

/** Lines a project takes: two (raw and smoothed sparklines) when they all fit, else one. */
function linesPerProject(count: number, contentLines: number): number {
	return count > 0 && count * 2 <= contentLines ? 2 : 1;
}

/**
Per project: loss sparkline, last loss (NaN/Inf in red), smoothed loss, step, trend arrow and a badge; with
room, a second line with the smoothed sparkline, the ETA to the target loss where one is configured and the fit
gives one, and the WER sparkline where WER is sent (one line per project: the short ETA on it). The project id is cut
and padded in display cells, so a CJK or emoji id keeps the sparklines in one column.
*/
export const NestedTrainingPane = memo(function NestedTrainingPane(props: TrainingPaneProps) {
	const {projects, total, width, height, focused, selectedIndex, smoothing, energy, nowMs = Date.now()} = props;
	const {glyphs, colors} = useTheme();
	const inner = Math.max(20, width - 1);
	const content = Math.max(0, height - 1);
	const per = linesPerProject(projects.length, content);
	const nameWidth = Math.min(20, Math.max(8, Math.floor(inner * 0.18)));
	// marker name spark last ~smoothed @step arrow badge
	const shownCount = Math.max(0, Math.floor(content / per));
	const start = windowStart(projects.length, selectedIndex, shownCount);
	const visible = projects.slice(start, start + shownCount);
	const energyOf = new Map((energy ?? []).map((e) => [e.projectId, e]));
	// The energy column only while some shown project has energy: panes without GPU projects keep their layout.
	const withEnergy = visible.some((p) => energyOf.has(p.projectId));
	const fixed = 1 + nameWidth + 1 + 1 + 8 + 1 + 9 + 1 + 9 + 1 + 1 + 1 + 9 + (withEnergy ? ENERGY_CELLS + 1 : 0);
	// One line per project: the short ETA goes on it, and the sparklines give up its room (all alike, so they align).
	const shortEtas = per === 1 ? visible.map((p) => (p.eta === undefined ? '' : etaShortText(p.eta, nowMs))) : [];
	const shortEtaWidth = Math.max(0, ...shortEtas.map((t) => (t === '' ? 0 : cellWidth(t) + 1)));
	// The last WER ends a one-line row too: the sparklines give up its room as well, so the row fits the pane (a row
	// wider than the pane lost its WER to Ink's cut, which also re-cut every changed row each frame).
	const shortWers = per === 1 ? visible.map((p) => (p.lastWer === undefined ? '' : ` wer ${formatValue(p.lastWer)}`)) : [];
	const shortWerWidth = Math.max(0, ...shortWers.map((t) => cellWidth(t)));
	const sparkWidth = Math.max(4, Math.min(240, inner - fixed - shortEtaWidth - shortWerWidth));
	const info = total === projects.length ? `${total} projects · smoothing ${smoothing}` : `${projects.length} of ${total} projects (filtered)`;
	return (
		<NestedPanel index={1} title="Training" info={info} focused={focused} width={width} height={height}>
			{visible.length === 0 ? <Line dimColor>{total === 0 ? 'waiting for events:training:progress …' : 'no project matches the filter'}</Line> : null}
			{visible.map((p, i) => {
				const view = trainingView(p, smoothing, glyphs);
				const e = energyOf.get(p.projectId);
				const marker = rowMarker(start + i === selectedIndex, focused, glyphs);
				const lines = [
					<Line key={p.projectId}>
						{marker}
						{fit(glyphs.text(p.projectId), nameWidth, glyphs.ellipsis)} <Text color={colors.accent}>{sparkline(p.lossTail, sparkWidth, {glyphs})}</Text>{' '}
						<Text color={view.nonFinite ? colors.critical : undefined} bold={view.nonFinite}>
							{padCells(formatValue(p.lastLoss), 8, 'right')}
						</Text>{' '}
						<Text color={colors.info}>{padCells(`~${formatValue(view.smoothedLast)}`, 9, 'right')}</Text> <Text dimColor>{padCells(`@${p.lastStep}`, 9, 'right')}</Text>{' '}
						{withEnergy ? <Text color={colors.warn}>{padCells(e === undefined ? '' : kwhText(e.todayKwh), ENERGY_CELLS, 'right')} </Text> : null}
						{view.arrow} {view.badge ? <Text color={colors[BADGE_TONE[view.badge]]}>{view.badge}</Text> : null}
						{per === 1 && shortEtas[i] ? <Text color={p.eta?.inMs === 0 ? colors.ok : colors.info}> {shortEtas[i]}</Text> : null}
						{per === 1 && shortWers[i] ? <Text dimColor>{shortWers[i]}</Text> : null}
					</Line>,
				];
				if (per === 2) {
					const hasWer = p.werTail.length > 0;
					const eta = p.eta === undefined ? undefined : etaText(p.eta, nowMs);
					const etaCells = eta === undefined ? 0 : cellWidth(eta) + 1;
					const detail = e === undefined ? '' : energyDetail(e);
					const werRoom = inner - 1 - nameWidth - sparkWidth - 15 - etaCells;
					// The detail goes last, where the WER sparkline (at least 4 cells) leaves room for it.
					const detailCells = detail === '' ? 0 : cellWidth(detail) + 1;
					const showDetail = detailCells > 0 && (hasWer ? werRoom - detailCells >= 4 : inner - 1 - nameWidth - sparkWidth - etaCells >= detailCells);
					lines.push(
						<Line key={`${p.projectId}:2`}>
							{' '.repeat(1 + nameWidth - 4)}
							<Text dimColor>ema </Text>
							<Text color={colors.info}>{sparkline(view.smoothed, sparkWidth, {glyphs})}</Text>
							{eta !== undefined ? <Text color={p.eta?.inMs === 0 ? colors.ok : colors.info}> {eta}</Text> : null}
							{hasWer ? (
								<Text>
									{' '}
									<Text dimColor>wer </Text>
									<Text color={p.lastWer !== undefined && !Number.isFinite(p.lastWer) ? colors.critical : colors.secondary}>{formatValue(p.lastWer)}</Text>{' '}
									<Text color={colors.secondary}>{sparkline(p.werTail, Math.max(4, Math.min(240, werRoom - (showDetail ? detailCells : 0))), {glyphs})}</Text>
								</Text>
							) : null}
							{showDetail ? <Text color={colors.warn}> {glyphs.text(detail)}</Text> : null}
						</Line>,
					);
				}
				return lines;
			})}
		</NestedPanel>
	);
}, samePaneProps);

/**
Throughput per hour, average and p50/p95/p99 durations, SLA compliance against 30 minutes (coloured), the
last hour's durations as a one-line histogram (buckets of 5 minutes up to the SLA, then 45 m, 60 m, more),
the SLA's error budget (left, burn rate, when it is spent at that rate; only with a timed task in its window; on a
line of its own while three completion rows still fit, else a short form at the end of the SLA line),
and the recent completions. With no timed task in the last hour the durations and the SLA read "no data"
(never 0s or 100%). Columns are measured in display cells (task ids and agent names can be CJK or emoji).
*/
export const NestedTasksPane = memo(function NestedTasksPane({tasks, completions, nowMs, width, height, focused, selectedIndex}: TasksPaneProps) {
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
	return (
		<NestedPanel index={3} title="Tasks" info={`${tasks.completedToday} completed today`} focused={focused} width={width} height={height}>
			<Line>
				<Text bold>{figures.throughputPerHour}</Text>/h avg <Text bold>{durationFigure(figures.avgSeconds, glyphs)}</Text> p50 {durationFigure(figures.p50Seconds, glyphs)} p95{' '}
				{durationFigure(figures.p95Seconds, glyphs)} p99 {durationFigure(figures.p99Seconds, glyphs)}
				{noTasks ? <Text dimColor> (no data)</Text> : null}
			</Line>
			<Line>
				SLA{' '}
				{noTasks ? (
					<Text dimColor>{percentFigure(figures.slaPercent, 1, glyphs)} (no data: no tasks in the last hour)</Text>
				) : (
					<Text color={colors[slaTone(figures.slaPercent!)]} bold>
						{percentFigure(figures.slaPercent, 1, glyphs)}
					</Text>
				)}{' '}
				<Text dimColor>{glyphs.atMost}30m</Text> 0<Text color={colors.ok}>{hist.slice(0, within)}</Text>
				<Text color={colors.critical}>{hist.slice(within)}</Text>
				<Text dimColor>60m+</Text>
				{figures.slaViolations > 0 ? <Text color={colors.critical}> {figures.slaViolations} over</Text> : null}
				{shortBudget !== undefined ? <Text color={shortBudget.tone !== undefined ? colors[shortBudget.tone] : undefined}> {shortBudget.text}</Text> : null}
			</Line>
			{budget !== undefined ? (
				<Line>
					<Text dimColor>SLA </Text>
					<Text color={budget.tone !== undefined ? colors[budget.tone] : undefined}>{fit(budget.text, inner - 4, cut).trimEnd()}</Text>
				</Line>
			) : null}
			<Line dimColor>
				{' '}
				{fit('task', taskWidth, cut)} {fit('agent', agentWidth, cut)} {padCells('duration', 10, 'right')} {padCells('ago', 5, 'right')}
			</Line>
			{completions.length === 0 ? <Line dimColor>no completions yet (events:tasks:updates, status done)</Line> : null}
			{completions.slice(start, start + tableRows).map((c, i) => (
				<Line key={`${c.taskId}@${c.timeMs}`}>
					{rowMarker(start + i === selectedIndex, focused, glyphs)}
					{fit(text(c.taskId), taskWidth, cut)} {fit(text(c.agent), agentWidth, cut)}{' '}
					<Text color={c.durationSeconds > SLA_SECONDS ? colors.critical : undefined}>{padCells(formatDuration(c.durationSeconds), 10, 'right')}</Text>{' '}
					<Text dimColor>{padCells(formatSpan(Math.max(0, nowMs - c.timeMs)), 5, 'right')}</Text>
				</Line>
			))}
		</NestedPanel>
	);
}, samePaneProps);

/** The seed's imbalance threshold: above 30% the load variance is shown as a warning. */
const VARIANCE_WARN_PERCENT = 30;

const STATUS_TONE: Record<AgentSummary['status'], Tone | undefined> = {busy: 'ok', idle: undefined, unknown: 'muted'};

/**
Agents (busy/idle, current tasks as a bar, completed, average duration) and the load variance of busy agents.
With no busy agent the variance reads "no data" (the seed's 0% would read as a balanced load), and an agent that
has completed nothing has no average. Names are cut and padded in display cells (they can be CJK or emoji).
*/
export const NestedAgentsPane = memo(function NestedAgentsPane({agents, loadBalance, width, height, focused, selectedIndex}: AgentsPaneProps) {
	const {glyphs, colors} = useTheme();
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
	const cut = glyphs.ellipsis;
	const text = glyphs.text;
	return (
		<NestedPanel index={4} title="Agents" info={`${agents.filter((a) => a.status === 'busy').length} busy of ${agents.length}`} focused={focused} width={width} height={height}>
			<Line>
				load variance{' '}
				{variance === undefined ? (
					<Text dimColor>{noData(glyphs)} (no data: no busy agent)</Text>
				) : (
					<>
						<Text color={warn ? colors.warn : colors.ok} bold={warn}>
							{variance.toFixed(0)}%{warn ? ' (over 30%)' : ''}
						</Text>{' '}
						<Text dimColor>avg {perAgent === undefined ? noData(glyphs) : perAgent.toFixed(1)} tasks/busy agent</Text>
					</>
				)}
			</Line>
			<Line dimColor>
				{' '}
				{fit('agent', nameWidth, cut)} {fit('state', 5, cut)} {fit('tasks', barWidth + 3, cut)} {padCells('done', 5, 'right')} {padCells('avg', 8, 'right')}
			</Line>
			{agents.length === 0 ? <Line dimColor>no agents yet (events:agents:status)</Line> : null}
			{agents.slice(start, start + tableRows).map((a, i) => (
				<Line key={a.agent}>
					{rowMarker(start + i === selectedIndex, focused, glyphs)}
					{fit(text(a.agent), nameWidth, cut)} <Text color={colorOf(colors, STATUS_TONE[a.status])}>{fit(a.status, 5, cut)}</Text>{' '}
					<Text color={colors.accent}>{gauge((a.currentTasks / maxTasks) * 100, barWidth, glyphs)}</Text>
					{padCells(String(a.currentTasks), 3, 'right')} {padCells(String(a.completed), 5, 'right')} {padCells(durationFigure(agentAverage(a), glyphs), 8, 'right')}
				</Line>
			))}
		</NestedPanel>
	);
}, samePaneProps);

const SEVERITY_TONE: Record<Severity, Tone> = {critical: 'critical', warning: 'warn', info: 'info'};
const STATE_TONE: Record<AlertState, Tone> = {
	firing: 'critical',
	pending: 'warn',
	resolved: 'ok',
	acknowledged: 'accent',
	silenced: 'secondary',
	nodata: 'muted',
};

/** One silence as the alert log lists it: matcher, until (time left), author, comment. */
function silenceText(silence: Silence, nowMs: number): string {
	const left = formatSpan(Math.max(0, silence.endsMs - nowMs));
	const comment = silence.comment ? ` - ${silence.comment}` : '';
	return `${silence.matcher} until ${formatClock(silence.endsMs)} (${left} left) by ${silence.author || '?'}${comment}`;
}

/** Who acknowledged, how long ago, until when, and why: "ack alice@box 5m ago until 14:00: restarting it". */
function ackText(row: AlertRow, nowMs: number): string {
	const age = row.acknowledgedMs !== undefined ? ` ${formatSpan(Math.max(0, nowMs - row.acknowledgedMs))} ago` : '';
	const until = row.ackUntilMs !== undefined ? ` until ${formatClock(row.ackUntilMs)}` : '';
	return `ack ${row.acknowledgedBy ?? '?'}${age}${until}${row.ackComment ? `: ${row.ackComment}` : ''}`;
}

/** A receiver in the title: "team ok", "oncall failing", "mail misconfigured", with what waits. */
function receiverBadge(r: ReceiverState, nowMs: number): string {
	const health = failing(r) ? (r.misconfigured ? 'misconfigured' : 'failing') : r.rateLimitedUntilMs !== undefined && r.rateLimitedUntilMs > nowMs ? 'rate limited' : r.lastSuccessMs !== undefined ? 'ok' : 'idle';
	const waits = [...(r.queued > 0 ? [`${r.queued} queued`] : []), ...(r.dropped !== undefined && r.dropped > 0 ? [`${r.dropped} dropped`] : [])];
	return `${r.name} ${health}${waits.length > 0 ? ` (${waits.join(', ')})` : ''}`;
}

/** Lines the silences section takes in a pane with `content` lines: a heading and one per silence, at most half. */
function silenceLines(count: number, content: number): number {
	if (count === 0 || content < 3) return 0;
	return Math.min(1 + count, Math.floor(content / 2));
}

/**
The alert log, newest first: time, severity, rule, labels, state, message (and the id when zoomed); then the
active silences. A dumb view: the selection comes in.
*/
export const NestedAlertLog = memo(function NestedAlertLog(props: AlertLogProps) {
	const {rows, silences = [], receivers = [], nowMs = Date.now(), zoomed, canExpire, rulesRunning, ruleErrors = 0, unwrittenTransitions = 0, width, height, focused, selectedIndex} = props;
	const {glyphs, colors} = useTheme();
	const inner = Math.max(20, width - 1);
	const receiverRows = zoomed ? silenceLines(receivers.length, Math.max(0, height - 1)) : 0;
	const content = Math.max(0, height - 1 - receiverRows);
	const silenceRows = silenceLines(silences.length, content);
	const alertLines = content - silenceRows;
	const start = windowStart(rows.length, selectedIndex, alertLines);
	const ruleWidth = Math.min(24, Math.max(10, Math.floor(inner * 0.2)));
	const labelWidth = Math.min(32, Math.max(8, Math.floor(inner * 0.2)));
	const cut = glyphs.ellipsis;
	const text = glyphs.text;
	const firing = rows.filter((r) => r.state === 'firing').length;
	const info =
		`${rows.length} alerts · ${firing} firing${silences.length > 0 ? ` · ${silences.length} silences` : ''}` +
		`${ruleErrors > 0 ? ` · ${ruleErrors} rule${ruleErrors === 1 ? '' : 's'} failing` : ''}` +
		`${unwrittenTransitions > 0 ? ` · ${unwrittenTransitions} not in Redis's log` : ''}` +
		`${receivers.length > 0 ? ` · ${receivers.map((r) => receiverBadge(r, nowMs)).join(', ')}` : ''}` +
		`${rulesRunning ? '' : " · rules not running: other agents' alerts only"}`;
	return (
		<NestedPanel index={5} title="Alerts" info={info} focused={focused} width={width} height={height}>
			{rows.length === 0 ? (
				<Line dimColor>
					no alerts
				</Line>
			) : null}
			{rows.slice(start, start + Math.max(0, alertLines - (rows.length === 0 ? 1 : 0))).map((row, i) => {
				const selected = start + i === selectedIndex;
				return (
					<Line key={row.id} inverse={selected && focused}>
						{rowMarker(selected, focused, glyphs)}
						{formatClock(row.updatedMs)} <Text color={colors[SEVERITY_TONE[row.severity]]}>{fit(row.severity, 8, cut)}</Text> {fit(text(row.rule), ruleWidth, cut)}{' '}
						<Text dimColor>{fit(text(formatLabels(row.labels)), labelWidth, cut)}</Text> <Text color={colors[STATE_TONE[row.state]]}>{fit(row.state, 12, cut)}</Text>{' '}
						{zoomed ? <Text color={colors.accent}>[{text(row.id)}] </Text> : null}
						{text(row.message)}
						{row.acknowledgedBy ? <Text dimColor> ({text(ackText(row, nowMs))})</Text> : null}
						{row.inhibitedBy ? <Text dimColor> (inhibited by {text(row.inhibitedBy)})</Text> : null}
					</Line>
				);
			})}
			{silenceRows > 0 ? (
				<Line color={colors.secondary}>
					{clip(`silences (${silences.length})${focused && canExpire ? ", x expires the selected alert's or the first" : ''}`, inner, cut)}
				</Line>
			) : null}
			{silences.slice(0, Math.max(0, silenceRows - 1)).map((s) => (
				<Line key={s.id} dimColor>
					{' '}
					{text(silenceText(s, nowMs))}
				</Line>
			))}
			{receiverRows > 0 ? (
				<Line color={colors.secondary}>
					{clip(`receivers (${receivers.length})`, inner, cut)}
				</Line>
			) : null}
			{receivers.slice(0, Math.max(0, receiverRows - 1)).map((r) => (
				<Line key={`receiver:${r.name}`} color={failing(r) ? colors.critical : undefined} dimColor={!failing(r)}>
					{' '}
					{text(receiverStateText(r, nowMs, formatSpan))}
				</Line>
			))}
		</NestedPanel>
	);
}, samePaneProps);

function busTone(snapshot: Snapshot): Tone {
	const kind = snapshot.bus.connection?.kind;
	if (snapshot.bus.kind === 'embedded') return 'warn';
	if (kind === 'connected') return 'ok';
	if (kind === 'auth-failed') return 'critical';
	return 'warn';
}

const SHORT_STATE: Record<string, string> = {connected: 'up', unreachable: 'down', 'auth-failed': 'auth failed'};

/** The connection in a word or two: "redis up", "redis reconnecting", or "embedded" when Redis is off or not in use. */
function shortBusState(bus: Snapshot['bus']): string {
	if (bus.kind === 'embedded' && bus.connection === undefined) return 'embedded';
	const kind = bus.connection?.kind ?? 'off';
	const redis = `redis ${SHORT_STATE[kind] ?? kind}`;
	return bus.kind === 'embedded' ? `embedded, ${redis}` : redis;
}

/**
Host, writer or viewer and a short connection state first (they must survive 80 columns), then the bus
summary (Redis URL, password redacted, and details) cut to what is left; on the right PAUSED, the filter,
rejected count, unacknowledged criticals and the clock, always shown.
*/
export const NestedHeader = memo(function NestedHeader({snapshot, width, paused, filterText}: HeaderProps) {
	const {glyphs, colors} = useTheme();
	const critical = snapshot.alerts?.unacknowledgedCritical ?? 0;
	const rejected = snapshot.counters.rejected;
	const refused = snapshot.counters.refused;
	const text = glyphs.text;
	// A host name can be long (or wide): cut so that the role and the connection state still fit at 80 columns.
	const host = clip(text(snapshot.host), Math.max(12, Math.floor(width / 5)), glyphs.ellipsis);
	const role = `[${snapshot.bus.role}]`;
	const state = shortBusState(snapshot.bus);
	// The filter is typed text of any length: at most a quarter of the line, so the counts and the clock stay.
	const filter = filterText ? ` filter "${clip(text(filterText), Math.max(8, Math.floor(width / 4)), glyphs.ellipsis)}"` : '';
	const rejectedText = ` rejected ${formatCount(rejected)}`;
	const refusedText = refused > 0 ? ` refused ${formatCount(refused)}` : '';
	const criticalText = critical > 0 ? ` ${critical} critical unacked` : ' 0 critical';
	const clock = ` ${formatClock(snapshot.takenAtMs)}`;
	const right = cellWidth(filter) + (paused ? 8 : 0) + cellWidth(rejectedText) + cellWidth(refusedText) + cellWidth(criticalText) + cellWidth(clock);
	const left = cellWidth('mycotop') + 1 + cellWidth(host) + 1 + cellWidth(role) + 1 + cellWidth(state);
	const summary = clip(text(snapshot.bus.summary), Math.max(0, width - left - right - 1), glyphs.ellipsis);
	return (
		<Box width={width} height={1} overflow="hidden">
			<Box flexShrink={1} flexGrow={1} overflow="hidden">
				<Text wrap={glyphs.lineCut === 'clip' ? 'wrap' : 'truncate-end'}>
					<Text bold>mycotop</Text> <Text>{host}</Text> <Text color={colors.accent}>{role}</Text> <Text color={colors[busTone(snapshot)]}>{state}</Text>
					{summary ? <Text dimColor> {summary}</Text> : null}
				</Text>
			</Box>
			<Box flexShrink={0}>
				<Text>
					{filter ? <Text color={colors.accent}>{filter}</Text> : null}
					{paused ? (
						<Text color={colors.warn} bold inverse>
							{' PAUSED '}
						</Text>
					) : null}
					{rejected > 0 ? <Text color={colors.warn}>{rejectedText}</Text> : <Text dimColor>{rejectedText}</Text>}
					{refused > 0 ? <Text color={colors.warn}>{refusedText}</Text> : null}
					{critical > 0 ? (
						<Text color={colors.critical} bold>
							{criticalText}
						</Text>
					) : (
						<Text dimColor>{criticalText}</Text>
					)}
					{clock}
				</Text>
			</Box>
		</Box>
	);
});

/** What a prompt asks, as the footer shows it. */
function promptText(prompt: Prompt): string {
	switch (prompt.kind) {
		case 'filter':
			return `filter (project:, agent:, gpu:, rule: or any text; Enter applies, empty clears): ${prompt.text}▏`;
		case 'silence-for':
			return `silence ${prompt.rule} for (90m, 2h, 1d; Enter applies): ${prompt.text}▏`;
		case 'ack-note':
			return `acknowledge ${prompt.rule}: 2h, a comment, or 2h: comment (Enter acknowledges, Esc cancels): ${prompt.text}▏`;
		case 'confirm-ack-all':
			return `acknowledge ${prompt.ids.length} visible alerts? y/n`;
	}
}

/** The prompt when one is open; else the last action's result and the key hints of the focused pane. */
export const NestedFooter = memo(function NestedFooter({focus, prompt, status, alertsAvailable, zoomed = false, width}: FooterProps) {
	const {glyphs, colors} = useTheme();
	const text = glyphs.text;
	const statusText = status === undefined ? null : <Text color={status.tone === 'error' ? colors.critical : colors.ok}>{text(status.text)} </Text>;
	return (
		<Box width={width} height={1} overflow="hidden">
			{prompt !== undefined ? (
				<Line>
					{statusText}
					<Text color={colors.accent}>{text(promptText(prompt))}</Text>
				</Line>
			) : (
				<Line>
					{statusText}
					<Text dimColor>{text(footerHints(focus, alertsAvailable, zoomed))}</Text>
				</Line>
			)}
		</Box>
	);
});
