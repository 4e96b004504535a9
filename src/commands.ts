/**
Subcommands: `mycotop ack ID`, `mycotop silence RULE [label=value ...] --for 2h --comment ...`,
`mycotop silences`, `mycotop silence expire ID`, `mycotop rules check FILE`, `mycotop rules test FILE`,
`mycotop rules list`, `mycotop backtest --since 7d`, `mycotop history SERIES --since 30d`, `mycotop history --list`. Each has its own flags (parsed here, not by the global
parser); `--redis-url`, `--redis-ca` and `--config` work for all of them. Exit status: 0 ok, 1 failed (a rule
test failed, a rule file has errors, Redis unreachable or refusing the password or the command), 2 usage (a
duration past the maximum included) and a config or rule file refused by a limit (yaml-file.ts).
*/
import {parseArgs} from 'node:util';
import {type Redis} from 'ioredis';
import {type Flags} from './config/flags.js';
import {defaultConfigPath, formatIssue, loadConfig, type MycotopConfig} from './config/config.js';
import {flagTable} from './config/flags.js';
import {configTemplate, writeConfigTemplate} from './config/init-config.js';
import {completionScript, SHELLS, type CompletionSpec} from './config/completion.js';
import {COMMANDS} from './subcommands.js';

import {SUBCOMMANDS} from './subcommands.js';
export {SUBCOMMANDS};
import {packageVersion} from './version.js';
import {redisUrlFrom, userAtHost} from './config/resolve.js';
import {configTopologyUrl} from './bus/redis-topology.js';
import {parseRedisUrl, type RedisTarget} from './bus/redis-url.js';
import {kvForClient} from './bus/cluster-kv.js';
import {commandAlertStorage, connectCommandRedis, redisErrorText} from './compose.js';
import {durationProblem, formatDuration, MAX_DURATION_TEXT, parseDuration} from './rules/duration.js';
import {parseMatcher, type Matcher} from './rules/labels.js';
import {skippedText} from './rules/alert-storage.js';
import {expiredSilence, newSilence, ruleMatchers, silenceMatcherText, silenceStatus} from './rules/ack-silence.js';
import {BUILTIN_RULES} from './rules/builtin-rules.js';
import {compileRules} from './rules/user-rules.js';
import {configAuthor} from './rules/attach.js';
import {loadRuleList, runRuleTests} from './rules/rule-test.js';
import {backtest} from './rules/backtest.js';
import {hostname} from 'node:os';
import {sanitizeText} from './contract/sanitize.js';
import {receiverSecrets} from './notify/notify-config.js';
import {secretsRedactor} from './notify/secrets.js';
import {requestsFor} from './notify/attach-notify.js';
import {sendBy} from './notify/delivery.js';
import {sendHttp} from './notify/http-sender.js';
import {runCommand as runNotifyCommand} from './notify/command-runner.js';
import {accepted, testAnswerText, testNotifications} from './notify/notify-test.js';
import {RedisHistorySource} from './history/redis-history-source.js';
import {isSeriesName} from './history/history-source.js';
import {historyCsv, historyJson, historyTable, stepNote} from './history/history-output.js';

/** The subcommands, the words that may follow each and where a file name goes: dispatch and the shell completions read it. */

