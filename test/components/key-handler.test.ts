/** The pure key handler, layer by layer: interrupt over prompt over help over the global keymap. */
import {describe, expect, it} from 'vitest';
import {type Key} from 'ink';
import {actionsForKey, handleKey, KEY_LAYERS, type KeyEnvironment} from '../../hooks/key-handler.js';
import {BINDINGS, isEffect, SILENCE_MS, type KeyAction} from '../../hooks/keymap.js';
import {dashboardReducer, INITIAL_STATE, type DashboardState} from '../../hooks/use-dashboard-state.js';
import {paneRows} from '../../src/format/pane-rows.js';
import {agent, alert, makeSnapshot, NOW, project} from './fixtures.js';

const NO_KEY: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

const snapshot = makeSnapshot({
	training: [project('bert', [1, 0.9]), project('gpt', [1, 0.8])],
	agents: [agent('ml-eng', 'busy', 1, 2, 60)],
	alerts: [
		alert('gpu_temp:0', {severity: 'critical', updatedMs: NOW - 10_000}),
		alert('sla:all', {state: 'pending', updatedMs: NOW - 20_000, silencedBy: 's2'}),
		alert('loss:bert', {state: 'acknowledged', updatedMs: NOW - 30_000}),
	],
});
const silences = [
	{id: 's1', matcher: 'rule=gpu_temp', endsMs: NOW + 60_000, author: 'ana', comment: ''},
	{id: 's2', matcher: 'rule=sla', endsMs: NOW + 120_000, author: 'bo', comment: ''},
];
const ENV: KeyEnvironment = {rows: {...paneRows(snapshot, undefined), silences}, alerts: {available: true, canExpire: true}};
const NO_ENGINE: KeyEnvironment = {...ENV, alerts: {available: false, canExpire: false}};
const NO_EXPIRE: KeyEnvironment = {...ENV, alerts: {available: true, canExpire: false}};

const state = (partial: Partial<DashboardState> = {}): DashboardState => ({...INITIAL_STATE, ...partial});
const keys = (s: DashboardState, name: string, env: KeyEnvironment = ENV) => actionsForKey(s, name, env);
const CLEAR: KeyAction = {type: 'status', status: undefined};

const FILTER = state({prompt: {kind: 'filter', text: 'be'}, filterText: 'old'});
const SILENCE_FOR = state({focus: 'alerts', prompt: {kind: 'silence-for', text: '90m', rule: 'gpu_temp'}});
const CONFIRM = state({focus: 'alerts', prompt: {kind: 'confirm-ack-all', ids: ['gpu_temp:0', 'sla:all']}});
const HELP = state({help: true});

describe('layers', () => {
	it('are interrupt, prompt, help, global, top first', () => {
		expect(KEY_LAYERS.map((l) => l.name)).toEqual(['interrupt', 'prompt', 'help', 'global']);
	});

	it('interrupt: Ctrl-C quits from every layer, and clears nothing first', () => {
		for (const s of [state(), FILTER, SILENCE_FOR, CONFIRM, HELP]) expect(keys(s, 'ctrl-c')).toEqual([{type: 'quit'}]);
	});

	it('Ctrl-L asks for the whole frame to be drawn again (an effect: the UI state does not change)', () => {
		expect(keys(state(), 'ctrl-l')).toEqual([CLEAR, {type: 'redraw'}]);
		expect(isEffect({type: 'redraw'})).toBe(true);
	});
});

