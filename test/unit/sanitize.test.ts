import {describe, expect, it} from 'vitest';
import {isTerminalSafe, sanitizeText} from '../../src/contract/sanitize.js';

const ESC = '\u001B';

describe('sanitizeText', () => {
	it.each([
		['CSI clear screen', `a${ESC}[2Jb`, 'ab'],
		['SGR colour', `${ESC}[31mred${ESC}[0m`, 'red'],
		['OSC 52 clipboard (BEL)', `x${ESC}]52;c;ZXZpbA==\u0007y`, 'xy'],
		['OSC title (ST)', `x${ESC}]0;pwned${ESC}\\y`, 'xy'],
		['OSC 8 hyperlink', `${ESC}]8;;http://evil${ESC}\\link${ESC}]8;;${ESC}\\`, 'link'],
		['DCS', `a${ESC}Pq#0;2;0;0;0${ESC}\\b`, 'ab'],
		['APC', `a${ESC}_payload${ESC}\\b`, 'ab'],
		['ESC c reset', `a${ESC}cb`, 'ab'],
		['8-bit CSI', 'a\u009B2Jb', 'ab'],
		['8-bit OSC', 'a\u009D0;t\u0007b', 'ab'],
		['lone ESC at end', `a${ESC}`, 'a'],
	])('removes %s', (_name, input, expected) => {
		expect(sanitizeText(input)).toBe(expected);
	});

	it('neutralises CR, backspace, BEL, NUL and DEL so nothing can overwrite text', () => {
		const out = sanitizeText('safe\rEVIL ok\b\bNO \u0007\u0000\u007F');
		expect(out).not.toMatch(/[\r\b\u0007\u0000\u007F]/);
		expect(out).toContain('safe');
		expect(out).toContain('EVIL');
	});

	it('neutralises bidi overrides and zero-width characters', () => {
		const out = sanitizeText('abc\u202Edcba\u2066x\u200By');
		expect(out).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
	});

	it('keeps ordinary unicode, emoji and tabs as spaces', () => {
		expect(sanitizeText('Grüße 🚀\tok')).toBe('Grüße 🚀 ok');
	});

	it('replaces lone surrogates', () => {
		expect(sanitizeText('a\uD800b')).toBe('a\uFFFDb');
	});

	it('caps the length with an ellipsis', () => {
		const out = sanitizeText('x'.repeat(1000), {maxLength: 10});
		expect(out).toHaveLength(10);
		expect(out.endsWith('…')).toBe(true);
	});

	it('leaves no ESC or C1 byte in adversarial input', () => {
		let input = '';
		for (let i = 0; i < 2000; i++) input += String.fromCharCode(i % 0xa0) + (i % 7 === 0 ? `${ESC}[` : '') + (i % 11 === 0 ? `${ESC}]` : '');
		const out = sanitizeText(input, {maxLength: 100_000});
		expect(out).not.toMatch(/[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/);
	});

	it('isTerminalSafe agrees', () => {
		expect(isTerminalSafe('proj-1')).toBe(true);
		expect(isTerminalSafe(`p${ESC}[2J`)).toBe(false);
		expect(isTerminalSafe('p\u202E')).toBe(false);
	});
});
