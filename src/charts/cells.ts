/**
Dot canvases drawn as text cells: braille (2x4 dots per cell, U+2800 + dot bits, as btop and nvitop draw), block
(1x2: ▀ ▄ █, for fonts without braille) and ASCII (1x2: ' . :). Each cell remembers the last series that set a dot
in it, so a bright series drawn after a faint one owns the cells they share. Pure data, no terminal.
*/

import {Buffer} from 'node:buffer';

export type CellMode = 'braille' | 'block' | 'ascii';

/** Dot bits of a braille cell by [column][row]: left 0x01 0x02 0x04 0x40, right 0x08 0x10 0x20 0x80. */
const BRAILLE_BITS = [
	[0x01, 0x02, 0x04, 0x40],
	[0x08, 0x10, 0x20, 0x80],
] as const;

/** Cell glyphs of the 1x2 modes by bits (top 1, bottom 2). */
const HALF_GLYPHS: Record<Exclude<CellMode, 'braille'>, readonly string[]> = {
	block: [' ', '▀', '▄', '█'],
	ascii: [' ', "'", '.', ':'],
};

const BRAILLE_DOTS: {readonly x: number; readonly y: number} = Object.freeze({x: 2, y: 4});
const HALF_DOTS: {readonly x: number; readonly y: number} = Object.freeze({x: 1, y: 2});

/** Dots per cell across and down (shared objects: the canvas asks once per dot). */
export function dotsPerCell(mode: CellMode): {readonly x: number; readonly y: number} {
	return mode === 'braille' ? BRAILLE_DOTS : HALF_DOTS;
}

/** The 256 braille glyphs by dot bits (U+2800 + bits), built once instead of once per cell per frame. */
const BRAILLE_GLYPHS: readonly string[] = Array.from({length: 256}, (_, bits) => (bits === 0 ? ' ' : String.fromCodePoint(0x2800 + bits)));

/** The glyph of a cell with `bits` set. */
export function cellGlyph(mode: CellMode, bits: number): string {
	if (mode === 'braille') return BRAILLE_GLYPHS[bits & 0xff]!;
	return HALF_GLYPHS[mode][bits & 3]!;
}

export class DotCanvas {
	readonly dotsX: number;
	readonly dotsY: number;
	private readonly bits: Uint8Array;
	private readonly owner: Int16Array;

	constructor(
		readonly columns: number,
		readonly rows: number,
		readonly mode: CellMode,
	) {
		const d = dotsPerCell(mode);
		this.dotsX = columns * d.x;
		this.dotsY = rows * d.y;
		this.bits = new Uint8Array(Math.max(0, columns * rows));
		this.owner = new Int16Array(Math.max(0, columns * rows)).fill(-1);
	}

	/** Set the dot at (px, py), py 0 at the top; outside the canvas nothing happens. */
	set(px: number, py: number, owner: number): void {
		if (px < 0 || py < 0 || px >= this.dotsX || py >= this.dotsY) return;
		const d = dotsPerCell(this.mode);
		const c = Math.floor(px / d.x);
		const r = Math.floor(py / d.y);
		const i = r * this.columns + c;
		const bit = this.mode === 'braille' ? BRAILLE_BITS[px % 2]![py % 4]! : py % 2 === 0 ? 1 : 2;
		this.bits[i]! |= bit;
		this.owner[i] = owner;
	}

	/** Set every dot of column px from py0 to py1 (either order): `set` for each, without a call per dot. */
	vertical(px: number, py0: number, py1: number, owner: number): void {
		if (px < 0 || px >= this.dotsX) return;
		const lo = Math.max(0, Math.min(py0, py1));
		const hi = Math.min(this.dotsY - 1, Math.max(py0, py1));
		if (this.mode === 'braille') {
			const column = px >> 1;
			const bits = BRAILLE_BITS[px & 1]!;
			for (let py = lo; py <= hi; py++) {
				const i = (py >> 2) * this.columns + column;
				this.bits[i]! |= bits[py & 3]!;
				this.owner[i] = owner;
			}
			return;
		}
		for (let py = lo; py <= hi; py++) {
			const i = (py >> 1) * this.columns + px;
			this.bits[i]! |= (py & 1) === 0 ? 1 : 2;
			this.owner[i] = owner;
		}
	}

	glyph(column: number, row: number): string {
		return cellGlyph(this.mode, this.bits[row * this.columns + column]!);
	}

	/** The series that last drew in the cell, or -1. */
	ownerOf(column: number, row: number): number {
		return this.owner[row * this.columns + column]!;
	}

	private views: {bits: Buffer; owner: Buffer} | undefined;

	/** The cells as bytes (views, no copy), for comparing whole rows natively. */
	private bytes(): {bits: Buffer; owner: Buffer} {
		this.views ??= {
			bits: Buffer.from(this.bits.buffer, this.bits.byteOffset, this.bits.byteLength),
			owner: Buffer.from(this.owner.buffer, this.owner.byteOffset, this.owner.byteLength),
		};
		return this.views;
	}

	/** Whether cell row `row` has the same dots and owners here as in `other` (a canvas of the same size and mode). */
	sameRow(other: DotCanvas, row: number): boolean {
		if (other.columns !== this.columns || other.rows !== this.rows || other.mode !== this.mode || row < 0 || row >= this.rows) return false;
		const a = this.bytes();
		const b = other.bytes();
		const from = row * this.columns;
		const to = from + this.columns;
		return a.bits.compare(b.bits, from, to, from, to) === 0 && a.owner.compare(b.owner, from * 2, to * 2, from * 2, to * 2) === 0;
	}
}