describe('prompt layer', () => {
	it('a key bound globally does the prompt thing while a prompt is open', () => {
		// Globally: q quits, Enter zooms, Esc unwinds, j moves, / opens the filter, ? opens help.
		expect(keys(state(), 'q')).toEqual([CLEAR, {type: 'quit'}]);
		expect(keys(state(), 'enter')).toEqual([CLEAR, {type: 'toggle-zoom'}]);
		expect(keys(FILTER, 'q')).toEqual([{type: 'prompt-text', text: 'beq'}]);
		expect(keys(FILTER, 'j')).toEqual([{type: 'prompt-text', text: 'bej'}]);
		expect(keys(FILTER, '/')).toEqual([{type: 'prompt-text', text: 'be/'}]);
		expect(keys(FILTER, '?')).toEqual([{type: 'prompt-text', text: 'be?'}]);
		expect(keys(FILTER, 'enter')).toEqual([{type: 'apply-filter', text: 'be'}]);
		expect(keys(FILTER, 'escape')).toEqual([{type: 'close-prompt'}]);
	});

	it('is above help: a prompt opened over the help overlay takes the keys', () => {
		expect(keys({...FILTER, help: true}, 'z')).toEqual([{type: 'prompt-text', text: 'bez'}]);
	});

	it('edits text by grapheme; Ctrl-U clears; keys that are not text do nothing', () => {
		expect(keys(state({prompt: {kind: 'filter', text: 'a训👨‍👩‍👧'}}), 'backspace')).toEqual([{type: 'prompt-text', text: 'a训'}]);
		expect(keys(FILTER, 'ctrl-u')).toEqual([{type: 'prompt-text', text: ''}]);
		for (const name of ['tab', 'up', 'pagedown', 'ctrl-x']) expect(keys(FILTER, name)).toEqual([]);
	});

	it('silence-for: Enter silences for the typed duration, or says it is not one and keeps the prompt', () => {
		expect(keys(SILENCE_FOR, 'enter')).toEqual([{type: 'close-prompt'}, {type: 'silence', rule: 'gpu_temp', ms: 90 * 60_000, done: 'silenced gpu_temp for 1h30m (u undoes)'}]);
		const bad = state({prompt: {kind: 'silence-for', text: 'x', rule: 'gpu_temp'}});
		expect(keys(bad, 'enter')).toEqual([{type: 'status', status: {text: 'not a duration: "x" (try 90m, 2h, 1d)', tone: 'error'}}]);
	});

	it('confirm: y or Y acknowledges the listed alerts; any other key (n, Enter, q, Esc) cancels', () => {
		const confirmed = [{type: 'close-prompt'}, {type: 'acknowledge-all', ids: ['gpu_temp:0', 'sla:all'], done: 'acknowledged 2 alerts (u undoes)'}];
		expect(keys(CONFIRM, 'y')).toEqual(confirmed);
		expect(keys(CONFIRM, 'Y')).toEqual(confirmed);
		for (const name of ['n', 'enter', 'q', 'escape']) expect(keys(CONFIRM, name)).toEqual([{type: 'close-prompt'}, {type: 'status', status: {text: 'cancelled', tone: 'info'}}]);
	});
});

describe('help layer', () => {
	it('?, Enter, z and Esc close the overlay, without clearing the status line', () => {
		for (const name of ['?', 'enter', 'z', 'escape']) expect(keys(HELP, name)).toEqual([{type: 'toggle-help'}]);
	});

	it('q falls through to the global quit; every other key does nothing', () => {
		expect(keys(HELP, 'q')).toEqual([CLEAR, {type: 'quit'}]);
		for (const name of ['tab', 'j', '3', '/', 'p', 'a', 'constructor']) expect(keys({...HELP, focus: 'alerts'}, name)).toEqual([]);
	});
});

