/**
What the dashboard does not load: Yoga's WebAssembly binary is decoded in place (scripts/ink-patches.mjs), not read
with fetch(), which would bring undici, http2 and worker_threads into every dashboard (about 2 MB of heap and node's
own code, bench:memory). The real CLI in a real terminal (tmux) draws the dashboard, so Yoga did load and lay it out;
a probe loaded with --import writes the built-in modules the process has loaded.
*/
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';
import {waitFor} from '../helpers/redis-server.js';
import {tmuxAvailable, TmuxPane} from './tmux.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/bundle/cli.js');
const probe = resolve(root, 'test/fixtures/loaded-modules/builtins.mjs');

describe.runIf(tmuxAvailable())('the dashboard loads no fetch machinery', () => {
	it('draws the dashboard (Yoga laid it out) without loading undici, http2 or worker_threads', async () => {
		if (!existsSync(cli)) throw new Error(`${cli} is missing: npm run build`);
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-builtins-'));
		const log = join(dir, 'builtins.txt');
		const pane = new TmuxPane(120, 40, {TERM: 'tmux-256color', LOADED_BUILTINS_LOG: log});
		try {
			pane.run(`exec node --import ${pathToFileURL(probe).href} ${cli} --embedded --no-gpu`);
			await waitFor(() => pane.screen().join('\n').includes('Training'), 30_000, 'the dashboard');
			// A log written after the first frame: everything the dashboard needed to draw is in it.
			const drawnAt = Date.now();
			await waitFor(() => existsSync(log) && Date.now() - drawnAt > 1500, 10_000, 'the probe');
			const loaded = readFileSync(log, 'utf8').split('\n');
			expect(loaded).toContain('NativeModule tty');
			expect(loaded.filter((m) => /undici|http2|worker_threads/.test(m))).toEqual([]);
		} finally {
			pane.close();
			rmSync(dir, {recursive: true, force: true});
		}
	}, 60_000);
});
