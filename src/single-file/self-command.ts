/**
How the single-file builds (dist/mycotop.mjs and the executable dist/mycotop) run a helper program they carry
inside themselves. `--demo` needs an nvidia-smi stand-in as a separate executable; the folder bundle ships it as
demo-nvidia-smi.js, the single file cannot ship a second file. So the single file's entry registers the command
that runs itself (`node /path/mycotop.mjs`, or the executable alone), and the demo gets a two-line shell script in
a private temporary folder that runs that command with MYCOTOP_ROLE=demo-nvidia-smi; the folder is removed when
mycotop exits.
*/
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/** The environment variable that makes the single file act as a helper instead of mycotop. */
export const ROLE_ENV = 'MYCOTOP_ROLE';
export const DEMO_NVIDIA_SMI_ROLE = 'demo-nvidia-smi';

let selfCommand: readonly string[] | undefined;

/** Called by the single file's entry: the argv that starts this same program (without user arguments). */
export function registerSelfCommand(command: readonly string[]): void {
	selfCommand = command;
}

/** A word quoted for /bin/sh: in single quotes, each quote in it closed, escaped and reopened. Pure. */
export function shellQuote(word: string): string {
	return `'${word.replaceAll("'", "'\\''")}'`;
}

/** The shell script that runs `command` as the helper `role` with the caller's arguments. Pure. */
export function roleScript(command: readonly string[], role: string): string {
	return `#!/bin/sh\n${ROLE_ENV}=${shellQuote(role)} exec ${command.map(shellQuote).join(' ')} "$@"\n`;
}

/**
An executable that runs this program as the demo's nvidia-smi stand-in, or undefined when no single-file entry
registered itself (the folder bundle has demo-nvidia-smi.js instead) or the script cannot be written.
*/
export function selfDemoNvidiaSmi(): string | undefined {
	if (selfCommand === undefined) return undefined;
	try {
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-demo-'));
		process.once('exit', () => rmSync(dir, {recursive: true, force: true}));
		const script = join(dir, 'nvidia-smi');
		writeFileSync(script, roleScript(selfCommand, DEMO_NVIDIA_SMI_ROLE), {mode: 0o700});
		chmodSync(script, 0o700);
		return script;
	} catch {
		return undefined;
	}
}