const USAGE = `Usage:
  mycotop ack ID [--comment TEXT] [--for 2h]      acknowledge an alert (ID as shown in the alert log); with
                                                  --for it is unacknowledged again after that if still firing
  mycotop unack ID                                remove an acknowledgement
  mycotop silence RULE [label=value ...] --for 2h --comment TEXT [--author NAME]
                                                  (--for: at most ${MAX_DURATION_TEXT}; default 1h)
  mycotop silence expire ID                       end a silence now (or remove an unreadable one)
  mycotop silences [--all]                        list silences (--all: expired ones too)
  mycotop rules list                              the built-in rules, sound and seed variants
  mycotop rules check FILE                        validate rules (a config with rules:, or a list)
  mycotop rules test FILE... [--run REGEX]        run rule unit tests (promtool style)
  mycotop backtest --since 7d [--step 10s] [--json]   replay Redis history through the rules
  mycotop notify test RECEIVER                    send a test message to a receiver of notify: and print the answer
  mycotop history SERIES [--since 24h] [--step 1h] [--json|--csv]
                                                  a series' buckets (min, max, mean, last, count) from the rollups
  mycotop history SERIES --steps [--json|--csv]   a training series' whole run by step
  mycotop history --list [--json]                 the series with history
  mycotop init [PATH] [--force]                   write a commented config with the defaults (default PATH: the
                                                  config mycotop reads, ~/.config/mycotop/config.yaml)
  mycotop completion bash|zsh                     a shell completion script: source <(mycotop completion bash)
Common: --redis-url URL, --redis-ca FILE, --config FILE
Durations: 500ms, 30s, 5m, 2h, 7d, 1w or combined (1h30m), at most ${MAX_DURATION_TEXT}.
Exit: 0 ok; 1 failed (rule errors, a failed rule test, Redis unreachable or refusing the password or ACL);
2 usage, a bad config, or a file refused by a limit (over 1 MiB, over 500 rules, an alias bomb, deep nesting).`;

const OPTIONS = {
	'redis-url': {type: 'string'},
	'redis-ca': {type: 'string'},
	config: {type: 'string'},
	for: {type: 'string'},
	comment: {type: 'string'},
	author: {type: 'string'},
	since: {type: 'string'},
	step: {type: 'string'},
	run: {type: 'string'},
	json: {type: 'boolean'},
	csv: {type: 'boolean'},
	list: {type: 'boolean'},
	steps: {type: 'boolean'},
	all: {type: 'boolean'},
	help: {type: 'boolean'},
	force: {type: 'boolean'},
} as const;

type Out = {out: (s: string) => void; err: (s: string) => void};

const defaultOut: Out = {out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`mycotop: ${s}\n`)};

