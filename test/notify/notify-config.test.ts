import {inspect} from 'node:util';
import {describe, expect, it} from 'vitest';
import {formatIssue, parseConfig} from '../../src/config/config.js';
import {compileNotify, DEFAULT_PAGERDUTY_URL, EMPTY_NOTIFY, NOTIFY_LIMITS, receiverSecrets, ROUTE_DEFAULTS, topicOf, type NotifyConfig, type ReceiverConfig} from '../../src/notify/notify-config.js';
import {groupKeyOf, groupLabelsOf, matchRoutes} from '../../src/notify/route.js';
import {redactText, Secret} from '../../src/notify/secret.js';

const SLACK = 'https://hooks.slack.com/services/T0001/B0002/abcdefSECRETtoken';
const ENV = {SLACK_WEBHOOK_URL: SLACK, PD_KEY: 'R0UTINGKEYR0UTINGKEYR0UTINGKEY12', NTFY_TOKEN: 'tk_secretntfytoken'};

const FULL = `notify:
  bell: true
  external_url: http://box.example:9090
  receivers:
    - name: hook
      webhook:
        url: http://127.0.0.1:9999/alerts?token=hooktoken123
        max_alerts: 5
    - name: team
      slack:
        url: \${SLACK_WEBHOOK_URL}
        channel: '#gpu'
    - name: oncall
      pagerduty:
        routing_key: \${PD_KEY}
    - name: phone
      ntfy:
        url: https://ntfy.example/mycotop-alerts
        token: \${NTFY_TOKEN}
    - name: mail
      command:
        argv: [/usr/local/bin/mail-alert, --to, ops@example.com]
        timeout: 20s
  route:
    receiver: team
    group_by: [alertname, gpu]
    group_wait: 10s
    routes:
      - severity: critical
        receiver: oncall
        continue: true
        repeat_interval: 1h
      - matchers: ['alertname=~"high_.*|gpu_.*"', 'gpu!="7"']
        receiver: phone
        routes:
          - matchers: ['gpu="0"']
            receiver: mail
      - rule: loss_spike
        receiver: hook
        group_by: ['...']
  inhibit_rules:
    - source_matchers: ['severity="critical"']
      target_matchers: ['severity="warning"']
      equal: [gpu]
`;

function compiled(text: string, env: NodeJS.ProcessEnv = ENV): NotifyConfig {
	const r = parseConfig(text, 'c.yaml', env);
	if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
	return r.config.notify!;
}

function issuesOf(text: string, env: NodeJS.ProcessEnv = ENV): string[] {
	const r = parseConfig(text, 'c.yaml', env);
	expect(r.ok).toBe(false);
	return r.ok ? [] : r.issues.map(formatIssue);
}

