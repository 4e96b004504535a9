/**
The dashboard's UI state as a pure reducer with typed actions: focus, zoom, help, pause, the filter, the
footer prompt (filter text, a silence duration, a confirm) and the selection of every pane. Selections are
kept by id, so a list that grows at the top (the alert log, newest first) does not move the selection.
*/
import {useCallback, useReducer, useRef, type Dispatch} from 'react';
import {PANES, type PaneId} from '../src/format/layout.js';
import {applyChartChange, DEFAULT_CHART_SETTINGS, type ChartChange, type ChartSettings} from '../src/charts/chart-settings.js';

export type Prompt =
	| {readonly kind: 'filter'; readonly text: string}
	| {readonly kind: 'silence-for'; readonly text: string; readonly rule: string}
	/** After `a`: a duration, a comment, or a duration, a colon and a comment (src/rules/ack-note.ts). */
	| {readonly kind: 'ack-note'; readonly text: string; readonly id: string; readonly rule: string}
	| {readonly kind: 'confirm-ack-all'; readonly ids: readonly string[]};

export interface Status {
	readonly text: string;
	readonly tone: 'info' | 'error';
}

export interface DashboardState {
	readonly focus: PaneId;
	readonly zoomed: boolean;
	readonly help: boolean;
	readonly paused: boolean;
	readonly filterText: string;
	readonly prompt: Prompt | undefined;
	readonly selected: Readonly<Partial<Record<PaneId, string>>>;
	readonly status: Status | undefined;
	/** What the zoomed charts show: smoothing, scales, x axis, time window (the chart keys). */
	readonly chart: ChartSettings;
	/** The host whose GPUs the GPU pane shows (picked in the hosts pane); undefined: this box. */
	readonly viewHost?: string;
}

export type DashboardAction =
	| {readonly type: 'focus'; readonly pane: PaneId}
	/** `panes`: the panes shown, in focus order (default the five numbered ones). */
	| {readonly type: 'focus-next'; readonly panes?: readonly PaneId[]}
	| {readonly type: 'focus-prev'; readonly panes?: readonly PaneId[]}
	/** Show this host's GPUs in the GPU pane (undefined: this box's). */
	| {readonly type: 'view-host'; readonly host: string | undefined}
	| {readonly type: 'toggle-zoom'}
	| {readonly type: 'toggle-help'}
	| {readonly type: 'close'}
	| {readonly type: 'toggle-pause'}
	/** Move the focused pane's selection by `delta` within `ids` (the pane's rows, in display order). */
	| {readonly type: 'move'; readonly ids: readonly string[]; readonly delta: number}
	| {readonly type: 'open-prompt'; readonly prompt: Prompt}
	| {readonly type: 'prompt-text'; readonly text: string}
	| {readonly type: 'close-prompt'}
	| {readonly type: 'apply-filter'; readonly text: string}
	| {readonly type: 'status'; readonly status: Status | undefined}
	/** Hold `id` as the selection of `pane` (the first row shown, so rows arriving later do not move it). */
	| {readonly type: 'select'; readonly pane: PaneId; readonly id: string}
	/** A chart key: smoothing, log scale, outliers, x axis, window, scroll, GPU detail. */
	| {readonly type: 'chart'; readonly change: ChartChange};

export const INITIAL_STATE: DashboardState = {
	focus: 'training',
	zoomed: false,
	help: false,
	paused: false,
	filterText: '',
	prompt: undefined,
	selected: {},
	status: undefined,
	chart: DEFAULT_CHART_SETTINGS,
};

function cycle(pane: PaneId, step: number, panes: readonly PaneId[] = PANES): PaneId {
	const i = panes.indexOf(pane);
	if (i < 0) return panes[0]!;
	return panes[(i + step + panes.length) % panes.length]!;
}

/** The id to pin as a pane's selection: its first row when nothing (or a row no longer shown) is selected. */
export function selectionToPin(ids: readonly string[], selected: string | undefined): string | undefined {
	if (ids.length === 0) return undefined;
	if (selected !== undefined && ids.includes(selected)) return undefined;
	return ids[0];
}

/** The index of the selected row in `ids`: the selected id's position, else 0. */
export function selectedIndex(ids: readonly string[], selected: string | undefined): number {
	if (selected === undefined) return 0;
	const i = ids.indexOf(selected);
	return i < 0 ? 0 : i;
}

function withoutViewHost(state: DashboardState): DashboardState {
	const {viewHost: _dropped, ...rest} = state;
	return rest;
}

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
	switch (action.type) {
		case 'focus':
			return {...state, focus: action.pane, help: false};
		case 'focus-next':
			return {...state, focus: cycle(state.focus, 1, action.panes), help: false};
		case 'focus-prev':
			return {...state, focus: cycle(state.focus, -1, action.panes), help: false};
		case 'view-host': {
			// Picked in the zoomed hosts pane: the zoom ends, so the GPU pane it changes is on screen.
			const shown = state.zoomed && state.focus === 'hosts' ? {...state, zoomed: false} : state;
			if (state.viewHost === action.host) return shown;
			return action.host === undefined ? withoutViewHost(shown) : {...shown, viewHost: action.host};
		}
		case 'toggle-zoom':
			return {...state, zoomed: !state.zoomed, help: false};
		case 'toggle-help':
			return {...state, help: !state.help};
		case 'close':
			if (state.prompt !== undefined) return {...state, prompt: undefined};
			if (state.help) return {...state, help: false};
			return {...state, zoomed: false};
		case 'toggle-pause':
			return {...state, paused: !state.paused};
		case 'move': {
			if (action.ids.length === 0) return state;
			const current = selectedIndex(action.ids, state.selected[state.focus]);
			const next = Math.min(action.ids.length - 1, Math.max(0, current + action.delta));
			return {...state, selected: {...state.selected, [state.focus]: action.ids[next]}};
		}
		case 'open-prompt':
			return {...state, prompt: action.prompt, status: undefined};
		case 'prompt-text':
			if (state.prompt === undefined || state.prompt.kind === 'confirm-ack-all') return state;
			return {...state, prompt: {...state.prompt, text: action.text}};
		case 'close-prompt':
			return {...state, prompt: undefined};
		case 'apply-filter':
			return {...state, prompt: undefined, filterText: action.text.trim()};
		case 'status':
			return {...state, status: action.status};
		case 'select':
			if (state.selected[action.pane] === action.id) return state;
			return {...state, selected: {...state.selected, [action.pane]: action.id}};
		case 'chart':
			return {...state, chart: applyChartChange(state.chart, action.change)};
	}
}

/**
The reducer as a hook. Besides the rendered state it returns `latest()`: the state after every action
dispatched so far, rendered or not, so keys typed faster than React renders (or pasted) are read against the
state the previous key produced, not a stale closure.
*/
export function useDashboardState(initial: Partial<DashboardState> = {}): [DashboardState, Dispatch<DashboardAction>, () => DashboardState] {
	const [state, dispatchReact] = useReducer(dashboardReducer, initial, (i) => ({...INITIAL_STATE, ...i}));
	const latest = useRef(state);
	const dispatch = useCallback((action: DashboardAction) => {
		latest.current = dashboardReducer(latest.current, action);
		dispatchReact(action);
	}, []);
	const getLatest = useCallback(() => latest.current, []);
	return [state, dispatch, getLatest];
}
