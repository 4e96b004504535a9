/**
What the redaction of a request's secrets catches (src/notify/secrets.ts), found by a hostile review: a URL's password
and a command's arguments are secrets at any length the README names them (the 8-character floor is for path
segments and query values only, which may be plain words like `hooks`), and one malformed `%` escape in a path
must not turn off the redaction of every later segment and query value.
*/
import {describe, expect, it} from 'vitest';
import {requestSecrets, safeExcerpt, secretsRedactor} from '../../src/notify/secrets.js';

const redactWith = (secrets: readonly string[], text: string) => safeExcerpt(text, secrets, 500);

describe('request secrets', () => {
	it("redacts a URL's short password, in clear and as the Basic credential", () => {
		const secrets = requestSecrets({url: 'https://alerts:hunter2@hooks.example.com/hook', headers: {}, body: '{}'});
		expect(redactWith(secrets, 'auth failed: password hunter2')).toBe('auth failed: password ***');
		expect(redactWith(secrets, `Authorization: Basic ${Buffer.from('alerts:hunter2').toString('base64')}`)).not.toContain(Buffer.from('alerts:hunter2').toString('base64'));
		// A plain word of the path is not taken for a secret.
		expect(redactWith(secrets, 'POST /hook failed')).toBe('POST /hook failed');
	});

	it("redacts a command's short argument", () => {
		const secrets = requestSecrets({argv: ['/bin/page', 'hunter2'], stdin: '{}'});
		expect(redactWith(secrets, 'login failed for hunter2')).toBe('login failed for ***');
	});

	it('redacts a short ntfy topic from the body', () => {
		const secrets = requestSecrets({url: 'https://ntfy.sh', headers: {}, body: JSON.stringify({topic: 'gpubox7', message: 'x'})});
		expect(redactWith(secrets, 'topic gpubox7 not found')).toBe('topic *** not found');
	});

	it('keeps redacting the later path segments and query values after a malformed % escape', () => {
		const url = 'https://hooks.example.com/hook%zzabc/TOKENSEGMENT12345?key=QUERYSECRET9876';
		for (const secrets of [requestSecrets({url, headers: {}, body: '{}'}), []]) {
			const redact = secrets.length > 0 ? (t: string) => redactWith(secrets, t) : secretsRedactor([url]);
			const shown = redact('echo: /hook%zzabc/ and TOKENSEGMENT12345 and QUERYSECRET9876');
			expect(shown).not.toContain('TOKENSEGMENT12345');
			expect(shown).not.toContain('QUERYSECRET9876');
		}
	});

	it('does not mask one- to three-character values (they would mask those letters everywhere)', () => {
		const secrets = requestSecrets({argv: ['/bin/page', '-s', 'abc'], stdin: '{}'});
		expect(redactWith(secrets, 'usage: page -s abc')).toBe('usage: page -s abc');
	});
});

describe('header values', () => {
	it('masks a credential header of any length from 4 characters, and leaves a short plain header alone', () => {
		const secrets = requestSecrets({url: 'https://hooks.example.com/hook', headers: {authorization: 'Key abcd', 'user-agent': 'mycotop', 'x-api-key': 'k9z7'}, body: '{}'});
		expect(redactWith(secrets, 'agent mycotop, key abcd k9z7')).toBe('agent mycotop, key *** ***');
	});
});