/** Run a subcommand from the raw argv (argv[0] is the command). */
export async function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: Out = defaultOut): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({args: [...argv], options: OPTIONS, strict: true, allowPositionals: true});
	} catch (error) {
		io.err(`${error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error)}\n${USAGE}`);
		return 2;
	}
	const v = parsed.values;
	const [command, ...args] = parsed.positionals;
	if (v.help) {
		io.out(USAGE);
		return 0;
	}
	// Neither reads the config: init writes one, completion prints a script.
	if (command === 'init') return initCommand(args, v.force === true, env, io);
	if (command === 'completion') return completionCommand(args, io);
	const loaded = loadConfig(v.config, env);
	if (!loaded.ok) {
		for (const issue of loaded.issues) io.err(`config error: ${formatIssue(issue)}`);
		return 2;
	}
	const config = loaded.config;
	const redisUrl = redisUrlFrom(v['redis-url'], env, config.redis.url ?? configTopologyUrl(config.redis));
	const caFile = v['redis-ca'] ?? config.redis.ca;
	const withRedis = async (fn: (redis: Redis) => Promise<number>): Promise<number> => {
		let target: RedisTarget;
		try {
			target = parseRedisUrl(redisUrl);
		} catch (error) {
			return usage(io, `--redis-url: ${error instanceof Error ? error.message : String(error)}`);
		}
		let redis: Redis;
		try {
			redis = await connectCommandRedis(target, caFile);
		} catch (error) {
			io.err(error instanceof Error ? error.message : String(error));
			return 1;
		}
		try {
			return await fn(redis);
		} catch (error) {
			io.err(redisErrorText(target, error instanceof Error ? error.message : String(error)));
			return 1;
		} finally {
			redis.disconnect();
		}
	};

	switch (command) {
		case 'ack':
		case 'unack': {
			if (args.length !== 1) return usage(io, `${command} takes one alert ID`);
			const id = args[0]!;
			let ackForMs: number | undefined;
			if (command === 'ack' && v.for !== undefined) {
				const forProblem = durationProblem(v.for);
				if (forProblem !== undefined) return usage(io, `--for: ${forProblem}`);
				ackForMs = parseDuration(v.for);
				if (ackForMs === undefined || ackForMs <= 0) return usage(io, `--for: expected a duration like 30m or 2h, got "${v.for}"`);
			}
			return withRedis(async (redis) => {
				const storage = commandAlertStorage(redis);
				if (command === 'unack') {
					await storage.deleteAck(id);
					io.out(`unacknowledged ${id}`);
					return 0;
				}
				const log = await storage.readLog(10_000);
				const last = [...log].reverse().find((t) => t.id === id);
				if (last === undefined) {
					const recent = [...new Set([...log].reverse().filter((t) => t.kind !== 'resolved').map((t) => t.id))].slice(0, 10);
					io.err(`no alert "${id}" in the alert log${recent.length > 0 ? `; recent ones:\n  ${recent.join('\n  ')}` : ''}`);
					return 1;
				}
				// The ack covers the alert's episode (keyed by when it first went pending), also when it is still pending.
				const by = v.author ?? configAuthor(config) ?? userAtHost();
				const atMs = Date.now();
				const untilMs = ackForMs === undefined ? undefined : atMs + ackForMs;
				await storage.putAck({alertId: id, by, atMs, severity: last.severity, episodeMs: last.activeAtMs, ...(v.comment ? {comment: v.comment} : {}), ...(untilMs !== undefined ? {untilMs} : {})});
				io.out(`acknowledged ${id} (${last.severity}) as ${by}${untilMs !== undefined ? ` until ${new Date(untilMs).toISOString()}` : ''}`);
				return 0;
			});
		}
		case 'silence': {
			if (args[0] === 'expire') {
				if (args.length !== 2) return usage(io, 'silence expire takes one silence ID');
				return withRedis(async (redis) => {
					const storage = commandAlertStorage(redis);
					const {silences, skipped} = await storage.readSilences(Date.now());
					const s = silences.get(args[1]!);
					if (s === undefined) {
						// A record that cannot be read cannot be expired either: it is removed.
						if (skipped.some((k) => k.field === args[1]) && (await storage.hasSilence(args[1]!))) {
							await storage.deleteSilence(args[1]!);
							io.out(`removed unreadable silence ${args[1]}`);
							return 0;
						}
						io.err(`no silence "${args[1]}"`);
						return 1;
					}
					await storage.putSilence(expiredSilence(s, Date.now()));
					io.out(`expired silence ${s.id}`);
					return 0;
				});
			}
			if (args.length < 1) return usage(io, 'silence needs a rule name (or "expire ID")');
			const durationText = v.for ?? '1h';
			const durationMs = parseDuration(durationText);
			const forProblem = durationProblem(durationText);
			if (forProblem !== undefined) return usage(io, `--for: ${forProblem}`);
			if (durationMs === undefined || durationMs <= 0) return usage(io, `--for: expected a duration like 30m or 2h, got "${durationText}"`);
			if (!v.comment) return usage(io, 'silence needs --comment (why, so nobody forgets it)');
			const matchers: Matcher[] = ruleMatchers(args[0]!);
			for (const text of args.slice(1)) {
				const m = parseMatcher(text);
				if (typeof m === 'string') return usage(io, m);
				matchers.push(m);
			}
			const silence = newSilence(matchers, Date.now(), durationMs, v.author ?? configAuthor(config) ?? userAtHost(), v.comment);
			return withRedis(async (redis) => {
				await commandAlertStorage(redis).putSilence(silence);
				io.out(`silence ${silence.id}: ${silenceMatcherText(silence)} until ${new Date(silence.endsMs).toISOString()} (${formatDuration(durationMs)}) by ${silence.createdBy}`);
				return 0;
			});
		}
		case 'silences':
			return withRedis(async (redis) => {
				const now = Date.now();
				const read = await commandAlertStorage(redis).readSilences(now);
				// A record that cannot be shown (junk, a time Date cannot print) is named and skipped, never fatal.
				const note = skippedText('silence', read.skipped);
				if (note !== undefined) io.err(`${note} (mycotop silence expire ID removes one)`);
				const silences = [...read.silences.values()].filter((s) => v.all || silenceStatus(s, now) !== 'expired');
				if (v.json) io.out(JSON.stringify(silences));
				else if (silences.length === 0) io.out('no silences');
				else
					for (const s of silences.sort((a, b) => a.endsMs - b.endsMs))
						io.out(`${s.id}  ${silenceStatus(s, now).padEnd(7)}  ${silenceMatcherText(s)}  until ${new Date(s.endsMs).toISOString()}  ${s.createdBy}: ${s.comment}`);
				return 0;
			});
		case 'rules':
			return rulesCommand(args, v, io);
		case 'notify':
			if (args[0] !== 'test' || args.length !== 2) return usage(io, 'notify takes "test RECEIVER"');
			return notifyTestCommand(config, args[1]!, io);
		case 'backtest': {
			const sinceText = v.since ?? '7d';
			const sinceMs = parseDuration(sinceText);
			const stepMs = parseDuration(v.step ?? '10s');
			const sinceProblem = durationProblem(sinceText);
			const stepProblem = durationProblem(v.step ?? '10s');
			if (sinceProblem !== undefined) return usage(io, `--since: ${sinceProblem}`);
			if (stepProblem !== undefined) return usage(io, `--step: ${stepProblem}`);
			if (sinceMs === undefined || sinceMs <= 0) return usage(io, `--since: expected a duration like 7d, got "${sinceText}"`);
			if (stepMs === undefined || stepMs <= 0) return usage(io, `--step: expected a duration like 10s, got "${v.step}"`);
			const rules = compileRules(config.rules);
			return withRedis(async (redis) => {
				const until = Date.now();
				const report = await backtest(kvForClient(redis, 'cli'), rules, {sinceMs: until - sinceMs, untilMs: until, stepMs});
				if (v.json) {
					io.out(JSON.stringify(report));
					return 0;
				}
				io.out(
					`Replayed ${formatDuration(sinceMs)} (${report.evaluations} evaluations every ${formatDuration(stepMs)}): ${report.loaded.lossPoints} loss points, ` +
						`${report.loaded.completions} task completions, ${report.loaded.gpuPoints} GPU samples, ${report.loaded.workflowPoints} workflow steps.`,
				);
				if (report.rules.length === 0) io.out('Nothing would have fired.');
				for (const r of report.rules) {
					io.out(`${r.rule}: fired ${r.fired}x, ${r.notifications} notifications, ${formatDuration(r.firingMs)} firing, ${r.flaps} flaps`);
					for (const e of r.episodes.slice(0, 20))
						io.out(`  ${new Date(e.firedAtMs).toISOString()}  ${e.resolvedAtMs ? `-> ${new Date(e.resolvedAtMs).toISOString()}` : '(still firing)'}  ${e.severity}  ${e.id}: ${e.message}`);
					if (r.episodes.length > 20) io.out(`  ... ${r.episodes.length - 20} more`);
				}
				return 0;
			});
		}
		case 'history':
			return historyCommand(args, v, io, withRedis);
		default:
			return usage(io, `unknown command "${command ?? ''}"`);
	}
}

