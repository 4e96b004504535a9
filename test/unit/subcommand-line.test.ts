/** Which command lines run a subcommand (src/subcommands.ts): its name first, or after the flags it shares with the dashboard. */
import {describe, expect, it} from 'vitest';
import {isSubcommandLine, SUBCOMMANDS} from '../../src/subcommands.js';

describe('isSubcommandLine', () => {
	it('takes every subcommand as the first word', () => {
		for (const name of SUBCOMMANDS) expect(isSubcommandLine([name])).toBe(true);
		expect(isSubcommandLine(['history', 'loss', '--json'])).toBe(true);
	});

	it('takes the command after --config, --redis-url and --redis-ca, with their values, in either spelling', () => {
		expect(isSubcommandLine(['--config', 'ops.yaml', 'notify', 'test', 'pager'])).toBe(true);
		expect(isSubcommandLine(['--config=ops.yaml', 'notify', 'test', 'pager'])).toBe(true);
		expect(isSubcommandLine(['--redis-url', 'redis://h:6379', '--redis-ca', 'ca.pem', 'ack', 'gpu_hot:0'])).toBe(true);
		expect(isSubcommandLine(['--config', 'ops.yaml', '--', 'completion', 'bash'])).toBe(true);
		expect(isSubcommandLine(['--', 'ack', 'x'])).toBe(true);
	});

	it('is the dashboard otherwise: no words, flags only, a value that happens to be a command name, any other flag first', () => {
		expect(isSubcommandLine([])).toBe(false);
		expect(isSubcommandLine(['--config', 'ops.yaml'])).toBe(false);
		expect(isSubcommandLine(['--config', 'history'])).toBe(false);
		expect(isSubcommandLine(['--once', 'history'])).toBe(false);
		expect(isSubcommandLine(['--demo', '--config', 'x', 'ack'])).toBe(false);
		expect(isSubcommandLine(['--config'])).toBe(false);
		expect(isSubcommandLine(['loss'])).toBe(false);
		expect(isSubcommandLine(['--'])).toBe(false);
		expect(isSubcommandLine(['--', 'loss'])).toBe(false);
	});
});
