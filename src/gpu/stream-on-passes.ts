/**
A long-lived nvidia-smi child whose output is read at the start of each pass of the shared schedule instead of as it
comes.

The `--headless` collector woke three times a second with nothing else to do: on the whole second (the rules, the
leases, the heartbeats), on the `-lms` child's frame and on the `dmon` child's lines, each printed at a moment of
its own (nvidia-smi sleeps its interval after each query, so its second drifts against the wall clock). A wake-up
of an idle Node process costs CPU of its own, apart from the work it brings (BENCHMARKS.md, sixteenth and
seventeenth sessions). Here the child's stdout is never watched by the event loop: at the start of each pass
(periodic.ts onEachPass), before the jobs due run, what it holds is read with synchronous reads (the descriptor is
non-blocking: an empty one answers EAGAIN at once) and handed to the consumer. Meanwhile the kernel holds what
nvidia-smi printed (a frame of 8 GPUs is 2-3 KiB; libuv makes a child's stdio "pipe" a socket pair on Linux, whose
buffer holds far more, and a read takes all of it). So a frame reaches the store up to a second after nvidia-smi
printed it, before that pass's rules, fleet line and redraw, in the wake-up the process has anyway. Caught
mid-write, it is read again after READ_AGAIN_MS (`readsAgain`: while half a line waits, or while a frame short of
rows is still growing).

Stopping the reads in the event loop (the handle's readStop, as bus/coalesced-reads.ts does for the subscriber)
does not help here: libuv takes a descriptor out of epoll only when its next data comes, which is the very wake-up to
avoid. So the handle is stopped before the event loop ever watches it (Node's socket starts reading as it is made),
and read by its file descriptor. Node has no public name for either (`_handle`, its `readStop` and `fd`): present
on pipe handles on every Node.js line (20, 22 and 24 included; a test fails if they move, and it runs on each).
Without them the output is read as it comes. The child's end is its exit (the 'exit' event, one wake-up): the rest
is read, then the socket closed. stderr is read as it comes (nvidia-smi writes there only when something is wrong).

Started with node:child_process itself, not execa (nvidia-smi-runner.ts's other runs): execa reads the stream to
wait for its end. What execa did besides is done here: the environment given is merged over the process's, a start
that fails is an outcome (never a throw or an unheard 'error'), and the child is killed if this process exits first.
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

/** At most this much is read at once (bytes); the rest READ_AGAIN_MS later. */
const MAX_BYTES_A_READ = 1024 * 1024;

/**
What the consumer holds half read: nothing; half a line (the rest is being written: read again until it comes, at
most READS_AGAIN times); or whole lines of a frame short of rows (read again while reads bring more: a read that
finds the pipe empty leaves the short frame to the consumer's own quiet-spell flush, a GPU lost mid-run).
*/
export type Unfinished = 'nothing' | 'line' | 'rows';

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
	/** Read stdout now (read on the passes only): what waits is handed over at once. */
	readonly readNow?: () => void;
}