/** `mycotop history SERIES [--since 24h] [--step 1h] [--steps] [--json|--csv]` and `mycotop history --list`. */
function historyCommand(
	args: readonly string[],
	v: {since?: string; step?: string; json?: boolean; csv?: boolean; list?: boolean; steps?: boolean},
	io: Out,
	withRedis: (fn: (redis: Redis) => Promise<number>) => Promise<number>,
): Promise<number> | number {
	if (v.json && v.csv) return usage(io, 'history: --json or --csv, not both');
	if (v.list) {
		if (args.length > 0) return usage(io, 'history --list takes no series');
		return withRedis(async (redis) => {
			const names = await new RedisHistorySource(() => redis).list();
			if (v.json) io.out(JSON.stringify(names));
			else if (names.length === 0) io.out('no history yet (the writer instance keeps it once events arrive)');
			else for (const name of names) io.out(name);
			return 0;
		});
	}
	if (args.length !== 1) return usage(io, 'history takes one SERIES (mycotop history --list names them)');
	const series = args[0]!;
	if (!isSeriesName(series)) return usage(io, `history: "${series.slice(0, 200)}" is not a series name (family:part:metric, e.g. training:my-project:loss)`);
	if (v.steps && (v.since !== undefined || v.step !== undefined)) return usage(io, 'history: --steps shows the whole run; --since and --step are for time buckets');
	const sinceText = v.since ?? '24h';
	const sinceProblem = durationProblem(sinceText);
	if (sinceProblem !== undefined) return usage(io, `--since: ${sinceProblem}`);
	const sinceMs = parseDuration(sinceText);
	if (sinceMs === undefined || sinceMs <= 0) return usage(io, `--since: expected a duration like 30d, got "${sinceText}"`);
	let stepMs: number | undefined;
	if (v.step !== undefined) {
		const stepProblem = durationProblem(v.step);
		if (stepProblem !== undefined) return usage(io, `--step: ${stepProblem}`);
		stepMs = parseDuration(v.step);
		if (stepMs === undefined || stepMs <= 0) return usage(io, `--step: expected a duration like 1h, got "${v.step}"`);
	}
	return withRedis(async (redis) => {
		const source = new RedisHistorySource(() => redis);
		const now = Date.now();
		const answer = v.steps ? await source.stepBuckets(series) : await source.timeBuckets({series, fromMs: now - sinceMs, toMs: now, ...(stepMs !== undefined ? {stepMs} : {})});
		if (answer.buckets.length === 0 && !(await source.list()).includes(series)) {
			io.err(`no history for ${series} (mycotop history --list names the series that have some)`);
			return 1;
		}
		const kind = v.steps ? 'step' : 'time';
		// The step answered when it is not the one asked: on stderr, so CSV and JSON on stdout stay clean.
		const note = stepNote(answer, formatDuration);
		if (note !== undefined) io.err(note);
		if (v.json) io.out(historyJson(answer, kind));
		else if (v.csv) io.out(historyCsv(answer, kind));
		else for (const line of historyTable(answer, kind, v.steps ? `${answer.resolution} step${answer.resolution === 1 ? '' : 's'}` : formatDuration(answer.resolution))) io.out(line);
		return 0;
	});
}

