/**
The one keymap: every binding of the global key layer, with the words the footer and the `?` overlay show and
the action each one dispatches (a reducer action or an effect, see KeyAction). Keys are normalised from Ink's
(input, key) pair to names first, so the table reads like the help text. Pure; hooks/key-handler.ts layers the
prompt and the help overlay above it.
*/
import {type Key} from 'ink';
import {PANES, PANES_WITH_HOSTS} from '../src/format/layout.js';
import {selectionIds, silenceToExpire, type PaneRows} from '../src/format/pane-rows.js';
import {type AlertRow} from '../src/rules/alert-snapshot.js';
import {type ChartChange} from '../src/charts/chart-settings.js';
import {selectedIndex, type DashboardAction, type DashboardState, type Status} from './use-dashboard-state.js';

/**
What a key asks for beyond the UI state: quitting, and the alert commands the rule engine carries out. `done` is
the footer's status once the command has succeeded.
*/
export type Effect =
	| {readonly type: 'quit'}
	| {readonly type: 'redraw'}
	| {readonly type: 'acknowledge'; readonly id: string; readonly done: string; readonly comment?: string; readonly forMs?: number}
	| {readonly type: 'acknowledge-all'; readonly ids: readonly string[]; readonly done: string}
	| {readonly type: 'silence'; readonly rule: string; readonly ms: number; readonly done: string}
	| {readonly type: 'undo'; readonly done: string}
	| {readonly type: 'expire-silence'; readonly id: string; readonly done: string};

/** What a key does: a reducer action, dispatched as it is, or an effect, which the input hook performs. */
export type KeyAction = DashboardAction | Effect;

const EFFECTS: Record<Effect['type'], true> = {quit: true, redraw: true, acknowledge: true, 'acknowledge-all': true, silence: true, undo: true, 'expire-silence': true};

export function isEffect(action: KeyAction): action is Effect {
	return Object.hasOwn(EFFECTS, action.type);
}

/** What the rule engine can do here (AlertActions, and its optional expireSilence). */
export interface AlertAbility {
	readonly available: boolean;
	readonly canExpire: boolean;
}

/** What a binding's action may read: the key, the UI state, the rows on screen and the rule engine's abilities. */
export interface KeyContext {
	/** The key's name (see `keyName`). */
	readonly name: string;
	readonly state: DashboardState;
	readonly rows: PaneRows;
	readonly alerts: AlertAbility;
}

export interface Binding {
	/** Normalised key names (see `keyName`). */
	readonly keys: readonly string[];
	/** How the keys are written in the footer and the help overlay. */
	readonly label: string;
	readonly help: string;
	/** Short word for the footer; bindings without one appear only in the help overlay. */
	readonly footer?: string;
	/** The keys as the footer writes them, when shorter than `label`. */
	readonly footerLabel?: string;
	/** `alerts`: only while the alert log is focused; `chart`: only while a chart pane (1-4) is zoomed; `hosts`: only while the hosts pane is focused. */
	readonly scope: 'any' | 'alerts' | 'chart' | 'hosts';
	/** What the keys do: an action, or one read from the context (the key, the rows on screen, the selected alert). */
	readonly action: KeyAction | ((context: KeyContext) => KeyAction);
}

export const SILENCE_MS = 3_600_000;

const NOT_AVAILABLE: Status = {text: 'alerts not available: the rule engine is not running', tone: 'error'};

/** Set the footer's status line. */
export function status(text: string, tone: Status['tone'] = 'info'): DashboardAction {
	return {type: 'status', status: {text, tone}};
}

/** Alerts the `A` key acknowledges: the visible ones still asking for attention. */
function acknowledgeable(rows: PaneRows): string[] {
	return rows.alerts.filter((a) => a.state === 'firing' || a.state === 'pending').map((a) => a.id);
}

/** The alert the alert log's selection is on, if any. */
function selectedAlert({rows, state}: Pick<KeyContext, 'rows' | 'state'>): AlertRow | undefined {
	const i = selectedIndex(
		rows.alerts.map((a) => a.id),
		state.selected.alerts,
	);
	return rows.alerts[i];
}

