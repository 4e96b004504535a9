/**
`mycotop init [PATH] [--force]`: writes a commented config with every section the loader knows (config.ts). The
file is built from one table: each setting's YAML text, its comment, and whether it is written active (it is the
default, so the file changes nothing until edited) or commented out (a setting whose default is "none": an example).
The test loads the file through the real loader, and also the file with every example switched on, so an example
cannot rot. Never overwrites a file without --force (the write is exclusive, so a file created meanwhile is not
clobbered either); mode 0600, as a config may hold a Redis password.
*/
import {mkdirSync, writeFileSync} from 'node:fs';
import {dirname} from 'node:path';
import {DEFAULT_REDIS_URL} from './resolve.js';

interface Setting {
	/** One or more YAML lines, indented inside the section (two spaces), without comment. */
	readonly yaml: string;
	readonly comment?: string;
	/** false: written commented out (an example; the default is to leave it unset). */
	readonly active: boolean;
}

interface Section {
	readonly name: string;
	/** Said above the section. */
	readonly about: string;
	/** Settings; `inline` is for a section that is one value (`rules: []`). */
	readonly settings: readonly Setting[];
	readonly inline?: Setting;
}

const on = (yaml: string, comment?: string): Setting => ({yaml, active: true, ...(comment !== undefined ? {comment} : {})});
const example = (yaml: string, comment?: string): Setting => ({yaml, active: false, ...(comment !== undefined ? {comment} : {})});

/** Every section and field of config.ts's schema, in the order the README's Configuration lists them. */
const INIT_SECTIONS: readonly Section[] = [
	{
		name: 'redis',
		about: 'Where the system\'s Redis is. --redis-url and REDIS_URL win over this.',
		settings: [
			on(`url: ${DEFAULT_REDIS_URL}`, 'redis://[user:password@]host[:port][/db], or rediss:// for TLS'),
			example('ca: /etc/mycotop/ca.pem', 'PEM CA to trust for rediss:// (a private CA); as --redis-ca'),
			example('sentinel:\n  masterName: mymaster\n  sentinels: ["10.0.0.1:26379", "10.0.0.2:26379"]', 'behind Sentinel (used when url is not set); README, "Redis Sentinel and Cluster"'),
			example('cluster:\n  nodes: ["10.0.0.1:7000", "10.0.0.2:7000"]', 'a Redis Cluster\'s seed nodes (used when url and sentinel are not set)'),
		],
	},
	{
		name: 'store',
		about: 'What is kept in memory. Past a cap, new names are refused and counted (never silently dropped).',
		settings: [on('seriesCapacity: 10000', 'points kept per series (a ring buffer)'), on('maxProjects: 1000'), on('maxAgents: 1000')],
	},
	{
		name: 'ui',
		about: 'The dashboard.',
		settings: [
			on('smoothing: 0.6', 'weight of the smoothed loss line (TensorBoard-style EMA), 0 to below 1'),
			on('ascii: false', 'ASCII only, for terminals without block glyphs; as --ascii'),
			on('refreshMs: 1000', 'redraw at most every N ms (100 to 10000); as --refresh'),
		],
	},
	{
		name: 'gpu',
		about: 'GPU telemetry from nvidia-smi.',
		settings: [
			on('enabled: true', 'false: no GPU sampling; as --no-gpu'),
			on('intervalMs: 1000', 'sampling interval, at least 250; as --gpu-interval'),
			example('gpus: [0, 1]', 'only these GPU indices (default: all); as --gpus'),
			example('nvidiaSmi: /usr/bin/nvidia-smi', 'the binary to run (default: nvidia-smi on PATH); as --nvidia-smi'),
		],
	},
	{
		name: 'host',
		about: 'The host line: CPU, memory, disk, network from /proc.',
		settings: [
			on('enabled: true'),
			on('intervalMs: 1000', 'at least 250'),
			example('paths: [/, /data]', 'filesystems whose free space is shown (default: the working directory\'s)'),
		],
	},
	{
		name: 'energy',
		about: 'Energy cost and footprint of today\'s GPU energy (README, "Energy and cost").',
		settings: [
			on('pue: 1', 'facility energy / IT energy, 1 to 5'),
			example('pricePerKwh: 0.25', 'set to show what today\'s energy cost'),
			example('currency: EUR'),
			example('gridGramsPerKwh: 380', 'grid carbon intensity (g CO2e per kWh): set to show today\'s CO2e'),
		],
	},
	{
		name: 'sla',
		about: 'The task SLA\'s error budget (README, "Forecasts"): the share of tasks that must finish within 30 minutes.',
		settings: [
			on('objective: 0.9', 'from 0.5 to 0.9999'),
			on('window: 24h', 'the budget\'s period, 1h to 7d'),
			on('burnWindow: 1h', 'the recent window the burn rate is measured over, 5m to 24h'),
		],
	},
	{
		name: 'training',
		about: 'Target losses for the training ETA (README, "Forecasts").',
		settings: [example('targetLoss: 0.5', 'every project'), example('targets:\n  my-project: 0.25', 'per project, over targetLoss')],
	},
	{
		name: 'fleet',
		about: 'When another box on the same Redis counts as stale, lost, then gone (README, "Fleet").',
		settings: [
			example('staleAfter: 3s', 'default: 3 sampling intervals, at least 3 s'),
			example('lostAfter: 60s', 'default: 60 s'),
			example('expireAfter: 24h', 'default: 24 h (the registry\'s TTL)'),
		],
	},
	{
		name: 'alerting',
		about: 'The rule engine (README, "Rules and alerts"). Durations: 500ms, 30s, 5m, 2h, 7d, at most 365d.',
		settings: [
			on('evaluationInterval: 1s'),
			on('repeatInterval: 5m', 'the same alert firing again is announced again after this (the seed\'s cooldown)'),
			on('staleAfter: 15s', 'a GPU series without a sample this long goes to nodata'),
			example('author: alice', 'who acks and silences are recorded as (default user@host)'),
		],
	},
	{
		name: 'rules',
		about: 'Your own rules, beside the built-in ones (mycotop rules list). README, "Your own rules".',
		settings: [],
		inline: on('[]'),
	},
	{
		name: 'metrics',
		about: 'The Prometheus endpoint (README, "Prometheus and Grafana"). Off unless set; as --metrics-listen.',
		settings: [example('listen: 9464', '[ADDR:]PORT; a bare port binds 127.0.0.1 only')],
	},
	{
		name: 'notify',
		about: 'Receivers, routing, grouping and inhibition (README, "Notifications"). Without it nothing is sent.\n' +
			'URLs, keys and tokens may be ${ENV_VARS}, expanded at start and never printed.',
		settings: [
			example('bell: true', 'the TUI rings the terminal bell on a new critical alert (default false)'),
			example('receivers:\n  - name: team\n    webhook:                          # or slack, pagerduty, ntfy, command\n      url: http://127.0.0.1:9099/alerts # or ${ALERT_HOOK_URL}'),
			example('route:\n  receiver: team\n  group_wait: 30s\n  group_interval: 5m\n  repeat_interval: 4h'),
		],
	},
];