/** `mycotop init [PATH] [--force]`: the commented config (init-config.ts) at PATH or the default config path. */
function initCommand(args: readonly string[], force: boolean, env: NodeJS.ProcessEnv, io: Out): number {
	if (args.length > 1) return usage(io, 'init takes at most one PATH');
	const path = args[0] ?? defaultConfigPath(env);
	const result = writeConfigTemplate(path, configTemplate(packageVersion()), force);
	if (!result.ok) {
		io.err(result.message);
		return 1;
	}
	io.out(`wrote ${result.path} (check it with: mycotop --config ${result.path} --once)`);
	return 0;
}

/** What the completion scripts complete: the global flags, the subcommands, their options. */
export function completionSpec(): CompletionSpec {
	const global = new Map(flagTable().map((f) => [f.name, f]));
	const commandFlags = Object.entries(OPTIONS).map(([name, option]) => {
		const known = global.get(name);
		if (known !== undefined) return known;
		return {name, help: name, ...(option.type === 'string' ? {value: 'VALUE'} : {})};
	});
	return {program: 'mycotop', flags: [...global.values()], commands: COMMANDS, commandFlags};
}

/** `mycotop completion bash|zsh`. */
function completionCommand(args: readonly string[], io: Out): number {
	const shell = SHELLS.find((s) => s === args[0]);
	if (shell === undefined || args.length !== 1) return usage(io, `completion takes one shell: ${SHELLS.join(' or ')}`);
	io.out(completionScript(shell, completionSpec()).trimEnd());
	return 0;
}

function usage(io: Out, message: string): number {
	io.err(`${message}\n${USAGE}`);
	return 2;
}

