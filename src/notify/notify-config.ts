/**
The `notify:` config section: receivers, the route tree, inhibition rules and the terminal bell, validated with a
path for every problem (the config loader adds file and line) and compiled into NotifyConfig. Pure: the environment
is passed in. Every URL, routing key and token may name environment variables (`${SLACK_WEBHOOK_URL}`), expanded
here; a variable that is not set is an error naming the variable, and no message ever contains a receiver's URL,
key or token (they become `Secret`s the moment they are read).

  notify:
    bell: true                       # the TUI rings on a new critical alert (default false)
    external_url: http://box:9090    # optional: the webhook's externalURL, PagerDuty's client_url
    receivers:
      - name: team
        slack: {url: '${SLACK_WEBHOOK_URL}', channel: '#gpu'}
      - name: oncall
        pagerduty: {routing_key: '${PD_ROUTING_KEY}'}
    route:
      receiver: team
      group_by: [alertname]
      routes:
        - matchers: ['severity="critical"']
          receiver: oncall
          continue: true
    inhibit_rules:
      - source_matchers: ['severity="critical"']
        target_matchers: ['severity=~"warning|info"']
        equal: [gpu]
*/
import {durationValue, MAX_DURATION_TEXT} from '../rules/duration.js';
import {parseMatcher, type Matcher} from '../rules/labels.js';
import {type ReceiverType} from './notify-types.js';
import {Secret} from './secret.js';

type Path = Array<string | number>;
type NotifyIssue = [Path, string];

export type ReceiverConfig =
	| {readonly name: string; readonly type: 'webhook'; readonly url: Secret; readonly maxAlerts: number}
	| {readonly name: string; readonly type: 'slack'; readonly url: Secret; readonly channel?: string}
	| {readonly name: string; readonly type: 'pagerduty'; readonly routingKey: Secret; readonly url: Secret}
	| {readonly name: string; readonly type: 'ntfy'; readonly url: Secret; readonly token?: Secret}
	/** `args`: the arguments after the program, secrets (a token on the command line), `${VAR}` expanded. */
	| {readonly name: string; readonly type: 'command'; readonly program: string; readonly args: readonly Secret[]; readonly timeoutMs: number};

/** One node of the route tree, with everything its parent gives it already filled in. */
export interface RouteNode {
	/** Alertmanager's route key: the matchers of each route from the root, `{}/{severity="critical"}`. */
	readonly id: string;
	readonly receiver: string;
	readonly matchers: readonly Matcher[];
	readonly continue: boolean;
	/** Label names; 'all' (`group_by: ['...']`) makes every alert its own group. */
	readonly groupBy: readonly string[] | 'all';
	readonly groupWaitMs: number;
	readonly groupIntervalMs: number;
	readonly repeatIntervalMs: number;
	readonly routes: readonly RouteNode[];
}

export interface InhibitRule {
	readonly sourceMatchers: readonly Matcher[];
	readonly targetMatchers: readonly Matcher[];
	readonly equal: readonly string[];
}

export interface NotifyConfig {
	readonly receivers: ReadonlyMap<string, ReceiverConfig>;
	/** undefined: no receivers, nothing is sent. */
	readonly route: RouteNode | undefined;
	readonly inhibitRules: readonly InhibitRule[];
	readonly bell: boolean;
	readonly externalUrl: string;
}

/** Whether the section sends anything: a receiver and a route to it (else no notify part runs). */
export function notifySends(notify: NotifyConfig | undefined): notify is NotifyConfig & {readonly route: RouteNode} {
	return notify !== undefined && notify.receivers.size > 0 && notify.route !== undefined;
}

/** Alertmanager's defaults for grouping, and the default group_by (one message per rule). */
export const ROUTE_DEFAULTS = {groupBy: ['alertname'], groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000} as const;