describe('notify: config', () => {
	it('compiles every receiver type, the route tree with inheritance, inhibit rules and the bell', () => {
		const n = compiled(FULL);
		expect(n.bell).toBe(true);
		expect(n.externalUrl).toBe('http://box.example:9090');
		const r = Object.fromEntries(n.receivers) as Record<string, ReceiverConfig>;
		expect(r['hook']).toMatchObject({type: 'webhook', maxAlerts: 5});
		expect(r['team']).toMatchObject({type: 'slack', channel: '#gpu'});
		expect(r['oncall']).toMatchObject({type: 'pagerduty'});
		expect(r['mail']).toMatchObject({name: 'mail', type: 'command', program: '/usr/local/bin/mail-alert', timeoutMs: 20_000});
		expect((r['mail'] as Extract<ReceiverConfig, {type: 'command'}>).args.map((a) => a.reveal())).toEqual(['--to', 'ops@example.com']);
		const team = r['team'] as Extract<ReceiverConfig, {type: 'slack'}>;
		expect(team.url.reveal()).toBe(SLACK);
		const pd = r['oncall'] as Extract<ReceiverConfig, {type: 'pagerduty'}>;
		expect(pd.routingKey.reveal()).toBe(ENV.PD_KEY);
		expect(pd.url.reveal()).toBe(DEFAULT_PAGERDUTY_URL);
		const phone = r['phone'] as Extract<ReceiverConfig, {type: 'ntfy'}>;
		expect(phone.token?.reveal()).toBe(ENV.NTFY_TOKEN);

		const root = n.route!;
		expect(root).toMatchObject({id: '{}', receiver: 'team', groupBy: ['alertname', 'gpu'], groupWaitMs: 10_000, groupIntervalMs: ROUTE_DEFAULTS.groupIntervalMs, repeatIntervalMs: ROUTE_DEFAULTS.repeatIntervalMs});
		expect(root.routes[0]).toMatchObject({id: '{}/{severity="critical"}', receiver: 'oncall', continue: true, repeatIntervalMs: 3_600_000, groupWaitMs: 10_000, groupBy: ['alertname', 'gpu']});
		expect(root.routes[2]).toMatchObject({groupBy: 'all', receiver: 'hook'});
		expect(root.routes[1]!.routes[0]!.id).toBe('{}/{alertname=~"high_.*|gpu_.*",gpu!="7"}/{gpu="0"}');
		expect(n.inhibitRules).toHaveLength(1);
		expect(n.inhibitRules[0]!.equal).toEqual(['gpu']);
	});

	it('has no receivers and the built-in inhibition without a section; one receiver needs no route', () => {
		const r = parseConfig('ui:\n  ascii: true\n', 'c.yaml', {});
		expect(r.ok && r.config.notify).toBe(undefined);
		expect(EMPTY_NOTIFY.route).toBeUndefined();
		expect(EMPTY_NOTIFY.inhibitRules).toHaveLength(3);
		const one = compiled('notify:\n  receivers:\n    - name: only\n      webhook: {url: "http://127.0.0.1:1/x"}\n');
		expect(one.route).toMatchObject({receiver: 'only', groupBy: ['alertname'], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000});
		expect(one.bell).toBe(false);
		const off = compiled('notify:\n  inhibit_rules: []\n');
		expect(off.inhibitRules).toEqual([]);
	});

	it('takes the root repeat interval from alerting.repeatInterval when that is set', () => {
		const n = compiled('alerting:\n  repeatInterval: 30m\nnotify:\n  receivers:\n    - name: only\n      webhook: {url: "http://127.0.0.1:1/x"}\n');
		expect(n.route!.repeatIntervalMs).toBe(30 * 60_000);
	});

	it.each([
		['notify:\n  bel: true\n', /c\.yaml:2: notify\.bel: unknown field/],
		['notify:\n  bell: yes please\n', /c\.yaml:2: notify\.bell: expected true or false/],
		['notify:\n  receivers:\n    - name: a\n      email: {to: x}\n', /c\.yaml:4: notify\.receivers\.0\.email: unknown field.*\n.*c\.yaml:3: notify\.receivers\.0: expected one of: webhook/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n      slack: {url: "http://x/2"}\n', /one receiver has one type, got webhook and slack/],
		['notify:\n  receivers:\n    - name: a b\n      webhook: {url: "http://x/1"}\n', /c\.yaml:3: notify\.receivers\.0\.name: expected a name/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n    - name: a\n      webhook: {url: "http://x/2"}\n', /c\.yaml:5: notify\.receivers\.1\.name: receiver "a" is defined twice/],
		['notify:\n  receivers:\n    - name: a\n      webhook:\n        url: http://x/1\n        max_alerts: -1\n', /c\.yaml:6: notify\.receivers\.0\.webhook\.max_alerts: expected an integer/],
		['notify:\n  receivers:\n    - name: a\n      command: {argv: []}\n', /notify\.receivers\.0\.command\.argv: expected a list of strings/],
		['notify:\n  receivers:\n    - name: a\n      command: {argv: [x], timeout: 1h}\n', /command\.timeout: at most 5m/],
		['notify:\n  receivers:\n    - name: a\n      ntfy: {url: "https://ntfy.sh/"}\n', /ntfy\.url: ntfy\.url of receiver a names no topic/],
		['notify:\n  receivers:\n    - name: a\n    - name: b\n', /c\.yaml:3: notify\.receivers\.0: expected one of/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n    - name: b\n      webhook: {url: "http://x/2"}\n', /notify\.route: several receivers need a route/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    receiver: nobody\n', /c\.yaml:6: notify\.route\.receiver: unknown receiver "nobody" \(receivers: a\)/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    matchers: [\'severity="critical"\']\n', /the root route matches every alert/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    routes:\n      - matchers: [\'gpu=~"(a+"\']\n', /c\.yaml:7: notify\.route\.routes\.0\.matchers\.0: bad regular expression/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    routes:\n      - matchers: [\'gpu=~"(a)\\1"\']\n', /RE2 syntax/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    group_wait: soon\n', /notify\.route\.group_wait: expected a duration/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    group_interval: 0\n', /notify\.route\.group_interval: expected a duration .* of at least 1000 ms/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    group_by: [gpu, "..."]\n', /notify\.route\.group_by\.1: expected a label name \(or '\.\.\.' alone/],
		['notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n  route:\n    routes:\n      - receiver: a\n        continue: maybe\n', /routes\.0\.continue: expected true or false/],
		['notify:\n  inhibit_rules:\n    - equal: [gpu]\n', /c\.yaml:3: notify\.inhibit_rules\.0: needs source_matchers and target_matchers/],
		['notify:\n  inhibit_rules:\n    - source_matchers: [\'severity="critical"\']\n      target_matchers: [bogus]\n      equal: [gpu]\n', /inhibit_rules\.0\.target_matchers\.0: bad matcher "bogus"/],
		['notify:\n  external_url: ftp://x\n', /notify\.external_url: external_url is not an http/],
		['notify: [1]\n', /c\.yaml:1: notify: expected a mapping/],
	])('reports %j with file, line and field', (text, expected) => {
		expect(issuesOf(text).join('\n')).toMatch(expected);
	});

	it('expands ${VAR} from the environment; a missing variable is named, its value never shown', () => {
		const text = 'notify:\n  receivers:\n    - name: team\n      slack:\n        url: ${SLACK_WEBHOOK_URL}\n';
		const missing = issuesOf(text, {});
		expect(missing).toEqual(['c.yaml:5: notify.receivers.0.slack.url: environment variable SLACK_WEBHOOK_URL is not set (slack.url of receiver team is read from it)']);
		const part = compiled('notify:\n  receivers:\n    - name: p\n      ntfy:\n        url: https://ntfy.example/${TOPIC}\n', {TOPIC: 'box-7'});
		expect((part.receivers.get('p') as Extract<ReceiverConfig, {type: 'ntfy'}>).url.reveal()).toBe('https://ntfy.example/box-7');
		// A variable that holds something other than a URL: the message says so without the value.
		const bad = issuesOf(text, {SLACK_WEBHOOK_URL: 'xoxb-not-a-url-SECRET'}).join('\n');
		expect(bad).toMatch(/slack\.url of receiver team \(after \$\{\.\.\.\} expansion\) is not a URL/);
		expect(bad).not.toContain('SECRET');
		const scheme = issuesOf('notify:\n  receivers:\n    - name: w\n      webhook: {url: "gopher://h/SECRETPATH"}\n').join('\n');
		expect(scheme).toMatch(/is not an http:\/\/ or https:\/\/ URL \(scheme gopher\)/);
		expect(scheme).not.toContain('SECRETPATH');
		const key = issuesOf('notify:\n  receivers:\n    - name: o\n      pagerduty: {routing_key: "has SECRET space"}\n').join('\n');
		expect(key).toMatch(/routing_key of receiver o is not an integration key/);
		expect(key).not.toContain('SECRET');
	});

	it('never shows a secret in an error for any receiver field', () => {
		for (const field of ['url: 12345', 'url: [SECRETLIST]', 'url: "mailto:SECRET@x"']) {
			const out = issuesOf(`notify:\n  receivers:\n    - name: w\n      webhook: {${field}}\n`).join('\n');
			expect(out).toMatch(/webhook\.url/);
			expect(out).not.toMatch(/SECRET/);
		}
	});
});

describe('secrets', () => {
	it('print, stringify, JSON-encode and inspect as a label, never the value', () => {
		const n = compiled(FULL);
		const secrets = receiverSecrets(n);
		// 5 URLs and keys, and the command's arguments: `--to`, `ops@example.com` (a word of 8+ characters is itself).
		expect(secrets.length).toBe(8);
		const everything = [String(n.receivers.get('team')), JSON.stringify([...n.receivers.values()]), inspect(n, {depth: 10}), `${secrets[0]}`, inspect(secrets)].join('\n');
		for (const s of secrets) expect(everything).not.toContain(s.reveal());
		expect(everything).not.toContain('abcdefSECRETtoken');
		expect(everything).not.toContain('hooktoken123');
		expect(JSON.stringify(n.receivers.get('team'))).toContain('[secret slack.url of receiver team]');
	});

	it('are not kept in the loaded config\'s raw document, and the loaded config never prints them', () => {
		const r = parseConfig(FULL, 'c.yaml', ENV);
		if (!r.ok) throw new Error('config');
		expect(r.config.raw['notify']).toBeUndefined();
		const printed = [JSON.stringify(r.config), inspect(r.config, {depth: 20}), String(r.config.notify?.receivers.get('hook'))].join('\n');
		for (const s of receiverSecrets(r.config.notify!)) expect(printed).not.toContain(s.reveal());
		expect(printed).not.toContain('hooktoken123');
	});

	it('redactText removes a secret, its URL-encoded form, its path and its query values', () => {
		const s = [new Secret(SLACK, 'x'), new Secret('http://127.0.0.1:9/hook?token=hooktoken123', 'y')];
		const text = `POST ${SLACK} failed; path /services/T0001/B0002/abcdefSECRETtoken; encoded ${encodeURIComponent(SLACK)}; token=hooktoken123 at 127.0.0.1:9`;
		const out = redactText(text, s);
		expect(out).not.toMatch(/SECRET|hooktoken123/);
		expect(out).toContain('127.0.0.1:9');
		expect(redactText('nothing here', s)).toBe('nothing here');
	});
});

describe('routing', () => {
	const n = compiled(FULL);
	const labels = (l: Record<string, string>) => ({alertname: 'high_temperature', severity: 'warning', ...l});
	const receivers = (l: Record<string, string>) => matchRoutes(n.route, labels(l)).map((r) => r.receiver);

	it('descends to the first matching child, stops unless continue, and falls back to the parent', () => {
		expect(receivers({gpu: '3'})).toEqual(['phone']);
		expect(receivers({gpu: '0'})).toEqual(['mail']);
		expect(receivers({gpu: '7'})).toEqual(['team']);
		expect(receivers({gpu: '3', severity: 'critical'})).toEqual(['oncall', 'phone']);
		expect(matchRoutes(n.route, {alertname: 'loss_spike', severity: 'warning', project: 'p'}).map((r) => r.receiver)).toEqual(['hook']);
		expect(matchRoutes(undefined, labels({}))).toEqual([]);
	});

	it('groups by the route\'s labels, with Alertmanager\'s group key', () => {
		const [route] = matchRoutes(n.route, labels({gpu: '3', uuid: 'GPU-1'}));
		const g = groupLabelsOf(route!, labels({gpu: '3', uuid: 'GPU-1'}));
		expect(g).toEqual({alertname: 'high_temperature', gpu: '3'});
		expect(groupKeyOf(route!, g)).toBe('{}/{alertname=~"high_.*|gpu_.*",gpu!="7"}:{alertname="high_temperature",gpu="3"}');
		const [all] = matchRoutes(n.route, {alertname: 'loss_spike', severity: 'warning', project: 'p'});
		expect(groupLabelsOf(all!, {alertname: 'loss_spike', project: 'p'})).toEqual({alertname: 'loss_spike', project: 'p'});
	});

	it('keeps siblings with the same matchers apart', () => {
		const two = compiled('notify:\n  receivers:\n    - name: a\n      webhook: {url: "http://x/1"}\n    - name: b\n      webhook: {url: "http://x/2"}\n  route:\n    receiver: a\n    routes:\n      - {severity: critical, receiver: a, continue: true}\n      - {severity: critical, receiver: b}\n');
		expect(matchRoutes(two.route, {severity: 'critical'}).map((r) => r.id)).toEqual(['{}/{severity="critical"}', '{}/{severity="critical"}#2']);
	});

	it('splits an ntfy topic URL into server root and topic', () => {
		expect(topicOf('https://ntfy.sh/alerts')).toEqual({root: 'https://ntfy.sh/', topic: 'alerts'});
		expect(topicOf('http://127.0.0.1:8080/sub/path/t-1?x=1')).toEqual({root: 'http://127.0.0.1:8080/sub/path/', topic: 't-1'});
		expect(topicOf('https://ntfy.sh/')).toBeUndefined();
	});
});

describe('compileNotify', () => {
	it('is usable without the config loader', () => {
		const r = compileNotify({receivers: [{name: 'x', webhook: {url: 'http://h/x'}}]}, {});
		expect(r.ok).toBe(true);
	});

	it('refuses a section past its bounds', () => {
		const receivers = Array.from({length: NOTIFY_LIMITS.receivers + 1}, (_, i) => ({name: `r${i}`, webhook: {url: 'http://h/x'}}));
		const over = compileNotify({receivers}, {});
		expect(over.ok ? [] : over.issues).toContainEqual([['receivers'], `${NOTIFY_LIMITS.receivers + 1} receivers, more than the ${NOTIFY_LIMITS.receivers} allowed`]);
		const routes = Array.from({length: NOTIFY_LIMITS.routes + 1}, () => ({severity: 'critical'}));
		const r = compileNotify({receivers: [{name: 'x', webhook: {url: 'http://h/x'}}], route: {routes}}, {});
		expect(r.ok ? [] : r.issues.map((i) => i[1])).toContain(`more than ${NOTIFY_LIMITS.routes} routes`);
	});
});

describe('review: hostile config and payload edges', () => {
	it('refuses a misspelt severity in a route instead of never matching it', () => {
		const r = compileNotify({receivers: [{name: 'team', webhook: {url: 'http://127.0.0.1:9/x'}}, {name: 'oncall', webhook: {url: 'http://127.0.0.1:9/y'}}], route: {receiver: 'team', routes: [{severity: 'critcal', receiver: 'oncall'}]}}, {});
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.issues.map((i) => i[1]).join('\n')).toContain('expected one of: info, warning, critical, got "critcal"');
	});

	it('redacts a token that is the host name, and a path written with non-ASCII characters', () => {
		const host = new Secret('https://eo9x7k2m4p1q8r.m.pipedream.net/hook', 'webhook url');
		expect(redactText('getaddrinfo ENOTFOUND eo9x7k2m4p1q8r.m.pipedream.net', [host])).not.toContain('eo9x7k2m4p1q8r');
		const path = new Secret('https://example.com/hooks/T0/B0/tøkenSECRET', 'webhook url');
		expect(redactText('POST /hooks/T0/B0/tøkenSECRET failed', [path])).not.toContain('tøkenSECRET');
		expect(redactText('redis://127.0.0.1:6379', [new Secret('http://127.0.0.1:9/abcdefgh', 'webhook url')])).toBe('redis://127.0.0.1:6379');
	});

	it('escapes the Slack message text, so a project id cannot ping a channel', async () => {
		const {slackMessage} = await import('../../src/notify/payload-slack.js');
		const alert = {id: 'a1', rule: 'hot', severity: 'critical' as const, labels: {alertname: 'hot', severity: 'critical'}, annotations: {summary: 'loss NaN in <!channel> <@U0123>'}, status: 'firing' as const, startsAtMs: 0};
		const m = slackMessage({receiver: 's', groupKey: 'g', groupLabels: {}, status: 'firing', alerts: [alert], contentHash: 'h', repeatIntervalMs: 1, reason: 'new', timeMs: 0}, {nowMs: 0, source: 'box', externalUrl: undefined} as never);
		expect(m.text).not.toMatch(/<!channel>|<@U0123>/);
		expect(m.text).toContain('&lt;!channel&gt;');
	});
});
