/**
One writer per Redis. A lease (SET NX PX, renewed by compare-and-pexpire) names the instance that writes; the
others are viewers and try to take it over every renew period, so a viewer becomes the writer within
`ttlMs + renewMs` of the writer's death (at once when the writer shuts down cleanly and releases it).

The holder trusts its lease only until `ttlMs - safetyMs` after the start of its last successful renewal, by its
own monotonic clock: a writer that was paused (SIGSTOP, a long GC) stops writing before the lease can expire in
Redis and another instance can take it.
*/
import type {Redis} from 'ioredis';
import {ourKeys} from '../contract/names.js';
import {every, type Periodic} from '../periodic.js';
import {classifyWriteError, type WriteRefusal} from '../writer/write-refusal.js';

export type Role = 'writer' | 'viewer';

export interface LeaseOptions {
	readonly ttlMs?: number;
	readonly renewMs?: number;
	readonly safetyMs?: number;
	readonly key?: string;
	/** Monotonic clock in ms. */
	readonly clock?: () => number;
}

const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** After an ACL refusal of the lease (a viewer account), the lease is asked for again this rarely. */
const ACL_RETRY_MS = 30_000;

/** Whether a holder may still write: pure, unit-tested. */
export function leaseValid(renewedAt: number | undefined, now: number, ttlMs: number, safetyMs: number): boolean {
	return renewedAt !== undefined && now - renewedAt < ttlMs - safetyMs;
}

export class WriterLease {
	readonly ttlMs: number;
	readonly renewMs: number;
	readonly safetyMs: number;
	private readonly key: string;
	private readonly clock: () => number;
	private renewedAt: number | undefined;
	private timer: Periodic | undefined;
	private inFlightTick: Promise<boolean> | undefined;
	/** Start of the first round without an answer since the last answer. */
	private unansweredSince: number | undefined;
	/** What the last answered round said. */
	private lastAnswer: 'held' | 'another' | undefined;
	/** Set by release(): no round may take or keep the lease after it. */
	private released = false;
	/** A round answered "held" after release() began: the key is ours and must be handed back. */
	private heldAfterRelease = false;
	private readonly listeners = new Set<(role: Role) => void>();
	private lastRole: Role = 'viewer';
	/** How many times this instance became the writer. */
	takeovers = 0;
	/** Lease rounds Redis refused, by refusal (OOM under noeviction, NOREPLICAS, MISCONF, ...). */
	readonly refusals: Partial<Record<WriteRefusal, number>> = {};
	/** The refusal of the last round, until a round is answered: Redis refuses writes now, the lease included. */
	refusingNow: WriteRefusal | undefined;
	/** Monotonic time of the last ACL refusal (NOPERM: a viewer account); the lease is then retried every 30 s only. */
	private refusedAt: number | undefined;

	constructor(
		private readonly redis: Redis,
		readonly instanceId: string,
		options: LeaseOptions = {},
	) {
		this.ttlMs = options.ttlMs ?? 5000;
		this.renewMs = options.renewMs ?? 1000;
		this.safetyMs = options.safetyMs ?? 1000;
		this.key = options.key ?? ourKeys.writerLease;
		this.clock = options.clock ?? (() => performance.now());
	}

	/** True while the lease is refused by an ACL (the account may not write). */
	get refusedByAcl(): boolean {
		return this.refusedAt !== undefined;
	}

	get role(): Role {
		return leaseValid(this.renewedAt, this.clock(), this.ttlMs, this.safetyMs) ? 'writer' : 'viewer';
	}

	/**
	How long (ms) this instance's trust window has been over without Redis saying whether the lease is still its own:
	it held the lease, and no round since has answered (Redis stalled mid-renewal, DEBUG SLEEP, a slow fsync, a
	timeout). Undefined while the lease is trusted, or after an answer. Writes wait during a lapse instead of being
	thrown away: the next answer decides whether they are written (still ours) or dropped and counted (another's).
	*/
	lapsedForMs(): number | undefined {
		if (this.renewedAt === undefined) return undefined;
		const over = this.clock() - (this.renewedAt + this.ttlMs - this.safetyMs);
		return over >= 0 ? over : undefined;
	}

