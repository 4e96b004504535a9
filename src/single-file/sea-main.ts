/**
The script a Node single executable application runs (dist/mycotop; built by scripts/dist.mjs --sea). Node 20's
executables run one CommonJS script, and mycotop is ESM with top-level await (Ink's yoga), so this loader carries
the ESM single file as the asset `mycotop.mjs`: it writes it to a private temporary folder (mkdtemp, mode 0700),
imports it through the main context's ESM loader (vm's USE_MAIN_CONTEXT_DEFAULT_LOADER, Node 20.12 and later), and
removes the folder once the module is loaded (and at exit, should loading fail).
*/
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {getAsset} from 'node:sea';
import {pathToFileURL} from 'node:url';
import {constants, Script} from 'node:vm';

const SEA_SELF = Symbol.for('mycotop.sea');

const dir = mkdtempSync(join(tmpdir(), 'mycotop-'));
const remove = () => rmSync(dir, {recursive: true, force: true});
process.once('exit', remove);
const file = join(dir, 'mycotop.mjs');
writeFileSync(file, new Uint8Array(getAsset('mycotop.mjs')), {mode: 0o600});
(globalThis as Record<symbol, unknown>)[SEA_SELF] = true;
// Node 20 and 22 call the main context's loader experimental and say so on stderr each start: that one warning is dropped.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
	if (!String(warning instanceof Error ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
const importer = new Script('(url) => import(url)', {importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER}).runInThisContext() as (url: string) => Promise<unknown>;
importer(pathToFileURL(file).href).then(remove, (error: unknown) => {
	remove();
	throw error;
});
