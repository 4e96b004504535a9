/**
Delivery: the queue between the notifications the pure core emits and the receivers. One FIFO per receiver (so
PagerDuty gets trigger, acknowledge, resolve in that order), whose head is tried when due:

  viewer        holds its queue (it computed the same notifications as the writer) and drops each one the
                sent-record says is done; should it become the writer, what is left is what was never delivered
  writer        claims the head in the sent-record (writer/sent-records.ts), sends it, and settles the record:
                  delivered            -> "sent", receiver ok
                  5xx, timeout, refused -> retried after backoff (retry-policy.ts), the head waits
                  4xx other than 429   -> "abandoned", receiver misconfigured
                  older than its route's repeat interval, still failing -> "abandoned", receiver failing
                the record says "sent" already -> dropped (another writer delivered it before a handover)
                another instance's live claim  -> waits for it to be settled or to expire

Nothing here touches the network, a process or Redis itself: the senders, the sent-record and the clock are given
(DeliveryDeps), so every decision is tested with stand-ins and the I/O with real servers.
*/
import {type Notification, type ReceiverState, type ReceiverType} from './notify-types.js';
import {type DeliveryRequest} from './delivery-request.js';
import {DEFAULT_RETRY_POLICY, giveUpAfterMs, isRateLimited, outcomeText, verdict, type AttemptOutcome, type RetryPolicy} from './retry-policy.js';
import {initialState, withDropped, withError, withQueued, withRateLimit, withSuccess} from './receiver-state.js';
import {settledKeepMs, type SentRecords} from '../writer/sent-records.js';

export interface DeliveryReceiver {
	readonly name: string;
	readonly type: ReceiverType;
	/** Per-attempt timeout (ms). */
	readonly timeoutMs?: number;
}

export interface DeliveryDeps {
	readonly receivers: readonly DeliveryReceiver[];
	/** The requests for one notification (the core's builders), sent in order; empty: nothing to send for it. */
	readonly requestsFor: (notification: Notification) => readonly DeliveryRequest[];
	/** Sends one request (HTTP or command, by its shape); never throws. */
	readonly send: (request: DeliveryRequest, timeoutMs: number) => Promise<AttemptOutcome>;
	readonly records: () => SentRecords;
	readonly isWriter: () => boolean;
	readonly now?: () => number;
	readonly random?: () => number;
	readonly policy?: RetryPolicy;
	/** Called when a receiver's state changes (the store's touch: a new snapshot). */
	readonly changed?: () => void;
	/** Removes every receiver secret from a text (the core's redactText over the config's secrets); errors pass through it. */
	readonly redact?: (text: string) => string;
	/** Called once per delivery attempt's end (for the journal). */
	readonly attempted?: (receiver: string, notification: Notification, text: string) => void;
}

