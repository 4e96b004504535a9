/**
Redaction covers every place ioredis takes a credential from (utils/index.js parseURL: the user info, else any
query parameter): for each URL form, the password ioredis would send is absent from the redacted URL and from any
text passed through redactSecrets, in every spelling.
*/
import {createRequire} from 'node:module';
import {describe, expect, it} from 'vitest';
import {parseRedisUrl, redactSecrets, redactUrl} from '../../src/bus/redis-url.js';

const require = createRequire(import.meta.url);
const {parseURL} = require('ioredis/built/utils/index.js') as {parseURL: (url: string) => Record<string, unknown>};

const SECRET = 'S3cr#t/p@ss:w&rd=+% x?';
const enc = encodeURIComponent(SECRET);
const form = new URLSearchParams({p: SECRET}).toString().slice(2);

const FORMS: ReadonlyArray<[string, string]> = [
	['user-info password', `redis://:${enc}@h:6379/0`],
	['user and password', `redis://mon:${enc}@h:6379`],
	['?password= (percent-encoded)', `redis://h:6379/0?password=${enc}`],
	['?password= (form-encoded)', `redis://h:6379/0?password=${form}`],
	['?username=&password=', `rediss://h?username=mon&password=${enc}&db=2`],
	['user info with ?password= as well', `redis://mon:${enc}@h?password=${enc}`],
	['?sentinelPassword=', `redis://h?sentinelPassword=${enc}`],
];

describe('Redis URL secrets', () => {
	for (const [name, url] of FORMS) {
		it(`${name}: the password ioredis uses is known and never shown`, () => {
			const opts = parseURL(url);
			const used = (opts['password'] ?? opts['sentinelPassword']) as string;
			expect(used).toBe(SECRET);
			const target = parseRedisUrl(url);
			expect(target.secrets).toContain(SECRET);
			for (const spelling of [SECRET, enc, form]) expect(target.redacted).not.toContain(spelling);
			expect(target.redacted).toContain('***');
			const text = `ERR AUTH ${SECRET} failed; url ${url}; encoded ${enc}; form ${form}`;
			const clean = redactSecrets(text, target.secrets);
			for (const spelling of [SECRET, enc, form]) expect(clean).not.toContain(spelling);
			if (opts['password'] !== undefined) expect(target.password).toBe(SECRET);
		});
	}

	it('keeps what is not a secret readable', () => {
		expect(redactUrl('redis://h:6379/0?password=x&db=2')).toBe('redis://h:6379/0?password=***&db=2');
		expect(redactUrl('redis://mon@h?username=mon&password=x')).toBe('redis://mon@h?username=mon&password=***');
		expect(redactUrl('redis://u:pw@h:6379/2#frag')).toBe('redis://u:***@h:6379/2');
		expect(redactUrl('redis://h:6379')).toBe('redis://h:6379');
		expect(parseRedisUrl('redis://h').secrets).toEqual([]);
	});

	it('the user info wins over ?password=, as in ioredis', () => {
		const target = parseRedisUrl('redis://:first@h?password=second');
		expect(parseURL('redis://:first@h?password=second')['password']).toBe('first');
		expect(target.password).toBe('first');
		expect(target.secrets).toEqual(expect.arrayContaining(['first', 'second']));
	});
});
