/**
Notifications end to end, with the built CLI as child processes (headless), a private redis-server and real local
HTTP receivers: `mycotop notify test` for every receiver type; two instances and a storm of 50 alerts give one
grouped message; kill -9 of the writer while its send is in flight: the receiver answers each notification once.
*/
import {afterEach, describe, expect} from 'vitest';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {redisAvailable, waitFor} from '../helpers/redis-server.js';
import {redisPerTest as it} from '../helpers/redis-fixture.js';
import {runCli, startCli, type RunningCli} from '../helpers/cli.js';
import {startFakeReceiver, type FakeReceiver} from '../helpers/fake-receiver.js';
import {ourKeys} from '../../src/contract/names.js';

const TOKEN = 'HoOkToKeN5ecret9931';
const PD_KEY = 'PdRoutingKey0123456789abcdefABCD';
const receivers: FakeReceiver[] = [];
const children: RunningCli[] = [];

afterEach(async () => {
	for (const c of children.splice(0)) {
		c.kill('SIGKILL');
		await c.exited();
	}
	for (const r of receivers.splice(0)) await r.close();
});

async function receiver(path: string): Promise<FakeReceiver> {
	const r = await startFakeReceiver(path);
	receivers.push(r);
	return r;
}

function configFile(text: string): string {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-notify-'));
	const file = join(dir, 'config.yaml');
	writeFileSync(file, text);
	return file;
}

const env = {HOOK_TOKEN: TOKEN, PD_KEY};

function headless(redisUrl: string, config: string): RunningCli {
	const cli = startCli(['--headless', '--no-gpu', '--redis-url', redisUrl, '--config', config], env);
	children.push(cli);
	return cli;
}

/** The pid in a lease value (`host:pid:rand`). */
function leasePid(value: string | null): number | undefined {
	const pid = Number(value?.split(':').at(-2));
	return Number.isInteger(pid) ? pid : undefined;
}

