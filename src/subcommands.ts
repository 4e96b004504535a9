/**
The subcommands' names and completion words: what main.ts checks the command line against before it loads the commands module
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

/** The flags a subcommand shares with the dashboard that take a value: they may come before the command's name. */
const LEADING_VALUE_FLAGS: ReadonlySet<string> = new Set(['--redis-url', '--redis-ca', '--config']);

/**
Whether `argv` runs a subcommand: its first word is one, or it follows only `--config FILE`, `--redis-url URL` or
`--redis-ca FILE` (either spelling, `--config=FILE` too) and a `--`, as in `mycotop --config ops.yaml notify test pager`. Pure.
*/
export function isSubcommandLine(argv: readonly string[]): boolean {
	for (let i = 0; i < argv.length; ) {
		const word = argv[i]!;
		if (SUBCOMMANDS.has(word)) return true;
		if (word === '--') {
			// The end of the flags: the next word is the command or there is none.
			return argv[i + 1] !== undefined && SUBCOMMANDS.has(argv[i + 1]!);
		}
		const eq = word.indexOf('=');
		if (!LEADING_VALUE_FLAGS.has(eq < 0 ? word : word.slice(0, eq))) return false;
		i += eq < 0 ? 2 : 1;
	}
	return false;
}
