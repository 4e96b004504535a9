/**
The encoding worker: the training entries of a big transaction (a burst) are encoded on a worker thread while the
main thread reads on; a small one (a trickle) is encoded here, as the transaction is built. Only that pure step moves:
the writer keeps the batch, the lease, the batch id, the retries and the accounting, and sends the bytes itself. The
worker gets a copy of each list's step records (step-records.ts) and sends back its RESP bytes (transferred, not
copied); `encodeStepRecords` is the same function on both sides, so the bytes are the same wherever they were made.

The worker runs the function's source text (eval: no second file, so the bundle and the single-file builds carry
it as they are), starts at the first big transaction, and is let go after IDLE_MS without one. A worker that fails
(an error, an exit, no answer within ANSWER_TIMEOUT_MS) is not used again: its transaction and every later one are
encoded here, and the failure is counted (`stats`): never a crash, never a lost or doubled entry (StepEntries.adopt).
*/
import {createRequire} from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import {type KvCommand} from '../bus/kv.js';
import {encodeStepRecords} from './step-records.js';
import {StepEntries} from './step-entries.js';

/**
node:worker_threads, loaded at the first big transaction, not with the writer: a dashboard that never has one does
not load it (test/terminal/tui-builtins.test.ts; README, "Its own code").
*/
const loadBuiltin = createRequire(import.meta.url);
const workerThreads = (): typeof WorkerThreads => loadBuiltin('node:worker_threads') as typeof WorkerThreads;

/** Training entries in one transaction from which they are encoded in the worker. */
const WORKER_MIN_ENTRIES = 1000;
/** Longest the worker may take to answer (its start included) before it is given up (ms). */
const ANSWER_TIMEOUT_MS = 5000;
/** The worker is let go after this long without a big transaction (ms). */
const IDLE_MS = 30_000;

/** What the encoder did: shown with the writer's stats. */
export interface EncoderStats {
	/** off: not started (or let go when idle); starting; running; failed: given up, everything is encoded here. */
	state: 'off' | 'starting' | 'running' | 'failed';
	/** Transactions whose entries the worker encoded, and those entries. */
	workerBatches: number;
	workerEntries: number;
	/**
	Big transactions encoded here: the worker could not be started, failed on this one or before (then every later one
	is counted here), or was let go meanwhile. workerBatches + inlineBigBatches: every big transaction.
	*/
	inlineBigBatches: number;
	/** Worker failures (each one also encodes its transaction here). */
	failures: number;
	lastError: string | undefined;
}

export interface EncoderOptions {
	readonly minEntries?: number;
	/** The worker's source (tests: a worker that fails). */
	readonly workerSource?: string;
	readonly answerTimeoutMs?: number;
}

/** The worker's program: encode each part, send the bytes back transferred. */
export function workerSource(): string {
	return [
		"const {parentPort} = require('node:worker_threads');",
		`const encodeStepRecords = (${encodeStepRecords.toString()});`,
		'parentPort.on("message", (message) => {',
		'\tconst outputs = message.parts.map((part) => encodeStepRecords(new Uint8Array(part), part.byteLength));',
		'\tparentPort.postMessage({id: message.id, parts: outputs.map((o) => o.buffer), lengths: outputs.map((o) => o.length)}, outputs.map((o) => o.buffer));',
		'});',
	].join('\n');
}

/** The answer of a worker let go on purpose (idle, or the writer stopping): not a failure. */
const LET_GO = new Error('the encoding worker was let go');

interface Waiting {
	readonly resolve: (answer: {parts: ArrayBuffer[]; lengths: number[]} | Error) => void;
	readonly timer: NodeJS.Timeout;
}

export class EntryEncoder {
	readonly stats: EncoderStats = {state: 'off', workerBatches: 0, workerEntries: 0, inlineBigBatches: 0, failures: 0, lastError: undefined};
	private worker: WorkerThreads.Worker | undefined;
	private readonly waiting = new Map<number, Waiting>();
	private nextId = 0;
	private idleTimer: NodeJS.Timeout | undefined;
	private readonly minEntries: number;
	private stopped = false;

	constructor(private readonly options: EncoderOptions = {}) {
		this.minEntries = options.minEntries ?? WORKER_MIN_ENTRIES;
	}