/** An alert command: "alerts not available" without a rule engine. */
function alertCommand(act: (context: KeyContext) => KeyAction): (context: KeyContext) => KeyAction {
	return (context) => (context.alerts.available ? act(context) : {type: 'status', status: NOT_AVAILABLE});
}

/** An alert command on the selected alert: "no alert selected" without one. */
function onSelectedAlert(act: (alert: AlertRow) => KeyAction): (context: KeyContext) => KeyAction {
	return alertCommand((context) => {
		const alert = selectedAlert(context);
		return alert === undefined ? status('no alert selected') : act(alert);
	});
}

/** Tab and Shift-Tab: through the five numbered panes, and the hosts pane too while it is shown. */
function cycleFocus(type: 'focus-next' | 'focus-prev'): (context: KeyContext) => KeyAction {
	return ({rows}) => (rows.hosts.length > 0 ? {type, panes: PANES_WITH_HOSTS} : {type});
}

/** The host the hosts pane's selection is on, if any. */
function selectedHost({rows, state}: Pick<KeyContext, 'rows' | 'state'>): string | undefined {
	const ids = rows.hosts.map((h) => h.host);
	return ids[selectedIndex(ids, state.selected.hosts)];
}

/** Enter in the hosts pane: that host's GPUs in the GPU pane (this box's own row: back to this box). */
function viewSelectedHost(context: KeyContext): KeyAction {
	const host = selectedHost(context);
	if (host === undefined) return status('no host selected');
	const own = context.rows.hosts.find((h) => h.host === host)?.self === true;
	return {type: 'view-host', host: own ? undefined : host};
}

function move(delta: number): (context: KeyContext) => KeyAction {
	return ({rows, state}) => ({type: 'move', ids: selectionIds(rows, state.focus), delta});
}

/**
A chart key's binding (scope `chart`): `changes` maps each key to its change, so a pair of opposite keys (w/W,
[/], +/-) is one line of help.
*/
function chartKey(changes: Readonly<Record<string, ChartChange>>, label: string, help: string, footer?: string): Binding {
	return {keys: Object.keys(changes), label, help, footer, scope: 'chart', action: ({name}) => ({type: 'chart', change: changes[name]!})};
}

const CHART_BINDINGS: readonly Binding[] = [
	chartKey({w: 'window-next', W: 'window-prev'}, 'w/W', 'chart window: live, 5m, 1h, 6h, 24h, 7d, 30d, 90d; W back', 'window'),
	chartKey({'[': 'scroll-back', left: 'scroll-back', ']': 'scroll-forward', right: 'scroll-forward'}, '[/]', 'scroll the chart window back / forward in time', 'scroll'),
	chartKey({'+': 'smoothing-up', '=': 'smoothing-up', '-': 'smoothing-down', _: 'smoothing-down'}, '+/-', 'smoothing weight up / down (TensorBoard EMA)', 'smooth'),
	chartKey({l: 'log'}, 'l', 'log scale on / off', 'log'),
	chartKey({o: 'outliers'}, 'o', 'ignore outliers in the y range on / off', 'outliers'),
	chartKey({x: 'x-mode'}, 'x', 'x axis: step, relative time, wall time', 'axis'),
	chartKey({d: 'detail'}, 'd', 'GPU chart: the selected GPU in detail / all'),
];

/** Whether the chart keys apply: a chart pane (training, GPUs, tasks, agents) is zoomed. */
function chartKeysActive(state: Pick<DashboardState, 'zoomed' | 'focus'>): boolean {
	return state.zoomed && state.focus !== 'alerts' && state.focus !== 'hosts';
}

