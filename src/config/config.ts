/**
The YAML config: load, validate, and report what is wrong with file, line and field. Validation is a pure
function over the parsed document; sections other modules own (gpu, rules) are validated by their own
functions registered in SECTION_VALIDATORS.
*/
import {existsSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {isMap, type LineCounter, type Document} from 'yaml';
import {validateRules} from '../rules/user-rules.js';
import {compileNotify, type NotifyConfig} from '../notify/notify-config.js';
import {durationValue, MAX_DURATION_TEXT, parseDuration} from '../rules/duration.js';
import {parseYaml, readYamlFile, type YamlLoad} from './yaml-file.js';
import {parseListenAddress} from '../metrics/listen-address.js';
import {clusterSection, sentinelSection} from './redis-sections.js';
import type {ClusterConfig, SentinelConfig} from '../bus/redis-topology.js';

export interface ConfigIssue {
	readonly file: string;
	readonly line: number;
	readonly field: string;
	readonly message: string;
}

export interface MycotopConfig {
	readonly redis: {readonly url?: string; readonly ca?: string; readonly sentinel?: SentinelConfig; readonly cluster?: ClusterConfig};
	readonly store: {readonly seriesCapacity?: number; readonly maxProjects?: number; readonly maxAgents?: number};
	readonly ui: {readonly smoothing?: number; readonly ascii?: boolean; readonly refreshMs?: number};
	readonly gpu: {readonly intervalMs?: number; readonly gpus?: readonly number[]; readonly nvidiaSmi?: string; readonly enabled?: boolean};
	/** Host sampling from /proc (src/host): on by default; `paths` are the filesystems whose space is shown. */
	readonly host?: {readonly enabled?: boolean; readonly intervalMs?: number; readonly paths?: readonly string[]};
	/** Energy pricing and footprint (src/gpu/energy.ts): price per kWh, currency, PUE, grid gCO2e per kWh. */
	readonly energy?: {readonly pricePerKwh?: number; readonly currency?: string; readonly pue?: number; readonly gridGramsPerKwh?: number};
	/** The Prometheus endpoint (src/metrics): `listen` as --metrics-listen ([ADDR:]PORT, or a port number). */
	readonly metrics?: {readonly listen?: string | number};
	/** The SLA's error budget (src/analysis/sla-budget.ts): objective, window, burn window (durations as written). */
	readonly sla?: {readonly objective?: number; readonly window?: string | number; readonly burnWindow?: string | number};
	/** Target losses for the training ETA (src/analysis/loss-eta.ts): for every project, and per project. */
	readonly training?: {readonly targetLoss?: number; readonly targets?: Readonly<Record<string, number>>};
	/** User rules, validated by the rules module. */
	readonly rules: readonly unknown[];
	/** Receivers, routing, grouping and inhibition (`notify:`), compiled with secrets wrapped; absent: no section. */
	readonly notify?: NotifyConfig;
	/** The raw document, for sections validated elsewhere. */
	readonly raw: Record<string, unknown>;
}

export const EMPTY_CONFIG: MycotopConfig = {redis: {}, store: {}, ui: {}, gpu: {}, rules: [], raw: {}};

/** Where mycotop looks for its config without --config (and where `mycotop init` writes one). */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
	const base = env['XDG_CONFIG_HOME'] && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(homedir(), '.config');
	return join(base, 'mycotop', 'config.yaml');
}

/** Locates a path in the document and returns its 1-based line (the line of the nearest existing ancestor). */
export function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<string | number>): number {
	for (let depth = path.length; depth >= 0; depth--) {
		const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
		const range = (node as {range?: [number, number, number]} | null | undefined)?.range;
		if (range) return counter.linePos(range[0]).line;
	}
	return 1;
}

type Check = (value: unknown) => string | undefined;

const positiveInt: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : `expected a positive integer, got ${JSON.stringify(v)}`);
const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? undefined : `expected a string, got ${JSON.stringify(v)}`);
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : `expected true or false, got ${JSON.stringify(v)}`);
const fraction: Check = (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : `expected a number in [0, 1), got ${JSON.stringify(v)}`);
const intervalMs: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 250 ? undefined : `expected an integer >= 250 (ms), got ${JSON.stringify(v)}`);
const refreshMs: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 10_000 ? undefined : `expected an integer from 100 to 10000 (ms), got ${JSON.stringify(v)}`);
const gpuList: Check = (v) =>
	Array.isArray(v) && v.length > 0 && v.every((g) => Number.isInteger(g) && g >= 0) ? undefined : `expected a list of GPU indices, got ${JSON.stringify(v)}`;
