/**
The event panes (training, tasks, agents, alerts), the header, the footer and every pane's title draw each line as one
pre-styled string (components/Panel.tsx StyledLine, src/format/styled-text.ts). Each pane must be the very frame the
nested <Text>s drew (test/components/event-panes-nested.tsx, the code as it was), colours on (chalk level 3) and off,
Unicode and ASCII glyphs, for random rows: wide (CJK, emoji) and long ids, NaN and infinite losses, ETAs, energy,
badges, selections, acknowledged, inhibited and zoomed alerts, silences, receivers, prompts and statuses, narrow and
wide panes.
*/
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {Box, Text} from 'ink';
import chalk from 'chalk';
import fc from 'fast-check';
import {TrainingPane} from '../../components/TrainingPane.js';
import {TasksPane} from '../../components/TasksPane.js';
import {AgentsPane} from '../../components/AgentsPane.js';
import {AlertLog} from '../../components/AlertLog.js';
import {Header} from '../../components/Header.js';
import {Footer} from '../../components/Footer.js';
import {ASCII_THEME, ThemeProvider, UNICODE_THEME} from '../../components/theme.js';
import {styled} from '../../src/format/styled-text.js';
import {type ProjectSummary, type AgentSummary} from '../../src/store/snapshot.js';
import {type AlertRow} from '../../src/rules/alert-snapshot.js';
import {type ReceiverState} from '../../src/notify/notify-types.js';
import {type ProjectEnergy} from '../../src/gpu/project-energy.js';
import {type Prompt, type Status} from '../../hooks/use-dashboard-state.js';
import {type PaneId} from '../../src/format/layout.js';
import {NestedAgentsPane, NestedAlertLog, NestedFooter, NestedHeader, NestedTasksPane, NestedTrainingPane} from './event-panes-nested.js';
import {agent, alert, completion, makeSnapshot, NOW, project} from './fixtures.js';

const level = chalk.level;
afterEach(() => {
	chalk.level = level;
});

function frame(node: React.ReactElement, width: number, ascii: boolean): string {
	const {lastFrame, unmount} = render(
		<ThemeProvider theme={ascii ? ASCII_THEME : UNICODE_THEME}>
			<Box width={width} flexDirection="column">
				{node}
			</Box>
		</ThemeProvider>,
	);
	const out = lastFrame() ?? '';
	unmount();
	return out;
}

/** The same props drawn by the new pane and by the nested one: the same frame. */
function sameFrame(fast: React.ReactElement, nested: React.ReactElement, width: number, ascii: boolean): void {
	expect(frame(fast, width, ascii)).toBe(frame(nested, width, ascii));
}

const name = fc.constantFrom('bert', 'proj-12', 'a-very-long-project-name-that-is-cut', '中文项目', '训练-🚀-run', 'ünï', '', 'x');
const value = fc.oneof({weight: 8, arbitrary: fc.double({min: 0, max: 10, noNaN: true})}, {weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0)});
const tail = fc.array(value, {maxLength: 60});
const settings = {level: fc.constantFrom(0, 3), ascii: fc.boolean(), width: fc.integer({min: 20, max: 160}), height: fc.integer({min: 1, max: 24}), focused: fc.boolean()};
/** A pane's drawing settings drawn together: colour level, glyphs, size and focus. */
const paneSettings = fc.record(settings);

const projectArb: fc.Arbitrary<ProjectSummary> = fc
	.record({id: name, suffix: fc.nat(99), loss: tail, wer: fc.oneof(fc.constant([] as number[]), tail), eta: fc.option(fc.record({inMs: fc.constantFrom(0, 90_000, 7_200_000), steps: fc.option(fc.nat(50_000), {nil: undefined})}), {nil: undefined})})
	.map(({id, suffix, loss, wer, eta}) => {
		const p = project(`${id}${suffix}`, loss.length === 0 ? [1] : loss, wer);
		return eta === undefined ? p : {...p, eta: {target: 0.5, inMs: eta.inMs, atMs: NOW + eta.inMs, ...(eta.steps === undefined ? {} : {steps: eta.steps})}};
	});