export const DEFAULT_PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';
const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const MAX_COMMAND_TIMEOUT_MS = 5 * 60_000;
/** Bounds on the section's size: a route tree or receiver list this long is a generated file gone wrong. */
export const NOTIFY_LIMITS = {receivers: 50, routes: 200, inhibitRules: 100, matchers: 32, argv: 64, textLength: 2048} as const;

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const LABEL_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const RECEIVER_TYPES: readonly ReceiverType[] = ['webhook', 'slack', 'pagerduty', 'ntfy', 'command'];

/**
The built-in inhibition (used when `inhibit_rules` is absent; `inhibit_rules: []` turns it off). Every rule names
the label it scopes to on both sides, so Alertmanager's surprise (an `equal` label missing on both alerts counts as
equal) cannot let a box-wide critical alert mute every unlabelled warning:
  - a critical alert on a GPU mutes the warning and info alerts on the same GPU;
  - a critical alert on a project mutes the warning and info alerts of the same project;
  - a lost GPU (the built-in `gpu_lost`) mutes every other alert on that GPU, critical ones too (their data is gone).
*/
function defaultInhibitRules(): InhibitRule[] {
	const m = (text: string) => parseMatcher(text) as Matcher;
	return [
		{sourceMatchers: [m('severity="critical"'), m('gpu=~".+"')], targetMatchers: [m('severity=~"warning|info"'), m('gpu=~".+"')], equal: ['gpu']},
		{sourceMatchers: [m('severity="critical"'), m('project=~".+"')], targetMatchers: [m('severity=~"warning|info"'), m('project=~".+"')], equal: ['project']},
		{sourceMatchers: [m('alertname="gpu_lost"'), m('gpu=~".+"')], targetMatchers: [m('alertname!="gpu_lost"'), m('gpu=~".+"')], equal: ['gpu']},
	];
}

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects issues while compiling; every check adds to it and returns what it could read. */
class Reader {
	readonly issues: NotifyIssue[] = [];
	constructor(readonly env: NodeJS.ProcessEnv) {}

	add(path: Path, message: string): undefined {
		this.issues.push([path, message]);
		return undefined;
	}

	fields(value: Record<string, unknown>, path: Path, allowed: readonly string[]): void {
		for (const key of Object.keys(value)) if (!allowed.includes(key)) this.add([...path, key], `unknown field (expected one of: ${allowed.join(', ')})`);
	}

	/** A plain string (not a secret: echoing it is fine). */
	text(value: unknown, path: Path): string | undefined {
		if (typeof value !== 'string' || value === '') return this.add(path, `expected a string, got ${JSON.stringify(value)}`);
		if (value.length > NOTIFY_LIMITS.textLength) return this.add(path, `longer than ${NOTIFY_LIMITS.textLength} characters`);
		return value;
	}

	/** A secret string, `${VAR}` expanded; messages never contain it. */
	secret(value: unknown, path: Path, label: string): string | undefined {
		if (typeof value !== 'string' || value === '') return this.add(path, `expected a string (or \${VARIABLE}), got ${value === undefined ? 'nothing' : typeof value}`);
		if (value.length > NOTIFY_LIMITS.textLength) return this.add(path, `longer than ${NOTIFY_LIMITS.textLength} characters`);
		let missing: string | undefined;
		const expanded = value.replace(ENV_RE, (_, name: string) => {
			const v = this.env[name];
			if (v === undefined || v === '') missing ??= name;
			return v ?? '';
		});
		if (missing !== undefined) return this.add(path, `environment variable ${missing} is not set (${label} is read from it)`);
		if (expanded.length > NOTIFY_LIMITS.textLength) return this.add(path, `${label} is longer than ${NOTIFY_LIMITS.textLength} characters once expanded`);
		return expanded;
	}

