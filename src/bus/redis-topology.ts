/**
Redis behind Sentinel or as a Cluster, named by one URL with several hosts:

  redis+sentinel://[user:password@]host1:port1,host2:port2/MASTERNAME[/db][?sentinelUsername=..&sentinelPassword=..]
  redis+cluster://[user:password@]host1:port1,host2:port2

(`rediss+sentinel://`, `rediss+cluster://`: TLS). The user info is the data nodes' account (the master's, the
cluster's); the sentinels' own account, when they have one, goes in the query. The config file's `redis.sentinel`
and `redis.cluster` sections are turned into the same URL (configTopologyUrl), so one parser and one redaction
cover every way of naming Redis. Pure; no ioredis here.
*/

export type TopologyMode = 'sentinel' | 'cluster';

export interface RedisNode {
	readonly host: string;
	readonly port: number;
}

/** A multi-host URL cut into its parts, as written (nothing decoded). */
export interface MultiHostUrl {
	readonly mode: TopologyMode;
	readonly tls: boolean;
	/** `user:password` as written, or undefined without an `@`. */
	readonly userInfo: string | undefined;
	readonly nodes: readonly RedisNode[];
	/** The path after the hosts, with its leading '/', as written ('' when none). */
	readonly path: string;
	/** The query with its '?', as written ('' when none). */
	readonly query: string;
}

const DEFAULT_PORT: Record<TopologyMode, number> = {sentinel: 26379, cluster: 6379};
/** Most hosts one URL may list: a cluster's seeds or a set of sentinels, never more than a handful are needed. */
const MAX_NODES = 64;

const MULTI_HOST = /^(rediss?)\+(sentinel|cluster):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?$/i;

/** Whether the URL names a Sentinel set or a Cluster (the scheme only; the rest is checked by splitMultiHostUrl). */
export function topologyOf(url: string): TopologyMode | undefined {
	const match = /^rediss?\+(sentinel|cluster):/i.exec(url);
	return match === null ? undefined : (match[1]!.toLowerCase() as TopologyMode);
}

/** Cut a `redis+sentinel://` or `redis+cluster://` URL; throws a readable Error that never quotes the user info. */
export function splitMultiHostUrl(url: string): MultiHostUrl {
	const match = MULTI_HOST.exec(url);
	if (match === null) throw new Error('invalid Redis URL (expected redis+sentinel://[user:password@]host:port,.../MASTER[/db] or redis+cluster://[user:password@]host:port,...)');
	const mode = match[2]!.toLowerCase() as TopologyMode;
	const authority = match[3]!;
	const at = authority.lastIndexOf('@');
	const userInfo = at < 0 ? undefined : authority.slice(0, at);
	const hostList = at < 0 ? authority : authority.slice(at + 1);
	const parts = hostList.split(',');
	if (hostList === '' || parts.length > MAX_NODES) throw new Error(`a ${mode} URL needs from 1 to ${MAX_NODES} host:port entries, separated by commas`);
	// An '@' after the host list: the user info held a raw '/' or '?', and what was read as hosts is part of it.
	const quotable = !`${match[4]!}${match[5] ?? ''}`.includes('@');
	const nodes = parts.map((part, i) => parseHostPort(part, DEFAULT_PORT[mode], quotable ? undefined : i + 1));
	return {mode, tls: match[1]!.toLowerCase() === 'rediss', userInfo, nodes, path: match[4]!, query: match[5] ?? ''};
}

/**
`host`, `host:port`, `[v6]` or `[v6]:port`; throws on anything else, quoting the text unless `position` is given (the
text may be a piece of a password: the refusal then names the entry by its position only).
*/
function parseHostPort(text: string, defaultPort: number, position?: number): RedisNode {
	const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(text);
	const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
	if (match === null || port < 1 || port > 65_535)
		throw new Error(
			`invalid host ${position === undefined ? `"${text.slice(0, 80)}"` : `entry ${position}`} in Redis URL (expected host:port; percent-encode a password's "/", "?", "#" and "@")`,
		);
	return {host: match[1]!.replace(/^\[|\]$/g, ''), port};
}

/** The host list as it is shown: `h1:p1,h2:p2` (IPv6 in brackets). */
export function formatNodes(nodes: readonly RedisNode[]): string {
	return nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',');
}

