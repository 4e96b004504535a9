/**
An audit of the raw bytes a program wrote to its terminal: every escape sequence, tallied, and every byte or
character that does not belong there (string sequences such as OSC/DCS/APC, C0 controls other than LF and CR-LF,
C1 controls, bidi and zero-width characters, markers of injected text). Pure.
*/

export interface TerminalAudit {
	/** Escape sequences seen, by shape (e.g. "CSI m", "CSI ?h", "ESC 7"), with counts. */
	readonly sequences: ReadonlyMap<string, number>;
	/** What should never have reached the terminal, with a little context each (first 20). */
	readonly violations: readonly string[];
	readonly violationCount: number;
	readonly text: string;
}

/** Sequences a TUI renderer (Ink, log-update, ansi-escapes) legitimately writes. */
const ALLOWED_SEQUENCES: ReadonlySet<string> = new Set([
	'CSI m', // SGR colours and styles
	'CSI A', // cursor up
	'CSI B',
	'CSI C',
	'CSI D',
	'CSI E',
	'CSI F',
	'CSI G', // cursor to column
	'CSI H', // cursor position
	'CSI K', // erase in line
	'CSI J', // erase in display (the renderer clears when a frame overflows)
	'CSI ?h', // private modes: cursor visibility, alternate screen, bracketed paste, focus events
	'CSI ?l',
]);

const STRING_INTRODUCERS = new Map([
	[']', 'OSC'],
	['P', 'DCS'],
	['X', 'SOS'],
	['^', 'PM'],
	['_', 'APC'],
]);

function describe(code: number): string {
	return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function auditTerminalBytes(bytes: Uint8Array, markers: readonly string[] = ['PWNED']): TerminalAudit {
	const text = new TextDecoder('utf-8', {fatal: false}).decode(bytes);
	const sequences = new Map<string, number>();
	const violations: string[] = [];
	let count = 0;
	const violation = (what: string, at: number) => {
		count += 1;
		if (violations.length < 20) violations.push(`${what} at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 30))}`);
	};
	const tally = (shape: string, at: number) => {
		sequences.set(shape, (sequences.get(shape) ?? 0) + 1);
		if (!ALLOWED_SEQUENCES.has(shape)) violation(`sequence ${shape}`, at);
	};
	let i = 0;
	while (i < text.length) {
		const code = text.charCodeAt(i);
		if (code === 0x1b) {
			const next = text[i + 1];
			if (next === '[') {
				let j = i + 2;
				let privateMarker = '';
				if (j < text.length && '<=>?'.includes(text[j]!)) privateMarker = text[j++]!;
				while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x3f) j++;
				const final = text[j];
				if (final === undefined || text.charCodeAt(j) < 0x40 || text.charCodeAt(j) > 0x7e) {
					violation('malformed CSI', i);
					i = j;
					continue;
				}
				tally(`CSI ${privateMarker}${final}`, i);
				i = j + 1;
				continue;
			}
			if (next !== undefined && STRING_INTRODUCERS.has(next)) {
				tally(STRING_INTRODUCERS.get(next)!, i);
				i += 2;
				continue;
			}
			tally(`ESC ${next ?? '(end)'}`, i);
			i += 2;
			continue;
		}
		if (code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) === 0x0a)) {
			i += 1;
			continue;
		}
		if (code < 0x20 || code === 0x7f) violation(`C0 ${describe(code)}`, i);
		else if (code >= 0x80 && code <= 0x9f) violation(`C1 ${describe(code)}`, i);
		else if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || (code >= 0x200b && code <= 0x200f) || code === 0xfeff || code === 0x061c)
			violation(`invisible format ${describe(code)}`, i);
		i += 1;
	}
	for (const marker of markers) {
		let at = text.indexOf(marker);
		while (at >= 0) {
			violation(`marker ${marker}`, at);
			at = text.indexOf(marker, at + 1);
		}
	}
	return {sequences, violations, violationCount: count, text};
}