	/**
	During a lapse: how long rounds have been going unanswered (0 when none has been asked since the process could ask
	again, e.g. just after a SIGSTOP). A frozen process's own pause does not count: only Redis's silence does.
	*/
	unansweredForMs(): number {
		return this.unansweredSince === undefined ? 0 : this.clock() - this.unansweredSince;
	}

	/** The last answer said another instance holds the lease (what this one held is that instance's to write). */
	get takenByAnother(): boolean {
		return this.lastAnswer === 'another';
	}

	onRole(listener: (role: Role) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	start(): void {
		void this.tick();
		this.timer = every(this.renewMs, () => void this.tick());
	}

	/**
	One acquire-or-renew round. While one is in flight, a second call waits for that one's answer instead of
	returning at once: a caller that awaits tick() (the retake after an outage) always gets a decided lease.
	*/
	tick(): Promise<boolean> {
		if (this.inFlightTick !== undefined) return this.inFlightTick;
		if (this.released || this.redis.status !== 'ready' || (this.refusedAt !== undefined && this.clock() - this.refusedAt < ACL_RETRY_MS)) {
			this.notify();
			// Refused by an ACL is an answer (this account never writes); no connection is not.
			return Promise.resolve(this.refusedAt !== undefined);
		}
		this.inFlightTick = this.round().finally(() => {
			this.inFlightTick = undefined;
		});
		return this.inFlightTick;
	}

	/** One round; true when Redis answered (held or not), false when the outcome is unknown (an error, a timeout). */
	private async round(): Promise<boolean> {
		const startedAt = this.clock();
		this.unansweredSince ??= startedAt;
		let answered = false;
		try {
			let held: boolean;
			if (this.renewedAt !== undefined) {
				held = Number(await this.redis.eval(RENEW_SCRIPT, 1, this.key, this.instanceId, String(this.ttlMs))) === 1;
				if (!held) held = (await this.redis.set(this.key, this.instanceId, 'PX', this.ttlMs, 'NX')) === 'OK';
			} else {
				held = (await this.redis.set(this.key, this.instanceId, 'PX', this.ttlMs, 'NX')) === 'OK';
			}
			// Released while the round was in flight (shutting down): hand back what it may have just taken.
			this.renewedAt = held && !this.released ? startedAt : undefined;
			if (held && this.released) this.heldAfterRelease = true;
			this.refusedAt = undefined;
			this.refusingNow = undefined;
			this.lastAnswer = held ? 'held' : 'another';
			answered = true;
		} catch (error) {
			const refusal = error instanceof Error ? classifyWriteError(error.message) : undefined;
			if (refusal !== undefined && refusal !== 'NOPERM' && refusal !== 'READONLY') {
				this.refusals[refusal] = (this.refusals[refusal] ?? 0) + 1;
				this.refusingNow = refusal;
			}
			// NOPERM: this account may not write (a viewer); ask again rarely, not every second.
			if (error instanceof Error && /NOPERM/.test(error.message)) {
				this.refusedAt = this.clock();
				answered = true;
			}
			// READONLY: a replica; no instance writes through it, so this one is a viewer there. An answer.
			if (error instanceof Error && /^READONLY/.test(error.message)) answered = true;
			// Otherwise an unknown outcome (LOADING, NOREPLICAS, a timeout): keep the previous renewal time; it runs out by
			// itself.
		}
		if (answered) this.unansweredSince = undefined;
		this.notify();
		return answered;
	}

	private notify(): void {
		const role = this.role;
		if (role === this.lastRole) return;
		if (role === 'writer') this.takeovers += 1;
		this.lastRole = role;
		for (const listener of this.listeners) listener(role);
	}

	/** Stop renewing and hand the lease over at once (a clean shutdown). */
	async release(): Promise<void> {
		this.timer?.stop();
		this.timer = undefined;
		this.released = true;
		// A round in flight could take or renew the lease after this: wait for it, then hand back what it holds.
		if (this.inFlightTick !== undefined) await this.inFlightTick;
		if ((this.renewedAt === undefined && !this.heldAfterRelease) || this.redis.status !== 'ready') return;
		this.renewedAt = undefined;
		try {
			await this.redis.eval(RELEASE_SCRIPT, 1, this.key, this.instanceId);
		} catch {
			// It expires by itself.
		}
	}

	stop(): void {
		this.timer?.stop();
		this.timer = undefined;
	}
}
