/**
Credentials in a receiver's URL (`https://user:password@host/hook`): fetch refuses such a URL, so they travel as an
`Authorization: Basic` header instead, and the URL is sent without them. An Authorization header the config sets
itself wins (the URL's credentials are then only removed). Pure.
*/

/** The Basic credential (base64 of `user:password`, percent-decoding undone) of a URL, or undefined when it has none. */
export function basicCredential(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return undefined;
	}
	if (parsed.username === '' && parsed.password === '') return undefined;
	const decode = (text: string) => {
		try {
			return decodeURIComponent(text);
		} catch {
			return text;
		}
	};
	return Buffer.from(`${decode(parsed.username)}:${decode(parsed.password)}`, 'utf8').toString('base64');
}

/** The URL without its credentials, and the headers with `Authorization: Basic` from them (unless one is set). */
export function withoutUrlCredentials(url: string, headers: Readonly<Record<string, string>>): {url: string; headers: Readonly<Record<string, string>>} {
	const credential = basicCredential(url);
	if (credential === undefined) return {url, headers};
	const parsed = new URL(url);
	parsed.username = '';
	parsed.password = '';
	const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
	return {url: parsed.href, headers: hasAuthorization ? headers : {...headers, Authorization: `Basic ${credential}`}};
}
