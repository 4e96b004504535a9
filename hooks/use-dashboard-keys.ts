/**
The input hook: hands each input event to the pure key handler (hooks/key-handler.ts), dispatches the reducer
actions it returns and performs the effects (quit, the alert commands through AlertActions). It decides nothing.
*/
import {useInput} from 'ink';
import {type Dispatch} from 'react';
import {type AlertActions} from '../src/rules/alert-actions.js';
import {type PaneRows} from '../src/format/pane-rows.js';
import {handleKey} from './key-handler.js';
import {isEffect, type Effect} from './keymap.js';
import {type DashboardAction, type DashboardState} from './use-dashboard-state.js';

export interface DashboardKeysOptions {
	/** The state after every action dispatched so far (see useDashboardState). */
	readonly state: () => DashboardState;
	readonly dispatch: Dispatch<DashboardAction>;
	readonly rows: PaneRows;
	readonly actions: AlertActions | undefined;
	readonly onQuit: () => void;
	/** Draw the whole frame again (Ctrl-L). */
	readonly onRedraw?: () => void;
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** The rule engine's call for an alert effect (the key handler emits them only when the engine can). */
function command(effect: Exclude<Effect, {type: 'quit' | 'redraw'}>, actions: AlertActions): Promise<void> | undefined {
	switch (effect.type) {
		case 'acknowledge':
			return actions.acknowledge(effect.id, effect.comment, effect.forMs);
		case 'acknowledge-all':
			return actions.acknowledgeAll(effect.ids);
		case 'silence':
			return actions.silence(effect.rule, effect.ms);
		case 'undo':
			return actions.undo();
		case 'expire-silence':
			return actions.expireSilence?.(effect.id);
	}
}

export function useDashboardKeys({state, dispatch, rows, actions, onQuit, onRedraw}: DashboardKeysOptions): void {
	const environment = {rows, alerts: {available: actions !== undefined, canExpire: actions?.expireSilence !== undefined}};
	const perform = (effect: Effect) => {
		if (effect.type === 'quit') {
			onQuit();
			return;
		}
		if (effect.type === 'redraw') {
			onRedraw?.();
			return;
		}
		const promise = actions === undefined ? undefined : command(effect, actions);
		promise?.then(
			() => dispatch({type: 'status', status: {text: effect.done, tone: 'info'}}),
			(error: unknown) => dispatch({type: 'status', status: {text: `failed: ${describe(error)}`, tone: 'error'}}),
		);
	};
	useInput((input, key) => {
		for (const action of handleKey(state(), input, key, environment)) {
			if (isEffect(action)) perform(action);
			else dispatch(action);
		}
	});
}