export const BINDINGS: readonly Binding[] = [
	{keys: ['tab'], label: 'Tab', help: 'focus the next pane', footer: 'pane', footerLabel: 'Tab/1-5', scope: 'any', action: cycleFocus('focus-next')},
	{keys: ['shift-tab'], label: 'Shift-Tab', help: 'focus the previous pane', scope: 'any', action: cycleFocus('focus-prev')},
	{
		keys: ['1', '2', '3', '4', '5'],
		label: '1-5',
		help: 'focus training, GPUs, tasks, agents, alerts',
		scope: 'any',
		action: ({name}) => ({type: 'focus', pane: PANES[Number(name) - 1]!}),
	},
	{
		keys: ['6'],
		label: '6',
		help: 'focus the hosts pane (shown when other boxes report)',
		scope: 'any',
		action: ({rows}) => (rows.hosts.length > 0 ? {type: 'focus', pane: 'hosts'} : status('no other host in the registry (mycotop:hosts)')),
	},
	{keys: ['enter'], label: 'Enter', help: "show the selected host's GPUs in the GPU pane", footer: 'show GPUs', scope: 'hosts', action: viewSelectedHost},
	{
		keys: ['b'],
		label: 'b',
		help: "back to this box's GPUs in the GPU pane",
		scope: 'any',
		action: ({state}) => (state.viewHost === undefined ? status("the GPU pane shows this box's GPUs") : {type: 'view-host', host: undefined}),
	},
	{keys: ['enter', 'z'], label: 'Enter/z', help: 'zoom the focused pane to the full screen and back', footer: 'zoom', scope: 'any', action: {type: 'toggle-zoom'}},
	{keys: ['j', 'down'], label: 'j/Down', footerLabel: 'j/k', help: 'move the selection down', footer: 'select', scope: 'any', action: move(1)},
	{keys: ['k', 'up'], label: 'k/Up', help: 'move the selection up', scope: 'any', action: move(-1)},
	{keys: ['pagedown'], label: 'PgDn', help: 'move the selection a page down', scope: 'any', action: move(10)},
	{keys: ['pageup'], label: 'PgUp', help: 'move the selection a page up', scope: 'any', action: move(-10)},
	{
		keys: ['a'],
		label: 'a',
		help: 'acknowledge the selected alert: 2h, note, or 2h: note',
		footer: 'ack...',
		scope: 'alerts',
		action: onSelectedAlert((alert) => ({type: 'open-prompt', prompt: {kind: 'ack-note', text: '', id: alert.id, rule: alert.rule}})),
	},
	{
		keys: ['A'],
		label: 'A',
		help: 'acknowledge all visible alerts (asks first)',
		footer: 'ack all',
		scope: 'alerts',
		action: alertCommand(({rows}) => {
			const ids = acknowledgeable(rows);
			return ids.length === 0 ? status('nothing to acknowledge') : {type: 'open-prompt', prompt: {kind: 'confirm-ack-all', ids}};
		}),
	},
	{
		keys: ['s'],
		label: 's',
		help: "silence the selected alert's rule for 1 h",
		footer: 'silence 1h',
		scope: 'alerts',
		action: onSelectedAlert((alert) => ({type: 'silence', rule: alert.rule, ms: SILENCE_MS, done: `silenced ${alert.rule} for 1h (u undoes)`})),
	},
	{
		keys: ['S'],
		label: 'S',
		help: 'silence the selected rule for a duration (90m, 2h, 1d)',
		footer: 'silence...',
		scope: 'alerts',
		action: onSelectedAlert((alert) => ({type: 'open-prompt', prompt: {kind: 'silence-for', text: '', rule: alert.rule}})),
	},
	{keys: ['u'], label: 'u', help: 'undo the last acknowledge or silence', footer: 'undo', scope: 'alerts', action: alertCommand(() => ({type: 'undo', done: 'undone'}))},
	{
		keys: ['x'],
		label: 'x',
		help: "expire the selected alert's silence, or the first",
		scope: 'alerts',
		action: alertCommand((context) => {
			const silence = silenceToExpire(context.rows, selectedAlert(context));
			if (!context.alerts.canExpire) return status('expiring silences is not available here', 'error');
			if (silence === undefined) return status('no active silence');
			return {type: 'expire-silence', id: silence.id, done: `expired the silence ${silence.matcher}`};
		}),
	},
	{
		keys: ['/'],
		label: '/',
		help: 'filter: project:, agent:, gpu:, rule: or any text',
		footer: 'filter',
		scope: 'any',
		action: ({state}) => ({type: 'open-prompt', prompt: {kind: 'filter', text: state.filterText}}),
	},
	{keys: ['p'], label: 'p', help: 'pause / resume the display', footer: 'pause', scope: 'any', action: {type: 'toggle-pause'}},
	{keys: ['ctrl-l'], label: 'Ctrl-L', help: 'redraw the whole screen (after other output garbled it)', scope: 'any', action: {type: 'redraw'}},
	{keys: ['?'], label: '?', help: 'this help (? or Enter closes it)', footer: 'help', scope: 'any', action: {type: 'toggle-help'}},
	{keys: ['escape'], label: 'Esc', help: 'close help, leave zoom (also ? and Enter/z)', scope: 'any', action: {type: 'close'}},
	...CHART_BINDINGS,
	{keys: ['q', 'ctrl-c'], label: 'q/Ctrl-C', help: 'quit and restore the terminal', footer: 'quit', footerLabel: 'q', scope: 'any', action: {type: 'quit'}},
];

