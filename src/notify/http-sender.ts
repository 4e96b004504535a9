/**
The HTTP sender: one POST with Node's fetch, bounded by a timeout (AbortSignal), redirects not followed (a 307 would
carry the body, PagerDuty's routing key included, to wherever it points: a 3xx is reported), answered as an AttemptOutcome
with the status, Retry-After and a short excerpt of the body (secrets removed). It never throws and never reports
the URL: a refused connection is "connection refused", not fetch's message (which may quote the address).
Credentials in the URL (`user:password@`, which fetch refuses) are sent as an `Authorization: Basic` header.
*/
import {type AttemptOutcome} from './retry-policy.js';
import {type HttpRequest} from './delivery-request.js';
import {keptHead, requestSecrets, safeExcerpt} from './secrets.js';
import {withoutUrlCredentials} from './url-credentials.js';

/** Read at most this much of an answer's body (the excerpt is shorter still). */
const MAX_BODY_BYTES = 16 * 1024;

const NETWORK_REASONS: Readonly<Record<string, string>> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ETIMEDOUT: 'connection timed out',
	CERT_HAS_EXPIRED: 'TLS certificate expired',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
	UND_ERR_SOCKET: 'connection closed by the receiver',
};

/** A network error in words from its code alone (never its message, which can name the address). */
function networkReason(error: unknown): string {
	const cause = (error as {cause?: {code?: unknown}} | undefined)?.cause;
	const code = typeof cause?.code === 'string' ? cause.code : undefined;
	if (code !== undefined) return NETWORK_REASONS[code] ?? `network error (${code.replace(/[^A-Z0-9_]/g, '').slice(0, 40)})`;
	if (error instanceof TypeError && /invalid url|failed to parse url/i.test(error.message)) return 'invalid URL';
	return 'network error';
}

/**
At most MAX_BODY_BYTES of the answer's body, and whether it was cut there. Never throws: a body that stops coming (the
timeout aborts the read) or breaks off is what came of it so far.
*/
async function readSome(response: Response): Promise<{bytes: Buffer; cut: boolean}> {
	const reader = response.body?.getReader();
	if (reader === undefined) return {bytes: Buffer.alloc(0), cut: false};
	const chunks: Uint8Array[] = [];
	let size = 0;
	// Whether the body ended: else it was cut (at the bound, or by the timeout or the receiver breaking it off), and
	// its last characters may be the start of a secret that no longer matches whole.
	let ended = false;
	try {
		while (size < MAX_BODY_BYTES) {
			const {done, value} = await reader.read();
			if (done) {
				ended = true;
				break;
			}
			chunks.push(value);
			size += value.byteLength;
		}
	} catch {
		// Aborted or broken off: the status already came, and is the answer.
	} finally {
		await reader.cancel().catch(() => undefined);
	}
	return {bytes: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES), cut: !ended || size > MAX_BODY_BYTES};
}

/**
POST the request; resolves with what came of it, within `timeoutMs` (body read included): the status once it came
(with what came of the body by then), else a timeout or a network error.
*/
export async function sendHttp(request: HttpRequest, timeoutMs: number, otherSecrets: readonly string[] = []): Promise<AttemptOutcome> {
	const secrets = requestSecrets(request, otherSecrets);
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), timeoutMs);
	try {
		const {url, headers} = withoutUrlCredentials(request.url, request.headers);
		const response = await fetch(url, {method: 'POST', headers, body: request.body, signal: controller.signal, redirect: 'manual'});
		// Once the status has come it is the answer, whether or not the body ends in time: a receiver that holds its
		// body open after a 2xx has taken the notification, and a resend would be a duplicate.
		const body = await readSome(response);
		const text = keptHead(body.bytes, body.cut, secrets);
		const retryAfter = response.headers.get('retry-after') ?? undefined;
		return {kind: 'http', status: response.status, ...(retryAfter !== undefined ? {retryAfter} : {}), excerpt: safeExcerpt(text, secrets)};
	} catch (error) {
		if (controller.signal.aborted) return {kind: 'timeout', afterMs: timeoutMs};
		return {kind: 'network', reason: networkReason(error)};
	} finally {
		clearTimeout(timer);
	}
}
