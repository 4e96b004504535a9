import {describe, expect, it} from 'vitest';
import {auditTerminalBytes} from './terminal-audit.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('terminal byte audit', () => {
	it('accepts what a renderer writes', () => {
		const audit = auditTerminalBytes(bytes('\u001b[?1049h\u001b[?25l\u001b[2K\u001b[1A\u001b[G\u001b[31mred\u001b[39m\r\nline\n'));
		expect(audit.violations).toEqual([]);
		expect(audit.sequences.get('CSI m')).toBe(2);
	});

	it.each([
		['OSC 52', '\u001b]52;c;QUJD\u0007'],
		['title', '\u001b]0;hi\u0007'],
		['DCS', '\u001bP+q\u001b\\'],
		['reset', '\u001bc'],
		['device status report', '\u001b[6n'],
		['C1 CSI', '\u009b2J'],
		['BEL', '\u0007'],
		['lone CR', 'safe\rEVIL'],
		['backspace', 'ok\b\bNO'],
		['bidi override', '\u202eabc'],
		['marker', 'PWNED-TITLE'],
	])('flags %s', (_name, input) => {
		expect(auditTerminalBytes(bytes(`ok ${input} ok`)).violationCount).toBeGreaterThan(0);
	});
});