interface Item {
	readonly notification: Notification;
	readonly enqueuedMs: number;
	/** Built when first worked on (the core's builders are pure: the same notification gives the same requests). */
	requests?: readonly DeliveryRequest[];
	/** The request being worked on; those before it are settled. */
	index: number;
	attempts: number;
	dueMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Per receiver: a queue longer than this drops its oldest (counted in the receiver's state: `dropped`). */
const MAX_QUEUED = 1000;
/**
A viewer's held notification is dropped after this long, or after its route's repeat interval when longer (the
writer retries it that long): by then the writer has delivered or abandoned it.
*/
const HOLD_MS = 30 * 60_000;
/** How often a viewer asks the sent-record about what it holds, and a busy claim is asked about again. */
const RECHECK_MS = 2000;

export class Delivery {
	private readonly queues = new Map<string, Item[]>();
	private readonly states = new Map<string, ReceiverState>();
	private readonly busy = new Set<string>();
	private readonly now: () => number;
	private readonly random: () => number;
	private readonly policy: RetryPolicy;
	private lastViewerCheck = 0;
	/** Notifications dropped because a queue was full. */
	dropped = 0;

	constructor(private readonly deps: DeliveryDeps) {
		this.now = deps.now ?? Date.now;
		this.random = deps.random ?? Math.random;
		this.policy = deps.policy ?? DEFAULT_RETRY_POLICY;
		for (const r of deps.receivers) {
			this.queues.set(r.name, []);
			this.states.set(r.name, initialState(r.name, r.type));
		}
	}

	private receiver(name: string): DeliveryReceiver | undefined {
		return this.deps.receivers.find((r) => r.name === name);
	}

	/** Queue notifications (for receivers not configured: ignored). */
	enqueue(notifications: readonly Notification[]): void {
		const now = this.now();
		for (const n of notifications) {
			const queue = this.queues.get(n.receiver);
			if (queue === undefined) continue;
			if (queue.length >= MAX_QUEUED) {
				queue.shift();
				this.dropped += 1;
				this.setState(n.receiver, withDropped(this.states.get(n.receiver)!));
			}
			queue.push({notification: n, enqueuedMs: now, index: 0, attempts: 0, dueMs: now});
		}
		this.syncQueued();
	}

	/** Every receiver's state, in the config's order. */
	receiverStates(): ReceiverState[] {
		return this.deps.receivers.map((r) => this.states.get(r.name)!);
	}

	/** Notifications waiting, all receivers together. */
	pending(): number {
		let n = 0;
		for (const q of this.queues.values()) n += q.length;
		return n;
	}

	private failed(name: string, error: string, atMs: number, misconfigured: boolean): void {
		this.setState(name, withError(this.states.get(name)!, this.deps.redact?.(error) ?? error, atMs, misconfigured));
	}

	private setState(name: string, next: ReceiverState): void {
		if (this.states.get(name) === next) return;
		this.states.set(name, next);
		this.deps.changed?.();
	}

	private syncQueued(): void {
		for (const [name, queue] of this.queues) this.setState(name, withQueued(this.states.get(name)!, queue.length));
	}

	/**
	One round: every receiver whose head is due and not in flight is worked on, each on its own (a receiver still
	in flight from an earlier round is left to it). The caller runs this on a timer (every few hundred ms) without
	waiting for it; the promise resolves when the round's sends have finished (for tests).
	*/
	async tick(): Promise<void> {
		if (!this.deps.isWriter()) {
			await this.viewerRound();
			return;
		}
		await Promise.all([...this.queues.keys()].map((name) => (this.busy.has(name) ? undefined : this.work(name))));
	}

	private async viewerRound(): Promise<void> {
		const now = this.now();
		if (now - this.lastViewerCheck < RECHECK_MS) return;
		this.lastViewerCheck = now;
		// Held too long, or delivered by the writer (its last request's record is settled): dropped. Items queued while
		// the record is read are kept (the queues are filtered afterwards, not replaced).
		const drop = new Set<Item>();
		const asked: Item[] = [];
		const ids: Array<ReturnType<typeof recordId>> = [];
		for (const queue of this.queues.values()) {
			for (const item of queue) {
				if (now - item.enqueuedMs > Math.max(HOLD_MS, giveUpAfterMs(item.notification.repeatIntervalMs))) {
					drop.add(item);
					continue;
				}
				const last = (item.requests ??= this.deps.requestsFor(item.notification)).at(-1);
				if (last === undefined) drop.add(item);
				else {
					asked.push(item);
					ids.push(recordId(item.notification, last));
				}
			}
		}
		try {
			const done = await this.deps.records().done(ids);
			asked.forEach((item, i) => {
				if (done[i] === true) drop.add(item);
			});
		} catch {
			// Redis away: keep holding.
		}
		// In place: a writer's work loop may hold the same array.
		for (const queue of this.queues.values()) for (let i = queue.length - 1; i >= 0; i--) if (drop.has(queue[i]!)) queue.splice(i, 1);
		this.syncQueued();
	}

	/** Work the receiver's queue head by head until one must wait. */
	private async work(name: string): Promise<void> {
		this.busy.add(name);
		try {
			for (;;) {
				const queue = this.queues.get(name)!;
				const head = queue[0];
				if (head === undefined || head.dueMs > this.now() || !this.deps.isWriter()) return;
				const next = await this.attempt(name, head);
				if (next === 'wait') return;
				// By identity: a viewer round (the role changed meanwhile) may have removed it already.
				const at = queue.indexOf(head);
				if (at >= 0) queue.splice(at, 1);
				this.syncQueued();
			}
		} finally {
			this.busy.delete(name);
		}
	}

	/** Work the head's requests in order: 'done' (each delivered, dropped or given up) or 'wait' (its dueMs was moved). */
	private async attempt(name: string, item: Item): Promise<'done' | 'wait'> {
		const requests = (item.requests ??= this.deps.requestsFor(item.notification));
		while (item.index < requests.length) {
			const step = await this.attemptOne(name, item, requests[item.index]!);
			if (step === 'wait') return 'wait';
			item.index += 1;
			item.attempts = 0;
		}
		return 'done';
	}

	private async attemptOne(name: string, item: Item, request: DeliveryRequest): Promise<'done' | 'wait'> {
		const receiver = this.receiver(name)!;
		const timeoutMs = ('timeoutMs' in request ? request.timeoutMs : undefined) ?? receiver.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		const id = recordId(item.notification, request);
		const records = this.deps.records();
		let claim;
		try {
			// The claim outlives one attempt: a writer killed in the attempt leaves a claim that lapses soon after.
			claim = await records.claim(id, timeoutMs + 5000);
		} catch (error) {
			item.dueMs = this.now() + RECHECK_MS;
			// Redis away, or refusing (an ACL without EVAL: NOPERM; OOM; READONLY): nothing is sent unrecorded.
			const why = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 100) : 'unreachable';
			this.failed(name, `the sent-record in Redis is unavailable (${why}): waiting before sending`, this.now(), false);
			return 'wait';
		}
		if (claim === 'sent') return 'done';
		if (claim === 'busy' || claim === 'not-writer') {
			item.dueMs = this.now() + RECHECK_MS;
			return 'wait';
		}
		item.attempts += 1;
		const outcome = await this.deps.send(request, timeoutMs);
		const now = this.now();
		const ageMs = now - item.enqueuedMs;
		const v = verdict(outcome, item.attempts, this.policy, now, this.random(), ageMs, giveUpAfterMs(item.notification.repeatIntervalMs));
		this.deps.attempted?.(name, item.notification, v.action === 'delivered' ? 'delivered' : outcomeText(outcome));
		if (v.action === 'retry') {
			item.dueMs = now + v.delayMs;
			// A 429 is a rate limit: the receiver is busy, not failing (its state says when it is tried again).
			if (isRateLimited(outcome)) this.setState(name, withRateLimit(this.states.get(name)!, now, item.dueMs));
			else this.failed(name, `${v.error}; retrying in ${Math.ceil(v.delayMs / 1000)} s`, now, false);
			return 'wait';
		}
		const settled = v.action === 'delivered' ? 'sent' : 'abandoned';
		await records.settle(id, settled, settledKeepMs(item.notification.repeatIntervalMs)).catch(() => undefined);
		if (v.action === 'delivered') this.setState(name, withSuccess(this.states.get(name)!, now));
		else this.failed(name, v.error, now, v.misconfigured);
		return 'done';
	}
}

/** One request's sent-record: the notification's receiver, group and content, and the request's key. */
function recordId(n: Notification, request: DeliveryRequest): {receiver: string; groupKey: string; contentHash: string} {
	return {receiver: n.receiver, groupKey: n.groupKey, contentHash: request.key === undefined ? n.contentHash : `${n.contentHash}\u0000${request.key}`};
}

/** The sender for a request by its shape: HTTP or a command. */
export function sendBy(http: (r: Extract<DeliveryRequest, {url: string}>, t: number) => Promise<AttemptOutcome>, command: (r: Extract<DeliveryRequest, {argv: readonly string[]}>, t: number) => Promise<AttemptOutcome>) {
	return (request: DeliveryRequest, timeoutMs: number): Promise<AttemptOutcome> => ('url' in request ? http(request, timeoutMs) : command(request, timeoutMs));
}
