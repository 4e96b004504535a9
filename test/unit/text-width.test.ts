/** Display-width helpers: wide characters count 2, zero-width 0, and no cut splits a grapheme cluster. */
import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import stringWidth from 'string-width';
import {cellWidth, dropLastGrapheme, fitCells, graphemes, isNarrowText, isPrintableAscii, padCells, truncateCells} from '../../src/format/text-width.js';
import {clip, fit, toAscii} from '../../src/format/units.js';

const CJK = '训练任务'; // 4 ideographs, 8 cells
const ROCKET = '🚀';
const FAMILY = '👨‍👩‍👧‍👦'; // one ZWJ sequence: 7 code points, 11 UTF-16 units, 2 cells
const FLAG = '🇯🇵'; // two regional indicators, 2 cells
const E_ACUTE = 'e\u0301'; // e + combining acute: 1 cell
const HEART = '❤️'; // U+2764 + VS16: emoji presentation, 2 cells

describe('cellWidth', () => {
	it('counts printable ASCII by length (the fast path)', () => {
		expect(cellWidth('')).toBe(0);
		expect(cellWidth('bert-base')).toBe(9);
		expect(isPrintableAscii('bert-base')).toBe(true);
		expect(isPrintableAscii('bert\u00e9')).toBe(false);
		expect(isPrintableAscii('a\tb')).toBe(false);
	});

	it('counts CJK and emoji as 2, combining marks, ZWJ and variation selectors as 0', () => {
		expect(cellWidth(CJK)).toBe(8);
		expect(cellWidth(ROCKET)).toBe(2);
		expect(cellWidth(FAMILY)).toBe(2);
		expect(cellWidth(FLAG)).toBe(2);
		expect(cellWidth(E_ACUTE)).toBe(1);
		expect(cellWidth(HEART)).toBe(2);
		expect(cellWidth('\u200d')).toBe(0);
		expect(cellWidth('\ufe0f')).toBe(0);
		expect(cellWidth(`a${CJK}b`)).toBe(10);
	});

	it('splits graphemes as a user sees them', () => {
		expect(graphemes(`a${FAMILY}${FLAG}${E_ACUTE}`)).toEqual(['a', FAMILY, FLAG, E_ACUTE]);
	});
});

describe('the width cache', () => {
	it('stays right past its bound (it is cleared, never stale)', () => {
		for (let i = 0; i < 9000; i++) expect(cellWidth(`训${i}`)).toBe(2 + String(i).length);
		expect(cellWidth('训0')).toBe(3);
		expect(truncateCells('训练0123', 5)).toBe('训练…');
	});
});

describe('truncateCells', () => {
	it('leaves text that fits alone', () => {
		expect(truncateCells(CJK, 8)).toBe(CJK);
		expect(truncateCells('abc', 3)).toBe('abc');
	});

	it('cuts CJK by cells, never splitting a wide character', () => {
		// 7 cells: 6 for three ideographs + the ellipsis.
		expect(truncateCells(CJK, 7)).toBe('训练任…');
		// 6 cells: two ideographs (4) + ellipsis (1) = 5; a third would straddle the edge.
		expect(truncateCells(CJK, 6)).toBe('训练…');
		expect(cellWidth(truncateCells(CJK, 6))).toBe(5);
	});

	it('keeps emoji ZWJ sequences, flags and accented letters whole', () => {
		const text = `${FAMILY}${FLAG}${E_ACUTE}${E_ACUTE}xyz`;
		expect(truncateCells(text, 3)).toBe(`${FAMILY}…`);
		expect(truncateCells(text, 4)).toBe(`${FAMILY}…`);
		expect(truncateCells(text, 5)).toBe(`${FAMILY}${FLAG}…`);
		expect(truncateCells(text, 6)).toBe(`${FAMILY}${FLAG}${E_ACUTE}…`);
		// No lone surrogate, no dangling ZWJ.
		for (let w = 0; w <= cellWidth(text); w++) expect(truncateCells(text, w)).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|\u200d$/);
	});

	it('uses an ASCII ellipsis, and cuts the ellipsis itself when nothing else fits', () => {
		expect(truncateCells(CJK, 5, '~')).toBe('训练~');
		expect(truncateCells(CJK, 2, '...')).toBe('..');
		expect(truncateCells(CJK, 1)).toBe('…');
		expect(truncateCells(CJK, 0)).toBe('');
	});
});

describe('padCells and fitCells', () => {
	it('pads by display width, left or right aligned', () => {
		expect(padCells(CJK, 10)).toBe(`${CJK}  `);
		expect(padCells(ROCKET, 4, 'right')).toBe(`  ${ROCKET}`);
		expect(padCells(E_ACUTE, 3)).toBe(`${E_ACUTE}  `);
		expect(padCells(CJK, 3)).toBe(CJK);
	});

	it('fitCells is exactly the width, filling the cell a dropped wide character leaves', () => {
		expect(fitCells(CJK, 6)).toBe('训练… ');
		expect(cellWidth(fitCells(CJK, 6))).toBe(6);
		expect(fitCells('ab', 4, '…', 'right')).toBe('  ab');
	});

	it('units.fit and units.clip measure cells (the old code padded by string length)', () => {
		expect(cellWidth(fit(`${CJK}-asr`, 10))).toBe(10);
		expect(cellWidth(fit(ROCKET, 5))).toBe(5);
		expect(cellWidth(clip(`${CJK}${CJK}`, 9))).toBeLessThanOrEqual(9);
	});
});

