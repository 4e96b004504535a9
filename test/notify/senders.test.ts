/** The HTTP sender and the command runner against real parts: a local HTTP server, real child processes. */
import {afterEach, describe, expect, it} from 'vitest';
import {sendHttp} from '../../src/notify/http-sender.js';
import {CommandRunner, runCommand} from '../../src/notify/command-runner.js';
import {outcomeText} from '../../src/notify/retry-policy.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';

const TOKEN = 'T0KEN9sEcReT7zzq';
let receiver: FakeReceiver | undefined;

afterEach(async () => {
	await receiver?.close();
	receiver = undefined;
});

describe('sendHttp', () => {
	it('posts the body and headers and reports status and a short excerpt', async () => {
		receiver = await startFakeReceiver(`/hooks/${TOKEN}`);
		receiver.script([{status: 200, body: 'ok'}]);
		const outcome = await sendHttp({url: receiver.url, headers: {'content-type': 'application/json'}, body: '{"a":1}'}, 2000);
		expect(outcome).toEqual({kind: 'http', status: 200, excerpt: 'ok'});
		expect(receiver.requests[0]).toMatchObject({method: 'POST', path: `/hooks/${TOKEN}`, body: '{"a":1}'});
		expect(receiver.requests[0]!.headers['content-type']).toBe('application/json');
	});

	it('reports 429 with its Retry-After, and removes the URL token from an echoed body', async () => {
		receiver = await startFakeReceiver(`/hooks/${TOKEN}`);
		receiver.script([{status: 429, headers: {'retry-after': '2'}, body: `slow down, POST /hooks/${TOKEN}\n\u001b[31mred`}]);
		const outcome = await sendHttp({url: receiver.url, headers: {}, body: 'x'}, 2000);
		expect(outcome).toMatchObject({kind: 'http', status: 429, retryAfter: '2'});
		const excerpt = (outcome as {excerpt: string}).excerpt;
		expect(excerpt).not.toContain(TOKEN);
		expect(excerpt).toContain('***');
		expect(excerpt).not.toContain('\u001b');
	});

	it('does not follow a redirect (the body would go where the config did not say)', async () => {
		receiver = await startFakeReceiver();
		const other = await startFakeReceiver();
		receiver.script([{status: 307, headers: {location: other.url}}]);
		const outcome = await sendHttp({url: receiver.url, headers: {}, body: '{"routing_key":"x"}'}, 2000);
		expect(outcome).toMatchObject({kind: 'http', status: 307});
		expect(other.requests.length).toBe(0);
		await other.close();
	});

	it('times out on a receiver that never answers', async () => {
		receiver = await startFakeReceiver();
		receiver.script([{hold: true}]);
		const started = Date.now();
		const outcome = await sendHttp({url: receiver.url, headers: {}, body: 'x'}, 300);
		expect(outcome).toEqual({kind: 'timeout', afterMs: 300});
		expect(Date.now() - started).toBeLessThan(2000);
		receiver.releaseHeld();
	});

	it('says "connection refused" without the address', async () => {
		receiver = await startFakeReceiver();
		const url = `${receiver.url}secret/${TOKEN}`;
		await receiver.close();
		receiver = undefined;
		const outcome = await sendHttp({url, headers: {}, body: 'x'}, 2000);
		expect(outcome).toEqual({kind: 'network', reason: 'connection refused'});
	});
});

describe('runCommand', () => {
	const node = process.execPath;

	it('hands the payload to stdin and reports exit 0', async () => {
		const outcome = await runCommand({argv: [node, '-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.exit(s==="payload"?0:3))'], stdin: 'payload'}, 5000);
		expect(outcome).toEqual({kind: 'exit', code: 0, excerpt: ''});
	});

	it('reports a failure with its status and stderr', async () => {
		// The words of an argument are redacted from stderr (argv may hold a token): the message is built, not quoted.
		const outcome = await runCommand({argv: [node, '-e', 'console.error(["smtp:", "connection", "refused"].join(" "));process.exit(4)'], stdin: ''}, 5000);
		expect(outcome).toEqual({kind: 'exit', code: 4, excerpt: 'smtp: connection refused'});
	});

	it('kills a program that runs past the timeout', async () => {
		const started = Date.now();
		const outcome = await runCommand({argv: [node, '-e', 'setTimeout(()=>{},60000)'], stdin: ''}, 300);
		expect(outcome).toEqual({kind: 'timeout', afterMs: 300});
		expect(Date.now() - started).toBeLessThan(5000);
	});

	it('reports a program that does not exist', async () => {
		const outcome = await runCommand({argv: ['/nonexistent/mail-sender'], stdin: 'x'}, 1000);
		expect(outcome).toEqual({kind: 'network', reason: 'program not found'});
	});
});