/** Ink's (input, key) as one name: 'tab', 'shift-tab', 'enter', 'up', 'ctrl-c', 'backspace', or the character. */
export function keyName(input: string, key: Key): string {
	if (key.tab) return key.shift ? 'shift-tab' : 'tab';
	if (key.return) return 'enter';
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pageup';
	if (key.pageDown) return 'pagedown';
	if (key.backspace || key.delete) return 'backspace';
	if (key.escape) return 'escape';
	if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
	return input;
}

/**
Split one input event into key names. Ink delivers a run of plain characters typed faster than it reads them
(tmux send-keys, a paste, a fast typist over ssh) as one string: "3z" is the keys 3 and z.
*/
export function splitKeys(input: string, key: Key): string[] {
	const name = keyName(input, key);
	if (name !== input || input.length <= 1 || key.ctrl || key.meta) return [name];
	return [...input].map((c) => {
		if (c === '\r' || c === '\n') return 'enter';
		if (c === '\t') return 'tab';
		if (c === '\u007F' || c === '\b') return 'backspace';
		const code = c.codePointAt(0)!;
		if (code >= 1 && code <= 26) return `ctrl-${String.fromCodePoint(code + 96)}`;
		return c;
	});
}

/** A key name that is text to type into a prompt (one printable character). */
export function isPrintable(name: string): boolean {
	return [...name].length === 1 && name >= ' ';
}

/** The global layer's action for a key (no prompt or help open), or undefined when no binding in scope has it. */
export function resolveKey(context: KeyContext): KeyAction | undefined {
	for (const binding of BINDINGS) {
		if (!binding.keys.includes(context.name)) continue;
		if (binding.scope === 'alerts' && context.state.focus !== 'alerts') continue;
		if (binding.scope === 'chart' && !chartKeysActive(context.state)) continue;
		if (binding.scope === 'hosts' && context.state.focus !== 'hosts') continue;
		return typeof binding.action === 'function' ? binding.action(context) : binding.action;
	}
	return undefined;
}

/** The help and quit bindings: the footer lists them first, so a narrow footer that cuts the line keeps them. */
function listedFirst(binding: Binding): boolean {
	return typeof binding.action === 'object' && (binding.action.type === 'toggle-help' || binding.action.type === 'quit');
}

/** The footer's key hints for the focused pane: "Tab pane  Enter/z zoom ...". */
export function footerHints(focus: DashboardState['focus'], alertsAvailable: boolean, zoomed = false): string {
	const parts: string[] = [];
	// Zoomed on a chart, its keys come right after help and quit, so a narrow footer still shows them.
	const chartFirst = (b: Binding) => b.scope === 'chart';
	const order = [...BINDINGS.filter(listedFirst), ...BINDINGS.filter(chartFirst), ...BINDINGS.filter((x) => !listedFirst(x) && !chartFirst(x))];
	for (const b of order) {
		if (b.footer === undefined) continue;
		if (b.scope === 'alerts' && focus !== 'alerts') continue;
		if (b.scope === 'alerts' && !alertsAvailable) continue;
		if (b.scope === 'chart' && !chartKeysActive({zoomed, focus})) continue;
		if (b.scope === 'hosts' && focus !== 'hosts') continue;
		parts.push(`${b.footerLabel ?? b.label} ${b.footer}`);
	}
	if (focus === 'alerts' && !alertsAvailable) parts.splice(5, 0, 'alerts not available');
	return parts.join('  ');
}
