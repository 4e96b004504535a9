/**
Ink's incremental rendering (log-update's createIncremental, patched in scripts/ink-patches.mjs) must leave the screen
showing exactly the frame, for any sequence of frames: lines as wide as the terminal, wide characters, frames that
grow and shrink, and a full redraw after a resize. The screen is a small terminal model that follows xterm where
terminals differ (a cursor waiting on the last cell is erased by ESC[K; ESC[0A moves one line), fed the bytes the
patched module writes. Stock Ink 6.8 fails here (its frames land one row low); the real-terminal check is in
test/terminal/incremental-output.test.ts.
*/
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import fc from 'fast-check';
import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {patchSource} from '../../scripts/ink-patches.mjs';

const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const stockPath = join(modules, 'ink', 'build', 'log-update.js');

interface LogUpdate {
	(str: string): boolean;
	redrawAll?: () => void;
}
type Create = (stream: {write: (s: string) => void}, options: {incremental: boolean}) => LogUpdate;

/** The stock or the patched module, loaded with the same ansi-escapes and cursor helpers Ink uses. */
async function logUpdates(): Promise<{stock: Create; patched: Create}> {
	const dir = join(modules, '.cache', 'mycotop');
	mkdirSync(dir, {recursive: true});
	const helpers = pathToFileURL(join(modules, 'ink', 'build', 'cursor-helpers.js')).href;
	const write = (name: string, source: string) => {
		const file = join(dir, name);
		writeFileSync(file, source.replace("from './cursor-helpers.js'", `from '${helpers}'`));
		return pathToFileURL(file).href;
	};
	const stockSource = readFileSync(stockPath, 'utf8');
	const stockUrl = write('ink-log-update.stock.js', stockSource);
	const patchedUrl = write('ink-log-update.patched.js', patchSource(stockPath, stockSource)!);
	const load = async (url: string) => ((await import(url)) as {default: {create: Create}}).default.create;
	return {stock: await load(stockUrl), patched: await load(patchedUrl)};
}

/** A terminal's screen: rows of cells, a cursor, xterm's pending wrap on the last column, \n as CR LF (ONLCR). */
class Screen {
	private readonly cells: string[][];
	private row = 0;
	private col = 0;
	private wrapPending = false;

	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		this.cells = Array.from({length: rows}, () => this.blankRow());
	}

	private blankRow(): string[] {
		return Array.from({length: this.columns}, () => ' ');
	}

	private lineFeed(): void {
		if (this.row === this.rows - 1) {
			this.cells.shift();
			this.cells.push(this.blankRow());
		} else this.row++;
	}

	private put(ch: string): void {
		const width = stringWidth(ch);
		if (width === 0) return;
		if (this.wrapPending || this.col + width > this.columns) {
			this.col = 0;
			this.lineFeed();
			this.wrapPending = false;
		}
		const line = this.cells[this.row]!;
		line[this.col] = ch;
		if (width === 2) line[this.col + 1] = '';
		if (this.col + width >= this.columns) {
			this.col = this.columns - 1;
			this.wrapPending = true;
		} else this.col += width;
	}

	private csi(params: string, final: string): void {
		const n = params === '' ? 1 : Math.max(1, Number(params));
		this.wrapPending = final === 'm' ? this.wrapPending : false;
		if (final === 'A') this.row = Math.max(0, this.row - n);
		else if (final === 'E') {
			this.row = Math.min(this.rows - 1, this.row + n);
			this.col = 0;
		} else if (final === 'G') this.col = Math.min(this.columns - 1, n - 1);
		else if (final === 'K') {
			const line = this.cells[this.row]!;
			const [from, to] = params === '2' ? [0, this.columns] : params === '1' ? [0, this.col + 1] : [this.col, this.columns];
			for (let c = from; c < to; c++) line[c] = ' ';
		}
		// m (colours), h/l (cursor, synchronized output) change nothing on the screen.
	}

	write(bytes: string): void {
		const tokens = /\u001B\[([?0-9;]*)([A-Za-z])|\n|\r|[^\u001B\n\r]/gu;
		for (const [token, params, final] of bytes.matchAll(tokens)) {
			if (final !== undefined) this.csi((params ?? '').replace('?', ''), final);
			else if (token === '\n') {
				this.col = 0;
				this.wrapPending = false;
				this.lineFeed();
			} else if (token === '\r') {
				this.col = 0;
				this.wrapPending = false;
			} else this.put(token);
		}
	}

	text(): string[] {
		return this.cells.map((line) => line.join('').trimEnd());
	}
}