/** The column comments start at, so the file reads as a table. */
const COMMENT_COLUMN = 40;

function settingLines(setting: Setting, indent: string, allActive: boolean): string[] {
	const active = setting.active || allActive;
	const lines = setting.yaml.split('\n').map((line) => `${indent}${active ? '' : '# '}${line}`);
	if (setting.comment !== undefined) lines[0] = `${lines[0]!.padEnd(COMMENT_COLUMN - 1)} # ${setting.comment}`;
	return lines;
}

/**
The config file's text. `allActive` writes the examples active too (for the test: they must load as well). A
section with no active setting is written commented out as a whole (an empty mapping would be null to YAML). Pure.
*/
export function configTemplate(version: string, options: {readonly allActive?: boolean} = {}): string {
	const allActive = options.allActive === true;
	const out = [
		`# mycotop configuration, written by \`mycotop init\` (mycotop ${version}).`,
		'# Every section is optional. Active values are the defaults, so this file changes nothing until you edit it;',
		'# lines commented out are settings left unset by default: remove the "# " to use one.',
		'# Flags win over REDIS_URL, which wins over this file. Unknown sections and fields are errors (file:line: field).',
		'# Check it with: mycotop --config FILE --once',
	];
	for (const section of INIT_SECTIONS) {
		out.push('');
		for (const line of section.about.split('\n')) out.push(`# ${line}`);
		if (section.inline !== undefined) {
			out.push(...settingLines({...section.inline, yaml: `${section.name}: ${section.inline.yaml}`}, '', allActive));
			continue;
		}
		const anyActive = allActive || section.settings.some((s) => s.active);
		const body = section.settings.flatMap((s) => settingLines(s, '  ', allActive));
		if (anyActive) out.push(`${section.name}:`, ...body);
		else out.push(`# ${section.name}:`, ...body.map((line) => (line.startsWith('  # ') ? `#   ${line.slice(4)}` : `# ${line}`)));
	}
	return `${out.join('\n')}\n`;
}

export type InitResult = {readonly ok: true; readonly path: string} | {readonly ok: false; readonly message: string};

/** Writes the template to `path` (creating its folder); refuses an existing file unless `force`. */
export function writeConfigTemplate(path: string, text: string, force: boolean): InitResult {
	try {
		mkdirSync(dirname(path), {recursive: true});
		writeFileSync(path, text, {mode: 0o600, flag: force ? 'w' : 'wx'});
		return {ok: true, path};
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST') return {ok: false, message: `${path} exists; mycotop init --force overwrites it`};
		return {ok: false, message: `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`};
	}
}
