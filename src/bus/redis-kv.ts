/** The Kv interface over an ioredis connection. */
import {type Writable} from 'node:stream';
import {Command, type Redis} from 'ioredis';
import {type ExecOptions, type Kv, type KvCommand, type NewestMembers, type ServerProbe, withMarker} from './kv.js';
import {encodeCommand} from './resp-encode.js';

/**
A command whose bytes are encoded by encodeCommand (one buffer, one copy per argument) instead of ioredis's string
concatenation; ioredis queues it and reads its reply like any other. Its `args` keep the key only: the arguments
are already in the bytes.
*/
class EncodedCommand extends Command {
	private readonly bytes: Buffer;

	constructor(command: KvCommand) {
		super(command[0].toLowerCase(), [command[1]]);
		this.bytes = encodeCommand(command);
	}

	override toWritable(): Buffer {
		return this.bytes;
	}
}

export class RedisKv implements Kv, ServerProbe {
	constructor(private readonly redis: Redis) {}

	/** `INFO` (all default sections): Redis's own health, for the Redis health line and rules. */
	async info(): Promise<string> {
		return this.redis.info();
	}

	async slowlogLen(): Promise<number> {
		return Number(await this.redis.call('SLOWLOG', 'LEN'));
	}

	/** A PING on this connection: it queues behind the writes, so its round trip is the latency mycotop sees. */
	async ping(): Promise<void> {
		await this.redis.ping();
	}

	/**
	MULTI, the commands and EXEC, each written to the socket as it is sent, all in this tick: nothing else on the
	connection can come between them, and no batch is copied into one more buffer on the way (as a pipeline would).
	One command alone is sent as it is: Redis runs it atomically anyway, and a refusal (an account without MULTI,
	such as a viewer's acking) names that command, not MULTI.
	*/
	async exec(batch: readonly KvCommand[], options?: ExecOptions): Promise<void> {
		const commands = withMarker(batch, options);
		if (commands.length === 0) return;
		const send = (command: Command) => this.redis.sendCommand(command) as Promise<unknown>;
		if (commands.length === 1) {
			await send(new EncodedCommand(commands[0]!));
			return;
		}
		// Corked, the socket takes the whole transaction in one writev instead of one write per command.
		// Encoded before MULTI is sent: nothing can throw between MULTI and EXEC.
		const encoded = commands.map((command) => new EncodedCommand(command));
		const socket = (this.redis as unknown as {stream?: Writable}).stream;
		socket?.cork();
		const queued = [send(new Command('multi', []))];
		let exec: Promise<unknown>;
		try {
			for (const command of encoded) queued.push(send(command));
			exec = send(new Command('exec', []));
		} finally {
			socket?.uncork();
		}
		const [queuing, outcome] = await Promise.all([Promise.allSettled(queued), exec.then((value) => ({value}), (error: unknown) => ({error}))]);
		// A command Redis refused to queue aborts the transaction (EXECABORT): report that command's own error.
		for (const result of queuing) if (result.status === 'rejected') throw result.reason;
		if ('error' in outcome) throw outcome.error;
		if (!Array.isArray(outcome.value)) throw new Error('transaction aborted');
		const failures = (outcome.value as unknown[]).flatMap((reply, index) => (reply instanceof Error ? [{index, error: reply}] : []));
		if (failures.length > 0) throw new PartialExecError(failures);
	}

	async scan(pattern: string, limit = 100_000): Promise<string[]> {
		const found = new Set<string>();
		let cursor = '0';
		do {
			const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
			for (const key of batch) found.add(key);
			cursor = next;
		} while (cursor !== '0' && found.size < limit);
		return [...found].slice(0, limit);
	}

	lrange(key: string, start: number, stop: number): Promise<string[]> {
		return this.redis.lrange(key, start, stop);
	}

	hgetall(key: string): Promise<Record<string, string>> {
		return this.redis.hgetall(key);
	}

	smembers(key: string): Promise<string[]> {
		return this.redis.smembers(key);
	}

	get(key: string): Promise<string | null> {
		return this.redis.get(key);
	}

	getBuffer(key: string): Promise<Buffer | null> {
		return this.redis.getBuffer(key);
	}

	async newestMembers(key: string, count: number, maxScore = Number.POSITIVE_INFINITY): Promise<NewestMembers> {
		const max = Number.isFinite(maxScore) ? String(maxScore) : '+inf';
		const [flat, above] = await Promise.all([
			this.redis.zrevrangebyscore(key, max, '-inf', 'WITHSCORES', 'LIMIT', 0, Math.max(1, count)),
			Number.isFinite(maxScore) ? this.redis.zcount(key, `(${max}`, '+inf') : Promise.resolve(0),
		]);
		const entries: Array<{member: string; score: number}> = [];
		for (let i = 0; i + 1 < flat.length; i += 2) entries.push({member: flat[i]!, score: Number(flat[i + 1])});
		return {entries, above};
	}
}

/**
EXEC ran, and Redis applied every command of the transaction but these (a WRONGTYPE key, a hash field that is not an
integer for HINCRBY): Redis does not roll a transaction back. `index` is the command's place in what was sent.
*/
export class PartialExecError extends Error {
	constructor(readonly failures: ReadonlyArray<{readonly index: number; readonly error: Error}>) {
		super(`${failures.length} command${failures.length === 1 ? '' : 's'} of the transaction failed: ${failures[0]!.error.message}`);
	}
}
