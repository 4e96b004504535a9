/**
The input hook: maps keys to reducer actions and alert commands through the one keymap. It decides nothing
itself beyond that mapping; the reducer owns the state and AlertActions (the rule engine) owns the alerts.
*/
import {useInput} from 'ink';
import {type Dispatch} from 'react';
import {type AlertActions} from '../src/rules/alert-actions.js';
import {type PaneRows, selectionIds, silenceToExpire} from '../src/format/pane-rows.js';
import {parseDuration, formatSpan} from '../src/format/units.js';
import {dropLastGrapheme} from '../src/format/text-width.js';
import {isPrintable, resolveKey, SILENCE_MS, splitKeys} from './keymap.js';
import {selectedIndex, type DashboardAction, type DashboardState} from './use-dashboard-state.js';

export interface DashboardKeysOptions {
	/** The state after every action dispatched so far (see useDashboardState). */
	readonly state: () => DashboardState;
	readonly dispatch: Dispatch<DashboardAction>;
	readonly rows: PaneRows;
	readonly actions: AlertActions | undefined;
	readonly onQuit: () => void;
}

const NOT_AVAILABLE = {text: 'alerts not available: the rule engine is not running', tone: 'error'} as const;

/** Alerts the `A` key acknowledges: the visible ones still asking for attention. */
export function acknowledgeable(rows: PaneRows): string[] {
	return rows.alerts.filter((a) => a.state === 'firing' || a.state === 'pending').map((a) => a.id);
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export function useDashboardKeys({state: latest, dispatch, rows, actions, onQuit}: DashboardKeysOptions): void {
	const run = (promise: Promise<void>, done: string) => {
		promise.then(
			() => dispatch({type: 'status', status: {text: done, tone: 'info'}}),
			(error: unknown) => dispatch({type: 'status', status: {text: `failed: ${describe(error)}`, tone: 'error'}}),
		);
	};
	const selectedAlert = (state: DashboardState) => {
		const i = selectedIndex(
			rows.alerts.map((a) => a.id),
			state.selected.alerts,
		);
		return rows.alerts[i];
	};

	const handle = (name: string) => {
		const state = latest();
		if (name === 'ctrl-c') {
			onQuit();
			return;
		}
		const {prompt} = state;
		if (prompt !== undefined) {
			if (prompt.kind === 'confirm-ack-all') {
				dispatch({type: 'close-prompt'});
				if (name === 'y' || name === 'Y') {
					run(actions!.acknowledgeAll(prompt.ids), `acknowledged ${prompt.ids.length} alerts (u undoes)`);
				} else dispatch({type: 'status', status: {text: 'cancelled', tone: 'info'}});
				return;
			}
			if (name === 'escape') dispatch({type: 'close-prompt'});
			else if (name === 'enter') {
				if (prompt.kind === 'filter') dispatch({type: 'apply-filter', text: prompt.text});
				else {
					const ms = parseDuration(prompt.text);
					if (ms === undefined) {
						dispatch({type: 'status', status: {text: `not a duration: "${prompt.text}" (try 90m, 2h, 1d)`, tone: 'error'}});
						return;
					}
					dispatch({type: 'close-prompt'});
					run(actions!.silence(prompt.rule, ms), `silenced ${prompt.rule} for ${formatSpan(ms)} (u undoes)`);
				}
			} else if (name === 'backspace') dispatch({type: 'prompt-text', text: dropLastGrapheme(prompt.text)});
			else if (name === 'ctrl-u') dispatch({type: 'prompt-text', text: ''});
			else if (isPrintable(name)) dispatch({type: 'prompt-text', text: prompt.text + name});
			return;
		}

		if (state.help) {
			if (name === '?' || name === 'enter' || name === 'z' || name === 'escape') {
				dispatch({type: 'toggle-help'});
				return;
			}
			if (name !== 'q') return;
		}

		const command = resolveKey(name, state.focus);
		if (command === undefined) return;
		dispatch({type: 'status', status: undefined});
		switch (command.type) {
			case 'quit':
				onQuit();
				return;
			case 'focus':
				dispatch({type: 'focus', pane: command.pane});
				return;
			case 'focus-next':
			case 'focus-prev':
				dispatch({type: command.type});
				return;
			case 'zoom':
				dispatch({type: 'toggle-zoom'});
				return;
			case 'move':
				dispatch({type: 'move', ids: selectionIds(rows, state.focus), delta: command.delta});
				return;
			case 'help':
				dispatch({type: 'toggle-help'});
				return;
			case 'close':
				dispatch({type: 'close'});
				return;
			case 'pause':
				dispatch({type: 'toggle-pause'});
				return;
			case 'filter':
				dispatch({type: 'open-prompt', prompt: {kind: 'filter', text: state.filterText}});
				return;
			case 'focus-number':
				return;
		}
		// Alert commands: the alert log is focused (the keymap scopes them).
		if (actions === undefined) {
			dispatch({type: 'status', status: NOT_AVAILABLE});
			return;
		}
		if (command.type === 'undo') {
			run(actions.undo(), 'undone');
			return;
		}
		if (command.type === 'expire-silence') {
			const silence = silenceToExpire(rows, selectedAlert(state));
			if (actions.expireSilence === undefined) dispatch({type: 'status', status: {text: 'expiring silences is not available here', tone: 'error'}});
			else if (silence === undefined) dispatch({type: 'status', status: {text: 'no active silence', tone: 'info'}});
			else run(actions.expireSilence(silence.id), `expired the silence ${silence.matcher}`);
			return;
		}
		if (command.type === 'ack-all') {
			const ids = acknowledgeable(rows);
			if (ids.length === 0) dispatch({type: 'status', status: {text: 'nothing to acknowledge', tone: 'info'}});
			else dispatch({type: 'open-prompt', prompt: {kind: 'confirm-ack-all', ids}});
			return;
		}
		const alert = selectedAlert(state);
		if (alert === undefined) {
			dispatch({type: 'status', status: {text: 'no alert selected', tone: 'info'}});
			return;
		}
		if (command.type === 'ack') run(actions.acknowledge(alert.id), `acknowledged ${alert.rule} (u undoes)`);
		else if (command.type === 'silence') run(actions.silence(alert.rule, SILENCE_MS), `silenced ${alert.rule} for 1h (u undoes)`);
		else dispatch({type: 'open-prompt', prompt: {kind: 'silence-for', text: '', rule: alert.rule}});
	};

	useInput((input, key) => {
		for (const name of splitKeys(input, key)) handle(name);
	});
}
