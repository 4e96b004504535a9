/**
The name a box goes by in the host-scoped keys (`--host NAME`, default the OS host name). It must pass the id rule
(contract/ids.ts: no `:`, glob characters, slashes, whitespace, controls) and, since the older per-host keys write
the name with anything but `A-Za-z0-9._-` replaced by `_` (gpu/redis-entries.ts keySegment), be made of those
characters only, so two names never share keys. Pure.
*/
import {keyId} from '../contract/ids.js';
import {keySegment} from '../gpu/redis-entries.js';

/** The longest host name accepted (a DNS label is at most 63; a FQDN fits). */
const MAX_HOST_NAME = 128;

/** The name, or the reason it is refused. */
export function checkHostName(value: string): {readonly ok: true; readonly host: string} | {readonly ok: false; readonly error: string} {
	if (keyId(value) !== value) return {ok: false, error: `"${value.slice(0, 40)}" is not a valid id (no ':', '*', '?', '[', ']', '/', '\\', whitespace or control characters; 1 to ${MAX_HOST_NAME} characters)`};
	if (keySegment(value) !== value) return {ok: false, error: `"${value.slice(0, 40)}" may contain only A-Z a-z 0-9 . _ - (host-scoped key names keep only those)`};
	return {ok: true, host: value};
}

/** The default: the OS host name as the host-scoped keys have always written it. */
export function defaultHostName(osHostname: string): string {
	const name = keySegment(osHostname);
	return keyId(name) === name ? name : '_';
}