	/** An http(s) URL that is a secret: the message says what is wrong, never what it is. */
	secretUrl(value: unknown, path: Path, label: string): Secret | undefined {
		const text = this.secret(value, path, label);
		if (text === undefined) return undefined;
		const from = typeof value === 'string' && value.includes('${') ? ' (after ${...} expansion)' : '';
		const problem = urlProblem(text);
		if (problem !== undefined) return this.add(path, `${label}${from} ${problem} (the value is not shown: it may hold a token)`);
		return new Secret(text, label);
	}

	duration(value: unknown, path: Path, fallback: number, min = 0): number {
		if (value === undefined) return fallback;
		const ms = durationValue(value);
		if (ms === undefined || ms < min)
			return this.add(path, `expected a duration like 30s, 5m, 4h (or milliseconds)${min > 0 ? ` of at least ${min} ms` : ''}, at most ${MAX_DURATION_TEXT}, got ${JSON.stringify(value)}`) ?? fallback;
		return ms;
	}

	matchers(value: unknown, path: Path): Matcher[] {
		if (value === undefined) return [];
		if (!Array.isArray(value)) return this.add(path, 'expected a list of matchers like \'severity="critical"\' or \'gpu=~"0|1"\'') ?? [];
		if (value.length > NOTIFY_LIMITS.matchers) return this.add(path, `${value.length} matchers, more than the ${NOTIFY_LIMITS.matchers} allowed`) ?? [];
		const out: Matcher[] = [];
		value.forEach((item, i) => {
			if (typeof item !== 'string') return this.add([...path, i], `expected a matcher string like 'severity="critical"', got ${JSON.stringify(item)}`);
			const m = parseMatcher(item);
			if (typeof m === 'string') return this.add([...path, i], m);
			out.push(m);
		});
		return out;
	}

	labelNames(value: unknown, path: Path, allowAll: boolean): string[] | 'all' | undefined {
		if (value === undefined) return undefined;
		if (!Array.isArray(value) || value.length > NOTIFY_LIMITS.matchers) return this.add(path, `expected a list of label names (at most ${NOTIFY_LIMITS.matchers})`);
		if (allowAll && value.length === 1 && value[0] === '...') return 'all';
		const out: string[] = [];
		value.forEach((item, i) => {
			if (typeof item !== 'string' || !LABEL_RE.test(item)) return this.add([...path, i], `expected a label name${allowAll ? " (or '...' alone: every label)" : ''}, got ${JSON.stringify(item)}`);
			out.push(item);
		});
		return out;
	}
}

/** Why `text` is not an http(s) URL, or undefined. Says nothing of the text itself. */
function urlProblem(text: string): string | undefined {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return 'is not a URL';
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return `is not an http:// or https:// URL (scheme ${url.protocol.replace(/:$/, '')})`;
	return undefined;
}