function errorCode(error: unknown): string | undefined {
	const code = (error as {code?: unknown} | undefined)?.code;
	return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** A read that found the pipe empty for now (not its end). */
const EMPTY_FOR_NOW = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** Whether to read again soon after a read (`brought`: it read something), given what the consumer holds. Pure. */
export function readsAgain(unfinished: Unfinished, brought: boolean, readsSoFar: number): boolean {
	if (readsSoFar >= READS_AGAIN || unfinished === 'nothing') return false;
	return unfinished === 'line' || brought;
}

/**
Start `bin args`, its stdout read at each pass as described above. `unfinished()`: what the consumer holds half read.
`env` is merged over process.env (as execa does for the other runs). Never throws: a failed start (ENOENT, EACCES,
no file descriptors left) comes back in `done` (spawnErrorCode), as from nvidia-smi-runner's startStream.
*/
export function startStreamOnPasses(
	bin: string,
	args: readonly string[],
	onStdout: (chunk: string) => void,
	onStderr: (chunk: string) => void,
	unfinished: () => Unfinished,
	env?: NodeJS.ProcessEnv,
): PassStreamHandle {
	let child: ReturnType<typeof spawn>;
	try {
		child = spawn(bin, args, {stdio: ['ignore', 'pipe', 'pipe'], ...(env !== undefined ? {env: {...process.env, ...env}} : {})});
	} catch (error) {
		return {pid: undefined, kill: () => undefined, onPasses: false, done: Promise.resolve({spawnErrorCode: errorCode(error) ?? 'EUNKNOWN', stdout: '', stderr: error instanceof Error ? error.message : String(error), bin})};
	}
	// A start that failed (ENOENT, EACCES; EMFILE or ENFILE: no pipes made at all) has no pid and emits 'error' on the
	// next tick, heard here (an unheard 'error' would be thrown).
	if (child.pid === undefined) {
		const done = new Promise<RunOutcome>((resolve) => {
			child.once('error', (error) => resolve({spawnErrorCode: errorCode(error) ?? 'EUNKNOWN', stdout: '', stderr: error.message, bin}));
		});
		child.stdout?.destroy();
		child.stderr?.destroy();
		return {pid: undefined, kill: () => undefined, onPasses: false, done};
	}
	// A kill that fails later changes nothing here (the hang check or the silence check tries again).
	child.on('error', () => undefined);
	const stdout = child.stdout!;
	const stderr = child.stderr!;
	stderr.setEncoding('utf8');
	stderr.on('data', (chunk: string) => onStderr(chunk));
	const handle = pipeHandleOf(stdout);
	if (handle === undefined) {
		stdout.setEncoding('utf8');
		stdout.on('data', (chunk: string) => onStdout(chunk));
	}
	const readNow = handle === undefined ? undefined : readOnPasses(child, stdout, handle, onStdout, unfinished);
	killedAtExit(child);
	const done = new Promise<RunOutcome>((resolve) => {
		child.once('close', (code, signal) => resolve({...(code !== null ? {exitCode: code} : {}), ...(signal !== null ? {signal} : {}), stdout: '', stderr: '', bin}));
	});
	return {
		pid: child.pid,
		kill: () => {
			child.kill('SIGKILL');
		},
		done,
		onPasses: handle !== undefined,
		...(readNow !== undefined ? {readNow} : {}),
	};
}

/** The children started here that have not exited: killed if this process exits first (execa's `cleanup`). */
const running = new Set<ReturnType<typeof spawn>>();
let exitHooked = false;

/**
`child` killed if this process exits before it: it would otherwise run until its next write fails. One listener on
the process for all of them (a child stuck in the kernel never exits, and a listener each would pile up).
*/
function killedAtExit(child: ReturnType<typeof spawn>): void {
	running.add(child);
	child.once('exit', () => running.delete(child));
	if (exitHooked) return;
	exitHooked = true;
	process.once('exit', () => {
		for (const c of running) c.kill('SIGKILL');
	});
}

/** The stdout pipe read at the start of each pass and on its end, as the module comment says. Returns a read now. */
function readOnPasses(child: ReturnType<typeof spawn>, stdout: NodeJS.ReadableStream & {destroy(): void}, handle: PipeHandle, onStdout: (chunk: string) => void, unfinished: () => Unfinished): () => void {
	// Node's socket asked libuv to read the pipe as it was made; stopped before the event loop watches it. Node's own
	// flag stays "reading", so Node does not start it again.
	handle.readStop();
	const decoder = new StringDecoder('utf8');
	const buffer = Buffer.allocUnsafe(64 * 1024);
	let closed = false;
	let again: NodeJS.Timeout | undefined;
	let readsSoFar = 0;
	/** Read what the pipe holds: 'end' (the child and every copy of the pipe's write end gone), else whether it read any. */
	const drain = (): 'end' | 'read' | 'empty' | 'more' => {
		let brought = 0;
		for (;;) {
			// A child that writes faster than it is read must not hold the event loop: the rest after READ_AGAIN_MS.
			if (brought >= MAX_BYTES_A_READ) return 'more';
			let n: number;
			try {
				n = readSync(handle.fd, buffer, 0, buffer.length, null);
			} catch (error) {
				const code = errorCode(error);
				// Empty for now; anything else (the descriptor gone): as its end.
				if (code !== undefined && EMPTY_FOR_NOW.has(code)) return brought > 0 ? 'read' : 'empty';
				return 'end';
			}
			if (n === 0) return 'end';
			brought += n;
			onStdout(decoder.write(buffer.subarray(0, n)));
		}
	};
	const read = (fromPass: boolean): void => {
		clearTimeout(again);
		again = undefined;
		if (closed) return;
		const outcome = drain();
		if (outcome === 'end') {
			close();
			return;
		}
		readsSoFar = fromPass ? 0 : readsSoFar + 1;
		if (outcome === 'more' || readsAgain(unfinished(), outcome === 'read', readsSoFar)) {
			again = setTimeout(() => read(false), READ_AGAIN_MS);
			again.unref();
		}
	};
	const stopPasses = onEachPass(() => read(true));
	const close = (): void => {
		if (closed) return;
		closed = true;
		clearTimeout(again);
		stopPasses();
		const rest = decoder.end();
		if (rest !== '') onStdout(rest);
		stdout.destroy();
	};
	// The child's exit: what it printed last is in the pipe (a grandchild holding the pipe open: not read on).
	child.once('exit', () => {
		if (!closed) drain();
		close();
	});
	return () => read(false);
}