describe('toAscii and dropLastGrapheme', () => {
	it('writes one ? per non-ASCII grapheme and keeps the base of an accented letter', () => {
		expect(toAscii(`${CJK}-${FAMILY}`)).toBe('????-?');
		expect(toAscii(`caf${E_ACUTE}`)).toBe('cafe');
		expect(toAscii('a…b')).toBe('a...b');
		expect(toAscii('x\u200dy')).toBe('xy');
	});

	it('backspace removes a whole grapheme', () => {
		expect(dropLastGrapheme(`gpu${FAMILY}`)).toBe('gpu');
		expect(dropLastGrapheme(`x${E_ACUTE}`)).toBe('x');
		expect(dropLastGrapheme('abc')).toBe('ab');
		expect(dropLastGrapheme('')).toBe('');
	});
});

/** Strings mixing ASCII, CJK, emoji, ZWJ sequences, flags and combining marks. */
const piece = fc.constantFrom('a', 'Z', ' ', '-', '训', '練', 'ｶ', '한', ROCKET, FAMILY, FLAG, E_ACUTE, HEART, '\u0301', '\u200d', '\ufe0f', '…', '·');
const mixed = fc.oneof(fc.array(piece, {maxLength: 24}).map((a) => a.join('')), fc.string({unit: 'grapheme', maxLength: 24}), fc.string({unit: 'binary', maxLength: 16}));

describe('properties', () => {
	it('a cut never exceeds the width, and is a prefix of whole graphemes plus the ellipsis', () => {
		fc.assert(
			fc.property(mixed, fc.integer({min: 0, max: 40}), fc.constantFrom('…', '~', '...'), (s, w, ellipsis) => {
				const cut = truncateCells(s, w, ellipsis);
				expect(cellWidth(cut)).toBeLessThanOrEqual(w);
				// Text that fits comes back unchanged (at width 0 nothing does: even zero-width text is dropped).
				if (w === 0) expect(cut).toBe('');
				else if (cellWidth(s) <= w) expect(cut).toBe(s);
				else if (cut.endsWith(ellipsis)) {
					const kept = cut.slice(0, cut.length - ellipsis.length);
					expect(s.startsWith(kept)).toBe(true);
					expect(graphemes(s).slice(0, graphemes(kept).length).join('')).toBe(kept);
				}
			}),
			{numRuns: 2000},
		);
	});

	it('a pad that joins the text\'s last grapheme (a Prepend character) is made up for', () => {
		// U+11A84 (Soyombo) joins what follows it into one cluster, one cell wide: found by the property below.
		for (const align of ['left', 'right'] as const) {
			expect(cellWidth(padCells('\u{11A84}', 2, align))).toBe(2);
			expect(cellWidth(fitCells('ab\u{11A84}', 6, '…', align))).toBe(6);
		}
	});

	it('a pad is exactly the width when the text fits, and fitCells always is', () => {
		fc.assert(
			fc.property(mixed, fc.integer({min: 0, max: 60}), fc.constantFrom<'left' | 'right'>('left', 'right'), (s, w, align) => {
				if (cellWidth(s) <= w) expect(cellWidth(padCells(s, w, align))).toBe(w);
				else expect(padCells(s, w, align)).toBe(s);
				if (w >= 1) expect(cellWidth(fitCells(s, w))).toBe(w);
			}),
			{numRuns: 2000},
		);
	});

	it('toAscii output is printable ASCII where the input was printable', () => {
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 24}).map((a) => a.join('')), (s) => {
				expect(isPrintableAscii(toAscii(s))).toBe(true);
			}),
		);
	});
});

describe('isNarrowText: the narrow-symbol fast path', () => {
	it('every code point it calls narrow is one cell to string-width, and it covers the dashboard glyphs', () => {
		for (let c = 0x20; c <= 0x2fff; c++) {
			const ch = String.fromCharCode(c);
			if (isNarrowText(ch)) expect(stringWidth(ch), `U+${c.toString(16)}`).toBe(1);
		}
		expect(isNarrowText('▁▂▃▄▅▆▇█ ↗↘→ … °C ≤ ─│ ⣿')).toBe(false); // ≤ (U+2264) is outside the ranges
		expect(isNarrowText('▁▂▃▄▅▆▇█ ↗↘→ … °C ─│ ⣿')).toBe(true);
		expect(isNarrowText('日本')).toBe(false);
		expect(isNarrowText('e\u0301')).toBe(false);
		expect(cellWidth('▁▂▃ 42°C')).toBe(8);
	});
});
