/**
A receiver URL with `user:password@` (which fetch refuses) is sent with the credentials as an `Authorization: Basic`
header and stripped from the URL, and neither the password nor the header's value shows in any output. A real local
HTTP server.
*/
import {afterEach, describe, expect, it} from 'vitest';
import {sendHttp} from '../../src/notify/http-sender.js';
import {secretsRedactor} from '../../src/notify/secrets.js';
import {outcomeText} from '../../src/notify/retry-policy.js';
import {withoutUrlCredentials} from '../../src/notify/url-credentials.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';

let receiver: FakeReceiver | undefined;
afterEach(async () => {
	await receiver?.close();
});

const PASSWORD = 'pa%40ss-Word-7319';
const BASIC = Buffer.from('hook-user:pa@ss-Word-7319').toString('base64');

describe('credentials in a receiver URL', () => {
	it('become an Authorization: Basic header (percent-decoded); a header the config sets wins', () => {
		expect(withoutUrlCredentials(`https://hook-user:${PASSWORD}@example.test/h?x=1`, {'content-type': 'application/json'})).toEqual({
			url: 'https://example.test/h?x=1',
			headers: {'content-type': 'application/json', Authorization: `Basic ${BASIC}`},
		});
		expect(withoutUrlCredentials(`https://u:p@example.test/h`, {authorization: 'Bearer t'})).toEqual({url: 'https://example.test/h', headers: {authorization: 'Bearer t'}});
		expect(withoutUrlCredentials('https://example.test/h', {})).toEqual({url: 'https://example.test/h', headers: {}});
	});

	it('are sent as the header, not in the URL, and never show in the answer\'s excerpt or the redacted error', async () => {
		receiver = await startFakeReceiver();
		const url = receiver.url.replace('http://', `http://hook-user:${PASSWORD}@`);
		// The receiver refuses and echoes the request's Authorization back (as a debugging proxy might).
		receiver.script([{status: 401, body: `bad credentials: Basic ${BASIC} for hook-user:pa@ss-Word-7319`}]);
		const outcome = await sendHttp({url, headers: {}, body: '{}'}, 2000);
		expect(receiver.requests).toHaveLength(1);
		expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${BASIC}`);
		expect(receiver.requests[0]!.path).toBe('/');
		expect(outcome).toMatchObject({kind: 'http', status: 401});
		const text = outcomeText(outcome);
		for (const secret of [BASIC, 'pa@ss-Word-7319', PASSWORD]) expect(text).not.toContain(secret);
		const redact = secretsRedactor([url]);
		const echoed = redact(`Authorization: Basic ${BASIC}; url ${url}; pa@ss-Word-7319`);
		for (const secret of [BASIC, 'pa@ss-Word-7319', PASSWORD]) expect(echoed).not.toContain(secret);
	});
});
