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

/** Path segments and query values this short are not tokens (`v2`, `enqueue`, `hooks`). */
const SHORTEST_SECRET = 8;

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

function urlSecrets(url: string): string[] {
	const found = [url];
	try {
		const parsed = new URL(url);
		found.push(parsed.host + parsed.pathname, parsed.pathname, parsed.search, parsed.password, parsed.username);
		// The Basic credential the sender makes of them, and their decoded spellings.
		const credential = basicCredential(url);
		if (credential !== undefined) found.push(credential, `Basic ${credential}`, safeDecode(parsed.password), safeDecode(parsed.username));
		for (const segment of parsed.pathname.split('/')) if (segment.length >= SHORTEST_SECRET) found.push(segment, decodeURIComponent(segment));
		for (const [, value] of parsed.searchParams) if (value.length >= SHORTEST_SECRET) found.push(value);
	} catch {
		// Not a URL: the whole text only.
	}
	return found;
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

/** Every secret spelling in a request, longest first. */
export function requestSecrets(request: DeliveryRequest): string[] {
	const found =
		'url' in request
			? [...urlSecrets(request.url), ...Object.values(request.headers).filter((v) => v.length >= SHORTEST_SECRET), ...bodySecrets(request.body)]
			: commandSecrets(request.argv);
	return [...new Set(found.filter((s) => s !== undefined && s.length >= SHORTEST_SECRET))].sort((a, b) => b.length - a.length);
}

/**
A redactor for every receiver's secrets at once (`values`: the revealed URLs, keys and tokens of the config), with
each URL's path segments and query values as pieces of their own, so an answer from one receiver that quotes
another's token, or a token without the URL around it, is caught too.
*/
export function secretsRedactor(values: readonly string[]): (text: string) => string {
	const pieces = [...new Set(values.flatMap((v) => [v, ...urlSecrets(v)]).filter((s) => s !== undefined && s.length >= SHORTEST_SECRET))].sort((a, b) => b.length - a.length);
	return (text) => redactSecrets(text, pieces);
}

/** A short, single-line, terminal-safe excerpt of an answer with every secret replaced by ***. */
export function safeExcerpt(text: string, secrets: readonly string[], maxLength = 200): string {
	const oneLine = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
	return sanitizeText(oneLine, {maxLength});
}
