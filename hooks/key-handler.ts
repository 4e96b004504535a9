/**
The pure key handler: Ink's (input, key) and the UI state in, the actions to take out. Keys go through layers,
top first; the first active layer that claims a key decides it:

  interrupt  always       Ctrl-C quits, whatever is open
  prompt     a prompt     the footer prompt takes every key (text, Enter, Esc; y/n for a confirm)
  help       help shown   ?, Enter, z and Esc close it; q falls through to quit; other keys do nothing
  global     always       the keymap (hooks/keymap.ts): focus, zoom, selection, filter, pause, alert commands

Each layer is a table of keys. The actions are the reducer's own (hooks/use-dashboard-state.ts) or effects
(quit, alert commands) that the input hook performs; nothing here calls React, the rule engine or the clock.
*/
import {type Key} from 'ink';
import {type PaneRows} from '../src/format/pane-rows.js';
import {formatSpan, parseDuration} from '../src/format/units.js';
import {dropLastGrapheme} from '../src/format/text-width.js';
import {dashboardReducer, type DashboardState, type Prompt} from './use-dashboard-state.js';
import {isEffect, isPrintable, resolveKey, splitKeys, status, type AlertAbility, type KeyAction, type KeyContext} from './keymap.js';
import {parseAckNote} from '../src/rules/ack-note.js';

/** What a layer does with a key: the actions (none: the key is swallowed), or PASS to the layer below. */
type Outcome = readonly KeyAction[] | typeof PASS;
const PASS = 'pass';

type TextPrompt = Exclude<Prompt, {kind: 'confirm-ack-all'}>;
type ConfirmPrompt = Extract<Prompt, {kind: 'confirm-ack-all'}>;

export interface KeyLayer {
	readonly name: 'interrupt' | 'prompt' | 'help' | 'global';
	/** Whether the layer takes keys in this state. */
	readonly active: (state: DashboardState) => boolean;
	readonly handle: (context: KeyContext) => Outcome;
}

/** A table's entry for a key name (own entries only: a key named "constructor" is no entry). */
function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
	return Object.hasOwn(table, name) ? table[name] : undefined;
}

const INTERRUPT_KEYS: Readonly<Record<string, readonly KeyAction[]>> = {'ctrl-c': [{type: 'quit'}]};

/** The confirm prompt (acknowledge all): y or Y confirms, any other key cancels. */
const CONFIRM_KEYS: Readonly<Record<string, (prompt: ConfirmPrompt) => readonly KeyAction[]>> = {
	y: confirmAckAll,
	Y: confirmAckAll,
};

function confirmAckAll(prompt: ConfirmPrompt): readonly KeyAction[] {
	return [{type: 'close-prompt'}, {type: 'acknowledge-all', ids: prompt.ids, done: `acknowledged ${prompt.ids.length} alerts (u undoes)`}];
}

/** A text prompt (filter, silence duration): editing keys; any other printable key is typed. */
const TEXT_PROMPT_KEYS: Readonly<Record<string, (prompt: TextPrompt) => readonly KeyAction[]>> = {
	escape: () => [{type: 'close-prompt'}],
	enter: (prompt) => (prompt.kind === 'filter' ? [{type: 'apply-filter', text: prompt.text}] : prompt.kind === 'ack-note' ? applyAckNote(prompt) : applySilence(prompt)),
	backspace: (prompt) => [{type: 'prompt-text', text: dropLastGrapheme(prompt.text)}],
	'ctrl-u': () => [{type: 'prompt-text', text: ''}],
};

function applySilence(prompt: Extract<Prompt, {kind: 'silence-for'}>): readonly KeyAction[] {
	const ms = parseDuration(prompt.text);
	if (ms === undefined) return [status(`not a duration: "${prompt.text}" (try 90m, 2h, 1d)`, 'error')];
	return [{type: 'close-prompt'}, {type: 'silence', rule: prompt.rule, ms, done: `silenced ${prompt.rule} for ${formatSpan(ms)} (u undoes)`}];
}

function applyAckNote(prompt: Extract<Prompt, {kind: 'ack-note'}>): readonly KeyAction[] {
	const note = parseAckNote(prompt.text);
	if (typeof note === 'string') return [status(note, 'error')];
	const forText = note.forMs !== undefined ? ` for ${formatSpan(note.forMs)}` : '';
	return [
		{type: 'close-prompt'},
		{type: 'acknowledge', id: prompt.id, done: `acknowledged ${prompt.rule}${forText} (u undoes)`, ...(note.comment !== undefined ? {comment: note.comment} : {}), ...(note.forMs !== undefined ? {forMs: note.forMs} : {})},
	];
}

/** The help overlay: these keys close it, q (PASS) quits through the global layer, any other key does nothing. */
const HELP_KEYS: Readonly<Record<string, Outcome>> = {
	'?': [{type: 'toggle-help'}],
	enter: [{type: 'toggle-help'}],
	z: [{type: 'toggle-help'}],
	escape: [{type: 'toggle-help'}],
	q: PASS,
};

function promptLayer({name, state}: KeyContext): Outcome {
	const prompt = state.prompt!;
	if (prompt.kind === 'confirm-ack-all') return lookup(CONFIRM_KEYS, name)?.(prompt) ?? [{type: 'close-prompt'}, status('cancelled')];
	const edit = lookup(TEXT_PROMPT_KEYS, name);
	if (edit !== undefined) return edit(prompt);
	return isPrintable(name) ? [{type: 'prompt-text', text: prompt.text + name}] : [];
}

/** The global layer: the keymap; a key it binds first clears the last action's status. */
function globalLayer(context: KeyContext): Outcome {
	const action = resolveKey(context);
	return action === undefined ? [] : [{type: 'status', status: undefined}, action];
}

/** The layers, top first. */
export const KEY_LAYERS: readonly KeyLayer[] = [
	{name: 'interrupt', active: () => true, handle: ({name}) => lookup(INTERRUPT_KEYS, name) ?? PASS},
	{name: 'prompt', active: (state) => state.prompt !== undefined, handle: promptLayer},
	{name: 'help', active: (state) => state.help, handle: ({name}) => lookup(HELP_KEYS, name) ?? []},
	{name: 'global', active: () => true, handle: globalLayer},
];

/** What the key handler reads besides the state and the key: the rows on screen and the rule engine's abilities. */
export interface KeyEnvironment {
	readonly rows: PaneRows;
	readonly alerts: AlertAbility;
}

/** The actions for one key name in `state`: the first active layer that does not pass decides. */
export function actionsForKey(state: DashboardState, name: string, environment: KeyEnvironment): readonly KeyAction[] {
	const context: KeyContext = {name, state, rows: environment.rows, alerts: environment.alerts};
	for (const layer of KEY_LAYERS) {
		if (!layer.active(state)) continue;
		const outcome = layer.handle(context);
		if (outcome !== PASS) return outcome;
	}
	return [];
}

/**
The actions for one input event, in order. A run of keys in one event ("4z", a paste) is handled key by key, each
against the state the previous keys' actions produce.
*/
export function handleKey(state: DashboardState, input: string, key: Key, environment: KeyEnvironment): KeyAction[] {
	const out: KeyAction[] = [];
	let current = state;
	for (const name of splitKeys(input, key)) {
		for (const action of actionsForKey(current, name, environment)) {
			out.push(action);
			if (!isEffect(action)) current = dashboardReducer(current, action);
		}
	}
	return out;
}