/** Energy for some of the projects (the GPU snapshot's `projects`): undefined entries have none. */
const energyArb = fc.array(fc.option(fc.record({todayKwh: fc.double({min: 0, max: 500, noNaN: true}), cost: fc.option(fc.double({min: 0, max: 90, noNaN: true}), {nil: undefined})}), {nil: undefined}), {maxLength: 8});

function energyOf(ids: readonly string[], picks: ReadonlyArray<{readonly todayKwh: number; readonly cost: number | undefined} | undefined>): ProjectEnergy[] {
	return ids.flatMap((projectId, i) => {
		const e = picks[i];
		if (e === undefined) return [];
		return [{projectId, todayKwh: e.todayKwh, todayGpuHours: e.todayKwh / 3, runKwh: e.todayKwh * 2, runGpuHours: 1, sinceMs: NOW - 3_600_000, gpus: [0], estimated: false, ...(e.cost === undefined ? {} : {todayCost: e.cost, currency: 'EUR'})}];
	});
}

describe('one pre-styled string per line in the event panes', () => {
	it('styled() with inverse is what a nested <Text inverse> draws', () => {
		fc.assert(
			fc.property(fc.constantFrom(0, 3), fc.constantFrom('', 'abc', '中文'), fc.constantFrom(undefined, 'cyan'), fc.boolean(), fc.boolean(), fc.boolean(), (lvl, text, color, bold, dimColor, inverse) => {
				chalk.level = lvl as 0 | 3;
				expect(frame(<Text>{styled(text, {color, bold, dimColor, inverse})}</Text>, 20, false)).toBe(
					frame(
						<Text>
							<Text color={color} bold={bold} dimColor={dimColor} inverse={inverse}>
								{text}
							</Text>
						</Text>,
						20,
						false,
					),
				);
			}),
			{numRuns: 100},
		);
	});

	it('the training pane is the frame the nested <Text>s drew', () => {
		fc.assert(
			fc.property(
				paneSettings,
				fc.array(projectArb, {maxLength: 8}),
				fc.nat(9),
				fc.constantFrom(0, 0.6, 0.99),
				energyArb,
				({level: lvl, ascii, width, height, focused}, projects, selected, smoothing, picks) => {
					chalk.level = lvl as 0 | 3;
					const unique = [...new Map(projects.map((p) => [p.projectId, p])).values()];
					const energy = energyOf(
						unique.map((p) => p.projectId),
						picks,
					);
					const props = {projects: unique, total: unique.length + (selected % 2), width, height, focused, selectedIndex: selected % Math.max(1, unique.length), smoothing, nowMs: NOW, ...(energy.length > 0 ? {energy} : {})};
					sameFrame(<TrainingPane {...props} />, <NestedTrainingPane {...props} />, width, ascii);
				},
			),
			{numRuns: 150},
		);
	});

	it('the tasks pane is the frame the nested <Text>s drew', () => {
		fc.assert(
			fc.property(
				paneSettings,
				fc.array(fc.record({id: name, agentName: name, duration: fc.oneof(fc.integer({min: 0, max: 7200}), fc.constant(Number.NaN)), ago: fc.integer({min: 0, max: 5_000_000})}), {maxLength: 20}),
				fc.nat(30),
				fc.option(fc.record({remaining: fc.double({min: -3, max: 1, noNaN: true}), burnRate: fc.double({min: 0, max: 20, noNaN: true}), spentInMs: fc.option(fc.integer({min: 0, max: 86_400_000}), {nil: undefined})}), {nil: undefined}),
				({level: lvl, ascii, width, height, focused}, rows, selected, budget) => {
					chalk.level = lvl as 0 | 3;
					const completions = rows.map((r, i) => completion(`${r.id}-${i}`, r.agentName, r.duration, r.ago));
					const snapshot = makeSnapshot({completions});
					const tasks =
						budget === undefined
							? snapshot.tasks
							: {...snapshot.tasks, budget: {objective: 0.9, windowMs: 86_400_000, burnWindowMs: 3_600_000, total: 10, late: 3, oldestMs: NOW - 3_600_000, remaining: budget.remaining, burnRate: budget.burnRate, ...(budget.spentInMs === undefined ? {} : {spentInMs: budget.spentInMs})}};
					const props = {tasks, completions: snapshot.tasks.recent, nowMs: NOW, width, height, focused, selectedIndex: selected % Math.max(1, completions.length)};
					sameFrame(<TasksPane {...props} />, <NestedTasksPane {...props} />, width, ascii);
				},
			),
			{numRuns: 150},
		);
	});

	it('the agents pane is the frame the nested <Text>s drew', () => {
		fc.assert(
			fc.property(
				paneSettings,
				fc.array(fc.record({id: name, status: fc.constantFrom<AgentSummary['status']>('busy', 'idle', 'unknown'), tasks: fc.nat(12), done: fc.nat(100_000), avg: fc.double({min: 0, max: 9000, noNaN: true})}), {maxLength: 14}),
				fc.nat(20),
				({level: lvl, ascii, width, height, focused}, rows, selected) => {
					chalk.level = lvl as 0 | 3;
					const agents = rows.map((r, i) => agent(`${r.id}${i}`, r.status, r.tasks, r.done, r.avg));
					const snapshot = makeSnapshot({agents});
					const props = {agents, loadBalance: snapshot.loadBalance, width, height, focused, selectedIndex: selected % Math.max(1, agents.length)};
					sameFrame(<AgentsPane {...props} />, <NestedAgentsPane {...props} />, width, ascii);
				},
			),
			{numRuns: 150},
		);
	});

	it('the alert log is the frame the nested <Text>s drew', () => {
		const alertArb: fc.Arbitrary<AlertRow> = fc
			.record({
				rule: name,
				severity: fc.constantFrom<AlertRow['severity']>('critical', 'warning', 'info'),
				state: fc.constantFrom<AlertRow['state']>('firing', 'pending', 'resolved', 'acknowledged', 'silenced', 'nodata'),
				message: fc.constantFrom('', 'GPU 3 at 95°C', 'SLA error budget burning at 3.2x (1 h) and a long tail of words after it', '显存不足 🔥'),
				labels: fc.dictionary(fc.constantFrom('gpu', 'project', '项目'), fc.constantFrom('0', 'bert', '中文')),
				ack: fc.option(fc.record({by: name, comment: fc.constantFrom('', 'restarting', '重启'), until: fc.option(fc.constant(NOW + 7_200_000), {nil: undefined})}), {nil: undefined}),
				inhibitedBy: fc.option(name, {nil: undefined}),
			})
			.map((r) =>
				alert(`${r.rule}:${r.message.length}`, {
					rule: r.rule,
					severity: r.severity,
					state: r.state,
					message: r.message,
					labels: r.labels,
					...(r.ack === undefined ? {} : {acknowledgedBy: r.ack.by || 'alice', acknowledgedMs: NOW - 300_000, ackComment: r.ack.comment, ...(r.ack.until === undefined ? {} : {ackUntilMs: r.ack.until})}),
					...(r.inhibitedBy === undefined ? {} : {inhibitedBy: r.inhibitedBy}),
				}),
			);
		const receiverArb: fc.Arbitrary<ReceiverState> = fc.record({
			name: fc.constantFrom('team', 'oncall', '值班'),
			type: fc.constant('webhook' as ReceiverState['type']),
			queued: fc.nat(3),
			lastSuccessMs: fc.option(fc.constant(NOW - 60_000), {nil: undefined}),
			lastError: fc.option(fc.constantFrom('HTTP 500', 'timeout'), {nil: undefined}),
			lastErrorMs: fc.option(fc.constant(NOW - 30_000), {nil: undefined}),
			misconfigured: fc.option(fc.boolean(), {nil: undefined}),
			rateLimitedUntilMs: fc.option(fc.constantFrom(NOW - 1000, NOW + 30_000), {nil: undefined}),
		});
		fc.assert(
			fc.property(
				paneSettings,
				fc.array(alertArb, {maxLength: 10}),
				fc.array(fc.record({matcher: fc.constantFrom('rule=gpu_hot', 'gpu=3', '项目=中文'), author: fc.constantFrom('', 'alice'), comment: fc.constantFrom('', 'maintenance')}), {maxLength: 4}),
				fc.uniqueArray(receiverArb, {maxLength: 3, selector: (r) => r.name}),
				fc.record({selected: fc.nat(12), zoomed: fc.boolean(), canExpire: fc.boolean(), rulesRunning: fc.boolean(), ruleErrors: fc.nat(2), unwritten: fc.nat(2)}),
				({level: lvl, ascii, width, height, focused}, alerts, silenceRows, receivers, o) => {
					chalk.level = lvl as 0 | 3;
					const rows = [...new Map(alerts.map((a) => [a.id, a])).values()];
					const silences = silenceRows.map((s, i) => ({id: `s${i}`, matcher: s.matcher, endsMs: NOW + (i + 1) * 3_600_000, author: s.author, comment: s.comment}));
					const props = {
						rows,
						silences,
						receivers,
						nowMs: NOW,
						zoomed: o.zoomed,
						canExpire: o.canExpire,
						rulesRunning: o.rulesRunning,
						ruleErrors: o.ruleErrors,
						unwrittenTransitions: o.unwritten,
						width,
						height,
						focused,
						selectedIndex: o.selected % Math.max(1, rows.length),
					};
					sameFrame(<AlertLog {...props} />, <NestedAlertLog {...props} />, width, ascii);
				},
			),
			{numRuns: 150},
		);
	});

	it('the header and the footer are the frames the nested <Text>s drew', () => {
		const promptArb: fc.Arbitrary<Prompt | undefined> = fc.constantFrom<Prompt | undefined>(
			undefined,
			{kind: 'filter', text: 'proj'},
			{kind: 'silence-for', text: '2h', rule: 'gpu_hot'},
			{kind: 'ack-note', text: '中文', id: 'a', rule: 'sla_breach'},
			{kind: 'confirm-ack-all', ids: ['a', 'b']},
		);
		const statusArb: fc.Arbitrary<Status | undefined> = fc.constantFrom<Status | undefined>(undefined, {text: 'acknowledged gpu_hot', tone: 'info'}, {text: 'failed: 中文', tone: 'error'});
		fc.assert(
			fc.property(
				settings.level,
				settings.ascii,
				fc.integer({min: 20, max: 200}),
				fc.record({
					host: name,
					rejected: fc.constantFrom(0, 3, 123_456),
					refused: fc.constantFrom(0, 7),
					critical: fc.constantFrom(0, 2),
					paused: fc.boolean(),
					filter: fc.constantFrom('', 'proj', '中文过滤器-very-long-filter-text'),
					embedded: fc.boolean(),
				}),
				fc.record({focus: fc.constantFrom<PaneId>('training', 'gpu', 'tasks', 'agents', 'alerts', 'hosts'), prompt: promptArb, status: statusArb, alertsAvailable: fc.boolean(), zoomed: fc.boolean()}),
				(lvl, ascii, width, h, f) => {
					chalk.level = lvl as 0 | 3;
					const base = makeSnapshot({rejected: h.rejected, alerts: Array.from({length: h.critical}, (_, i) => alert(`hot:${i}`, {severity: 'critical'}))});
					const snapshot = {
						...base,
						host: h.host || 'box',
						counters: {...base.counters, refused: h.refused},
						bus: h.embedded ? {...base.bus, kind: 'embedded' as const, connection: undefined} : base.bus,
					};
					const header = {snapshot, width, paused: h.paused, filterText: h.filter};
					sameFrame(<Header {...header} />, <NestedHeader {...header} />, width, ascii);
					const footer = {focus: f.focus, prompt: f.prompt, status: f.status, alertsAvailable: f.alertsAvailable, zoomed: f.zoomed, width};
					sameFrame(<Footer {...footer} />, <NestedFooter {...footer} />, width, ascii);
				},
			),
			{numRuns: 150},
		);
	});
});
