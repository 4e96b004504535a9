/**
A long-lived nvidia-smi child whose output is read once a second, at the start of the shared schedule's pass,
instead of as it comes.

The `--headless` collector woke three times a second with nothing else to do: on the whole second (the rules, the
leases, the heartbeats), on the `-lms` child's frame and on the `dmon` child's lines, each printed at a moment of
its own (nvidia-smi sleeps its interval after each query, so its second drifts against the wall clock). A wake-up
of an idle Node process costs CPU of its own, apart from the work it brings (BENCHMARKS.md, sixteenth and
seventeenth sessions). Here the child's stdout pipe is never watched by the event loop: at the start of each pass
(periodic.ts onEachPass), before the jobs due run, what the pipe holds is read with one synchronous read (the pipe
is non-blocking: an empty one answers EAGAIN at once) and handed to the consumer. The pipe holds what nvidia-smi
printed meanwhile (a frame of 8 GPUs is 2-3 KiB; the kernel's pipe buffer 64 KiB). So a frame reaches the store
up to a second after nvidia-smi printed it, before that second's rules and fleet line, in the wake-up the process
has anyway. Caught mid-write (a frame short of rows, half a line: the consumer's `idle()` says so), the pipe is
read again after READ_AGAIN_MS until it is whole.

Stopping a pipe's reads in the event loop (the handle's readStop) does not help: libuv takes the descriptor out of
epoll only when its next data comes, which is the very wake-up to avoid. So the pipe's handle is stopped before the
event loop ever watches it (Node's socket starts reading it as it is made), and read by its file descriptor.
Node has no public name for either (`_handle`, its `readStop` and `fd`): present on pipe handles on every Node.js
line (20, 22 and 24 included; a test fails if they move). Without them the output is read as it comes. The child's
end is its exit (the 'exit' event, one wake-up): the rest of the pipe is read, then the pipe is closed. stderr is
read as it comes (nvidia-smi writes there only when something is wrong).

Started with node:child_process itself, not execa (nvidia-smi-runner.ts's other runs): execa waits for the stream
to end, reading it.
*/
import {spawn} from 'node:child_process';
import {readSync} from 'node:fs';
import {StringDecoder} from 'node:string_decoder';
import {type RunOutcome} from './failure.js';
import {onEachPass} from '../periodic.js';

/** How soon a pipe caught mid-frame is read again (ms). */
export const READ_AGAIN_MS = 20;

/** At most this many reads again between two passes. */
export const READS_AGAIN = 10;

/** The pipe handle's internals used here (see the module comment). */
interface PipeHandle {
	readStop(): number;
	readonly fd: number;
	reading?: boolean;
}

/** The pipe's handle, with a usable descriptor, when Node gives one; else undefined. */
export function pipeHandleOf(stream: unknown): PipeHandle | undefined {
	const handle = (stream as {_handle?: Partial<PipeHandle> | null} | null)?._handle;
	if (handle === undefined || handle === null || typeof handle.readStop !== 'function') return undefined;
	const fd = handle.fd;
	return typeof fd === 'number' && fd >= 0 ? (handle as PipeHandle) : undefined;
}

export interface PassStreamHandle {
	readonly pid: number | undefined;
	kill(): void;
	readonly done: Promise<RunOutcome>;
	/** Whether stdout is read on the passes (false: as it comes, the handle's internals were missing). */
	readonly onPasses: boolean;
}

function errorCode(error: unknown): string | undefined {
	const code = (error as {code?: unknown} | undefined)?.code;
	return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
Start `bin args`, its stdout read at each pass as described above. `idle()`: the consumer holds nothing half read.
Never throws: a failed start comes back in `done` (spawnErrorCode), as from nvidia-smi-runner's startStream.
*/
export function startStreamOnPasses(
	bin: string,
	args: readonly string[],
	onStdout: (chunk: string) => void,
	onStderr: (chunk: string) => void,
	idle: () => boolean,
	env?: NodeJS.ProcessEnv,
): PassStreamHandle {
	let child: ReturnType<typeof spawn>;
	try {
		child = spawn(bin, args, {stdio: ['ignore', 'pipe', 'pipe'], ...(env !== undefined ? {env} : {})});
	} catch (error) {
		return {pid: undefined, kill: () => undefined, onPasses: false, done: Promise.resolve({spawnErrorCode: errorCode(error) ?? 'EUNKNOWN', stdout: '', stderr: error instanceof Error ? error.message : String(error), bin})};
	}
	const stdout = child.stdout!;
	const stderr = child.stderr!;
	stderr.setEncoding('utf8');
	stderr.on('data', (chunk: string) => onStderr(chunk));
	const handle = pipeHandleOf(stdout);
	let stopPasses: (() => void) | undefined;
	let again: NodeJS.Timeout | undefined;
	if (handle === undefined) {
		stdout.setEncoding('utf8');
		stdout.on('data', (chunk: string) => onStdout(chunk));
	} else {
		// Node's socket asked libuv to read the pipe as it was made; stopped before the event loop watches it. Node's own
		// flag stays "reading", so Node does not start it again.
		handle.readStop();
		const decoder = new StringDecoder('utf8');
		const buffer = Buffer.allocUnsafe(64 * 1024);
		let closed = false;
		/** Read what the pipe holds; true at its end (the child and every copy of the pipe's write end gone). */
		const drain = (): boolean => {
			for (;;) {
				let n: number;
				try {
					n = readSync(handle.fd, buffer, 0, buffer.length, null);
				} catch (error) {
					// EAGAIN: empty for now. Anything else (the descriptor gone): as its end.
					return errorCode(error) !== 'EAGAIN';
				}
				if (n === 0) return true;
				onStdout(decoder.write(buffer.subarray(0, n)));
				if (n < buffer.length) return false;
			}
		};
		let readsAgain = 0;
		const read = (fromPass: boolean): void => {
			clearTimeout(again);
			again = undefined;
			if (closed) return;
			if (drain()) {
				close();
				return;
			}
			readsAgain = fromPass ? 0 : readsAgain + 1;
			// Caught mid-frame: again soon, at most READS_AGAIN times a pass (a GPU lost mid-run leaves frames short of a
			// row until the consumer's own quiet-spell flush).
			if (!idle() && readsAgain < READS_AGAIN) {
				again = setTimeout(() => read(false), READ_AGAIN_MS);
				again.unref();
			}
		};
		const close = (): void => {
			if (closed) return;
			closed = true;
			clearTimeout(again);
			stopPasses?.();
			const rest = decoder.end();
			if (rest !== '') onStdout(rest);
			stdout.destroy();
		};
		stopPasses = onEachPass(() => read(true));
		// The child's exit: what it printed last is in the pipe.
		child.once('exit', () => {
			// Whatever it printed last is in the pipe (EAGAIN instead of the end: a grandchild holds the pipe; not read on).
			if (!closed) drain();
			close();
		});
		child.once('error', () => close());
	}
	const done = new Promise<RunOutcome>((resolve) => {
		let settled = false;
		child.once('error', (error) => {
			if (settled) return;
			settled = true;
			resolve({spawnErrorCode: errorCode(error) ?? 'EUNKNOWN', stdout: '', stderr: error.message, bin});
		});
		child.once('close', (code, signal) => {
			if (settled) return;
			settled = true;
			resolve({...(code !== null ? {exitCode: code} : {}), ...(signal !== null ? {signal} : {}), stdout: '', stderr: '', bin});
		});
	});
	return {
		pid: child.pid,
		kill: () => {
			child.kill('SIGKILL');
		},
		done,
		onPasses: handle !== undefined,
	};
}
