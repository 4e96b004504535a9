/**
The script a Node single executable application runs (dist/mycotop; built by scripts/dist.mjs --sea). Node 20's
executables run one CommonJS script, and mycotop is ESM with top-level await (Ink's yoga), so this loader carries
the ESM single file as the asset `mycotop.mjs`: it writes it to a private temporary folder (mkdtemp, mode 0700),
imports it through the main context's ESM loader (vm's USE_MAIN_CONTEXT_DEFAULT_LOADER, Node 20.12 and later), and
removes the folder once the module is loaded (at exit should loading fail, or on SIGTERM, SIGINT or SIGHUP while it
loads, which then end the process unless mycotop already listens for them; only a SIGKILL in those first
milliseconds leaves it behind).
*/
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {constants as osConstants, tmpdir} from 'node:os';
import {join} from 'node:path';
import {getAsset} from 'node:sea';
import {pathToFileURL} from 'node:url';
import {constants, Script} from 'node:vm';
import {DEMO_NVIDIA_SMI_ROLE, ROLE_ENV} from './self-command.js';

const SEA_SELF = Symbol.for('mycotop.sea');

/**
Why `tmp` is no safe place for the module, or undefined. Whoever may rename entries in it (its owner; anybody where
it is writable by others without the sticky bit) could swap the private folder for one of theirs between the write
and the import, and have their code run as this user. Pure.
*/
function unsafeTmpReason(stat: {readonly uid: number; readonly mode: number}, uid: number): string | undefined {
	if (stat.uid !== uid && stat.uid !== 0) return `it belongs to user ${stat.uid}`;
	if ((stat.mode & 0o022) !== 0 && (stat.mode & 0o1000) === 0) return 'others may write there and it has no sticky bit';
	return undefined;
}

/** The module written to a fresh private folder; undefined (and said on stderr, exit 1) where no folder can be written. */
function writeModule(): {dir: string; file: string} | undefined {
	let dir: string | undefined;
	const unsafe = unsafeTmpReason(statSync(tmpdir(), {throwIfNoEntry: false}) ?? {uid: 0, mode: 0o700}, process.getuid?.() ?? 0);
	if (unsafe !== undefined) {
		process.stderr.write(`mycotop: will not unpack itself into ${tmpdir()} (${unsafe}); set TMPDIR to a private folder\n`);
		process.exitCode = 1;
		return undefined;
	}
	try {
		dir = mkdtempSync(join(tmpdir(), 'mycotop-'));
		const file = join(dir, 'mycotop.mjs');
		writeFileSync(file, new Uint8Array(getAsset('mycotop.mjs')), {mode: 0o600});
		return {dir, file};
	} catch (error) {
		if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
		process.stderr.write(`mycotop: cannot unpack itself into ${tmpdir()} (${error instanceof Error ? error.message : String(error)}); set TMPDIR to a writable folder\n`);
		process.exitCode = 1;
		return undefined;
	}
}

// The demo's nvidia-smi stand-in is this executable too (self-command.ts), started and SIGKILLed with every sampler
// run: it is carried in this script, so it unpacks nothing.
if (process.env[ROLE_ENV] === DEMO_NVIDIA_SMI_ROLE) void import('../demo/demo-nvidia-smi.js');
else {
	const written = writeModule();
	if (written !== undefined) start(written.dir, written.file);
}

function start(dir: string, file: string): void {
	// Removed once the module is loaded; at exit should loading fail; and on a signal that ends the process while it
	// loads (SIGKILL cannot be caught: then the folder stays).
	const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
	const removeFolder = () => rmSync(dir, {recursive: true, force: true});
	const stopListening = () => {
		for (const signal of signals) process.removeListener(signal, onSignal);
	};
	// A listener other than this one (mycotop's own, execa's for its children) decides what the signal does; with
	// none, the process ends as the signal's default would (128 + its number, after the 'exit' handlers). Re-raising
	// the signal instead was lost where such a listener had been added meanwhile.
	const onSignal = (signal: NodeJS.Signals) => {
		stopListening();
		removeFolder();
		if (process.listenerCount(signal) === 0) process.exit(128 + osConstants.signals[signal]);
	};
	process.once('exit', removeFolder);
	for (const signal of signals) process.once(signal, onSignal);
	(globalThis as Record<symbol, unknown>)[SEA_SELF] = true;
	// Node 20 and 22 call the main context's loader experimental and say so on stderr each start: that one warning is dropped.
	const emitWarning = process.emitWarning.bind(process);
	process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
		if (!String(warning instanceof Error ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
	}) as typeof process.emitWarning;
	const importer = new Script('(url) => import(url)', {importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER}).runInThisContext() as (url: string) => Promise<unknown>;
	// The module is evaluated from an I/O callback, synchronously for a while: a signal received meanwhile waits for
	// the event loop's next poll phase. The listeners stay until that poll has run (the second setImmediate runs after
	// it; the first still runs in this iteration), or the signal would be dropped with them, unseen.
	importer(pathToFileURL(file).href).then(
		() => {
			removeFolder();
			setImmediate(() => setImmediate(stopListening));
		},
		(error: unknown) => {
			stopListening();
			removeFolder();
			throw error;
		},
	);
}