	/**
	Encode the transaction's recorded training entries: in the worker when they are at least `minEntries` and it runs,
	else here. Never rejects; when it resolves, every StepEntries in `commands` is encoded.
	*/
	async encode(commands: readonly KvCommand[]): Promise<void> {
		const lists: StepEntries[] = [];
		let entries = 0;
		for (const command of commands) {
			const part = command[0] === 'LPUSH' ? command[2] : undefined;
			if (part instanceof StepEntries && part.unencoded > 0) {
				lists.push(part);
				entries += part.unencoded;
			}
		}
		if (entries >= this.minEntries) {
			let encoded = false;
			if (this.stats.state !== 'failed' && !this.stopped) {
				this.keepAlive();
				// A starting worker queues the message and answers once up (tens of ms, once): meanwhile the main thread reads on.
				if (this.worker !== undefined) encoded = await this.inWorker(lists, entries);
			}
			// Not started, failed on this one or before, or let go meanwhile: every big transaction encoded here is counted.
			if (!encoded) this.stats.inlineBigBatches += 1;
		}
		// What the worker did not encode (small, not running, failed, changed meanwhile) is encoded here.
		for (const list of lists) list.encodeHere();
	}

	/** Let the worker go (the writer stops). */
	stop(): void {
		this.stopped = true;
		clearTimeout(this.idleTimer);
		this.idleTimer = undefined;
		this.letGo();
	}

	/** Whether the worker's bytes were taken (else the caller encodes the transaction here). */
	private async inWorker(lists: readonly StepEntries[], entries: number): Promise<boolean> {
		const worker = this.worker;
		if (worker === undefined) return false;
		const copies = lists.map((list) => list.copyRecords());
		const id = ++this.nextId;
		const answer = await new Promise<{parts: ArrayBuffer[]; lengths: number[]} | Error>((resolve) => {
			const timer = setTimeout(() => resolve(new Error(`no answer within ${this.options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS} ms`)), this.options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS);
			timer.unref();
			this.waiting.set(id, {resolve, timer});
			const parts = copies.map((copy) => copy.records.buffer as ArrayBuffer);
			try {
				worker.postMessage({id, parts}, parts);
			} catch (error) {
				resolve(error instanceof Error ? error : new Error(String(error)));
			}
		});
		const waiting = this.waiting.get(id);
		if (waiting !== undefined) clearTimeout(waiting.timer);
		this.waiting.delete(id);
		if (answer === LET_GO) return false;
		if (answer instanceof Error) {
			this.fail(answer.message);
			return false;
		}
		try {
			if (!Array.isArray(answer.parts) || !Array.isArray(answer.lengths) || answer.parts.length !== lists.length) throw new Error('a malformed answer');
			// Each list takes its bytes whole or not at all (adopt): what is left is encoded here by the caller.
			for (const [i, list] of lists.entries()) list.adopt(new Uint8Array(answer.parts[i]!, 0, answer.lengths[i]), copies[i]!.entries);
		} catch (error) {
			this.fail(error instanceof Error ? error.message : String(error));
			return false;
		}
		this.stats.workerBatches += 1;
		this.stats.workerEntries += entries;
		return true;
	}

	/** Start the worker when none runs, and (re)arm its idle release. */
	private keepAlive(): void {
		if (this.stats.state === 'off') this.start();
		clearTimeout(this.idleTimer);
		this.idleTimer = setTimeout(() => {
			this.idleTimer = undefined;
			if (this.stats.state !== 'failed') this.letGo();
		}, IDLE_MS);
		this.idleTimer.unref();
	}

	private start(): void {
		let worker: WorkerThreads.Worker;
		try {
			worker = new (workerThreads().Worker)(this.options.workerSource ?? workerSource(), {eval: true});
		} catch (error) {
			this.fail(error instanceof Error ? error.message : String(error));
			return;
		}
		this.worker = worker;
		this.stats.state = 'starting';
		// The worker never keeps the process alive: a stopping writer encodes what is left here.
		worker.unref();
		worker.on('online', () => {
			if (this.worker === worker && this.stats.state === 'starting') this.stats.state = 'running';
		});
		worker.on('message', (message: {id: number; parts: ArrayBuffer[]; lengths: number[]}) => this.waiting.get(message.id)?.resolve(message));
		worker.on('error', (error) => {
			if (this.worker === worker) this.fail(error.message);
		});
		worker.on('exit', (code) => {
			if (this.worker === worker) this.fail(`the encoding worker exited (code ${code})`);
		});
	}

	/** The worker failed: given up for good, what waits on it is encoded here. */
	private fail(reason: string): void {
		this.stats.failures += 1;
		this.stats.lastError = reason;
		this.letGo();
		this.stats.state = 'failed';
	}

	private letGo(): void {
		const worker = this.worker;
		this.worker = undefined;
		if (this.stats.state !== 'failed') this.stats.state = 'off';
		for (const {resolve} of this.waiting.values()) resolve(LET_GO);
		if (worker !== undefined) void worker.terminate();
	}
}
