/**
The subcommands' names and completion words: what main.ts checks argv[0] against before it loads the commands module
(commands.ts, with the notify senders, the backtest and the rule tests), so a dashboard run never loads it.
*/
import {SHELLS, type CompletionCommand} from './config/completion.js';

export const COMMANDS: readonly CompletionCommand[] = [
	{name: 'ack'},
	{name: 'unack'},
	{name: 'silence', words: ['expire']},
	{name: 'silences'},
	{name: 'rules', words: ['list', 'check', 'test'], files: ['check', 'test']},
	{name: 'backtest'},
	{name: 'history'},
	{name: 'notify', words: ['test']},
	{name: 'init', files: true},
	{name: 'completion', words: SHELLS},
];

export const SUBCOMMANDS: ReadonlySet<string> = new Set(COMMANDS.map((c) => c.name));