function readReceiver(r: Reader, entry: unknown, i: number): ReceiverConfig | undefined {
	const path: Path = ['receivers', i];
	if (!isRecord(entry)) return r.add(path, `expected a mapping with "name" and one of: ${RECEIVER_TYPES.join(', ')}`);
	r.fields(entry, path, ['name', ...RECEIVER_TYPES]);
	const name = entry['name'];
	if (typeof name !== 'string' || !NAME_RE.test(name)) r.add([...path, 'name'], `expected a name of letters, digits, _ . - (at most 64), got ${JSON.stringify(name)}`);
	const types = RECEIVER_TYPES.filter((t) => t in entry);
	if (types.length !== 1) return r.add(path, types.length === 0 ? `expected one of: ${RECEIVER_TYPES.join(', ')}` : `one receiver has one type, got ${types.join(' and ')} (make two receivers)`);
	const type = types[0]!;
	const body = entry[type];
	const at: Path = [...path, type];
	if (!isRecord(body)) return r.add(at, 'expected a mapping');
	const label = (field: string) => `${type}.${field} of receiver ${typeof name === 'string' ? name : i + 1}`;
	let out: ReceiverConfig | undefined;
	const n = typeof name === 'string' ? name : '';
	switch (type) {
		case 'webhook': {
			r.fields(body, at, ['url', 'max_alerts']);
			const url = r.secretUrl(body['url'], [...at, 'url'], label('url'));
			const max = body['max_alerts'] ?? 0;
			if (!(typeof max === 'number' && Number.isInteger(max) && max >= 0 && max <= 10_000)) r.add([...at, 'max_alerts'], `expected an integer from 0 (all) to 10000, got ${JSON.stringify(max)}`);
			if (url !== undefined) out = {name: n, type, url, maxAlerts: typeof max === 'number' ? max : 0};
			break;
		}
		case 'slack': {
			r.fields(body, at, ['url', 'channel']);
			const url = r.secretUrl(body['url'], [...at, 'url'], label('url'));
			const channel = body['channel'] === undefined ? undefined : r.text(body['channel'], [...at, 'channel']);
			if (url !== undefined) out = {name: n, type, url, ...(channel !== undefined ? {channel} : {})};
			break;
		}
		case 'pagerduty': {
			r.fields(body, at, ['routing_key', 'url']);
			const key = r.secret(body['routing_key'], [...at, 'routing_key'], label('routing_key'));
			if (key !== undefined && (key.length > 255 || /\s/.test(key))) r.add([...at, 'routing_key'], `${label('routing_key')} is not an integration key (no spaces, at most 255 characters; the value is not shown)`);
			const url = body['url'] === undefined ? new Secret(DEFAULT_PAGERDUTY_URL, label('url')) : r.secretUrl(body['url'], [...at, 'url'], label('url'));
			if (key !== undefined && url !== undefined) out = {name: n, type, routingKey: new Secret(key, label('routing_key')), url};
			break;
		}
		case 'ntfy': {
			r.fields(body, at, ['url', 'token']);
			const url = r.secretUrl(body['url'], [...at, 'url'], label('url'));
			if (url !== undefined && topicOf(url.reveal()) === undefined) {
				r.add([...at, 'url'], `${label('url')} names no topic (expected https://server/topic; the value is not shown)`);
				break;
			}
			const token = body['token'] === undefined ? undefined : r.secret(body['token'], [...at, 'token'], label('token'));
			if (url !== undefined && (body['token'] === undefined || token !== undefined))
				out = {name: n, type, url, ...(token !== undefined ? {token: new Secret(token, label('token'))} : {})};
			break;
		}
		case 'command': {
			r.fields(body, at, ['argv', 'timeout']);
			const argv = body['argv'];
			if (!Array.isArray(argv) || argv.length === 0 || argv.length > NOTIFY_LIMITS.argv || !argv.every((a) => typeof a === 'string' && a.length <= NOTIFY_LIMITS.textLength) || argv[0] === '')
				r.add([...at, 'argv'], `expected a list of strings: the program, then its arguments (at most ${NOTIFY_LIMITS.argv}; no shell is used)`);
			const timeoutMs = r.duration(body['timeout'], [...at, 'timeout'], DEFAULT_COMMAND_TIMEOUT_MS, 1);
			if (timeoutMs > MAX_COMMAND_TIMEOUT_MS) r.add([...at, 'timeout'], `at most 5m, got ${JSON.stringify(body['timeout'])}`);
			if (Array.isArray(argv) && argv.length > 0 && argv.every((a) => typeof a === 'string')) {
				// `${VAR}` expanded in every element, as in URLs (a token on the command line need not be in the file).
				const expanded = (argv as string[]).map((a, j) => (a.includes('${') ? r.secret(a, [...at, 'argv', j], `${label('argv')} element ${j + 1}`) : a));
				if (expanded.every((a) => a !== undefined)) {
					const [program, ...args] = expanded as string[];
					out = {name: n, type, program: program!, args: args.map((a, j) => new Secret(a, `${label('argv')} element ${j + 2}`)), timeoutMs: Math.min(timeoutMs, MAX_COMMAND_TIMEOUT_MS)};
				}
			}
			break;
		}
	}
	return out;
}