describe('sendHttp, an answer whose body stalls (hostile review, eighteenth session)', () => {
	/** A real server that answers `status` with its headers and a first chunk, then never ends the body. */
	async function stallingServer(status: number, firstChunk: string): Promise<{url: string; posts: () => number; close: () => Promise<void>}> {
		const {createServer} = await import('node:http');
		let posts = 0;
		const open = new Set<import('node:http').ServerResponse>();
		const server = createServer((request, response) => {
			request.resume();
			request.on('end', () => {
				posts += 1;
				response.writeHead(status, {'content-type': 'text/plain'});
				response.write(firstChunk);
				open.add(response);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as {port: number};
		return {
			url: `http://127.0.0.1:${port}/hooks/${TOKEN}`,
			posts: () => posts,
			close: async () => {
				for (const response of open) response.destroy();
				server.closeAllConnections();
				await new Promise<void>((resolve) => server.close(() => resolve()));
			},
		};
	}

	it('takes a 2xx whose body never ends as delivered (its status is the answer), within the timeout', async () => {
		const server = await stallingServer(200, 'ok so far');
		try {
			const started = Date.now();
			const outcome = await sendHttp({url: server.url, headers: {}, body: 'x'}, 300);
			// The body was cut by the timeout: its last characters (as many as the longest secret has) are left out, which
			// here is all of it.
			expect(outcome).toEqual({kind: 'http', status: 200, excerpt: ''});
			expect(Date.now() - started).toBeLessThan(2000);
			expect(server.posts()).toBe(1);
		} finally {
			await server.close();
		}
	});

	it('reports a 5xx whose body never ends by its status, and the secret echoed in it redacted', async () => {
		const server = await stallingServer(503, `busy: /hooks/${TOKEN}`);
		try {
			const outcome = await sendHttp({url: server.url, headers: {}, body: 'x'}, 300);
			expect(outcome).toMatchObject({kind: 'http', status: 503});
			expect((outcome as {excerpt: string}).excerpt).not.toContain(TOKEN);
		} finally {
			await server.close();
		}
	});

	it('never shows the head of a secret that the 16 KiB read of a body cut off', async () => {
		// The body: whitespace (collapsed to one space in the excerpt), then the URL's token so placed that the read's
		// 16 KiB end falls inside it.
		for (const k of [4, 9]) {
			const server = await stallingServer(500, `${' '.repeat(16 * 1024 - k - 'echo '.length)}echo ${TOKEN}`);
			try {
				const outcome = await sendHttp({url: server.url, headers: {}, body: 'x'}, 300);
				expect(outcome).toMatchObject({kind: 'http', status: 500});
				expect((outcome as {excerpt: string}).excerpt).not.toContain(TOKEN.slice(0, k));
			} finally {
				await server.close();
			}
		}
	});
});

describe('secrets at a cut the read did not choose (second review, eighteenth session)', () => {
	it('leaves out the tail of a body that stalled mid-secret, 2xx or not', async () => {
		const {createServer} = await import('node:http');
		const SECRET = 'T0ABCDEF/B0ABCDEF/xoxSECRETtoken1234567890';
		const open = new Set<import('node:http').ServerResponse>();
		const server = createServer((request, response) => {
			request.resume();
			request.on('end', () => {
				response.writeHead(request.url!.startsWith('/ok') ? 200 : 503, {'content-type': 'text/plain'});
				// Half the URL's token echoed, then the body stalls (a proxy flushing half a line).
				response.write(`upstream error for /services/${SECRET.slice(0, 30)}`);
				open.add(response);
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as {port: number};
		try {
			for (const path of ['fail', 'ok']) {
				const outcome = await sendHttp({url: `http://127.0.0.1:${port}/${path}/services/${SECRET}`, headers: {}, body: '{}'}, 400);
				expect(outcome).toMatchObject({kind: 'http', status: path === 'ok' ? 200 : 503});
				const excerpt = (outcome as {excerpt: string}).excerpt;
				for (let k = 4; k <= 30; k++) expect(excerpt, excerpt).not.toContain(SECRET.slice(30 - k, 30));
			}
		} finally {
			for (const response of open) response.destroy();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});

	it("never shows part of another receiver's URL that a command echoed, cut by the excerpt", async () => {
		const slack = 'https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF1/xoxSECRETtoken1234567890abcd';
		// The echo is placed so that the excerpt's 199 characters from the end begin inside the URL's token.
		// The program knows the URL from its environment, not from its arguments (which are its own secrets).
		process.env['MYCOTOP_TEST_OTHER_URL'] = slack;
		const script = "console.error('posting to ' + process.env.MYCOTOP_TEST_OTHER_URL + ' failed: ' + 'e'.repeat(170)); process.exit(1)";
		const runner = new CommandRunner([slack]);
		const outcome = await runner.run({argv: [process.execPath, '-e', script], stdin: '{}'}, 5000);
		delete process.env['MYCOTOP_TEST_OTHER_URL'];
		const text = outcomeText(outcome);
		const token = 'xoxSECRETtoken1234567890abcd';
		for (let k = 4; k <= token.length; k++) expect(text, text).not.toContain(token.slice(token.length - k));
		const direct = await sendHttpEcho(slack);
		expect(direct).not.toContain('xoxSECRET');
	});
});

/** An answer from one receiver that quotes another receiver's URL (sent with that URL among the known secrets). */
async function sendHttpEcho(otherUrl: string): Promise<string> {
	const echo = await startFakeReceiver();
	try {
		echo.script([{status: 500, body: `${' '.repeat(100)}quoted ${otherUrl} ${'z'.repeat(300)}`}]);
		const outcome = await sendHttp({url: echo.url, headers: {}, body: '{}'}, 2000, [otherUrl]);
		return (outcome as {excerpt: string}).excerpt;
	} finally {
		await echo.close();
	}
}