describe.runIf(redisAvailable())('notifications end to end', () => {
	it('notify test sends to each receiver type and prints the answer, never the secret', async () => {
		const hook = await receiver(`/hook/${TOKEN}`);
		const slack = await receiver(`/services/${TOKEN}`);
		const pd = await receiver('/v2/enqueue');
		const ntfy = await receiver('/');
		const out = join(mkdtempSync(join(tmpdir(), 'mycotop-cmd-')), 'stdin.json');
		const config = configFile(`notify:
  receivers:
    - name: hook
      webhook: {url: '${hook.url.replace(TOKEN, '${HOOK_TOKEN}')}'}
    - name: chat
      slack: {url: '${slack.url.replace(TOKEN, '${HOOK_TOKEN}')}'}
    - name: pager
      pagerduty: {routing_key: '\${PD_KEY}', url: '${pd.url}'}
    - name: phone
      ntfy: {url: 'http://127.0.0.1:${ntfy.port}/gpu-alerts-${TOKEN}'}
    - name: mail
      command: {argv: ['${process.execPath}', '-e', 'require("fs").writeFileSync(${JSON.stringify(out)}, require("fs").readFileSync(0))']}
  route:
    receiver: hook
`);
		for (const name of ['hook', 'chat', 'pager', 'phone', 'mail']) {
			const r = await runCli(['notify', 'test', name, '--config', config], env);
			expect(r.code, `${name}: ${r.stdout}${r.stderr}`).toBe(0);
			expect(r.stdout).toMatch(new RegExp(`^${name} \\(\\w+\\)`));
			expect(r.stdout + r.stderr).not.toContain(TOKEN);
			expect(r.stdout + r.stderr).not.toContain(PD_KEY);
		}
		const webhook = JSON.parse(hook.requests[0]!.body) as Record<string, unknown>;
		expect(webhook).toMatchObject({version: '4', receiver: 'hook', status: 'firing'});
		expect((webhook['alerts'] as unknown[]).length).toBe(1);
		expect(JSON.parse(slack.requests[0]!.body)).toHaveProperty('text');
		expect(pd.requests.map((r) => (JSON.parse(r.body) as {event_action: string}).event_action)).toEqual(['trigger', 'resolve']);
		expect(new Set(pd.requests.map((r) => (JSON.parse(r.body) as {dedup_key: string}).dedup_key)).size).toBe(1);
		expect(JSON.parse(ntfy.requests[0]!.body)).toMatchObject({topic: `gpu-alerts-${TOKEN}`});
		const {readFileSync} = await import('node:fs');
		expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({version: '4', receiver: 'mail'});
	});

	it('notify test reports a 4xx as a configuration problem and exits 1', async () => {
		const slack = await receiver(`/services/${TOKEN}`);
		slack.script([], {status: 404, body: `no_service for /services/${TOKEN}`});
		const config = configFile(`notify:\n  receivers:\n    - name: chat\n      slack: {url: '${slack.url.replace(TOKEN, '${HOOK_TOKEN}')}'}\n  route:\n    receiver: chat\n`);
		const r = await runCli(['notify', 'test', 'chat', '--config', config], env);
		expect(r.code).toBe(1);
		expect(r.stdout).toContain('HTTP 404: no_service');
		expect(r.stdout).toContain('a configuration problem');
		expect(r.stdout + r.stderr).not.toContain(TOKEN);
	});

	it('two instances, a storm of 50 alerts: one grouped message per group', async ({redis}) => {
		const hook = await receiver(`/hook/${TOKEN}`);
		const config = configFile(`notify:
  receivers:
    - name: hook
      webhook: {url: '${hook.url.replace(TOKEN, '${HOOK_TOKEN}')}'}
  route:
    receiver: hook
    group_by: [alertname]
    group_wait: 3s
    group_interval: 1h
    routes:
      - matchers: ['project=~"storm-[0-9]"']
        receiver: hook
`);
		const client = redis.client();
		const a = headless(redis.url, config);
		await waitFor(async () => (await client.get(ourKeys.writerLease)) !== null, 15_000, 'the first writer');
		const b = headless(redis.url, config);
		await waitFor(() => b.stdout().length > 0, 15_000, 'the second instance');
		await new Promise((r) => setTimeout(r, 1500));
		const timestamp = new Date().toISOString();
		for (let i = 0; i < 50; i++) await client.publish('events:training:progress', JSON.stringify({projectId: `storm-${i}`, step: 1, loss: 'NaN', timestamp}));
		// Two groups: storm-0..9 on the child route, the other 40 on the root route.
		await waitFor(() => hook.requests.length >= 2, 20_000, 'the two grouped messages');
		await new Promise((r) => setTimeout(r, 4000));
		expect(hook.requests.length).toBe(2);
		const bodies = hook.requests.map((r) => JSON.parse(r.body) as {groupKey: string; alerts: Array<{labels: Record<string, string>}>; groupLabels: Record<string, string>});
		expect(new Set(bodies.map((b) => b.groupKey)).size).toBe(2);
		for (const body of bodies) expect(body.groupLabels).toEqual({alertname: 'non_finite_loss'});
		expect(bodies.map((b) => b.alerts.length).sort((x, y) => x - y)).toEqual([10, 40]);
		expect(new Set(bodies.flatMap((b) => b.alerts.map((x) => x.labels['project']))).size).toBe(50);
		expect(a.stderr() + b.stderr()).not.toContain(TOKEN);
	});

	it('kill -9 of the writer while its send is in flight: the receiver answers the notification once', async ({redis}) => {
		const hook = await receiver(`/hook/${TOKEN}`);
		hook.script([{hold: true}], {status: 200});
		const config = configFile(`notify:
  receivers:
    - name: hook
      webhook: {url: '${hook.url.replace(TOKEN, '${HOOK_TOKEN}')}'}
  route:
    receiver: hook
    group_wait: 1s
    group_interval: 1h
`);
		const client = redis.client();
		const first = headless(redis.url, config);
		await waitFor(async () => (await client.get(ourKeys.writerLease)) !== null, 15_000, 'the first writer');
		const second = headless(redis.url, config);
		await waitFor(() => second.stdout().length > 0, 15_000, 'the second instance');
		await new Promise((r) => setTimeout(r, 1500));
		await client.publish('events:training:progress', JSON.stringify({projectId: 'kill-me', step: 1, loss: 'NaN', timestamp: new Date().toISOString()}));
		await waitFor(() => hook.requests.length === 1, 15_000, "the writer's send, held");
		const writerPid = leasePid(await client.get(ourKeys.writerLease));
		const writer = [first, second].find((c) => c.child.pid === writerPid);
		expect(writer, 'the lease names one of the two children').toBeDefined();
		writer!.kill('SIGKILL');
		await writer!.exited();
		// The new writer takes the lease (5 s), waits for the dead writer's claim to lapse (timeout 10 s + 5 s), sends.
		await waitFor(() => hook.requests.length === 2, 40_000, "the new writer's send");
		await new Promise((r) => setTimeout(r, 3000));
		expect(hook.requests.length).toBe(2);
		expect(hook.requests[0]!.aborted).toBe(true);
		expect(hook.requests[1]!.answered).toBe(true);
		expect(hook.requests.filter((r) => r.answered).length).toBe(1);
		// The same notification: group, status and alerts (the payload's own times may differ between the two writers).
		const said = (body: string) => {
			const v = JSON.parse(body) as {groupKey: string; status: string; alerts: Array<{fingerprint: string; status: string}>};
			return {groupKey: v.groupKey, status: v.status, alerts: v.alerts.map((x) => [x.fingerprint, x.status])};
		};
		expect(said(hook.requests[1]!.body)).toEqual(said(hook.requests[0]!.body));
	}, 90_000);

	it('mycotop ack ID --comment --for: PagerDuty hears acknowledge; the ack expires and the alert fires again', async ({redis}) => {
		const pd = await receiver('/v2/enqueue');
		pd.script([], {status: 202, body: '{"status":"success"}'});
		const config = configFile(`notify:\n  receivers:\n    - name: oncall\n      pagerduty: {routing_key: '\${PD_KEY}', url: '${pd.url}'}\n  route:\n    receiver: oncall\n    group_wait: 0s\n    group_interval: 1s\n`);
		const client = redis.client();
		headless(redis.url, config);
		await waitFor(async () => (await client.get(ourKeys.writerLease)) !== null, 15_000, 'the writer');
		await new Promise((r) => setTimeout(r, 1000));
		await client.publish('events:training:progress', JSON.stringify({projectId: 'cli-ack', step: 1, loss: 'NaN', timestamp: new Date().toISOString()}));
		await waitFor(() => pd.requests.length === 1, 15_000, 'the trigger');
		const id = (JSON.parse(pd.requests[0]!.body) as {dedup_key: string}).dedup_key;
		const state = async () => {
			const once = await runCli(['--once', '--json', '--no-gpu', '--redis-url', redis.url, '--config', config], env);
			return (JSON.parse(once.stdout) as {alerts: {rows: Array<{id: string; state: string; ackComment?: string}>}}).alerts.rows.find((r) => r.id === id);
		};
		const acked = await runCli(['ack', id, '--comment', 'rolling back', '--for', '6s', '--author', 'alice@box', '--redis-url', redis.url], env);
		expect(acked.code, acked.stderr).toBe(0);
		expect(acked.stdout).toMatch(/acknowledged .* as alice@box until \d{4}-/);
		const stored = JSON.parse((await client.hget('mycotop:alerts:acks', id))!) as {comment: string; untilMs: number; atMs: number};
		expect(stored).toMatchObject({comment: 'rolling back'});
		expect(stored.untilMs - stored.atMs).toBe(6000);
		await waitFor(() => pd.requests.length === 2, 15_000, 'the acknowledge');
		expect((JSON.parse(pd.requests[1]!.body) as {event_action: string; dedup_key: string}).event_action).toBe('acknowledge');
		expect(await state()).toMatchObject({state: 'acknowledged', ackComment: 'rolling back'});
		await new Promise((r) => setTimeout(r, Math.max(0, stored.untilMs - Date.now()) + 500));
		expect((await state())?.state).toBe('firing');
		const bad = await runCli(['ack', id, '--for', 'soon', '--redis-url', redis.url], env);
		expect(bad.code).toBe(2);
	}, 60_000);
});