/** ntfy's server root and topic from a topic URL (`https://ntfy.sh/alerts` -> `https://ntfy.sh/`, `alerts`). */
export function topicOf(topicUrl: string): {readonly root: string; readonly topic: string} | undefined {
	let url: URL;
	try {
		url = new URL(topicUrl);
	} catch {
		return undefined;
	}
	const parts = url.pathname.split('/');
	const topic = parts.pop() ?? '';
	if (!/^[-_A-Za-z0-9]{1,64}$/.test(topic)) return undefined;
	url.pathname = parts.join('/') + '/';
	url.search = '';
	return {root: url.toString(), topic};
}

interface Inherited {
	readonly receiver: string | undefined;
	readonly groupBy: readonly string[] | 'all';
	readonly groupWaitMs: number;
	readonly groupIntervalMs: number;
	readonly repeatIntervalMs: number;
}

const SEVERITY_NAMES: readonly string[] = ['info', 'warning', 'critical'];

const ROUTE_FIELDS = ['receiver', 'matchers', 'severity', 'rule', 'continue', 'group_by', 'group_wait', 'group_interval', 'repeat_interval', 'routes'];

function readRoute(r: Reader, value: unknown, path: Path, parent: Inherited, parentId: string | undefined, receivers: ReadonlySet<string>, count: {n: number}): RouteNode | undefined {
	if (!isRecord(value)) return r.add(path, 'expected a mapping (receiver, matchers, group_by, routes, ...)');
	count.n += 1;
	if (count.n > NOTIFY_LIMITS.routes) return r.add(path, `more than ${NOTIFY_LIMITS.routes} routes`);
	r.fields(value, path, ROUTE_FIELDS);
	const root = parentId === undefined;
	const matchers = r.matchers(value['matchers'], [...path, 'matchers']);
	for (const [field, label] of [['severity', 'severity'], ['rule', 'alertname']] as const) {
		const v = value[field];
		if (v === undefined) continue;
		if (field === 'severity' && !SEVERITY_NAMES.includes(v as string)) r.add([...path, field], `expected one of: ${SEVERITY_NAMES.join(', ')}, got ${JSON.stringify(v)}`);
		else if (typeof v !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(v)) r.add([...path, field], `expected a ${field} name, got ${JSON.stringify(v)}`);
		else matchers.push({name: label, value: v, isRegex: false, isEqual: true});
	}
	if (root && matchers.length > 0) r.add(path, 'the root route matches every alert: put matchers on its child routes');
	if (root && value['continue'] !== undefined) r.add([...path, 'continue'], 'the root route cannot continue');
	const cont = value['continue'] ?? false;
	if (typeof cont !== 'boolean') r.add([...path, 'continue'], `expected true or false, got ${JSON.stringify(cont)}`);
	let receiver = parent.receiver;
	if (value['receiver'] !== undefined) {
		const name = value['receiver'];
		if (typeof name !== 'string' || !receivers.has(name)) r.add([...path, 'receiver'], `unknown receiver ${JSON.stringify(name)} (receivers: ${[...receivers].join(', ') || 'none'})`);
		else receiver = name;
	}
	if (receiver === undefined) return r.add(path, receivers.size === 0 ? 'no receivers are defined' : 'the root route needs a receiver (the default)');
	const groupBy = r.labelNames(value['group_by'], [...path, 'group_by'], true) ?? parent.groupBy;
	const groupWaitMs = r.duration(value['group_wait'], [...path, 'group_wait'], parent.groupWaitMs);
	const groupIntervalMs = r.duration(value['group_interval'], [...path, 'group_interval'], parent.groupIntervalMs, 1000);
	const repeatIntervalMs = r.duration(value['repeat_interval'], [...path, 'repeat_interval'], parent.repeatIntervalMs, 1000);
	const self = matchers.map((m) => matcherKey(m)).join(',');
	const id = root ? '{}' : `${parentId}/{${self}}`;
	const inherited: Inherited = {receiver, groupBy, groupWaitMs, groupIntervalMs, repeatIntervalMs};
	const children: RouteNode[] = [];
	const routes = value['routes'];
	if (routes !== undefined) {
		if (!Array.isArray(routes)) r.add([...path, 'routes'], 'expected a list of routes');
		else {
			const seen = new Map<string, number>();
			routes.forEach((child, i) => {
				const node = readRoute(r, child, [...path, 'routes', i], inherited, id, receivers, count);
				if (node === undefined) return;
				// Siblings with the same matchers get distinct keys, so their groups stay apart.
				const times = (seen.get(node.id) ?? 0) + 1;
				seen.set(node.id, times);
				children.push(times === 1 ? node : renameRoute(node, `${node.id}#${times}`));
			});
		}
	}
	return {id, receiver, matchers, continue: cont === true, groupBy, groupWaitMs, groupIntervalMs, repeatIntervalMs, routes: children};
}

