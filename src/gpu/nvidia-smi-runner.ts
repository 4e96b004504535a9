/**
The one module that starts nvidia-smi (through execa): the long-lived `-lms` child and bounded one-shot queries.
It never throws: every outcome comes back as a RunOutcome for `classifyFailure`.
*/
import {execa} from 'execa';
import {type RunOutcome} from './failure.js';
import {startStreamOnPasses, type Unfinished} from './stream-on-passes.js';
import {periodicTimersPhased} from '../periodic.js';

export interface OneShotResult extends RunOutcome {
	readonly ok: boolean;
}

const MAX_OUTPUT = 1024 * 1024;

function spawnCode(value: unknown): string | undefined {
	const code = (value as {code?: unknown} | undefined)?.code;
	return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
Run `bin args` once, killed (SIGKILL) after `timeoutMs`. A child stuck in the kernel may not die at once, so the
result is also raced against our own timer: the caller gets "timed out" either way and can go on.
*/
export async function runOneShot(bin: string, args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<OneShotResult> {
	let timer: NodeJS.Timeout | undefined;
	try {
		const subprocess = execa(bin, args, {
			reject: false,
			timeout: timeoutMs,
			killSignal: 'SIGKILL',
			forceKillAfterDelay: false,
			stdin: 'ignore',
			maxBuffer: MAX_OUTPUT,
			encoding: 'utf8',
			stripFinalNewline: false,
			...(env !== undefined ? {env} : {}),
		});
		const guard = new Promise<'late'>((resolve) => {
			timer = setTimeout(() => resolve('late'), timeoutMs + 1000);
			timer.unref();
		});
		const result = await Promise.race([subprocess, guard]);
		if (result === 'late') {
			subprocess.kill('SIGKILL');
			return {ok: false, timedOut: true, timeoutMs, stdout: '', stderr: '', bin};
		}
		const stdout = typeof result.stdout === 'string' ? result.stdout : '';
		const stderr = typeof result.stderr === 'string' ? result.stderr : '';
		return {
			ok: !result.failed && result.exitCode === 0,
			...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
			...(result.signal !== undefined ? {signal: result.signal} : {}),
			...(result.timedOut ? {timedOut: true, timeoutMs} : {}),
			...(spawnCode(result) !== undefined ? {spawnErrorCode: spawnCode(result)} : {}),
			stdout,
			stderr,
			bin,
		};
	} catch (error) {
		return {ok: false, spawnErrorCode: spawnCode(error) ?? 'EUNKNOWN', stdout: '', stderr: error instanceof Error ? error.message : String(error), bin};
	} finally {
		if (timer !== undefined) clearTimeout(timer);
	}
}

export interface StreamHandle {
	readonly pid: number | undefined;
	/** SIGKILL the child (idempotent). */
	kill(): void;
	/** Resolves when the child is gone; stdout/stderr in the outcome are empty (the caller keeps its own tails). */
	readonly done: Promise<RunOutcome>;
	/** Read stdout now, when it is read on the passes (what waits in the pipe is handed over at once). */
	readonly readNow?: () => void;
}

/**
Start the long-lived child and hand its output to the callbacks as UTF-8 chunks. `unfinished` (with the shared
schedule on): its stdout is read at the start of each of the schedule's passes instead, again soon while this says
something is half read (stream-on-passes.ts).
*/
export function startStream(
	bin: string,
	args: readonly string[],
	onStdout: (chunk: string) => void,
	onStderr: (chunk: string) => void,
	env?: NodeJS.ProcessEnv,
	unfinished?: () => Unfinished,
): StreamHandle {
	if (unfinished !== undefined && periodicTimersPhased()) return startStreamOnPasses(bin, args, onStdout, onStderr, unfinished, env);
	try {
		const subprocess = execa(bin, args, {
			reject: false,
			buffer: false,
			stdin: 'ignore',
			encoding: 'utf8',
			...(env !== undefined ? {env} : {}),
		});
		subprocess.stdout?.setEncoding('utf8');
		subprocess.stderr?.setEncoding('utf8');
		subprocess.stdout?.on('data', (chunk: string) => onStdout(chunk));
		subprocess.stderr?.on('data', (chunk: string) => onStderr(chunk));
		const done = subprocess.then(
			(result) => ({
				...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
				...(result.signal !== undefined ? {signal: result.signal} : {}),
				...(spawnCode(result) !== undefined ? {spawnErrorCode: spawnCode(result)} : {}),
				stdout: '',
				stderr: '',
				bin,
			}),
			(error: unknown) => ({spawnErrorCode: spawnCode(error) ?? 'EUNKNOWN', stdout: '', stderr: error instanceof Error ? error.message : String(error), bin}),
		);
		return {
			pid: subprocess.pid,
			kill: () => {
				subprocess.kill('SIGKILL');
			},
			done,
		};
	} catch (error) {
		return {
			pid: undefined,
			kill: () => undefined,
			done: Promise.resolve({spawnErrorCode: spawnCode(error) ?? 'EUNKNOWN', stdout: '', stderr: error instanceof Error ? error.message : String(error), bin}),
		};
	}
}
