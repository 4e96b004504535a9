/**
The Redis password is printed nowhere, in any form the URL parser accepts (issue 10: `?password=` was printed in
clear by --once, every --headless state line and the TUI's header). A private redis-server with a password (and an
ACL user) is reached through each URL form by the built CLI, and every output path is searched for the secret,
plain, percent-encoded and form-encoded: --once, --once --json, --headless (state lines and a stats line, then
SIGTERM), the alert commands' output and errors, the TUI's raw terminal bytes and screen, and $MYCOTOP_LOG. A wrong
password and an ACL refusal make --once and the alert commands exit 1 with the cause named.
*/
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Redis} from 'ioredis';
import {redisAvailable, startRedis, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {CLI, runCli, startCli} from '../helpers/cli.js';
import {requireBuild, TmuxPane, tmuxAvailable} from '../faults/harness.js';

/** URL-special characters in both: @ : / ? # & = + % and a space. */
const PASSWORD = 'Pa55@wo:rd/?#&=+% x';
const USER_PASSWORD = 'mon+S3cr#t/&@:%';
const WRONG = 'Wr0ng@p:a/s?s#&=+%';

const enc = (s: string) => encodeURIComponent(s);
const form = (s: string) => new URLSearchParams({s}).toString().slice(2);
const spellings = (secret: string) => [...new Set([secret, enc(secret), form(secret)])];

const dir = mkdtempSync(join(tmpdir(), 'mycotop-secrets-'));
let files = 0;
const tempFile = (name: string) => join(dir, `${files++}-${name}`);

interface Outputs {
	readonly texts: Record<string, string>;
	readonly once: {code: number | null; stdout: string; stderr: string};
	readonly json: {code: number | null; stdout: string; stderr: string};
}

/** Run the CLI through every output path against `url`; returns every text it wrote (and the --once results). */
async function everyOutput(url: string, expect: 'connected' | 'auth failed'): Promise<Outputs> {
	const texts: Record<string, string> = {};
	const env = {REDIS_URL: url};
	// --headless runs throughout (a stats line comes every 10 s) while the other paths are tried.
	const headless = startCli(['--headless', '--no-gpu'], env);
	const once = await runCli(['--once', '--no-gpu', '--redis-url', url], {REDIS_URL: ''});
	const json = await runCli(['--once', '--json', '--no-gpu'], env);
	texts['--once'] = once.stdout + once.stderr;
	texts['--once --json'] = json.stdout + json.stderr;

	const commands = [
		['ack', 'no-such-alert{}'],
		['silences'],
		['silences', '--json', '--all'],
		['silence', 'high_temperature', '--for', '1m', '--comment', 'secrets test'],
		['silence', 'high_temperature', '--for', '99999999d', '--comment', 'too long'],
		['silence', 'expire', 'no-such-silence'],
		['backtest', '--since', '1m'],
	];
	for (const args of commands) {
		const run = await runCli(args, env);
		texts[args.join(' ')] = run.stdout + run.stderr;
	}

	if (tmuxAvailable()) {
		const log = tempFile('console.log');
		const bytes = tempFile('tty.bytes');
		// The short sleep lets pipe-pane attach before the first byte, so the raw bytes are all of them.
		const pane = new TmuxPane(`sleep 0.5; exec ${process.execPath} ${CLI} --no-gpu`, 200, 40, {...env, MYCOTOP_LOG: log});
		try {
			pane.pipeTo(bytes);
			await waitFor(() => pane.capture().includes(expect), 20_000, `"${expect}" on the TUI's screen`);
			texts['TUI screen'] = pane.capture();
			pane.keys('q');
			await waitFor(() => pane.capture().trim() === '' || !pane.capture().includes(expect), 5000, 'TUI exit').catch(() => {});
		} finally {
			pane.kill();
		}
		texts['TUI bytes'] = existsSync(bytes) ? readFileSync(bytes, 'latin1') + readFileSync(bytes, 'utf8') : '';
		texts['$MYCOTOP_LOG'] = existsSync(log) ? readFileSync(log, 'utf8') : '';
	}

	await waitFor(() => headless.lines().some((l) => l['type'] === 'stats'), 20_000, 'a --headless stats line');
	headless.kill('SIGTERM');
	await headless.exited();
	texts['--headless'] = headless.stdout() + headless.stderr();
	const states = headless.lines().filter((l) => l['type'] === 'state');
	expectState(states, expect);
	return {texts, once, json};
}

function expectState(states: ReadonlyArray<Record<string, unknown>>, expected: string): void {
	expect(states.length).toBeGreaterThanOrEqual(1);
	expect(states.map((s) => String(s['summary'])).join('\n')).toContain(expected);
}

function expectNoSecret(texts: Record<string, string>, secret: string): void {
	for (const [where, text] of Object.entries(texts))
		for (const spelling of spellings(secret)) expect(text.includes(spelling), `${JSON.stringify(spelling)} found in ${where}`).toBe(false);
}

describe.runIf(redisAvailable())('the Redis password is printed nowhere', () => {
	let redis: TestRedis;
	let admin: Redis;
	let base: string;

	beforeAll(async () => {
		requireBuild();
		redis = await startRedis();
		base = `127.0.0.1:${redis.port}`;
		const setup = redis.client();
		await setup.call('ACL', 'SETUSER', 'mon', 'on', `>${USER_PASSWORD}`, '~*', '&*', '+@all');
		await setup.call('ACL', 'SETUSER', 'nochan', 'on', '>nochan-pw', 'resetchannels', '~*', '+@all');
		await setup.call('ACL', 'SETUSER', 'viewer', 'on', '>viewer-pw', '~*', '&*', '-@all', '+@read', '+ping', '+hello', '+client|setname', '+subscribe');
		await setup.config('SET', 'requirepass', PASSWORD);
		setup.disconnect();
		admin = new Redis({port: redis.port, host: '127.0.0.1', password: PASSWORD, maxRetriesPerRequest: 3});
		admin.on('error', () => {});
		expect(await admin.ping()).toBe('PONG');
	});
	afterAll(async () => {
		admin?.disconnect();
		await redis?.stop();
	});

	const forms: ReadonlyArray<[string, () => string, string]> = [
		['user-info password', () => `redis://:${enc(PASSWORD)}@${base}`, PASSWORD],
		['?password= in the query string', () => `redis://${base}/0?password=${enc(PASSWORD)}`, PASSWORD],
		['user and password in the user info', () => `redis://mon:${enc(USER_PASSWORD)}@${base}/0`, USER_PASSWORD],
		['?username=&password= (form-encoded)', () => `redis://${base}?username=mon&password=${form(USER_PASSWORD)}`, USER_PASSWORD],
	];

	for (const [name, url, secret] of forms) {
		it(`${name}: authenticates, and the secret is in no output`, async () => {
			const {texts, once, json} = await everyOutput(url(), 'connected');
			expect(once.code).toBe(0);
			expect(once.stdout).toMatch(/bus: Redis redis:\/\/\S*\*\*\*\S*: connected/);
			expect(json.code).toBe(0);
			expect(String((JSON.parse(json.stdout) as {bus: {url: string}}).bus.url)).toContain('***');
			expect(texts['silence high_temperature --for 1m --comment secrets test']).toMatch(/^silence [0-9a-f]{8}: /);
			expectNoSecret(texts, secret);
		}, 90_000);
	}

	for (const [name, url] of [
		['wrong password in the user info', () => `redis://:${enc(WRONG)}@${base}`],
		['wrong ?password=', () => `redis://${base}?password=${enc(WRONG)}`],
	] as const) {
		it(`${name}: --once and the alert commands exit 1 naming the cause; the secret is in no output`, async () => {
			const {texts, once, json} = await everyOutput(url(), 'auth failed');
			expect(once.code).toBe(1);
			expect(once.stderr).toMatch(/^mycotop: Redis at redis:\/\/\S*\*\*\*\S* refused the credentials: authentication failed \(wrong user or password\)$/m);
			expect(json.code).toBe(1);
			expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
			expect(texts['silences']).toMatch(/refused the credentials: authentication failed \(wrong user or password\)/);
			expectNoSecret(texts, WRONG);
			expectNoSecret(texts, PASSWORD);
		}, 90_000);
	}

	it('no password at all, and ACL refusals (NOAUTH, NOPERM): exit 1 with the cause', async () => {
		const none = await runCli(['--once', '--no-gpu', '--redis-url', `redis://${base}`], {REDIS_URL: ''});
		expect(none.code).toBe(1);
		expect(none.stderr).toContain('refused the credentials: authentication required (no password given)');
		const noneCmd = await runCli(['silences', '--redis-url', `redis://${base}`], {REDIS_URL: ''});
		expect(noneCmd.code).toBe(1);
		expect(noneCmd.stderr).toContain('refused the credentials: authentication required (no password given)');

		const noChannels = await runCli(['--once', '--no-gpu', '--redis-url', `redis://nochan:nochan-pw@${base}`], {REDIS_URL: ''});
		expect(noChannels.code).toBe(1);
		expect(noChannels.stderr).toMatch(/refused a command: ACL refused: .*channels/);
		expect(noChannels.stderr + noChannels.stdout).not.toContain('nochan-pw');

		const viewerUrl = `redis://viewer:viewer-pw@${base}`;
		const listed = await runCli(['silences', '--redis-url', viewerUrl], {REDIS_URL: ''});
		expect(listed.code).toBe(0);
		const silenced = await runCli(['silence', 'high_temperature', '--for', '1m', '--comment', 'c', '--redis-url', viewerUrl], {REDIS_URL: ''});
		expect(silenced.code).toBe(1);
		expect(silenced.stderr).toMatch(/^mycotop: Redis at redis:\/\/viewer:\*\*\*@\S+ refused the command: ACL refused: .*hset/m);
		expect(silenced.stderr + silenced.stdout).not.toContain('viewer-pw');
	}, 60_000);
});