const duration: Check = (v) =>
	(typeof v === 'string' && parseDuration(v) !== undefined) || (typeof v === 'number' && durationValue(v) !== undefined)
		? undefined
		: `expected a duration like 1s, 5m (or milliseconds), at most ${MAX_DURATION_TEXT}, got ${JSON.stringify(v)}`;
const pathList: Check = (v) =>
	Array.isArray(v) && v.length > 0 && v.length <= 16 && v.every((p) => typeof p === 'string' && p.startsWith('/') && p.length <= 4096)
		? undefined
		: `expected a list of 1 to 16 absolute paths, got ${JSON.stringify(v)}`;
const nonNegative: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e6 ? undefined : `expected a number from 0 to 1000000, got ${JSON.stringify(v)}`);
const pue: Check = (v) => (typeof v === 'number' && v >= 1 && v <= 5 ? undefined : `expected a PUE from 1 to 5, got ${JSON.stringify(v)}`);
const currency: Check = (v) => (typeof v === 'string' && /^[A-Za-z$\u20AC\u00A3\u00A5]{1,8}$/.test(v) ? undefined : `expected a currency code such as EUR or USD, got ${JSON.stringify(v)}`);
const listenAddress: Check = (v) => {
	const parsed = typeof v === 'number' || typeof v === 'string' ? parseListenAddress(String(v)) : undefined;
	return parsed?.ok ? undefined : (parsed?.error ?? `expected [ADDR:]PORT, got ${JSON.stringify(v)}`);
};
const objective: Check = (v) => (typeof v === 'number' && v >= 0.5 && v <= 0.9999 ? undefined : `expected a share from 0.5 to 0.9999 (0.99: 99 % of tasks within 30 min), got ${JSON.stringify(v)}`);
const durationBetween =
	(minMs: number, maxMs: number, range: string): Check =>
	(v) => {
		const ms = typeof v === 'string' ? parseDuration(v) : durationValue(v);
		return ms !== undefined && ms >= minMs && ms <= maxMs ? undefined : `expected a duration from ${range}, got ${JSON.stringify(v)}`;
	};
