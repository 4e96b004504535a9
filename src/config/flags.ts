/**
Command-line flags: one table (name, type, help) that drives both parsing and `--help`, so they cannot drift.
Parsing is pure: it returns the flags or a usage error; the CLI prints it and exits 2.
*/
import {parseArgs} from 'node:util';
import {MAX_DURATION_TEXT} from '../rules/duration.js';
import {parseListenAddress, type ListenAddress} from '../metrics/listen-address.js';
import {checkHostName} from '../fleet/host-name.js';

interface FlagSpec {
	readonly type: 'string' | 'boolean';
	readonly value?: string;
	readonly help: string;
	/** The values it takes, where they are a fixed few (for the shell completions). */
	readonly choices?: readonly string[];
}

const FLAGS = {
	'redis-url': {type: 'string', value: 'URL', help: 'Redis to use (redis://, rediss://, redis+sentinel://h:p,h:p/MASTER, redis+cluster://h:p,h:p; a password in the user info or ?password= is never printed). Default $REDIS_URL, else redis://127.0.0.1:6379'},
	'redis-ca': {type: 'string', value: 'FILE', help: 'PEM CA to trust for rediss:// (a private CA)'},
	config: {type: 'string', value: 'FILE', help: 'YAML config (at most 1 MiB and 500 rules). Default ~/.config/mycotop/config.yaml when it exists'},
	headless: {type: 'boolean', help: 'No UI: run the pipeline and write JSON lines (state changes, rejects, alerts) to stdout'},
	once: {type: 'boolean', help: 'Print one snapshot of everything mycotop knows and exit (1 when Redis refuses the password or ACL)'},
	json: {type: 'boolean', help: 'With --once: print the snapshot as JSON'},
	demo: {type: 'boolean', help: 'Run the built-in workload simulator on the active bus'},
	'read-only': {type: 'boolean', help: 'Never write to Redis (view only)'},
	embedded: {type: 'boolean', help: 'Do not use Redis: run on the in-process bus only'},
	streams: {type: 'boolean', help: 'Lossless mode: read the input channels from their Redis Streams (events:stream:*), resuming after restarts'},
	'gpu-interval': {type: 'string', value: 'MS', help: 'GPU sampling interval in ms (default 1000, minimum 250)'},
	gpus: {type: 'string', value: 'LIST', help: 'Only these GPU indices, e.g. 0,3'},
	'nvidia-smi': {type: 'string', value: 'PATH', help: 'nvidia-smi binary to run (default: nvidia-smi on PATH)'},
	'no-gpu': {type: 'boolean', help: 'Do not sample GPUs'},
	host: {type: 'string', value: 'NAME', help: "This box's name in the host-scoped keys and the hosts pane (default: the OS host name; A-Z a-z 0-9 . _ -)"},
	ascii: {type: 'boolean', help: 'Draw with ASCII only (terminals without block glyphs); charts too'},
	charts: {type: 'string', value: 'MODE', choices: ['braille', 'block'], help: 'How zoomed charts draw: braille (2x4 dots a cell, default) or block (for fonts without braille)'},
	bell: {type: 'boolean', help: 'Ring the terminal bell when a critical alert starts firing (also notify.bell: true in the config)'},
	'metrics-listen': {type: 'string', value: '[ADDR:]PORT', help: 'Serve Prometheus /metrics, /healthz, /readyz on PORT (127.0.0.1 unless ADDR is given; 0: any free port). Default off'},
	refresh: {type: 'string', value: 'MS', help: 'Redraw the dashboard at most every MS ms (default 1000, minimum 100); keys redraw at once'},
	help: {type: 'boolean', help: 'Show this help'},
	version: {type: 'boolean', help: 'Show the version'},
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;

export interface Flags {
	readonly redisUrl?: string;
	readonly redisCa?: string;
	readonly config?: string;
	readonly headless: boolean;
	readonly once: boolean;
	readonly json: boolean;
	readonly demo: boolean;
	readonly readOnly: boolean;
	readonly embedded: boolean;
	readonly streams: boolean;
	readonly gpuIntervalMs?: number;
	readonly gpus?: readonly number[];
	readonly nvidiaSmi?: string;
	readonly noGpu: boolean;
	/** `--host`: this box's name in host-scoped keys, checked by src/fleet/host-name.ts. */
	readonly host?: string;
	readonly ascii: boolean;
	/** Ring the terminal bell on a new critical alert (TUI). */
	readonly bell: boolean;
	/** `--charts`: braille or block cells for the zoomed charts (ASCII comes from --ascii). */
	readonly charts?: 'braille' | 'block';
	readonly refreshMs?: number;
	/** `--metrics-listen`: where the Prometheus endpoint binds (src/metrics); undefined: off unless the config says. */
	readonly metricsListen?: ListenAddress;
	readonly help: boolean;
	readonly version: boolean;
	/** Words after the flags (subcommands such as `ack ID`). */
	readonly positionals: readonly string[];
}

export type FlagsResult = {readonly ok: true; readonly flags: Flags} | {readonly ok: false; readonly error: string};

export function parseFlags(argv: readonly string[]): FlagsResult {
	let parsed;
	try {
		parsed = parseArgs({
			args: [...argv],
			options: Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, {type: spec.type}])),
			strict: true,
			allowPositionals: true,
		});
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		return {ok: false, error: message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown flag')};
	}
	const v = parsed.values as Record<string, string | boolean | undefined>;
	const str = (name: FlagName) => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
	const bool = (name: FlagName) => v[name] === true;

	let gpuIntervalMs: number | undefined;
	const interval = str('gpu-interval');
	if (interval !== undefined) {
		gpuIntervalMs = Number(interval);
		if (!Number.isInteger(gpuIntervalMs) || gpuIntervalMs < 250)
			return {ok: false, error: `--gpu-interval: expected an integer number of ms >= 250, got "${interval}"`};
	}
	let refreshMs: number | undefined;
	const refresh = str('refresh');
	if (refresh !== undefined) {
		refreshMs = Number(refresh);
		if (!Number.isInteger(refreshMs) || refreshMs < 100 || refreshMs > 10_000)
			return {ok: false, error: `--refresh: expected an integer number of ms from 100 to 10000, got "${refresh}"`};
	}
	let gpus: number[] | undefined;
	const gpuList = str('gpus');
	if (gpuList !== undefined) {
		gpus = gpuList.split(',').map((s) => Number(s.trim()));
		if (gpus.length === 0 || gpus.some((g) => !Number.isInteger(g) || g < 0 || g > 63))
			return {ok: false, error: `--gpus: expected GPU indices like 0,3, got "${gpuList}"`};
	}
	let metricsListen: ListenAddress | undefined;
	const listen = str('metrics-listen');
	if (listen !== undefined) {
		const parsedListen = parseListenAddress(listen);
		if (!parsedListen.ok) return {ok: false, error: `--metrics-listen: ${parsedListen.error}`};
		metricsListen = parsedListen.address;
	}
	const hostFlag = str('host');
	if (hostFlag !== undefined) {
		const checked = checkHostName(hostFlag);
		if (!checked.ok) return {ok: false, error: `--host: ${checked.error}`};
	}
	const chartsMode = str('charts');
	if (chartsMode !== undefined && chartsMode !== 'braille' && chartsMode !== 'block') return {ok: false, error: `--charts: expected braille or block, got "${chartsMode}"`};
	if (bool('json') && !bool('once')) return {ok: false, error: '--json only goes with --once'};
	if (bool('headless') && bool('once')) return {ok: false, error: '--headless and --once cannot be combined'};
	if (bool('embedded') && str('redis-url') !== undefined) return {ok: false, error: '--embedded and --redis-url cannot be combined'};

	return {
		ok: true,
		flags: {
			redisUrl: str('redis-url'),
			redisCa: str('redis-ca'),
			config: str('config'),
			headless: bool('headless'),
			once: bool('once'),
			json: bool('json'),
			demo: bool('demo'),
			readOnly: bool('read-only'),
			embedded: bool('embedded'),
			streams: bool('streams'),
			gpuIntervalMs,
			gpus,
			nvidiaSmi: str('nvidia-smi'),
			noGpu: bool('no-gpu'),
			...(hostFlag !== undefined ? {host: hostFlag} : {}),
			ascii: bool('ascii'),
			bell: bool('bell'),
			charts: chartsMode,
			refreshMs,
			...(metricsListen !== undefined ? {metricsListen} : {}),
			help: bool('help'),
			version: bool('version'),
			positionals: parsed.positionals,
		},
	};
}

