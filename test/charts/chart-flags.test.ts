/** --charts braille|block (and --ascii beside it): parsed, refused when unknown, listed in --help. */
import {describe, expect, it} from 'vitest';
import {helpText, parseFlags} from '../../src/config/flags.js';

describe('--charts', () => {
	it('takes braille or block; nothing given leaves the default to the dashboard', () => {
		const block = parseFlags(['--charts', 'block']);
		expect(block.ok && block.flags.charts).toBe('block');
		const braille = parseFlags(['--charts', 'braille', '--ascii']);
		expect(braille.ok && [braille.flags.charts, braille.flags.ascii]).toEqual(['braille', true]);
		const none = parseFlags([]);
		expect(none.ok && none.flags.charts).toBeUndefined();
	});

	it('refuses any other mode with a usage error', () => {
		expect(parseFlags(['--charts', 'ascii'])).toEqual({ok: false, error: '--charts: expected braille or block, got "ascii"'});
	});

	it('is listed in --help', () => {
		expect(helpText('test')).toMatch(/--charts MODE\s+How zoomed charts draw: braille/);
	});
});
