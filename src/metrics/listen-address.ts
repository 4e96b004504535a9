/**
`--metrics-listen [ADDR:]PORT` (and the config's `metrics.listen`): where the Prometheus endpoint binds. Pure. A bare
port binds the loopback address only, so turning the endpoint on never exposes it to the network by accident; an
address must be written out (`0.0.0.0:9464`, `[::]:9464`) to listen beyond the box.
*/

export interface ListenAddress {
	/** The address to bind: an IPv4 or IPv6 literal, or a host name. */
	readonly host: string;
	/** 0 asks the OS for a free port (the bound one is logged). */
	readonly port: number;
}

const DEFAULT_HOST = '127.0.0.1';
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function parsePort(text: string): number | undefined {
	if (!/^\d{1,5}$/.test(text)) return undefined;
	const port = Number(text);
	return port <= 65_535 ? port : undefined;
}

/** The address, or why the text is not one (the message names what is expected). */
export function parseListenAddress(text: string): {readonly ok: true; readonly address: ListenAddress} | {readonly ok: false; readonly error: string} {
	const expected = `expected PORT or ADDR:PORT (e.g. 9464, 127.0.0.1:9464, [::1]:9464; port 0-65535), got ${JSON.stringify(text.slice(0, 80))}`;
	const bare = parsePort(text);
	if (bare !== undefined) return {ok: true, address: {host: DEFAULT_HOST, port: bare}};
	const bracketed = /^\[([^\]]*)\]:(\d+)$/.exec(text);
	if (bracketed !== null) {
		const port = parsePort(bracketed[2]!);
		const host = bracketed[1]!;
		if (port === undefined || !IPV6.test(host) || !host.includes(':')) return {ok: false, error: expected};
		return {ok: true, address: {host, port}};
	}
	const colon = text.lastIndexOf(':');
	if (colon <= 0) return {ok: false, error: expected};
	const host = text.slice(0, colon);
	const port = parsePort(text.slice(colon + 1));
	// All digits and dots is an IPv4 address or nothing (999.1.1.1 is not a host name).
	const valid = /^[\d.]+$/.test(host) ? IPV4.test(host) : HOST_NAME.test(host);
	if (port === undefined || !valid) return {ok: false, error: expected};
	return {ok: true, address: {host, port}};
}

/** The endpoint's base URL for the log (`http://127.0.0.1:9464`, `http://[::1]:9464`). Pure. */
export function listenUrl(address: ListenAddress): string {
	return `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
