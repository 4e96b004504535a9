#!/usr/bin/env node
/**
The entry of the single-file builds: dist/mycotop.mjs (run by a bare `node`, no node_modules) and the script the
executable dist/mycotop embeds (sea-main.ts imports it). It is the CLI of cli.ts, and, when MYCOTOP_ROLE says so,
the demo's nvidia-smi stand-in (self-command.ts). `globalThis[SEA_SELF]` is set by the executable's loader: there
the program that runs itself is the executable alone, not `node` and a script.
*/
import {fileURLToPath} from 'node:url';
import {DEMO_NVIDIA_SMI_ROLE, registerSelfCommand, ROLE_ENV} from './self-command.js';
import {useLeanHeap} from '../lean-heap.js';
import {useJitBudget} from '../jit-budget.js';

/** Set to true by sea-main.ts before it imports this module. */
export const SEA_SELF = Symbol.for('mycotop.sea');

async function run(): Promise<number | undefined> {
	if (process.env[ROLE_ENV] === DEMO_NVIDIA_SMI_ROLE) {
		await import('../demo/demo-nvidia-smi.js');
		return undefined;
	}
	// As in cli.ts: the lean heap and the optimizing compiler's budget first (lean-heap.ts, jit-budget.ts), before
	// main.js and the rest of the program are loaded.
	useLeanHeap();
	useJitBudget();
	// As in cli.ts: chalk reads colour support when Ink is imported, so NO_COLOR becomes FORCE_COLOR=0 first.
	if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') process.env['FORCE_COLOR'] = '0';
	const sea = (globalThis as Record<symbol, unknown>)[SEA_SELF] === true;
	registerSelfCommand(sea ? [process.execPath] : [process.execPath, fileURLToPath(import.meta.url)]);
	const {main} = await import('../main.js');
	return main(process.argv.slice(2));
}

// No top-level await: the executable's loader can remove the module's file as soon as it is loaded.
void run().then((code) => {
	if (code !== undefined) process.exitCode = code;
});
