/**
The one keymap: every binding, with the words the footer and the `?` overlay show. Keys are normalised from
Ink's (input, key) pair to names first, so the table reads like the help text. Pure.
*/
import {type Key} from 'ink';
import {PANES, type PaneId} from '../src/format/layout.js';

export type Command =
	| {readonly type: 'focus'; readonly pane: PaneId}
	| {readonly type: 'focus-number'}
	| {readonly type: 'focus-next'}
	| {readonly type: 'focus-prev'}
	| {readonly type: 'zoom'}
	| {readonly type: 'move'; readonly delta: number}
	| {readonly type: 'ack'}
	| {readonly type: 'ack-all'}
	| {readonly type: 'silence'}
	| {readonly type: 'silence-for'}
	| {readonly type: 'undo'}
	| {readonly type: 'expire-silence'}
	| {readonly type: 'filter'}
	| {readonly type: 'pause'}
	| {readonly type: 'help'}
	| {readonly type: 'close'}
	| {readonly type: 'quit'};

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
	/** `alerts`: only while the alert log is focused. */
	readonly scope: 'any' | 'alerts';
	readonly command: Command;
}

export const SILENCE_MS = 3_600_000;

export const BINDINGS: readonly Binding[] = [
	{keys: ['tab'], label: 'Tab', help: 'focus the next pane', footer: 'pane', footerLabel: 'Tab/1-5', scope: 'any', command: {type: 'focus-next'}},
	{keys: ['shift-tab'], label: 'Shift-Tab', help: 'focus the previous pane', scope: 'any', command: {type: 'focus-prev'}},
	{keys: ['1', '2', '3', '4', '5'], label: '1-5', help: 'focus training, GPUs, tasks, agents, alerts', scope: 'any', command: {type: 'focus-number'}},
	{keys: ['enter', 'z'], label: 'Enter/z', help: 'zoom the focused pane to the full screen and back', footer: 'zoom', scope: 'any', command: {type: 'zoom'}},
	{keys: ['j', 'down'], label: 'j/Down', footerLabel: 'j/k', help: 'move the selection down', footer: 'select', scope: 'any', command: {type: 'move', delta: 1}},
	{keys: ['k', 'up'], label: 'k/Up', help: 'move the selection up', scope: 'any', command: {type: 'move', delta: -1}},
	{keys: ['pagedown'], label: 'PgDn', help: 'move the selection a page down', scope: 'any', command: {type: 'move', delta: 10}},
	{keys: ['pageup'], label: 'PgUp', help: 'move the selection a page up', scope: 'any', command: {type: 'move', delta: -10}},
	{keys: ['a'], label: 'a', help: 'acknowledge the selected alert', footer: 'ack', scope: 'alerts', command: {type: 'ack'}},
	{keys: ['A'], label: 'A', help: 'acknowledge all visible alerts (asks first)', footer: 'ack all', scope: 'alerts', command: {type: 'ack-all'}},
	{keys: ['s'], label: 's', help: "silence the selected alert's rule for 1 h", footer: 'silence 1h', scope: 'alerts', command: {type: 'silence'}},
	{keys: ['S'], label: 'S', help: 'silence the selected rule for a duration (90m, 2h, 1d)', footer: 'silence...', scope: 'alerts', command: {type: 'silence-for'}},
	{keys: ['u'], label: 'u', help: 'undo the last acknowledge or silence', footer: 'undo', scope: 'alerts', command: {type: 'undo'}},
	{keys: ['x'], label: 'x', help: "expire the selected alert's silence, or the first", scope: 'alerts', command: {type: 'expire-silence'}},
	{keys: ['/'], label: '/', help: 'filter: project:, agent:, gpu:, rule: or any text', footer: 'filter', scope: 'any', command: {type: 'filter'}},
	{keys: ['p'], label: 'p', help: 'pause / resume the display', footer: 'pause', scope: 'any', command: {type: 'pause'}},
	{keys: ['?'], label: '?', help: 'this help (? or Enter closes it)', footer: 'help', scope: 'any', command: {type: 'help'}},
	{keys: ['escape'], label: 'Esc', help: 'close help, leave zoom (also ? and Enter/z)', scope: 'any', command: {type: 'close'}},
	{keys: ['q', 'ctrl-c'], label: 'q/Ctrl-C', help: 'quit and restore the terminal', footer: 'quit', footerLabel: 'q', scope: 'any', command: {type: 'quit'}},
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

/** The command for a key in the normal view (no prompt open), or undefined. */
export function resolveKey(name: string, focus: PaneId): Command | undefined {
	for (const binding of BINDINGS) {
		if (!binding.keys.includes(name)) continue;
		if (binding.scope === 'alerts' && focus !== 'alerts') return undefined;
		if (binding.command.type === 'focus-number') return {type: 'focus', pane: PANES[Number(name) - 1]!};
		return binding.command;
	}
	return undefined;
}

/** The footer's key hints for the focused pane: "Tab pane  Enter/z zoom ...". */
export function footerHints(focus: PaneId, alertsAvailable: boolean): string {
	const parts: string[] = [];
	// Help and quit first, so a narrow footer that cuts the line keeps them.
	const first = BINDINGS.filter((b) => b.command.type === 'help' || b.command.type === 'quit');
	for (const b of [...first, ...BINDINGS.filter((x) => !first.includes(x))]) {
		if (b.footer === undefined) continue;
		if (b.scope === 'alerts' && focus !== 'alerts') continue;
		if (b.scope === 'alerts' && !alertsAvailable) continue;
		parts.push(`${b.footerLabel ?? b.label} ${b.footer}`);
	}
	if (focus === 'alerts' && !alertsAvailable) parts.splice(5, 0, 'alerts not available');
	return parts.join('  ');
}