function renameRoute(node: RouteNode, id: string): RouteNode {
	return {...node, id, routes: node.routes.map((c) => renameRoute(c, id + c.id.slice(node.id.length)))};
}

function matcherKey(m: Matcher): string {
	return `${m.name}${m.isEqual ? (m.isRegex ? '=~' : '=') : m.isRegex ? '!~' : '!='}${JSON.stringify(m.value)}`;
}

function readInhibitRules(r: Reader, value: unknown): InhibitRule[] {
	if (value === undefined) return defaultInhibitRules();
	if (!Array.isArray(value)) return r.add(['inhibit_rules'], 'expected a list of rules (source_matchers, target_matchers, equal)') ?? [];
	if (value.length > NOTIFY_LIMITS.inhibitRules) return r.add(['inhibit_rules'], `${value.length} rules, more than the ${NOTIFY_LIMITS.inhibitRules} allowed`) ?? [];
	const out: InhibitRule[] = [];
	value.forEach((entry, i) => {
		const path: Path = ['inhibit_rules', i];
		if (!isRecord(entry)) return r.add(path, 'expected a mapping with source_matchers, target_matchers and equal');
		r.fields(entry, path, ['source_matchers', 'target_matchers', 'equal']);
		const sourceMatchers = r.matchers(entry['source_matchers'], [...path, 'source_matchers']);
		const targetMatchers = r.matchers(entry['target_matchers'], [...path, 'target_matchers']);
		if (entry['source_matchers'] === undefined || entry['target_matchers'] === undefined)
			return r.add(path, 'needs source_matchers and target_matchers (a rule without them would mute every alert)');
		const equal = r.labelNames(entry['equal'], [...path, 'equal'], false) ?? [];
		out.push({sourceMatchers, targetMatchers, equal: equal === 'all' ? [] : equal});
	});
	return out;
}

export type NotifyResult = {readonly ok: true; readonly config: NotifyConfig} | {readonly ok: false; readonly issues: readonly NotifyIssue[]};

export const EMPTY_NOTIFY: NotifyConfig = {receivers: new Map(), route: undefined, inhibitRules: defaultInhibitRules(), bell: false, externalUrl: ''};

