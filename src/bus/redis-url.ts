/**
Redis URLs: validation and redaction. A password never leaves this module in clear text.

ioredis (utils/index.js `parseURL`) takes credentials from two places: the user info (`redis://user:pass@host`,
percent-decoded) and, when the user info is empty, the query string, where every parameter becomes a connection
option (`?password=...`, `?username=...`, and for Sentinel `?sentinelPassword=...`). So a secret can sit in
either place, written percent-encoded, form-encoded (`+` for a space) or raw. Redaction covers every one: the
user info's password and the value of every query parameter whose name looks like a credential are masked in
the URL shown, and every spelling of each secret is removed from any text (error messages can echo them).
Usernames are not secrets: they are shown, as they help read an ACL refusal.

Sentinel and Cluster URLs (`redis+sentinel://`, `redis+cluster://`, redis-topology.ts) list several hosts, which
WHATWG URL cannot parse: their user info and query are read and redacted through a one-host stand-in URL, then the
hosts are put back.
*/
import {checkClusterPath, formatNodes, type RedisNode, sentinelPath, splitMultiHostUrl, TOPOLOGY_PARAMS, topologyOf, type TopologyMode} from './redis-topology.js';

export interface RedisTarget {
	readonly url: string;
	/** The URL with every password replaced by ***: safe for the screen and logs. */
	readonly redacted: string;
	readonly tls: boolean;
	readonly host: string;
	readonly port: number;
	/** The password ioredis will send (user info first, else `?password=`), decoded. */
	readonly password: string | undefined;
	/** Every secret in the URL, in every spelling it may take in a text: for redactSecrets. */
	readonly secrets: readonly string[];
	/** One server (redis://), a Sentinel set, or a Cluster. */
	readonly mode: 'direct' | TopologyMode;
	/** Sentinel and Cluster: the sentinels' or the seed nodes' addresses (host and port are the first's). */
	readonly nodes?: readonly RedisNode[];
	/** Sentinel: the master's name, and the database on it. */
	readonly masterName?: string;
	readonly db?: number;
	/** Sentinel and Cluster: the data nodes' user (from the user info), decoded. */
	readonly username?: string;
	/** Sentinel: the sentinels' own account, when they have one (the query's sentinelUsername, sentinelPassword). */
	readonly sentinelUsername?: string;
	readonly sentinelPassword?: string;
}

/** The host a multi-host URL's stand-in names: where the host list was. */
const STAND_IN_HOST = 'mycotop-hosts.invalid';

/** A one-host URL with the multi-host URL's user info and query: what the one-host parsing and redaction read. */
function standIn(userInfo: string | undefined, query: string): string {
	return `redis://${userInfo === undefined ? '' : `${userInfo}@`}${STAND_IN_HOST}${query}`;
}

function parseTopologyUrl(url: string): RedisTarget {
	const split = splitMultiHostUrl(url);
	const inner = parseRedisUrl(standIn(split.userInfo, split.query));
	const query = new URLSearchParams(split.query);
	for (const name of query.keys())
		if (!TOPOLOGY_PARAMS[split.mode].includes(name))
			throw new Error(`unknown parameter "${name.slice(0, 40)}" in a ${split.mode} URL${TOPOLOGY_PARAMS[split.mode].length === 0 ? ' (it takes none)' : ` (known: ${TOPOLOGY_PARAMS[split.mode].join(', ')})`}`);
	const place = split.mode === 'sentinel' ? sentinelPath(split.path) : (checkClusterPath(split.path), {masterName: undefined, db: 0});
	const user = split.userInfo === undefined ? '' : safeDecode(split.userInfo.split(':')[0]!);
	const sentinelUsername = query.get('sentinelUsername') ?? undefined;
	const sentinelPassword = query.get('sentinelPassword') ?? undefined;
	return {
		url,
		redacted: redactUrl(url),
		tls: split.tls,
		host: split.nodes[0]!.host,
		port: split.nodes[0]!.port,
		password: split.userInfo === undefined ? undefined : inner.password,
		secrets: inner.secrets,
		mode: split.mode,
		nodes: split.nodes,
		...(place.masterName === undefined ? {} : {masterName: place.masterName}),
		db: place.db,
		...(user === '' ? {} : {username: user}),
		...(sentinelUsername === undefined || sentinelUsername === '' ? {} : {sentinelUsername}),
		...(sentinelPassword === undefined || sentinelPassword === '' ? {} : {sentinelPassword}),
	};
}

function redactTopologyUrl(url: string): string {
	try {
		const split = splitMultiHostUrl(url);
		const shownPath = split.mode === 'sentinel' && /^\/[A-Za-z0-9._/-]{0,140}$/.test(split.path) ? split.path.replace(/\/$/, '') : '';
		const redacted = redactUrl(standIn(split.userInfo, split.query));
		if (redacted === '<invalid url>') return redacted;
		const scheme = `${split.tls ? 'rediss' : 'redis'}+${split.mode}:`;
		return scheme + redacted.slice('redis:'.length).replace(STAND_IN_HOST, formatNodes(split.nodes) + shownPath);
	} catch {
		return '<invalid url>';
	}
}

