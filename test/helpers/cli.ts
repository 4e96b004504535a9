/** Run the built CLI (dist/bundle/cli.js) as a child process, as a user would. */
import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';

export const CLI = join(fileURLToPath(new URL('.', import.meta.url)), '../../dist/bundle/cli.js');

export interface RunningCli {
	readonly child: ChildProcess;
	/** Everything written to stdout so far. */
	stdout(): string;
	stderr(): string;
	/** Parsed JSON lines from stdout (headless mode); a partly written last line is skipped. */
	lines(): Array<Record<string, unknown>>;
	exited(): Promise<number | null>;
	/** Signal the process unless it has exited. */
	kill(signal?: NodeJS.Signals): void;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
	const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	let out = '';
	let err = '';
	child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
	child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
	// Done when its output is complete: 'close' comes after the last stdout chunk, 'exit' may come before it. A
	// grandchild still holding a pipe would delay 'close' forever, so 'exit' plus 2 s is enough too.
	const exit = new Promise<number | null>((resolve) => {
		child.on('close', (code) => resolve(code));
		child.on('exit', (code) => setTimeout(() => resolve(code), 2000).unref());
	});
	return {
		child,
		stdout: () => out,
		stderr: () => err,
		lines: () =>
			out
				.split('\n')
				.filter((l) => l.trim().startsWith('{'))
				.flatMap((l) => {
					try {
						return [JSON.parse(l) as Record<string, unknown>];
					} catch {
						return [];
					}
				}),
		exited: () => exit,
		kill: (signal: NodeJS.Signals = 'SIGTERM') => {
			if (child.exitCode === null) child.kill(signal);
		},
	};
}

/** Run to completion and collect output. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<{code: number | null; stdout: string; stderr: string}> {
	const cli = startCli(args, env);
	const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
	const code = await cli.exited();
	clearTimeout(timer);
	return {code, stdout: cli.stdout(), stderr: cli.stderr()};
}
