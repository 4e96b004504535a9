/**
Incremental output in a real terminal (tmux): Ink rewrites only the lines that changed (scripts/ink-patches.mjs makes
that correct), and the screen must still show exactly the frame after each change, after the terminal shrinks and
grows (and narrows at the same height), after zoom and unzoom (every line changes), with wide characters and lines
as wide as the terminal, and after something else wrote to the terminal (the redraw that Ctrl-L and the periodic full
frame use puts the whole frame back). The app
(test/terminal/incremental-app.tsx) is bundled here with Ink's patches and the dashboard's render options; its frames
are a pure function, so the test knows every cell the screen must show.
*/
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {build} from 'esbuild';
import {waitFor} from '../helpers/redis-server.js';
import {assertPatchesApplied, bundleOptions} from '../../scripts/bundle-options.mjs';
import {frameLines} from './incremental-app.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const inCi = (process.env['CI_ORIGINAL'] ?? process.env['CI']) === 'true';
const canRun = tmuxAvailable() || (inCi ? (() => { throw new Error('CI=true and tmux is missing: apt-get install -y tmux'); })() : false);

/** The screen the frame must leave: its lines from the top row, the rest (the cursor's row) blank. */
function expectedScreen(frame: number, zoomed: boolean, columns: number, rows: number): string[] {
	const lines = frameLines(frame, zoomed, columns, rows).map((l) => l.trimEnd());
	while (lines.length < rows) lines.push('');
	return lines;
}

/** The frames Ink wrote (between synchronized-update marks), raw. */
function rawFrames(raw: string): string[] {
	return [...raw.matchAll(/\u001B\[\?2026h([\s\S]*?)\u001B\[\?2026l/g)].map((m) => m[1]!);
}

describe.runIf(canRun)('incremental output in tmux', () => {
	let dir: string;
	let pane: TmuxPane;
	let size = {columns: 40, rows: 12};
	let frame = 0;
	let zoomed = false;

	async function shows(what: string): Promise<void> {
		const want = expectedScreen(frame, zoomed, size.columns, size.rows);
		await waitFor(() => JSON.stringify(pane.screen()) === JSON.stringify(want), 8000, what).catch(() => undefined);
		expect(pane.screen(), what).toEqual(want);
	}

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'mycotop-incremental-'));
		const applied = new Set<string>();
		// What the TUI's bundle is built with (scripts/bundle.mjs): Ink's patches, React's production build.
		await build({...bundleOptions(applied), entryPoints: {app: join(root, 'test/terminal/incremental-app.tsx')}, outdir: dir, logLevel: 'error'});
		assertPatchesApplied(applied, 'the incremental-output app');
		pane = new TmuxPane(size.columns, size.rows, {TERM: 'tmux-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8'});
		pane.record();
		pane.run(`clear; node ${join(dir, 'app.js')}`);
	}, 60_000);

	afterAll(() => {
		pane?.close();
		if (dir) rmSync(dir, {recursive: true, force: true});
	});

	it('shows the first frame whole', async () => {
		await shows('the first frame');
	});

	it('shows each next frame exactly, writing only the lines that changed', async () => {
		for (let i = 0; i < 6; i++) {
			frame++;
			pane.keys('n');
			await shows(`frame ${frame}`);
		}
		const frames = rawFrames(pane.raw());
		// The first frame was drawn whole; the last rewrote its header and the lines that changed (about one in five).
		expect(frames.length).toBeGreaterThanOrEqual(7);
		expect(frames.at(-1)!.length).toBeLessThan(frames[0]!.length / 2);
		expect(frames.at(-1)).toContain(`frame ${frame} `);
	});

	it('zoom and unzoom: every line changes, the screen shows the frame', async () => {
		zoomed = true;
		pane.keys('z');
		await shows('zoomed');
		frame++;
		pane.keys('n');
		await shows('zoomed, next frame');
		zoomed = false;
		pane.keys('z');
		await shows('unzoomed');
	});

	/** Resizes to each size in turn: the frame is whole, the next frame exact, and (with `toggleZoom`) so is a zoom toggle. */
	async function resizesThrough(sizes: ReadonlyArray<{columns: number; rows: number}>, toggleZoom: boolean): Promise<void> {
		for (const next of sizes) {
			size = next;
			pane.resize(size.columns, size.rows);
			await shows(`resized to ${size.columns}x${size.rows}`);
			frame++;
			pane.keys('n');
			await shows(`${size.columns}x${size.rows}, next frame`);
			if (!toggleZoom) continue;
			zoomed = !zoomed;
			pane.keys('z');
			await shows(`${size.columns}x${size.rows}, ${zoomed ? 'zoomed' : 'unzoomed'}`);
		}
	}

	it('after the terminal shrinks and grows, the frame is whole and the next ones are exact', async () => {
		await resizesThrough([{columns: 30, rows: 9}, {columns: 52, rows: 15}, {columns: 52, rows: 11}, {columns: 36, rows: 13}], true);
	});

	// Ink's resized() draws the old layout at the new width before the App has the new size; with the same height
	// the App's next frame was drawn incrementally over the rewrapped rows (a reviewer's reproduction: 120 -> 110
	// columns at 35 rows left the screen garbled until the next resize).
	it('after the terminal gets narrower at the same height, the frame is whole and the next ones are exact', async () => {
		await resizesThrough([{columns: 30, rows: 9}, {columns: 52, rows: 9}, {columns: 40, rows: 9}, {columns: 33, rows: 9}], false);
	});

	it('text that something else wrote to the terminal is gone after a redraw', async () => {
		// What a finished background job prints into the pane's tty, outside Ink.
		writeFileSync(pane.format('#{pane_tty}'), '[1]+  Done   rsync -a src/ dst/\n');
		await waitFor(() => pane.screen().some((line) => line.includes('rsync')), 5000, 'the stray line on screen');
		// Lines that did not change are not rewritten, so the next frame alone does not heal the screen ...
		frame++;
		pane.keys('n');
		await waitFor(() => pane.screen().some((line) => line.includes(`frame ${frame} `)), 5000, 'the next frame');
		expect(pane.screen()).not.toEqual(expectedScreen(frame, zoomed, size.columns, size.rows));
		// ... the redraw does.
		pane.keys('r');
		await shows('after the redraw');
		frame++;
		pane.keys('n');
		await shows('the frame after the redraw');
	});
});
