/**
Receiver secrets (webhook URLs, PagerDuty routing keys, ntfy tokens) as values that cannot leak by accident: a
`Secret` prints, stringifies, JSON-encodes and inspects as `[secret <label>]`; only `reveal()` gives the text, and
only delivery calls it, at the moment of sending. `redactText` removes every secret (and the parts of a URL that
carry a token: its path, query values, password) from a message before it is shown, logged or stored, for the
errors that libraries build from a URL.
*/

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Pieces shorter than this are not redacted on their own (a path of "/" or a query value of "1" is no secret). */
const MIN_PIECE = 6;

export class Secret {
	readonly #value: string;

	/** `label` says what it is (for example `slack.url of team`), never what it holds. */
	constructor(
		value: string,
		readonly label: string,
	) {
		this.#value = value;
	}

	/** The secret itself: for the request being sent, never for a message. */
	reveal(): string {
		return this.#value;
	}

	toString(): string {
		return `[secret ${this.label}]`;
	}

	toJSON(): string {
		return this.toString();
	}

	[INSPECT](): string {
		return this.toString();
	}
}

function decodeURIComponentSafe(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** The texts that give a secret away: itself, URL-encoded, and for a URL its path, query values and password. */
function pieces(value: string): string[] {
	const out = [value, encodeURIComponent(value)];
	try {
		const url = new URL(value);
		out.push(url.pathname + url.search, url.pathname, url.password, url.username);
		// A token may be part of the host (a per-user host name such as eo9x7k2m4p1q8r.m.pipedream.net, echoed by a DNS
		// error): a first label of 10+ characters mixing letters and digits is taken as one. A path that is only
		// percent-encoded in the URL's own form gives itself away as written too.
		const first = url.hostname.split('.')[0] ?? '';
		if (first.length >= 10 && /\d/.test(first) && /[a-z]/i.test(first)) out.push(first);
		out.push(decodeURIComponentSafe(url.pathname));
		for (const v of url.searchParams.values()) out.push(v, encodeURIComponent(v));
	} catch {
		// Not a URL: the value itself is the secret.
	}
	return out.filter((p) => p.length >= MIN_PIECE);
}

/** `text` with every piece of every secret replaced by `[redacted]`. Pure. */
export function redactText(text: string, secrets: readonly Secret[]): string {
	const all = [...new Set(secrets.flatMap((s) => pieces(s.reveal())))].sort((a, b) => b.length - a.length);
	let out = text;
	for (const piece of all) if (out.includes(piece)) out = out.split(piece).join('[redacted]');
	return out;
}
