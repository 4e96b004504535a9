/**
No receiver secret on any output path: a headless writer delivering to receivers that fail and echo their URL,
token and routing key back; then its stdout and stderr (the journal), `--once` text and `--once --json` (which show
the receivers' states), and every key mycotop wrote to Redis are searched for each secret. (The TUI frame is
searched in test/terminal/notify-pagerduty.test.ts.)
*/
import {afterEach, describe, expect} from 'vitest';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Redis} from 'ioredis';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisPerTest as it} from '../helpers/redis-fixture.js';
import {runCli, startCli, type RunningCli} from '../helpers/cli.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {NOTIFY_KEYS} from '../../src/contract/names.js';

const HOOK = 'HookPathToken7781aa';
const SLACK = 'T000SLACK/B000/XXslackSecret99';
const PD = 'PdRoutingKeyQQ0123456789abcdefAB';
const NTFY = 'tk_ntfyAccessToken42zz';
const TOPIC = 'topic-Sekrit-4711';
const SECRETS = [HOOK, SLACK, PD, NTFY, TOPIC, 'XXslackSecret99'];
const receivers: FakeReceiver[] = [];
const children: RunningCli[] = [];

afterEach(async () => {
	for (const c of children.splice(0)) {
		c.kill('SIGKILL');
		await c.exited();
	}
	for (const r of receivers.splice(0)) await r.close();
});

/** Every key's content, as text. */
async function dumpRedis(client: Redis): Promise<string> {
	const out: string[] = [];
	for (const key of await client.keys('*')) {
		out.push(key);
		const type = await client.type(key);
		if (type === 'string') out.push((await client.get(key)) ?? '');
		else if (type === 'hash') out.push(JSON.stringify(await client.hgetall(key)));
		else if (type === 'list') out.push(JSON.stringify(await client.lrange(key, 0, -1)));
		else if (type === 'set') out.push(JSON.stringify(await client.smembers(key)));
		else if (type === 'stream') out.push(JSON.stringify(await client.xrange(key, '-', '+')));
		else if (type === 'zset') out.push(JSON.stringify(await client.zrange(key, '0', '-1')));
	}
	return out.join('\n');
}

function expectNoSecret(where: string, text: string): void {
	for (const secret of SECRETS) {
		const at = text.indexOf(secret);
		expect(at, `${where} contains ${secret}: ...${text.slice(Math.max(0, at - 150), at + 50)}...`).toBe(-1);
	}
}

describe.runIf(redisAvailable())('receiver secrets', () => {
	it('appear on no output path: stdout, stderr, --once text and JSON, Redis', async ({redis}) => {
		const echo = (r: FakeReceiver, status: number) => r.script([], {status, body: `refused ${r.url} ${SECRETS.join(' ')}`});
		const hook = await startFakeReceiver(`/hook/${HOOK}`);
		const slack = await startFakeReceiver(`/services/${SLACK}`);
		const pd = await startFakeReceiver('/v2/enqueue');
		const ntfy = await startFakeReceiver('/');
		receivers.push(hook, slack, pd, ntfy);
		echo(hook, 404);
		echo(slack, 403);
		echo(pd, 400);
		echo(ntfy, 401);
		const dir = mkdtempSync(join(tmpdir(), 'mycotop-secrets-'));
		const config = join(dir, 'config.yaml');
		writeFileSync(
			config,
			`notify:
  receivers:
    - name: hook
      webhook: {url: 'http://127.0.0.1:${hook.port}/hook/\${HOOK_TOKEN}'}
    - name: chat
      slack: {url: 'http://127.0.0.1:${slack.port}/services/\${SLACK_TOKEN}'}
    - name: pager
      pagerduty: {routing_key: '\${PD_KEY}', url: '${pd.url}'}
    - name: phone
      ntfy: {url: 'http://127.0.0.1:${ntfy.port}/${TOPIC}', token: '\${NTFY_TOKEN}'}
  route:
    receiver: hook
    group_wait: 0s
    routes:
      - {receiver: chat, continue: true}
      - {receiver: pager, continue: true}
      - {receiver: phone, continue: true}
      - {receiver: hook}
`,
		);
		const env = {HOOK_TOKEN: HOOK, SLACK_TOKEN: SLACK, PD_KEY: PD, NTFY_TOKEN: NTFY};
		const client = redis.client();
		const writer = startCli(['--headless', '--no-gpu', '--redis-url', redis.url, '--config', config], env);
		children.push(writer);
		await waitFor(async () => (await client.get('mycotop:writer:lease')) !== null, 15_000, 'the writer');
		await new Promise((r) => setTimeout(r, 1000));
		await client.publish('events:training:progress', JSON.stringify({projectId: 'leaky', step: 1, loss: 'NaN', timestamp: new Date().toISOString()}));
		await waitFor(() => [hook, slack, pd, ntfy].every((r) => r.requests.length > 0), 15_000, 'a request at every receiver');
		const misconfigured = async () => Object.values(await client.hgetall(NOTIFY_KEYS.receivers)).filter((s) => (JSON.parse(s) as {misconfigured?: boolean}).misconfigured === true).length;
		await waitFor(async () => (await misconfigured()) === 4, 10_000, 'the four receivers reported misconfigured in Redis');
		// The receivers did get the secrets (so the check below is not vacuous).
		expect(JSON.parse(pd.requests[0]!.body)).toMatchObject({routing_key: PD});
		expect(ntfy.requests[0]!.headers['authorization']).toBe(`Bearer ${NTFY}`);

		const onceText = await runCli(['--once', '--no-gpu', '--redis-url', redis.url, '--config', config], env);
		const onceJson = await runCli(['--once', '--json', '--no-gpu', '--redis-url', redis.url, '--config', config], env);
		expect(onceText.stdout).toContain('receivers:');
		expect(onceText.stdout).toMatch(/chat \(slack\) {2}MISCONFIGURED {2}failing since .*HTTP 403/);
		const json = JSON.parse(onceJson.stdout) as {alerts: {receivers: Array<{name: string; lastError: string}>}};
		expect(json.alerts.receivers.map((r) => r.name)).toEqual(['hook', 'chat', 'pager', 'phone']);
		expect(json.alerts.receivers.find((r) => r.name === 'pager')!.lastError).toContain('HTTP 400');
		const test = await runCli(['notify', 'test', 'phone', '--config', config], env);
		expect(test.stdout).toContain('HTTP 401');
		// The shared flags may come first: the same command with --config before its name.
		const configFirst = await runCli(['--config', config, 'notify', 'test', 'phone'], env);
		expect(configFirst.stdout).toContain('HTTP 401');
		writer.kill('SIGTERM');
		await writer.exited();

		expectNoSecret('headless stdout', writer.stdout());
		expectNoSecret('headless stderr', writer.stderr());
		expectNoSecret('--once', onceText.stdout + onceText.stderr);
		expectNoSecret('--once --json', onceJson.stdout + onceJson.stderr);
		expectNoSecret('notify test', test.stdout + test.stderr);
		expectNoSecret('--config ... notify test', configFirst.stdout + configFirst.stderr);
		expectNoSecret('Redis', await dumpRedis(client));
	});
});
