/**
What in a delivery request is secret, and text with it removed. A receiver's URL carries its token (a Slack hook's
path, an ntfy topic, a webhook's query), a header may carry a key, and PagerDuty's body carries the routing key:
none of it may reach a receiver state, the screen, `--once`, a log or `mycotop notify test`'s output. An answer's
body may echo any of it back (a proxy's error page quoting the request line), so excerpts pass through here too.
*/
import {sanitizeText} from '../contract/sanitize.js';
import {redactSecrets} from '../bus/redis-url.js';
import {type DeliveryRequest} from './delivery-request.js';
import {basicCredential} from './url-credentials.js';
import {commandSecrets} from './notify-config.js';

/**
Path segments, query values and the words of a command's arguments this short are not taken for tokens (`v2`,
`enqueue`, `hooks`): they are redacted only when named as secrets.
*/
const SHORTEST_PIECE = 8;
/**
What is named a secret (a URL, its password, a header's value, a routing key, an ntfy topic, a command's argument) is
redacted from this length on, however short: below it, masking it would mask those letters everywhere in the text.
*/
const SHORTEST_NAMED = 4;

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** A URL's secrets: `named` (the URL, its password and the Basic credential made of it) and `pieces` (path, query). */
function urlSecrets(url: string): {named: string[]; pieces: string[]} {
	const named = [url];
	const pieces: string[] = [];
	try {
		const parsed = new URL(url);
		pieces.push(parsed.host + parsed.pathname, parsed.pathname, parsed.search, parsed.username);
		// The Basic credential the sender makes of them, and their decoded spellings.
		const credential = basicCredential(url);
		if (credential !== undefined) named.push(parsed.password, credential, `Basic ${credential}`, safeDecode(parsed.password));
		pieces.push(safeDecode(parsed.username));
		// Each piece decoded on its own: one malformed escape must not stop the redaction of the others.
		for (const segment of parsed.pathname.split('/')) pieces.push(segment, safeDecode(segment));
		for (const [, value] of parsed.searchParams) pieces.push(value);
	} catch {
		// Not a URL: the whole text only.
	}
	return {named, pieces};
}

function bodySecrets(body: string): string[] {
	try {
		const v = JSON.parse(body) as unknown;
		// PagerDuty's routing key; an ntfy topic (anyone who knows it can read the messages).
		if (typeof v === 'object' && v !== null) return ['routing_key', 'topic'].flatMap((k) => (typeof (v as Record<string, unknown>)[k] === 'string' ? [(v as Record<string, string>)[k]!] : []));
	} catch {
		// Not JSON: nothing known to be secret in it.
	}
	return [];
}

/** Named secrets from SHORTEST_NAMED characters, pieces from SHORTEST_PIECE, each once, longest first. */
function longestFirst(named: readonly (string | undefined)[], pieces: readonly (string | undefined)[]): string[] {
	const kept = [...named.filter((s) => s !== undefined && s.length >= SHORTEST_NAMED), ...pieces.filter((s) => s !== undefined && s.length >= SHORTEST_PIECE)] as string[];
	return [...new Set(kept)].sort((a, b) => b.length - a.length);
}

/** A header whose value is a credential (its name says so): its value and the words of it are named secrets. */
const CREDENTIAL_HEADER = /auth|token|key|secret|password|passwd|cookie|signature|session/i;
/** Authorization schemes: words of a credential header that are not themselves secret. */
const SCHEMES: ReadonlySet<string> = new Set(['basic', 'bearer', 'digest', 'token', 'apikey']);

/** A request's headers: credential headers' values (and their words) named, any other value a piece. */
function headerSecrets(headers: Readonly<Record<string, string>>): {named: string[]; pieces: string[]} {
	const named: string[] = [];
	const pieces: string[] = [];
	for (const [name, value] of Object.entries(headers)) {
		if (!CREDENTIAL_HEADER.test(name)) {
			pieces.push(value);
			continue;
		}
		named.push(value);
		for (const word of value.split(/\s+/)) if (!SCHEMES.has(word.toLowerCase())) named.push(word);
	}
	return {named, pieces};
}

/**
Every secret spelling in a request, longest first, with `extra` (every receiver's secrets: an answer or a program's
output may quote another receiver's URL, and an excerpt cut before that redaction would leave a part of it).
*/
export function requestSecrets(request: DeliveryRequest, extra: readonly string[] = []): string[] {
	if (!('url' in request)) return longestFirst([...commandSecrets(request.argv), ...extra], []);
	const url = urlSecrets(request.url);
	const headers = headerSecrets(request.headers);
	return longestFirst([...url.named, ...headers.named, ...bodySecrets(request.body), ...extra], [...url.pieces, ...headers.pieces]);
}

/** Every spelling of the config's secrets (`values`: its revealed URLs, keys, tokens and command arguments), longest first. */
export function configSecrets(values: readonly string[]): string[] {
	const urls = values.map(urlSecrets);
	return longestFirst([...values, ...urls.flatMap((u) => u.named)], urls.flatMap((u) => u.pieces));
}

/**
A redactor for every receiver's secrets at once (`values`: the revealed URLs, keys, tokens and command arguments of
the config, each a named secret), with each URL's path segments and query values as pieces of their own, so an answer
from one receiver that quotes another's token, or a token without the URL around it, is caught too.
*/
export function secretsRedactor(values: readonly string[]): (text: string) => string {
	const secrets = configSecrets(values);
	return (text) => redactSecrets(text, secrets);
}

/**
A short, single-line, terminal-safe excerpt of an answer with every secret replaced by ***: its start (an HTTP body),
or its end (`keep: 'end'`: a program's stderr, whose last line is its error). The secrets are removed from the whole
text before it is cut, so a cut never splits one into a part that no longer matches.
*/
export function safeExcerpt(text: string, secrets: readonly string[], maxLength = 200, keep: 'start' | 'end' = 'start'): string {
	const oneLine = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
	if (keep === 'start' || oneLine.length <= maxLength) return sanitizeText(oneLine, {maxLength});
	return `…${sanitizeText(oneLine.slice(oneLine.length - (maxLength - 1)), {maxLength: maxLength - 1})}`;
}

/**
Text kept from the end of `bytes` (a program's stderr; `cut` when its beginning was let go), safe to redact: when it
was cut, the first characters that could be the tail of a secret begun before the cut (one fewer than the longest
secret has) are left out too, so no part of a secret is shown.
*/
export function keptTail(bytes: Buffer, cut: boolean, secrets: readonly string[]): string {
	const text = bytes.toString('utf8');
	if (!cut) return text;
	return text.slice(longestLength(secrets));
}

/** keptTail's twin for text kept from the start (an answer's body read up to a bound): its last characters go. */
export function keptHead(bytes: Buffer, cut: boolean, secrets: readonly string[]): string {
	const text = bytes.toString('utf8');
	if (!cut) return text;
	return text.slice(0, Math.max(0, text.length - longestLength(secrets)));
}

function longestLength(secrets: readonly string[]): number {
	return Math.max(1, ...secrets.map((s) => s.length));
}
