/** The Kv interface over an ioredis connection. */
import {Command, type Pipeline, type Redis} from 'ioredis';
import {type Kv, type KvCommand} from './kv.js';
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

export class RedisKv implements Kv {
	constructor(private readonly redis: Redis) {}

	async exec(commands: readonly KvCommand[]): Promise<void> {
		if (commands.length === 0) return;
		const multi = this.redis.multi();
		// multi() is a Pipeline at run time; its type only lists the named commands.
		for (const command of commands) (multi as unknown as Pipeline).sendCommand(new EncodedCommand(command));
		const results = await multi.exec();
		if (results === null) throw new Error('transaction aborted');
		for (const [error] of results) if (error) throw error;
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
}