const lossTarget: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1e9 ? undefined : `expected a loss above 0, got ${JSON.stringify(v)}`);
const lossTargets: Check = (v) => {
	if (v === null || typeof v !== 'object' || Array.isArray(v)) return `expected a mapping of project id to target loss, got ${JSON.stringify(v)}`;
	const entries = Object.entries(v as Record<string, unknown>);
	if (entries.length > 1000) return `${entries.length} projects, more than the 1000 allowed`;
	for (const [project, loss] of entries) {
		const problem = lossTarget(loss);
		if (problem !== undefined) return `${JSON.stringify(project)}: ${problem}`;
	}
	return undefined;
};
const redisUrl: Check = (v) => (typeof v === 'string' && /^rediss?(\+(sentinel|cluster))?:\/\//i.test(v) ? undefined : 'expected a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL');

const SCHEMA: Record<string, Record<string, Check> | 'rules' | 'notify'> = {
	redis: {url: redisUrl, ca: str, sentinel: sentinelSection, cluster: clusterSection},
	store: {seriesCapacity: positiveInt, maxProjects: positiveInt, maxAgents: positiveInt},
	ui: {smoothing: fraction, ascii: bool, refreshMs: refreshMs},
	gpu: {intervalMs, gpus: gpuList, nvidiaSmi: str, enabled: bool},
	host: {enabled: bool, intervalMs, paths: pathList},
	energy: {pricePerKwh: nonNegative, currency, pue, gridGramsPerKwh: nonNegative},
	metrics: {listen: listenAddress},
	sla: {objective, window: durationBetween(3_600_000, 7 * 86_400_000, '1h to 7d'), burnWindow: durationBetween(5 * 60_000, 86_400_000, '5m to 24h')},
	training: {targetLoss: lossTarget, targets: lossTargets},
	rules: 'rules',
	notify: 'notify',
	alerting: {evaluationInterval: duration, repeatInterval: duration, staleAfter: duration, author: str},
	fleet: {staleAfter: duration, lostAfter: duration, expireAfter: duration},
};

/** Every section and field the loader accepts (a section validated elsewhere has no fields here): `mycotop init`'s test reads it. */
export function configSchemaFields(): Array<readonly [section: string, field: string | undefined]> {
	return Object.entries(SCHEMA).flatMap(([section, fields]): Array<readonly [string, string | undefined]> =>
		typeof fields === 'string' ? [[section, undefined]] : Object.keys(fields).map((field) => [section, field]),
	);
}

/** Validators for sections owned by other modules: (value, path) -> issues as [path, message]. */
const SECTION_VALIDATORS: Record<string, (value: unknown) => Array<[Array<string | number>, string]>> = {
	rules: (value) => validateRules(value as unknown[]),
};

export type ConfigResult = {readonly ok: true; readonly config: MycotopConfig} | {readonly ok: false; readonly issues: readonly ConfigIssue[]};

/** Parse and validate YAML text (within the limits of yaml-file.ts). Pure. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ConfigResult {
	return configFromYaml(parseYaml(text), file, env);
}

function configFromYaml(loaded: YamlLoad, file: string, env: NodeJS.ProcessEnv): ConfigResult {
	if (!loaded.ok) {
		return {
			ok: false,
			issues: loaded.problems.map((p) => ({file, line: p.line, field: p.refused || p.line === 0 ? '(file)' : '(yaml)', message: p.message})),
		};
	}
	const {doc, counter} = loaded;
	const issues: ConfigIssue[] = [];
	const add = (path: Array<string | number>, message: string) =>
		issues.push({file, line: lineOf(doc, counter, path), field: path.join('.') || '(root)', message});
	const raw = loaded.value;
	if (raw === null || raw === undefined) return {ok: true, config: EMPTY_CONFIG};
	if (typeof raw !== 'object' || Array.isArray(raw) || !isMap(doc.contents)) {
		add([], 'expected a mapping of sections (redis, store, ui, gpu, rules)');
		return {ok: false, issues};
	}
	const root = raw as Record<string, unknown>;
	let notify: NotifyConfig | undefined;
	for (const [section, value] of Object.entries(root)) {
		const schema = SCHEMA[section];
		if (schema === undefined) {
			add([section], `unknown section (expected one of: ${Object.keys(SCHEMA).join(', ')})`);
			continue;
		}
		if (schema === 'rules') {
			if (!Array.isArray(value)) add([section], 'expected a list of rules');
			else for (const [path, message] of SECTION_VALIDATORS['rules']?.(value) ?? []) add([section, ...path], message);
			continue;
		}
		if (schema === 'notify') {
			// `${VAR}` is expanded from the environment; the root route repeats at alerting.repeatInterval when that is set.
			const alerting = root['alerting'];
			const repeat = alerting !== null && typeof alerting === 'object' ? durationValue((alerting as Record<string, unknown>)['repeatInterval']) : undefined;
			const result = compileNotify(value, env, repeat !== undefined ? {repeatIntervalMs: repeat} : {});
			if (result.ok) notify = result.config;
			else for (const [path, message] of result.issues) add([section, ...path], message);
			continue;
		}
		if (value === null || typeof value !== 'object' || Array.isArray(value)) {
			add([section], 'expected a mapping');
			continue;
		}
		for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
			const check = schema[field];
			if (check === undefined) {
				add([section, field], `unknown field (expected one of: ${Object.keys(schema).join(', ')})`);
				continue;
			}
			const problem = check(fieldValue);
			if (problem !== undefined) add([section, field], problem);
		}
	}
	if (issues.length > 0) return {ok: false, issues};
	const section = <T>(name: string) => (root[name] ?? {}) as T;
	return {
		ok: true,
		config: {
			redis: section('redis'),
			store: section('store'),
			ui: section('ui'),
			gpu: section('gpu'),
			host: section('host'),
			energy: section('energy'),
			metrics: section('metrics'),
			sla: section('sla'),
			training: section('training'),
			rules: (root['rules'] as unknown[] | undefined) ?? [],
			...(notify !== undefined ? {notify} : {}),
			raw: withoutSecrets(root),
		},
	};
}


/** The raw document without the `notify` section: its URLs and keys live only in config.notify, as Secrets. */
function withoutSecrets(root: Record<string, unknown>): Record<string, unknown> {
	if (!('notify' in root)) return root;
	const {notify: _secrets, ...rest} = root;
	return rest;
}

/**
Load the config: `--config FILE` must exist; the default path is used only when present.
Returns the config or the issues (a missing explicit file is an issue too).
*/
export function loadConfig(explicitPath: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfigResult {
	const path = explicitPath ?? defaultConfigPath(env);
	if (!existsSync(path)) {
		if (explicitPath === undefined) return {ok: true, config: EMPTY_CONFIG};
		return {ok: false, issues: [{file: path, line: 0, field: '(file)', message: 'config file not found'}]};
	}
	return configFromYaml(readYamlFile(path), path, env);
}

export function formatIssue(issue: ConfigIssue): string {
	return `${issue.file}:${issue.line}: ${issue.field}: ${issue.message}`;
}
