/**
Terminal-safe text. Everything that arrives from Redis (or nvidia-smi) passes through `sanitizeText` once, at the
ingestion boundary, before it can reach the screen, a log line or a key name.

A linear scan, not a regex: it removes whole escape sequences (CSI, OSC including OSC 8 and 52, DCS, SOS, PM,
APC, two-byte ESC x, and their 8-bit C1 forms), then replaces every remaining C0/C1 control, DEL, bidi override
and zero-width character with a visible placeholder. CR and backspace are replaced too: they overwrite text.
*/

const ESC = 0x1b;
const BEL = 0x07;
const ST_C1 = 0x9c;
const PLACEHOLDER = '\uFFFD';

/** Bidi embeddings, overrides and isolates (Trojan Source), zero-width characters, line/paragraph separators. */
export function isInvisibleFormat(code: number): boolean {
	return (
		(code >= 0x202a && code <= 0x202e) ||
		(code >= 0x2066 && code <= 0x2069) ||
		(code >= 0x200b && code <= 0x200f) ||
		code === 0x2028 ||
		code === 0x2029 ||
		code === 0x061c ||
		code === 0xfeff
	);
}

/** Index just past a string-type sequence (OSC, DCS, SOS, PM, APC) body, which ends at BEL, ESC \ or 0x9C. */
function skipStringSequence(text: string, index: number): number {
	for (let i = index; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === BEL || code === ST_C1) return i + 1;
		if (code === ESC) return text.charCodeAt(i + 1) === 0x5c ? i + 2 : i + 1;
	}
	return text.length;
}

/** Index just past a CSI body: parameter and intermediate bytes, then one final byte 0x40-0x7E. */
function skipCsi(text: string, index: number): number {
	for (let i = index; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code >= 0x40 && code <= 0x7e) return i + 1;
		if (code >= 0x20 && code <= 0x3f) continue; // parameter and intermediate bytes
		return i; // malformed: the sequence ends, the byte is handled by the main loop
	}
	return text.length;
}

export interface SanitizeOptions {
	/** Cut the result to this many UTF-16 code units (an ellipsis marks the cut). Default 256. */
	readonly maxLength?: number;
	/** Keep line feeds (for multi-line messages). Default false: LF becomes a space. */
	readonly keepNewlines?: boolean;
}

/** Return `text` with every terminal control sequence removed or neutralised. Never throws. */
export function sanitizeText(text: string, options: SanitizeOptions = {}): string {
	const maxLength = options.maxLength ?? 256;
	if (text.length <= maxLength && isTerminalSafe(text)) return text;
	let out = '';
	let i = 0;
	while (i < text.length) {
		const code = text.charCodeAt(i);
		if (code === ESC) {
			const next = text.charCodeAt(i + 1);
			if (next === 0x5b) i = skipCsi(text, i + 2); // ESC [
			else if (next === 0x5d || next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f)
				i = skipStringSequence(text, i + 2); // ESC ] P X ^ _
			else if (Number.isNaN(next) || next < 0x20 || next > 0x7e) i += 1; // lone ESC; ESC before a control (ESC ESC, ESC 0x9D): drop the ESC, then handle the control
			else i += 2; // two-byte ESC x (ESC c reset, ESC 7, ...)
			continue;
		}
		if (code === 0x9b) {
			i = skipCsi(text, i + 1);
			continue;
		}
		if (code === 0x9d || code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f) {
			i = skipStringSequence(text, i + 1);
			continue;
		}
		if (code === 0x09) {
			out += ' ';
		} else if (code === 0x0a) {
			out += options.keepNewlines ? '\n' : ' ';
		} else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f) || isInvisibleFormat(code)) {
			out += PLACEHOLDER;
		} else if (code >= 0xd800 && code <= 0xdbff) {
			// Keep well-formed surrogate pairs; a lone surrogate becomes the placeholder.
			const low = text.charCodeAt(i + 1);
			if (low >= 0xdc00 && low <= 0xdfff) {
				out += text[i]! + text[i + 1]!;
				i += 2;
				if (out.length > maxLength) break;
				continue;
			}
			out += PLACEHOLDER;
		} else if (code >= 0xdc00 && code <= 0xdfff) {
			out += PLACEHOLDER;
		} else {
			out += text[i];
		}
		i += 1;
		if (out.length > maxLength) break;
	}
	if (out.length > maxLength) return `${out.slice(0, Math.max(0, maxLength - 1))}…`;
	return out;
}

/** True when `text` would pass through `sanitizeText` unchanged (fast path for identifiers). */
export function isTerminalSafe(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || isInvisibleFormat(code)) return false;
		if (code >= 0xd800 && code <= 0xdfff) return false;
	}
	return true;
}