/** The flag table as the shell completions read it (completion.ts). */
export function flagTable(): Array<{name: string; value?: string; help: string; choices?: readonly string[]}> {
	return (Object.entries(FLAGS) as Array<[string, FlagSpec]>).map(([name, spec]) => ({name, help: spec.help, ...(spec.value !== undefined ? {value: spec.value} : {}), ...(spec.choices !== undefined ? {choices: spec.choices} : {})}));
}

export function helpText(version: string): string {
	const lines = [
		`mycotop ${version}: live terminal monitor for GPU training boxes and their Redis-coordinated agents`,
		'',
		'Usage: mycotop [flags]',
		'',
		'Flags:',
	];
	for (const [name, spec] of Object.entries(FLAGS) as Array<[string, FlagSpec]>) {
		const left = `  --${name}${spec.value ? ` ${spec.value}` : ''}`;
		lines.push(`${left.padEnd(25)} ${spec.help}`);
	}
	lines.push(
		'',
		'Commands: mycotop ack ID | unack ID | silence RULE [label=value ...] --for 2h --comment TEXT | silences |',
		'          silence expire ID | rules list | rules check FILE | rules test FILE | backtest --since 7d |',
		'          init [PATH] [--force] | completion bash|zsh',
		`          (mycotop ack --help for details; durations such as --for and --since: at most ${MAX_DURATION_TEXT})`,
		'',
		'Environment: REDIS_URL (as --redis-url), NO_COLOR (no colours), MYCOTOP_LOG=FILE (the TUI writes console output there).',
		'Keys in the dashboard: press ? for the full list; q quits.',
	);
	return lines.join('\n');
}
