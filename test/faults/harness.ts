/**
Shared pieces of the fault tests: a runtime on a real redis-server, a sequenced publisher, the CLI as a child
process, and the TUI inside a private tmux server (so the screen is the real terminal's).
*/
import {execFile, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {Redis, type RedisOptions} from 'ioredis';
import {Runtime, type RuntimeOptions} from '../../src/runtime.js';
import {INPUT_CHANNELS} from '../../src/contract/names.js';

export const ROOT = join(import.meta.dirname, '..', '..');
/** The CLI as shipped (package.json "bin": the bundle that `npm run build` makes). */
export {CLI} from '../helpers/cli.js';
import {CLI} from '../helpers/cli.js';

/** The CLI must be built (npm test and npm run test:faults build first). */
export function requireBuild(): void {
	if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
}

export async function startRuntime(redisUrl: string | undefined, options: Partial<RuntimeOptions> = {}): Promise<Runtime> {
	const runtime = new Runtime({redisUrl, readOnly: false, demo: false, instanceId: `fault-${randomBytes(3).toString('hex')}`, ...options});
	await runtime.start(3000);
	return runtime;
}

/** A plain client that never queues: for the test's own publishes and checks. */
export function plainClient(url: string, extra: RedisOptions = {}): Redis {
	const client = new Redis(url, {maxRetriesPerRequest: 1, retryStrategy: () => 100, enableOfflineQueue: true, ...extra});
	client.on('error', () => {});
	return client;
}

export async function numsub(client: Redis, channel: string): Promise<number> {
	const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
	return Number(reply[1]);
}

/** Publishes numbered training events at a steady rate; counts what Redis delivered to at least one subscriber. */
export class SequencePublisher {
	seq = 0;
	delivered = 0;
	failed = 0;
	/** Publishes Redis has answered (delivered, to nobody, or failed). */
	answered = 0;
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly client: Redis,
		private readonly projectId = 'seq',
		private readonly perTick = 5,
		private readonly everyMs = 10,
	) {}

	start(): void {
		this.timer = setInterval(() => {
			for (let i = 0; i < this.perTick; i++) {
				const step = ++this.seq;
				this.client
					.publish(INPUT_CHANNELS.trainingProgress, JSON.stringify({projectId: this.projectId, step, loss: 1 / step}))
					.then(
						(receivers) => {
							this.answered += 1;
							if (receivers > 0) this.delivered += 1;
						},
						() => {
							this.answered += 1;
							this.failed += 1;
						},
					);
			}
		}, this.everyMs);
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
	}

	/** Stop, then wait until Redis has answered every publish sent (so none is still on its way after this). */
	async stopAndSettle(timeoutMs = 5000): Promise<void> {
		this.stop();
		const deadline = Date.now() + timeoutMs;
		while (this.answered < this.seq && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** Largest delay of a 20 ms interval timer while `body` runs: how long the event loop was blocked. */
export async function maxTimerLag<T>(body: () => Promise<T>): Promise<{result: T; maxLagMs: number}> {
	let last = performance.now();
	let maxLagMs = 0;
	const timer = setInterval(() => {
		const now = performance.now();
		maxLagMs = Math.max(maxLagMs, now - last - 20);
		last = now;
	}, 20);
	try {
		const result = await body();
		return {result, maxLagMs};
	} finally {
		clearInterval(timer);
	}
}

/** The CLI as a child process: the shared spawner of test/helpers/cli.ts. */
export {startCli as spawnCli, type RunningCli as CliProcess} from '../helpers/cli.js';

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMb(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = /VmRSS:\s+(\d+) kB/.exec(status);
	return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** True when tmux can run the real-terminal checks; like redis-server, a missing tmux fails the run under CI=true. */
export function tmuxAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
	if (spawnSync('tmux', ['-V'], {stdio: 'ignore'}).status === 0) return true;
	const message = 'tmux was not found on PATH. Install it (Debian/Ubuntu: sudo apt-get install -y tmux).';
	if ((env['CI_ORIGINAL'] ?? env['CI']) === 'true') throw new Error(`CI=true and ${message}`);
	process.stderr.write(`\n\n*** SKIPPING real-terminal checks: ${message} ***\n\n`);
	return false;
}

/** A private tmux server running one command in a window of the given size. */
export class TmuxPane {
	private readonly socket = `mycotop-fault-${process.pid}-${randomBytes(3).toString('hex')}`;

	constructor(command: string, cols = 120, rows = 40, env: Record<string, string> = {}) {
		const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
		this.tmux(['new-session', '-d', '-x', String(cols), '-y', String(rows), ...envArgs, command]);
	}

	private tmux(args: readonly string[]): string {
		const result = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {encoding: 'utf8'});
		if (result.status !== 0) throw new Error(`tmux ${args[0]}: ${result.stderr}`);
		return result.stdout;
	}

	/** The visible screen as text. */
	capture(): string {
		try {
			return this.tmux(['capture-pane', '-p']);
		} catch {
			return '';
		}
	}

	/**
	The visible screen as text, without blocking this process's event loop (use it where the test measures event-loop
	delay: a synchronous tmux call would be counted as the program's own stall).
	*/
	captureAsync(): Promise<string> {
		// The program gone (its session ended) reads as an empty screen; any other tmux failure is the test's problem.
		return this.tmuxAsync(['capture-pane', '-p']).catch((error: Error) => {
			if (/no server running|can't find|no sessions|error connecting/i.test(error.message)) return '';
			throw error;
		});
	}

	/** `keys` without blocking the event loop. */
	async keysAsync(...keys: string[]): Promise<void> {
		await this.tmuxAsync(['send-keys', ...keys]);
	}

	private tmuxAsync(args: readonly string[]): Promise<string> {
		return new Promise((resolve, reject) => {
			execFile('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {encoding: 'utf8'}, (error, stdout, stderr) =>
				error ? reject(new Error(`tmux ${args[0]}: ${stderr}`)) : resolve(stdout),
			);
		});
	}

	pid(): number {
		return Number(this.tmux(['display-message', '-p', '#{pane_pid}']).trim());
	}

	/** Copy every byte the program writes to the terminal into `file` from now on. */
	pipeTo(file: string): void {
		this.tmux(['pipe-pane', '-o', `cat >> '${file}'`]);
	}

	keys(...keys: string[]): void {
		this.tmux(['send-keys', ...keys]);
	}

	kill(): void {
		spawnSync('tmux', ['-L', this.socket, 'kill-server'], {stdio: 'ignore'});
	}
}
