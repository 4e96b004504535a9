/**
What the front ends and the CLI commands resolve alike, so it is written once: the Redis URL (flags over
REDIS_URL over the config file over the default) and the `user@host` recorded on acks and silences. A leaf.
*/
import {hostname, userInfo} from 'node:os';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis URL: the flag, else a non-empty REDIS_URL, else the config's `redis.url`, else the default. Pure. */
export function redisUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv, configUrl: string | undefined): string {
	const fromEnv = env['REDIS_URL'];
	return flag ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv) ?? configUrl ?? DEFAULT_REDIS_URL;
}

/** `user@host` of whoever runs mycotop (USER, or "unknown", where the OS has no user name for the uid). */
export function userAtHost(env: NodeJS.ProcessEnv = process.env): string {
	let name: string;
	try {
		name = userInfo().username;
	} catch {
		name = env['USER'] ?? 'unknown';
	}
	return `${name}@${hostname()}`;
}