describe('global layer (the keymap)', () => {
	it('clears the status and dispatches the binding: focus, zoom, pause, help, close, filter', () => {
		expect(keys(state(), 'tab')).toEqual([CLEAR, {type: 'focus-next'}]);
		expect(keys(state(), 'shift-tab')).toEqual([CLEAR, {type: 'focus-prev'}]);
		expect(keys(state(), '4')).toEqual([CLEAR, {type: 'focus', pane: 'agents'}]);
		expect(keys(state(), 'z')).toEqual([CLEAR, {type: 'toggle-zoom'}]);
		expect(keys(state(), 'p')).toEqual([CLEAR, {type: 'toggle-pause'}]);
		expect(keys(state(), '?')).toEqual([CLEAR, {type: 'toggle-help'}]);
		expect(keys(state(), 'escape')).toEqual([CLEAR, {type: 'close'}]);
		expect(keys(state({filterText: 'old'}), '/')).toEqual([CLEAR, {type: 'open-prompt', prompt: {kind: 'filter', text: 'old'}}]);
		expect(keys(state(), 'F')).toEqual([]);
	});

	it('moves the selection over the focused pane rows', () => {
		expect(keys(state(), 'j')).toEqual([CLEAR, {type: 'move', ids: ['bert', 'gpt'], delta: 1}]);
		expect(keys(state({focus: 'alerts'}), 'pageup')).toEqual([CLEAR, {type: 'move', ids: ['gpu_temp:0', 'sla:all', 'loss:bert'], delta: -10}]);
	});

	it('alert keys act only in the alert log, on the selected alert', () => {
		expect(keys(state(), 'a')).toEqual([]);
		const alerts = state({focus: 'alerts', selected: {alerts: 'sla:all'}});
		expect(keys(alerts, 'a')).toEqual([CLEAR, {type: 'open-prompt', prompt: {kind: 'ack-note', text: '', id: 'sla:all', rule: 'sla'}}]);
		const typed = {...alerts, prompt: {kind: 'ack-note', text: '2h: restarting the loader', id: 'sla:all', rule: 'sla'} as const};
		expect(keys(typed, 'enter')).toEqual([
			{type: 'close-prompt'},
			{type: 'acknowledge', id: 'sla:all', done: 'acknowledged sla for 2h (u undoes)', comment: 'restarting the loader', forMs: 7_200_000},
		]);
		expect(keys({...typed, prompt: {...typed.prompt, text: ''}}, 'enter')).toEqual([{type: 'close-prompt'}, {type: 'acknowledge', id: 'sla:all', done: 'acknowledged sla (u undoes)'}]);
		expect(keys({...typed, prompt: {...typed.prompt, text: '400d'}}, 'enter')[0]).toMatchObject({type: 'status'});
		expect(keys(alerts, 's')).toEqual([CLEAR, {type: 'silence', rule: 'sla', ms: SILENCE_MS, done: 'silenced sla for 1h (u undoes)'}]);
		expect(keys(alerts, 'S')).toEqual([CLEAR, {type: 'open-prompt', prompt: {kind: 'silence-for', text: '', rule: 'sla'}}]);
		expect(keys(alerts, 'u')).toEqual([CLEAR, {type: 'undo', done: 'undone'}]);
		// x: the selected alert's own silence (s2), else the first listed.
		expect(keys(alerts, 'x')).toEqual([CLEAR, {type: 'expire-silence', id: 's2', done: 'expired the silence rule=sla'}]);
		expect(keys(state({focus: 'alerts'}), 'x')).toEqual([CLEAR, {type: 'expire-silence', id: 's1', done: 'expired the silence rule=gpu_temp'}]);
		// A: the firing and pending ones, after a confirm.
		expect(keys(alerts, 'A')).toEqual([CLEAR, {type: 'open-prompt', prompt: {kind: 'confirm-ack-all', ids: ['gpu_temp:0', 'sla:all']}}]);
	});

	it('alert keys say why they cannot act', () => {
		const alerts = state({focus: 'alerts'});
		const info = (text: string) => [CLEAR, {type: 'status', status: {text, tone: 'info'}}];
		for (const name of ['a', 'A', 's', 'S', 'u', 'x']) {
			expect(keys(alerts, name, NO_ENGINE)).toEqual([CLEAR, {type: 'status', status: {text: 'alerts not available: the rule engine is not running', tone: 'error'}}]);
		}
		const empty: KeyEnvironment = {...ENV, rows: paneRows(makeSnapshot(), undefined)};
		for (const name of ['a', 's', 'S']) expect(keys(alerts, name, empty)).toEqual(info('no alert selected'));
		expect(keys(alerts, 'A', empty)).toEqual(info('nothing to acknowledge'));
		expect(keys(alerts, 'x', empty)).toEqual(info('no active silence'));
		expect(keys(alerts, 'x', NO_EXPIRE)).toEqual([CLEAR, {type: 'status', status: {text: 'expiring silences is not available here', tone: 'error'}}]);
	});

	it('every binding carries a reducer action or an effect, and every one of its keys resolves in the alert log (chart keys on a zoomed chart)', () => {
		for (const b of BINDINGS) {
			// Ctrl-C is listed with q for the help; the interrupt layer takes it first.
			for (const k of b.keys.filter((name) => name !== 'ctrl-c')) {
				// Chart keys act on a zoomed chart pane, the others (alert keys included) in the alert log.
				const [clear, action] = keys(b.scope === 'chart' ? state({focus: 'training', zoomed: true}) : state({focus: 'alerts'}), k);
				expect(clear).toEqual(CLEAR);
				expect(action).toBeDefined();
				if (!isEffect(action!)) expect(() => dashboardReducer(INITIAL_STATE, action!)).not.toThrow();
			}
		}
	});
});

describe('handleKey', () => {
	it('maps Ink keys to names (Return, arrows, Shift-Tab, Ctrl-C)', () => {
		expect(handleKey(state(), '', {...NO_KEY, downArrow: true}, ENV)).toEqual([CLEAR, {type: 'move', ids: ['bert', 'gpt'], delta: 1}]);
		expect(handleKey(state(), '', {...NO_KEY, tab: true, shift: true}, ENV)).toEqual([CLEAR, {type: 'focus-prev'}]);
		expect(handleKey(FILTER, '\r', {...NO_KEY, return: true}, ENV)).toEqual([{type: 'apply-filter', text: 'be'}]);
		expect(handleKey(FILTER, 'c', {...NO_KEY, ctrl: true}, ENV)).toEqual([{type: 'quit'}]);
	});

	it('handles a run of keys in one event each against the state the previous ones made', () => {
		expect(handleKey(state(), '4z', NO_KEY, ENV)).toEqual([CLEAR, {type: 'focus', pane: 'agents'}, CLEAR, {type: 'toggle-zoom'}]);
		// "/" opens the prompt, so "q" and "z" are typed into it, and Enter applies it.
		const actions = handleKey(state(), '/qz\r', NO_KEY, ENV);
		expect(actions.at(-1)).toEqual({type: 'apply-filter', text: 'qz'});
		expect(actions.filter(isEffect)).toEqual([]);
		const after = actions.reduce((s, a) => (isEffect(a) ? s : dashboardReducer(s, a)), state());
		expect([after.filterText, after.prompt, after.zoomed]).toEqual(['qz', undefined, false]);
	});

	it('is pure: the same state and key give the same actions, and the state is not touched', () => {
		const s = state({focus: 'alerts'});
		const frozen = JSON.stringify(s);
		expect(handleKey(s, 'a', NO_KEY, ENV)).toEqual(handleKey(s, 'a', NO_KEY, ENV));
		expect(JSON.stringify(s)).toBe(frozen);
	});
});