/**
Where a sentinel URL's path points: `/MASTERNAME` or `/MASTERNAME/db`. Master names are Sentinel's own names
(letters, digits, `.`, `_`, `-`).
*/
export function sentinelPath(path: string): {readonly masterName: string; readonly db: number} {
	const match = /^\/([A-Za-z0-9._-]{1,128})(?:\/(\d{1,5}))?\/?$/.exec(path);
	if (match === null) throw new Error('a redis+sentinel:// URL needs the master name as its path: redis+sentinel://host:port,.../MASTERNAME[/db]');
	return {masterName: match[1]!, db: match[2] === undefined ? 0 : Number(match[2])};
}

/** A cluster URL has no path (a cluster has one database). */
export function checkClusterPath(path: string): void {
	if (path !== '' && path !== '/') throw new Error('a redis+cluster:// URL takes no path (a Redis Cluster has only database 0)');
}

/** Query parameters each mode accepts (any other is refused, so a typo is not silently ignored). */
export const TOPOLOGY_PARAMS: Record<TopologyMode, readonly string[]> = {sentinel: ['sentinelUsername', 'sentinelPassword'], cluster: []};

/** The config file's `redis.sentinel` section. */
export interface SentinelConfig {
	readonly masterName: string;
	readonly sentinels: readonly string[];
	readonly db?: number;
	readonly username?: string;
	readonly password?: string;
	readonly sentinelUsername?: string;
	readonly sentinelPassword?: string;
	readonly tls?: boolean;
}

/** The config file's `redis.cluster` section. */
export interface ClusterConfig {
	readonly nodes: readonly string[];
	readonly username?: string;
	readonly password?: string;
	readonly tls?: boolean;
}

function userInfoOf(username: string | undefined, password: string | undefined): string {
	if (username === undefined && password === undefined) return '';
	return `${encodeURIComponent(username ?? '')}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
}

/** The URL a `redis.sentinel` or `redis.cluster` section stands for (undefined when the config has neither). Pure. */
export function configTopologyUrl(redis: {readonly sentinel?: SentinelConfig; readonly cluster?: ClusterConfig}): string | undefined {
	if (redis.sentinel !== undefined) {
		const s = redis.sentinel;
		const query = new URLSearchParams();
		if (s.sentinelUsername !== undefined) query.set('sentinelUsername', s.sentinelUsername);
		if (s.sentinelPassword !== undefined) query.set('sentinelPassword', s.sentinelPassword);
		const q = query.toString();
		return `${s.tls === true ? 'rediss' : 'redis'}+sentinel://${userInfoOf(s.username, s.password)}${s.sentinels.join(',')}/${s.masterName}${s.db === undefined ? '' : `/${s.db}`}${q === '' ? '' : `?${q}`}`;
	}
	if (redis.cluster !== undefined) {
		const c = redis.cluster;
		return `${c.tls === true ? 'rediss' : 'redis'}+cluster://${userInfoOf(c.username, c.password)}${c.nodes.join(',')}`;
	}
	return undefined;
}

/**
Which master a sentinel-backed connection reached, and how many times that changed: the bus line's
" · failover ×1 (master now 10.0.0.2:6379)". Pure: fed the address of each new connection.
*/
export class MasterTracker {
	private current: string | undefined;
	failovers = 0;

	/** A connection became ready at this address; true when it is another master than before (a failover). */
	reached(address: string | undefined): boolean {
		if (address === undefined) return false;
		const changed = this.current !== undefined && this.current !== address;
		if (changed) this.failovers += 1;
		this.current = address;
		return changed;
	}

	get master(): string | undefined {
		return this.current;
	}
}

/**
The connection's words with what Sentinel adds: a Sentinel-backed link that lost its master is
following a failover ("failover, reconnecting 2s (connection refused)"), and once a failover was followed the line
says so (" · failover ×1, master now 127.0.0.1:7001"). Pure.
*/
export function describeTopologyState(
	mode: 'direct' | TopologyMode,
	state: {readonly kind: string},
	described: string,
	masters: {readonly failovers: number; readonly master: string | undefined},
): string {
	if (mode !== 'sentinel') return described;
	const lost = state.kind === 'reconnecting' ? `failover, ${described}` : described;
	return masters.failovers > 0 ? `${lost} · failover ×${masters.failovers}, master now ${masters.master ?? '?'}` : lost;
}