/** Query parameters that carry a credential (matched on the name, any case): their values are masked. */
const SECRET_PARAM = /pass|secret|token|auth|cred|key/i;

/** Parse a redis:// or rediss:// URL; throws an Error with a readable message (never containing the password). */
export function parseRedisUrl(url: string): RedisTarget {
	if (topologyOf(url) !== undefined) return parseTopologyUrl(url);
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error('invalid Redis URL (expected redis://[user:password@]host[:port][/db] or rediss://...)');
	}
	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
		throw new Error(`unsupported Redis URL scheme "${parsed.protocol}" (use redis://, rediss://, redis+sentinel:// or redis+cluster://)`);
	const db = parsed.pathname.replace(/^\//, '');
	if (db !== '' && !/^\d+$/.test(db)) throw new Error(`invalid Redis database "${db}" in URL (expected a number)`);
	const userInfoPassword = parsed.password === '' ? undefined : safeDecode(parsed.password);
	// ioredis: the user info wins when it has a user or a password; the query fills only what it left unset.
	const queryPassword = parsed.searchParams.get('password') ?? undefined;
	const password = parsed.username !== '' || parsed.password !== '' ? userInfoPassword : queryPassword === '' ? undefined : queryPassword;
	return {
		url,
		redacted: redactUrl(url),
		tls: parsed.protocol === 'rediss:',
		host: parsed.hostname || '127.0.0.1',
		port: parsed.port === '' ? 6379 : Number(parsed.port),
		password,
		secrets: urlSecrets(url),
		mode: 'direct',
	};
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** The raw `name=value` pairs of a URL's query, as written (before any decoding). */
function rawQueryPairs(url: string): Array<[string, string]> {
	const q = url.indexOf('?');
	if (q < 0) return [];
	const hash = url.indexOf('#', q);
	const query = url.slice(q + 1, hash < 0 ? undefined : hash);
	return query
		.split('&')
		.filter((part) => part !== '')
		.map((part) => {
			const eq = part.indexOf('=');
			return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
		});
}

/** The raw user-info password, as written between the first ':' of the user info and its last '@'. */
function rawUserInfoPassword(url: string): string | undefined {
	const start = url.indexOf('//');
	if (start < 0) return undefined;
	const rest = url.slice(start + 2);
	const end = rest.search(/[/?#]/);
	const authority = end < 0 ? rest : rest.slice(0, end);
	const at = authority.lastIndexOf('@');
	if (at < 0) return undefined;
	const userInfo = authority.slice(0, at);
	const colon = userInfo.indexOf(':');
	return colon < 0 ? undefined : userInfo.slice(colon + 1);
}

function formDecode(text: string): string {
	return safeDecode(text.replace(/\+/g, ' '));
}

/**
Every secret a URL carries, in each spelling: as written, decoded, and re-encoded the ways a library may print it.
Empty values are left out (there is nothing to hide, and splitting on '' would mangle every text).
*/
function urlSecrets(url: string): string[] {
	const found = new Set<string>();
	const add = (value: string | undefined) => {
		if (value === undefined || value === '') return;
		found.add(value);
	};
	const rawPassword = rawUserInfoPassword(url);
	add(rawPassword);
	if (rawPassword !== undefined) add(safeDecode(rawPassword));
	for (const [name, value] of rawQueryPairs(url)) {
		if (!SECRET_PARAM.test(formDecode(name))) continue;
		add(value);
		add(formDecode(value));
		add(safeDecode(value));
	}
	try {
		const parsed = new URL(url);
		add(parsed.password);
		add(safeDecode(parsed.password));
		for (const [name, value] of parsed.searchParams) if (SECRET_PARAM.test(name)) add(value);
	} catch {
		// Not a URL: only the raw spellings above.
	}
	// Longest first, so a secret that contains another is removed whole.
	return [...found].sort((a, b) => b.length - a.length);
}

/** The URL with any password (user info or query) replaced by ***. Unparseable input is returned fully masked. */
export function redactUrl(url: string): string {
	if (topologyOf(url) !== undefined) return redactTopologyUrl(url);
	try {
		const parsed = new URL(url);
		if (parsed.password !== '') parsed.password = '***';
		// Rewritten by hand, not through searchParams: that would re-encode the other parameters.
		const pairs = rawQueryPairs(url);
		const query = pairs.map(([name, value]) => (SECRET_PARAM.test(formDecode(name)) ? `${name}=***` : value === '' ? name : `${name}=${value}`)).join('&');
		parsed.search = '';
		parsed.hash = '';
		const base = parsed.toString().replace(/\/$/, '');
		return pairs.length === 0 ? base : `${base}?${query}`;
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
		for (const encoded of [encodeURIComponent(secret), new URLSearchParams({s: secret}).toString().slice(2)])
			if (encoded !== secret) out = out.split(encoded).join('***');
	}
	return out;
}
