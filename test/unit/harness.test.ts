import {describe, expect, it} from 'vitest';
import {redisAvailable} from '../helpers/redis-server.js';
import {firstLine, renderFaultTable} from '../faults/table-reporter.js';

describe('test harness: redis-server availability', () => {
	it('fails the run under CI=true when redis-server is missing, saying how to install it', () => {
		expect(() => redisAvailable('/nonexistent/redis-server', {CI_ORIGINAL: 'true'})).toThrow(/CI=true and .* apt-get install -y redis-server/);
	});

	it('elsewhere skips with a notice (returns false)', () => {
		expect(redisAvailable('/nonexistent/redis-server', {CI_ORIGINAL: ''})).toBe(false);
	});
});

describe('test harness: the failure lines printed at the end of a run', () => {
	it('keep the first non-empty line of a message, cut to 160 characters', () => {
		expect(firstLine('\n  expected 1 to be 2\nstack')).toBe('expected 1 to be 2');
		expect(firstLine(undefined)).toBe('(no message)');
		const long = firstLine('x'.repeat(500));
		expect(long).toHaveLength(160);
		expect(long.endsWith('…')).toBe(true);
	});

	it('render fault rows with every cell wrapped inside its column', () => {
		const table = renderFaultTable([{fault: 'R1 restart', expected: 'reconnects', observed: 'a '.repeat(60).trim(), result: 'ok'}]);
		const lines = table.split('\n');
		expect(new Set(lines.map((l) => l.length)).size).toBe(1);
		expect(table).toContain('| R1 restart');
	});
});
