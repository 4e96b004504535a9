/**
A test driver bundled twice, once with mycotop's Ink patches (scripts/ink-patches.mjs, every one checked applied) and
once with stock Ink, so that a test can drive both through the same steps and compare their frames.
*/
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {build} from 'esbuild';
import {assertPatchesApplied, bundleOptions} from '../../scripts/bundle-options.mjs';

/** The two bundles' module URLs (import them, or import them again with a query for a fresh module instance). */
export async function bundleStockAndPatched(entry: string, what: string): Promise<{patched: string; stock: string}> {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-ink-bundles-'));
	const applied = new Set<string>();
	await build({...bundleOptions(applied), entryPoints: {patched: entry}, outdir: dir, logLevel: 'error'});
	assertPatchesApplied(applied, what);
	await build({...bundleOptions(new Set()), plugins: [], entryPoints: {stock: entry}, outdir: join(dir, 'stock'), logLevel: 'error'});
	return {patched: pathToFileURL(join(dir, 'patched.js')).href, stock: pathToFileURL(join(dir, 'stock', 'stock.js')).href};
}