const glyph = fc.constantFrom('a', 'b', ' ', '─', '│', '⣿', '█', '中', '文', 'é');
/** A line of at most `columns` cells. */
const lineOf = (columns: number) =>
	fc.array(glyph, {maxLength: columns}).map((chars) => {
		let out = '';
		for (const ch of chars) if (stringWidth(out + ch) <= columns) out += ch;
		return out;
	});
/** A frame: 1..rows-1 lines, some as wide as the terminal, as Ink hands it over (ending in a newline). */
const frameOf = (columns: number, rows: number) =>
	fc.array(fc.oneof(lineOf(columns), fc.constant('x'.repeat(columns - 1) + '|'), fc.constant('中'.repeat(Math.floor(columns / 2)))), {minLength: 1, maxLength: rows - 1});

function expectShows(screen: Screen, lines: readonly string[]): void {
	const expected = [...lines.map((l) => l.trimEnd()), ...Array.from({length: screen.rows - lines.length}, () => '')];
	expect(screen.text()).toEqual(expected);
}

describe('Ink incremental rendering, patched', () => {
	it('leaves the screen showing each frame of any sequence, same height or not', async () => {
		const {patched} = await logUpdates();
		fc.assert(
			fc.property(
				fc.integer({min: 4, max: 20}).chain((columns) => fc.integer({min: 3, max: 10}).chain((rows) => fc.tuple(fc.constant(columns), fc.constant(rows), fc.array(frameOf(columns, rows), {minLength: 1, maxLength: 8})))),
				fc.array(fc.boolean(), {minLength: 8, maxLength: 8}),
				([columns, rows, frames], redraws) => {
					const screen = new Screen(columns, rows);
					const log = patched(screen, {incremental: true});
					frames.forEach((frame, i) => {
						if (redraws[i] === true) log.redrawAll!();
						log(frame.join('\n') + '\n');
						expectShows(screen, frame);
					});
				},
			),
			{numRuns: 300},
		);
	});

	it('rewrites only the lines that changed', async () => {
		const {patched} = await logUpdates();
		const writes: string[] = [];
		const log = patched({write: (s) => writes.push(s)}, {incremental: true});
		log('header 12:00:00\nsame line\nsame too\n');
		log('header 12:00:01\nsame line\nsame too\n');
		expect(writes.at(-1)).toContain('12:00:01');
		expect(writes.at(-1)).not.toContain('same');
	});

	it('draws the whole frame again after redrawAll (a resize)', async () => {
		const {patched} = await logUpdates();
		const writes: string[] = [];
		const log = patched({write: (s) => writes.push(s)}, {incremental: true});
		log('one\ntwo\n');
		log.redrawAll!();
		log('one\ntwo\n');
		expect(writes.at(-1)).toContain('one\ntwo\n');
	});

	it('is needed: stock Ink 6.8 draws the second frame one row low', async () => {
		const {stock} = await logUpdates();
		const screen = new Screen(20, 6);
		const log = stock(screen, {incremental: true});
		log('first 0\nsecond\nthird\n');
		log('first 1\nsecond\nthird\n');
		expect(screen.text().slice(0, 3)).not.toEqual(['first 1', 'second', 'third']);
	});
});
