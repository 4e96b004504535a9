/** Sanitizer cases found by the fuzz test. */
import {describe, expect, it} from 'vitest';
import {sanitizeText} from '../../src/contract/sanitize.js';

describe('sanitizer regressions from fuzzing', () => {
	it('ESC ESC ] ... removes the whole OSC (a terminal restarts the sequence at the second ESC)', () => {
		expect(sanitizeText('a\u001b\u001b]0;PWNED-TITLE\u0007b')).toBe('ab');
		expect(sanitizeText('a\u001b\u001b]52;c;QUJD\u001b\\b')).toBe('ab');
		expect(sanitizeText('a\u001b\u001b[2Jb')).toBe('ab');
	});

	it('ESC before an 8-bit introducer removes the whole 8-bit sequence, not just two characters', () => {
		expect(sanitizeText('a\u001b\u009d0;PWNED-C1-TITLE\u009cb')).toBe('ab');
		expect(sanitizeText('a\u001b\u009b2Jb')).toBe('ab');
		expect(sanitizeText('a\u001b\u0007b')).toBe('a\ufffdb');
	});
});
