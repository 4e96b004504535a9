/**
The command receiver's runner: the program (no shell) with the payload on its stdin, killed after a timeout, its
exit status and the end of its stderr captured (secrets removed), as an AttemptOutcome. It never throws: a program
that cannot be started is a "network" outcome in words ("program not found"), retried like any failure.

The program runs in a process group of its own (detached), and at the timeout the whole group is killed (SIGKILL):
a child it left behind (`sleep 30 &`) dies with it. Nothing waits for stdio past the timeout: a child that still
holds stderr after the program exited is given a moment, then its pipe is closed and the answer is the exit status.
*/
import {spawn} from 'node:child_process';
import {type AttemptOutcome} from './retry-policy.js';
import {type CommandRequest} from './delivery-request.js';
import {keptTail, requestSecrets, safeExcerpt} from './secrets.js';

/** Bytes of stderr kept (the last ones). */
const MAX_OUTPUT_BYTES = 16 * 1024;
/** After the program exits, how long its stderr may stay open (a child of its own holding it) before it is closed. */
const STDIO_GRACE_MS = 200;

/** Kills the program's process group (and the program itself, should the group be gone). */
function killGroup(pid: number | undefined): void {
	if (pid === undefined) return;
	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
}

/** The outcome of an attempt whose program was killed because mycotop stopped. */
const STOPPED: AttemptOutcome = {kind: 'network', reason: 'stopped with mycotop'};

/**
The command receivers' programs running now, so that stopping mycotop stops them too: a program that hangs would
otherwise keep mycotop's process alive after quitting (its pipes hold the event loop) until its timeout, and, with
mycotop killed, its process group would run on with no timeout at all. The attempt cut short is not recorded as sent,
so the notification is sent again after a restart or by the next writer.
*/
export class CommandRunner {
	private readonly children = new Map<number, () => void>();
	private stopped = false;

	/** `otherSecrets`: every receiver's secrets (configSecrets), removed from an excerpt before it is cut. */
	constructor(private readonly otherSecrets: readonly string[] = []) {}

	/** Programs running now. */
	get running(): number {
		return this.children.size;
	}

	readonly run = (request: CommandRequest, timeoutMs: number): Promise<AttemptOutcome> => {
		if (this.stopped) return Promise.resolve(STOPPED);
		return runCommand(
			request,
			timeoutMs,
			{
				started: (pid, stop) => this.children.set(pid, stop),
				ended: (pid) => this.children.delete(pid),
			},
			this.otherSecrets,
		);
	};

	/** Kill every running program's process group; each attempt answers at once. Nothing is started after. */
	stop(): void {
		this.stopped = true;
		for (const stop of [...this.children.values()]) stop();
		this.children.clear();
	}
}

interface Tracking {
	readonly started: (pid: number, stop: () => void) => void;
	readonly ended: (pid: number) => void;
}

export function runCommand(request: CommandRequest, timeoutMs: number, tracking?: Tracking, otherSecrets: readonly string[] = []): Promise<AttemptOutcome> {
	const [bin, ...args] = request.argv;
	if (bin === undefined) return Promise.resolve({kind: 'network', reason: 'no program to run'});
	const secrets = requestSecrets(request, otherSecrets);
	return new Promise<AttemptOutcome>((resolve) => {
		let settled = false;
		let stderr = Buffer.alloc(0);
		let stderrCut = false;
		let exit: {code: number | null; signal: NodeJS.Signals | null} | undefined;
		let grace: NodeJS.Timeout | undefined;
		let child: ReturnType<typeof spawn>;
		const finish = (outcome: AttemptOutcome) => {
			if (settled) return;
			settled = true;
			if (child.pid !== undefined) tracking?.ended(child.pid);
			clearTimeout(deadline);
			clearTimeout(grace);
			child.stderr?.destroy();
			child.stdin?.destroy();
			resolve(outcome);
		};
		const answer = () => {
			if (exit === undefined) return;
			if (exit.code === null) finish({kind: 'network', reason: exit.signal !== null ? `killed by ${exit.signal}` : 'program could not be run'});
			else finish({kind: 'exit', code: exit.code, excerpt: safeExcerpt(keptTail(stderr, stderrCut, secrets), secrets, 200, 'end')});
		};
		try {
			child = spawn(bin, args, {detached: true, stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true});
		} catch {
			resolve({kind: 'network', reason: 'program could not be run'});
			return;
		}
		const deadline = setTimeout(() => {
			killGroup(child.pid);
			finish({kind: 'timeout', afterMs: timeoutMs});
		}, timeoutMs);
		if (child.pid !== undefined)
			tracking?.started(child.pid, () => {
				killGroup(child.pid);
				finish(STOPPED);
			});
		child.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'ENOENT') finish({kind: 'network', reason: 'program not found'});
			else if (error.code === 'EACCES') finish({kind: 'network', reason: 'program not executable'});
			else finish({kind: 'network', reason: 'program could not be run'});
		});
		child.stderr?.on('data', (chunk: Buffer) => {
			stderr = Buffer.concat([stderr, chunk]);
			if (stderr.length > MAX_OUTPUT_BYTES) {
				stderr = stderr.subarray(stderr.length - MAX_OUTPUT_BYTES);
				stderrCut = true;
			}
		});
		child.stderr?.on('error', () => undefined);
		child.on('exit', (code, signal) => {
			exit = {code, signal};
			grace = setTimeout(answer, STDIO_GRACE_MS);
		});
		child.on('close', answer);
		// A program that does not read its stdin closes the pipe early: EPIPE is not a failure of the attempt.
		child.stdin?.on('error', () => undefined);
		child.stdin?.end(request.stdin);
	});
}
