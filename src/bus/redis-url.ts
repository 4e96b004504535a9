/** Redis URLs: validation and redaction. A password never leaves this module in clear text. */

export interface RedisTarget {
	readonly url: string;
	/** The URL with the password replaced by ***: safe for the screen and logs. */
	readonly redacted: string;
	readonly tls: boolean;
	readonly host: string;
	readonly port: number;
	readonly password: string | undefined;
}

/** Parse a redis:// or rediss:// URL; throws an Error with a readable message (never containing the password). */
export function parseRedisUrl(url: string): RedisTarget {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error('invalid Redis URL (expected redis://[user:password@]host[:port][/db] or rediss://...)');
	}
	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
		throw new Error(`unsupported Redis URL scheme "${parsed.protocol}" (use redis:// or rediss://)`);
	const db = parsed.pathname.replace(/^\//, '');
	if (db !== '' && !/^\d+$/.test(db)) throw new Error(`invalid Redis database "${db}" in URL (expected a number)`);
	const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
	return {
		url,
		redacted: redactUrl(url),
		tls: parsed.protocol === 'rediss:',
		host: parsed.hostname || '127.0.0.1',
		port: parsed.port === '' ? 6379 : Number(parsed.port),
		password,
	};
}

/** The URL with any password replaced by ***. Unparseable input is returned fully masked. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password !== '') parsed.password = '***';
		return parsed.toString().replace(/\/$/, '');
	} catch {
		return '<invalid url>';
	}
}

/** Remove every occurrence of the given secrets from a text (error messages can echo commands). */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
	let out = text;
	for (const secret of secrets) {
		if (secret === undefined || secret.length === 0) continue;
		out = out.split(secret).join('***');
		const encoded = encodeURIComponent(secret);
		if (encoded !== secret) out = out.split(encoded).join('***');
	}
	return out;
}
