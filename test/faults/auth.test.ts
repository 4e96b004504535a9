/** R9: a wrong password and an ACL refusal: a clear message, no retry storm, no password anywhere. */
import {mkdtempSync, readFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect} from 'vitest';
import {redisAvailable, waitFor, type TestRedis} from '../helpers/redis-server.js';
import {redisTest as it} from '../helpers/redis-fixture.js';
import {faultRow} from './fault-table.js';
import {CLI, plainClient, requireBuild, spawnCli, TmuxPane, tmuxAvailable} from './harness.js';

const SECRET = 'Wr0ng-S3cret-Pa55';

async function authFailures(admin: ReturnType<typeof plainClient>, user: string): Promise<number> {
	const log = (await admin.call('ACL', 'LOG')) as unknown[][];
	let count = 0;
	for (const entry of log) {
		const fields = new Map<string, unknown>();
		for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
		if (fields.get('reason') === 'auth' && fields.get('username') === user) count += Number(fields.get('count'));
	}
	return count;
}

describe.runIf(redisAvailable())('authentication and ACL refusals', () => {
	let redis: TestRedis;
	let admin: ReturnType<typeof plainClient>;
	let pane: TmuxPane | undefined;
	const logDir = mkdtempSync(join(tmpdir(), 'mycotop-auth-'));

	it.beforeAll(async ({redis: fileRedis}) => {
		requireBuild();
		redis = fileRedis;
		admin = plainClient(redis.url);
		await admin.call('ACL', 'SETUSER', 'mon', 'on', '>right-password', '~*', '&events:*', '+@all');
		// Allowed to log in and use keys, but not to listen to any channel.
		await admin.call('ACL', 'SETUSER', 'nochan', 'on', '>nochan-password', 'resetchannels', '~*', '+@all');
	});
	afterAll(() => {
		pane?.kill();
		admin?.disconnect();
	});

	it('wrong password: a clear message, a slow retry, and the password nowhere on screen or in logs', async ({task}) => {
		const row = faultRow(
			task,
			'R9 wrong password (headless and TUI, 6 s each)',
			'"auth failed: authentication failed (wrong user or password)"; <= 2 attempts per connection (retry every 30 s); password absent from stdout, stderr, the screen and the console log',
		);
		const url = `redis://mon:${SECRET}@127.0.0.1:${redis.port}`;
		const cli = spawnCli(['--headless', '--no-gpu'], {REDIS_URL: url});
		await waitFor(() => cli.lines().some((l) => String(l['summary']).includes('auth failed')), 8000, 'auth failure reported');
		await new Promise((resolve) => setTimeout(resolve, 6000));
		cli.kill('SIGTERM');
		await cli.exited();
		const headlessAttempts = await authFailures(admin, 'mon');
		const summary = String(cli.lines().find((l) => String(l['summary']).includes('auth failed'))?.['summary']);
		const stateLines = cli.lines().filter((l) => l['type'] === 'state').length;

		let screen = '';
		let consoleLog = '';
		if (tmuxAvailable()) {
			const logFile = join(logDir, 'console.log');
			pane = new TmuxPane(`${process.execPath} ${CLI} --no-gpu`, 120, 30, {REDIS_URL: url, MYCOTOP_LOG: logFile});
			await waitFor(() => pane!.capture().includes('auth failed'), 10_000, 'auth failure on screen');
			screen = pane.capture();
			pane.keys('q');
			consoleLog = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
		}
		row.observe(
			`headless: "${summary}", ${stateLines} state line(s), ${headlessAttempts} failed AUTHs in Redis's ACL LOG (2 connections); ` +
				`TUI header shows "auth failed"; password found in output/screen/log: ${[cli.stdout(), cli.stderr(), screen, consoleLog].some((t) => t.includes(SECRET)) ? 'YES' : 'no'}`,
		);
		expect(summary).toContain('auth failed: authentication failed (wrong user or password)');
		expect(summary).toContain(`redis://mon:***@127.0.0.1:${redis.port}`);
		expect(headlessAttempts).toBeGreaterThanOrEqual(1);
		expect(headlessAttempts).toBeLessThanOrEqual(4);
		for (const text of [cli.stdout(), cli.stderr(), screen, consoleLog]) expect(text).not.toContain(SECRET);
		if (tmuxAvailable()) expect(screen).toContain('auth failed');
	});

	it('ACL refusal of the channels: a clear message instead of a silent, empty dashboard', async ({task}) => {
		const row = faultRow(task, 'R9 ACL refuses SUBSCRIBE (user without &events:*)', 'state "auth failed: ACL refused: ..." shown; no retry storm');
		const cli = spawnCli(['--headless', '--no-gpu'], {REDIS_URL: `redis://nochan:nochan-password@127.0.0.1:${redis.port}`});
		await waitFor(() => cli.lines().some((l) => String(l['summary']).includes('ACL refused')), 8000, 'ACL refusal reported');
		await new Promise((resolve) => setTimeout(resolve, 2000));
		cli.kill('SIGTERM');
		await cli.exited();
		const summary = String(cli.lines().find((l) => String(l['summary']).includes('ACL refused'))?.['summary']);
		const clients = String(await admin.call('CLIENT', 'LIST'));
		row.observe(`"${summary.replace(/^Redis \S+ /, '')}"; ${cli.lines().filter((l) => l['type'] === 'state').length} state lines in 4 s`);
		expect(summary).toMatch(/auth failed: ACL refused: .*channels/);
		expect(cli.stdout()).not.toContain('nochan-password');
		expect(clients).not.toContain('user=nochan');
	});
});
