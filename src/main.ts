/**
Flags and config, then dispatch: a subcommand (commands.ts), or one of three front ends (the TUI, --headless,
--once), each of which builds its runtime through the composition root (compose.ts). Nothing here builds anything.
Returns the process exit code (2 for usage and config errors).
*/
import {formatIssue, loadConfig, type MycotopConfig} from './config/config.js';
import {helpText, parseFlags, type Flags} from './config/flags.js';
import {redisUrlFrom} from './config/resolve.js';
import {forecastSettingsFrom} from './analysis/forecast-settings.js';
import {configTopologyUrl, topologyOf} from './bus/redis-topology.js';
import {parseRedisUrl} from './bus/redis-url.js';
import {type RuntimeOptions} from './runtime.js';
import {packageVersion} from './version.js';
import {hostname} from 'node:os';
import {defaultHostName} from './fleet/host-name.js';
import {phasePeriodicTimers} from './periodic.js';
import {isSubcommandLine} from './subcommands.js';

/**
Default dashboard redraw period. Each Ink 6.8 frame of the full dashboard costs about 2-3% of a core per frame a
second on the 2-core VM (BENCHMARKS.md, "TUI cost"): 2 frames a second keeps mycotop at about 10-13% of a core at 200
events/s. Keys redraw at once whatever the period.
*/
const DEFAULT_REFRESH_MS = 1000;

/** Flags over env over config over defaults. Returns an error message for bad input. */
export function resolveOptions(flags: Flags, config: MycotopConfig, env: NodeJS.ProcessEnv): RuntimeOptions | string {
	// The demo's simulated events must never reach a real system by accident: it uses Redis only when asked to
	// on the command line.
	const redisUrl =
		flags.embedded || (flags.demo && flags.redisUrl === undefined)
			? undefined
			: redisUrlFrom(flags.redisUrl, env, config.redis.url ?? configTopologyUrl(config.redis));
	if (redisUrl !== undefined) {
		try {
			parseRedisUrl(redisUrl);
		} catch (error) {
			return `--redis-url: ${error instanceof Error ? error.message : String(error)}`;
		}
		if (flags.streams && topologyOf(redisUrl) === 'cluster') return '--streams: not supported on a Redis Cluster (one XREAD reads every input stream, and they live in different hash slots)';
	}
	return {
		redisUrl,
		redisCa: flags.redisCa ?? config.redis.ca,
		readOnly: flags.readOnly,
		demo: flags.demo,
		streams: flags.streams,
		host: flags.host ?? defaultHostName(hostname()),
		limits: config.store,
		forecasts: forecastSettingsFrom(config),
		maxHz: 1000 / (flags.refreshMs ?? config.ui.refreshMs ?? DEFAULT_REFRESH_MS),
	};
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
	// The commands module (and the notify senders, backtest, rule tests it brings) is loaded only for a subcommand.
	if (isSubcommandLine(argv)) return (await import('./commands.js')).runCommand(argv, env);
	const parsed = parseFlags(argv);
	if (!parsed.ok) {
		process.stderr.write(`mycotop: ${parsed.error}\nRun mycotop --help for the list of flags.\n`);
		return 2;
	}
	const flags = parsed.flags;
	if (flags.help) {
		process.stdout.write(`${helpText(packageVersion())}\n`);
		return 0;
	}
	if (flags.version) {
		process.stdout.write(`${packageVersion()}\n`);
		return 0;
	}
	if (flags.positionals.length > 0) return (await import('./commands.js')).runSubcommand(flags, env);

	const loaded = loadConfig(flags.config, env);
	if (!loaded.ok) {
		for (const issue of loaded.issues) process.stderr.write(`mycotop: config error: ${formatIssue(issue)}\n`);
		return 2;
	}
	const options = resolveOptions(flags, loaded.config, env);
	if (typeof options === 'string') {
		process.stderr.write(`mycotop: ${options}\n`);
		return 2;
	}
	if (flags.once) {
		const {runOnce} = await import('./once.js');
		return runOnce(flags, loaded.config, options);
	}
	// The long-running modes: their periodic timers wake the process together (periodic.ts).
	phasePeriodicTimers(true);
	if (flags.headless) {
		const {runHeadless} = await import('./headless.js');
		return runHeadless(flags, loaded.config, options);
	}
	const {runTui} = await import('./tui.js');
	return runTui(flags, loaded.config, options);
}