function rulesCommand(args: readonly string[], v: {run?: string; json?: boolean}, io: Out): number {
	const [sub, ...files] = args;
	if (sub === 'list') {
		for (const r of BUILTIN_RULES) {
			io.out(`${r.sound.name} (${r.sound.group}, ${r.sound.severity}): ${r.sound.description}`);
			if (r.seed) io.out(`  variant seed: ${r.seed.description}`);
		}
		return 0;
	}
	if (sub === 'check') {
		if (files.length === 0) return usage(io, 'rules check needs a FILE');
		let failed = false;
		let refused = false;
		for (const file of files) {
			const {rules, errors, refused: fileRefused} = loadRuleList(file);
			for (const e of errors) io.err(e);
			if (fileRefused === true) refused = true;
			if (errors.length > 0) {
				failed = true;
				continue;
			}
			const compiled = compileRules(rules);
			io.out(`${file}: ${rules.length} entries OK; ${compiled.length} rules active (${compiled.filter((r) => r.variant === 'user').length} of yours)`);
		}
		// A file refused by a limit is not a rule mistake: 2, as for a config refused at start.
		return refused ? 2 : failed ? 1 : 0;
	}
	if (sub === 'test') {
		if (files.length === 0) return usage(io, 'rules test needs a FILE');
		let run: RegExp | undefined;
		try {
			run = v.run === undefined ? undefined : new RegExp(v.run);
		} catch {
			return usage(io, `--run: bad regular expression "${v.run}"`);
		}
		let failed = false;
		let refused = false;
		for (const file of files) {
			const result = runRuleTests(file, run ? {run} : {});
			for (const e of result.errors) io.err(e);
			if (result.refused === true) refused = true;
			for (const g of result.groups) {
				if (g.failures.length === 0) io.out(`  PASS  ${g.name} (${g.checks} checks)`);
				else {
					io.out(`  FAIL  ${g.name}`);
					for (const f of g.failures) io.out(`        ${f}`);
				}
			}
			if (!result.ok) failed = true;
		}
		io.out(failed ? 'FAILED' : 'SUCCESS');
		return refused ? 2 : failed ? 1 : 0;
	}
	return usage(io, `unknown rules command "${sub ?? ''}" (expected list, check or test)`);
}

/** Positional words the global parser let through that are not a known subcommand. */
export async function runSubcommand(flags: Flags, _env: NodeJS.ProcessEnv): Promise<number> {
	const word = flags.positionals[0]!;
	const why = SUBCOMMANDS.has(word) ? `"${word}" is a command: only --config, --redis-url and --redis-ca may come before it` : `unknown command "${word}"`;
	process.stderr.write(`mycotop: ${why}\n${USAGE}\n`);
	return 2;
}

/** `mycotop notify test RECEIVER`: a test message through the receiver's payload builder and sender; the answer printed, no secret. */
async function notifyTestCommand(config: MycotopConfig, name: string, io: Out): Promise<number> {
	const notify = config.notify;
	const receiver = notify?.receivers.get(name);
	if (notify === undefined || receiver === undefined) {
		const known = notify === undefined ? [] : [...notify.receivers.keys()];
		io.err(`no receiver "${sanitizeText(name, {maxLength: 64})}" in the config's notify: section${known.length > 0 ? ` (receivers: ${known.join(', ')})` : ''}`);
		return 1;
	}
	const redact = secretsRedactor(receiverSecrets(notify).map((s) => s.reveal()));
	const send = sendBy(sendHttp, runNotifyCommand);
	const context = {nowMs: Date.now(), externalUrl: notify.externalUrl, source: hostname()};
	let ok = true;
	for (const n of testNotifications(name, receiver.type, context.nowMs, hostname())) {
		for (const request of requestsFor(notify, () => context)(n)) {
			const outcome = await send(request, 'timeoutMs' in request && request.timeoutMs !== undefined ? request.timeoutMs : 10_000);
			const what = request.key !== undefined && receiver.type === 'pagerduty' ? ` ${request.key.split(':')[0]}` : '';
			io.out(redact(`${name} (${receiver.type})${what}: ${testAnswerText(outcome)}`));
			ok &&= accepted(outcome);
		}
	}
	return ok ? 0 : 1;
}
