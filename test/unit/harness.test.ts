import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {redisAvailable} from '../helpers/redis-server.js';
import {firstLine, renderFaultTable, reproductionLines} from '../faults/table-reporter.js';

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

	it("keep a property's seed, counterexample and cause, so a CI log alone reproduces it", () => {
		// A real fast-check failure: the failing assertion is the error's cause, not part of its message.
		let failure: unknown;
		try {
			fc.assert(
				fc.property(fc.integer({min: 0, max: 1000}), (n) => {
					if (n > 10) throw new Error(`expected ${n} to be at most 10`);
				}),
				{seed: 291},
			);
		} catch (error) {
			failure = error;
		}
		const lines = reproductionLines(failure as Error);
		expect(lines[0]).toMatch(/^\{ seed: 291, path: "[0-9:]+", endOnFailure: true \}$/);
		expect(lines[1]).toBe('Counterexample: [11]');
		expect(lines[2]).toBe('Caused by: expected 11 to be at most 10');
		expect(reproductionLines({message: 'boom\nCaused by: x', cause: new Error('y')})).toEqual(['Caused by: x']);
		expect(reproductionLines(undefined)).toEqual([]);
		expect(reproductionLines({message: `Counterexample: ${'x'.repeat(1000)}`})[0]).toHaveLength(300);
	});

	it('render fault rows with every cell wrapped inside its column', () => {
		const table = renderFaultTable([{fault: 'R1 restart', expected: 'reconnects', observed: 'a '.repeat(60).trim(), result: 'ok'}]);
		const lines = table.split('\n');
		expect(new Set(lines.map((l) => l.length)).size).toBe(1);
		expect(table).toContain('| R1 restart');
	});
});