/**
Validate and compile the `notify:` section (`undefined`: no section). `env` expands `${VAR}`; `repeatIntervalMs`
is the root route's default repeat interval (alerting.repeatInterval when set, else Alertmanager's 4 h). Issue
paths are relative to the section. Pure.
*/
export function compileNotify(value: unknown, env: NodeJS.ProcessEnv, defaults: {readonly repeatIntervalMs?: number} = {}): NotifyResult {
	if (value === undefined || value === null) return {ok: true, config: EMPTY_NOTIFY};
	const r = new Reader(env);
	if (!isRecord(value)) return {ok: false, issues: [[[], 'expected a mapping (receivers, route, inhibit_rules, bell, external_url)']]};
	r.fields(value, [], ['receivers', 'route', 'inhibit_rules', 'bell', 'external_url']);
	const bell = value['bell'] ?? false;
	if (typeof bell !== 'boolean') r.add(['bell'], `expected true or false, got ${JSON.stringify(bell)}`);
	let externalUrl = '';
	if (value['external_url'] !== undefined) {
		const text = r.text(value['external_url'], ['external_url']);
		const problem = text === undefined ? undefined : urlProblem(text);
		if (problem !== undefined) r.add(['external_url'], `external_url ${problem}`);
		else if (text !== undefined) externalUrl = text;
	}
	const receivers = new Map<string, ReceiverConfig>();
	const list = value['receivers'] ?? [];
	if (!Array.isArray(list)) r.add(['receivers'], 'expected a list of receivers');
	else if (list.length > NOTIFY_LIMITS.receivers) r.add(['receivers'], `${list.length} receivers, more than the ${NOTIFY_LIMITS.receivers} allowed`);
	else
		list.forEach((entry, i) => {
			const rc = readReceiver(r, entry, i);
			const name = isRecord(entry) && typeof entry['name'] === 'string' ? entry['name'] : undefined;
			if (name !== undefined && receivers.has(name)) r.add(['receivers', i, 'name'], `receiver ${JSON.stringify(name)} is defined twice`);
			else if (rc !== undefined && rc.name !== '') receivers.set(rc.name, rc);
		});
	const names = new Set(Array.isArray(list) ? list.flatMap((e) => (isRecord(e) && typeof e['name'] === 'string' ? [e['name']] : [])) : []);
	const rootDefaults: Inherited = {
		receiver: names.size === 1 ? [...names][0] : undefined,
		groupBy: ROUTE_DEFAULTS.groupBy,
		groupWaitMs: ROUTE_DEFAULTS.groupWaitMs,
		groupIntervalMs: ROUTE_DEFAULTS.groupIntervalMs,
		repeatIntervalMs: defaults.repeatIntervalMs ?? ROUTE_DEFAULTS.repeatIntervalMs,
	};
	let route: RouteNode | undefined;
	if (value['route'] !== undefined) route = readRoute(r, value['route'], ['route'], rootDefaults, undefined, names, {n: 0});
	else if (names.size === 1) route = readRoute(r, {}, ['route'], rootDefaults, undefined, names, {n: 0});
	else if (names.size > 1) r.add(['route'], 'several receivers need a route (at least `route: {receiver: NAME}`, the default)');
	const inhibitRules = readInhibitRules(r, value['inhibit_rules']);
	if (r.issues.length > 0) return {ok: false, issues: r.issues};
	return {ok: true, config: {receivers, route, inhibitRules, bell: bell === true, externalUrl}};
}

/** Every secret of every receiver, for `redactText`. */
/**
What of a command's argv is secret: every argument after the program (a token, a password, `Bearer sk-...`), and
each of its whitespace-separated words of 8 characters or more (a program may echo one word of it on stderr).
*/
export function commandSecrets(argv: readonly string[]): string[] {
	const out = new Set<string>();
	for (const arg of argv.slice(1)) {
		if (arg.trim() === '') continue;
		out.add(arg);
		for (const word of arg.split(/\s+/)) if (word.length >= 8) out.add(word);
	}
	return [...out];
}

export function receiverSecrets(config: NotifyConfig): Secret[] {
	const out: Secret[] = [];
	for (const rc of config.receivers.values()) {
		if (rc.type === 'pagerduty') out.push(rc.routingKey, rc.url);
		else if (rc.type === 'ntfy') out.push(rc.url, ...(rc.token ? [rc.token] : []));
		else if (rc.type === 'command') out.push(...commandSecrets([rc.program, ...rc.args.map((a) => a.reveal())]).map((text, i) => new Secret(text, `command.argv of ${rc.name} (${i + 1})`)));
		else out.push(rc.url);
	}
	return out;
}
