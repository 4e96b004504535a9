/**
The composition root: the one place where a runtime and its parts are built from flags and config, for every
front end (the TUI, --headless, --once), and where the CLI commands get their Redis connection. main.ts only
parses and dispatches; the front ends and commands call in here; nothing here imports them.

   flags + config ──> composeRuntime ──> Runtime(store, bus, writer, ingest, snapshots)
                                          ├─ gpu:   gpuPartFrom (nvidia-smi sampler) or disabledGpuPart
                                          ├─ host:  createHostPart (/proc sampler), unless host.enabled is false
                                          ├─ redisHealth: RedisHealthPart (INFO, SLOWLOG LEN, PING every 5 s)
                                          ├─ rules: rulesPartFrom (reads the live GPU part's query)
                                          ├─ metrics: MetricsPart (--metrics-listen: Prometheus /metrics)
                                          └─ history: RedisHistorySource (with Redis)
*/
import {accessSync, constants, readFileSync} from 'node:fs';
import {delimiter, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {type Redis} from 'ioredis';
import {createRedisClient} from './bus/redis-client.js';
import {type MycotopConfig} from './config/config.js';
import {type Flags} from './config/flags.js';
import {redactSecrets, type RedisTarget} from './bus/redis-url.js';
import {describeError, isAuthError} from './bus/connection-state.js';
import {Runtime, type RuntimeOptions} from './runtime.js';
import {type GpuSourcePart, type HostSourcePart, type RuntimePart} from './parts.js';
import {inhibitedRows} from './notify/inhibit.js';
import {createHostPart, hostOptionsFrom} from './host/host-part.js';
import {RedisHealthPart} from './redis-health/redis-health-part.js';
import {disabledGpuPart, gpuPartFrom} from './gpu/gpu-part.js';
import {claimedPids, projectClaimsIn} from './gpu/project-join.js';
import {rulesPartFrom} from './rules/attach.js';
import {acksPollMs, type RulesPart} from './rules/rules-part.js';
import {RedisAlertStorage} from './rules/alert-storage.js';
import {selfDemoNvidiaSmi} from './single-file/self-command.js';
import {recordWrites} from './rules/alert-writes.js';
import {kvForClient} from './bus/cluster-kv.js';
import {recordWriter} from './writer/record-writes.js';
import {RedisHistorySource} from './history/redis-history-source.js';
import {metricsAddressFrom} from './metrics/metrics-address.js';
import {notifySends} from './notify/notify-config.js';
import {createFleetPart} from './fleet/fleet-part.js';
import {fleetThresholdsFrom} from './fleet/fleet-config.js';
import {gpuOptionsFrom} from './gpu/gpu-part.js';
import {packageVersion} from './version.js';
import {type FleetSourcePart} from './parts.js';

/** The modules of the parts that run only when asked for: the Prometheus endpoint (with prom-client) and notify's receivers. */
interface OptionalModules {
	readonly metrics?: typeof import('./metrics/metrics-part.js');
	readonly notify?: typeof import('./notify/attach-notify.js');
}

/**
The optional parts' modules the flags and config ask for, imported only then: a dashboard without `--metrics-listen`
or `notify:` receivers never loads, parses or compiles their code (prom-client, its HTTP server, the senders).
*/
async function optionalModules(flags: Flags, config: MycotopConfig): Promise<OptionalModules> {
	const [metrics, notify] = await Promise.all([
		metricsAddressFrom(flags, config) === undefined ? undefined : import('./metrics/metrics-part.js'),
		notifySends(config.notify) ? import('./notify/attach-notify.js') : undefined,
	]);
	return {...(metrics !== undefined ? {metrics} : {}), ...(notify !== undefined ? {notify} : {})};
}

/** A runtime with the parts the flags and config ask for: what every front end runs. */
export async function composeRuntime(flags: Flags, config: MycotopConfig, options: RuntimeOptions): Promise<Runtime> {
	const modules = await optionalModules(flags, config);
	// The Prometheus endpoint (--metrics-listen) observes stored task events for its duration histogram.
	const metrics = modules.metrics?.metricsSetupFrom(flags, config);
	const runtime = new Runtime(metrics === undefined ? options : {...options, listeners: metrics.listeners(options.listeners)}, (core) => ({
		...composeParts(core, flags, config, modules),
		...(metrics !== undefined ? {metrics: metrics.part(core)} : {}),
	}));
	if (options.redisUrl !== undefined) runtime.history = runtimeHistory(runtime);
	return runtime;
}

/** The charts' history: the rollups in Redis, read on the runtime's writer connection while Redis is the bus. */
export function runtimeHistory(runtime: Runtime): RedisHistorySource {
	return new RedisHistorySource(() => (runtime.bus.kind === 'redis' ? runtime.bus.link?.writer : undefined));
}

/**
The GPU part (or the "disabled" one for --no-gpu), the host part (/proc, unless `host.enabled: false`), the Redis
health part (INFO, SLOWLOG LEN, PING; nothing on the embedded bus), the rules
part, which reads the live GPU part's per-GPU state, and, when `notify:` names receivers, the notify part: the rules
part's transitions flow into it beside the seed's channels, it reads the alert log's acks and silences, and its
receivers' states show in the alert snapshot.
*/
function composeParts(
	core: Runtime,
	flags: Flags,
	config: MycotopConfig,
	modules: OptionalModules,
): {
	readonly gpu: GpuSourcePart;
	readonly rules: RulesPart;
	readonly notify?: RuntimePart;
	readonly host?: HostSourcePart;
	readonly redisHealth: RedisHealthPart;
	readonly fleet: FleetSourcePart;
} {
	const gpu = gpuPartFrom(core, {...flags, nvidiaSmi: flags.nvidiaSmi ?? demoNvidiaSmi(flags, config)}, config.gpu);
	if (config.energy !== undefined) gpu?.setPricing(config.energy);
	// GPU processes tied to projects by the pids training messages name (on this box): gpu/project-join.ts.
	gpu?.setProjectClaims(() => claimedPids(projectClaimsIn(core.store.projects), core.host, Date.now()));
	const hostOptions = hostOptionsFrom(config.host, process.cwd());
	// The dataloader hint reads the GPUs' mean utilization (fresh readings only; none without GPU telemetry).
	const host = hostOptions === undefined ? undefined : createHostPart(core, {...hostOptions, gpuPercent: () => gpu?.query.box().utilizationPercent});
	const redisHealth = new RedisHealthPart(core);
	let rules: RulesPart | undefined;
	const notify = modules.notify?.notifyPartFrom(core, config, () => rules?.alerts().rows ?? []);
	const inhibitRules = config.notify?.inhibitRules ?? [];
	rules = rulesPartFrom(
		core,
		config,
		gpu?.query,
		notify === undefined ? undefined : {notify: notify.onTransitions, receiverStates: () => notify.receiverStates(), inhibitedRows: (rows) => inhibitedRows(rows, inhibitRules)},
		redisHealth.series,
		host === undefined ? undefined : () => host.sampler.diskSeries(),
		core.host,
		acksPollMs(flags.headless === true),
	);
	// The fleet: this box's registry line at the GPU sampling rate (only when it samples GPUs), every box's read back.
	const intervalMs = gpuOptionsFrom(flags, config.gpu)?.intervalMs ?? flags.gpuIntervalMs ?? config.gpu.intervalMs ?? 1000;
	const fleet = createFleetPart(core, {
		intervalMs,
		thresholds: fleetThresholdsFrom(config.raw['fleet'], intervalMs),
		version: packageVersion(),
		gpu: () => gpu?.gpu(),
		firingAlerts: () => rules?.alerts().rows.filter((a) => a.state === 'firing' && a.labels['host'] === core.host).length ?? 0,
		read: !flags.headless,
	});
	// One tick a period: with GPU frames flowing, the fleet line (always the GPU's period) and the host reading (when its
	// period is the same) are made on each frame and go in its transaction; their own timers take over when frames stop.
	// The transaction goes once the host reading is in (the promise returned), in the wake-up that brought the frame (a
	// statfs every 5 s: in its answer's), not after the writer's trickle delay (gpu-part.ts, write-batcher.ts turn).
	gpu?.onEachFrame(() => {
		fleet.publishOnFrame();
		return host !== undefined && host.sampler.intervalMs === intervalMs ? host.sampler.frameTick() : undefined;
	});
	return {gpu: gpu ?? disabledGpuPart(), rules, ...(notify !== undefined ? {notify} : {}), ...(host !== undefined ? {host} : {}), redisHealth, fleet};
}

function executable(path: string): boolean {
	try {
		accessSync(path, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** The first executable `name` on PATH, if any. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
	for (const dir of (env['PATH'] ?? '').split(delimiter)) {
		if (dir === '') continue;
		const candidate = join(dir, name);
		if (executable(candidate)) return candidate;
	}
	return undefined;
}

/**
With `--demo` on a machine without nvidia-smi (and no nvidia-smi configured), the simulated GPUs of the bundle's
demo-nvidia-smi.js, so the demo shows a full GPU pane; the real sampler runs on them unchanged. Otherwise undefined.
*/
export function demoNvidiaSmi(flags: Pick<Flags, 'demo'>, config: Pick<MycotopConfig, 'gpu'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
	if (!flags.demo || config.gpu.nvidiaSmi !== undefined || findOnPath('nvidia-smi', env) !== undefined) return undefined;
	const shipped = fileURLToPath(new URL('demo-nvidia-smi.js', import.meta.url));
	// The single-file builds ship no second file: they run themselves as the stand-in (single-file/self-command.ts).
	return executable(shipped) ? shipped : selfDemoNvidiaSmi();
}

/**
An error from Redis as the CLI prints it: the password is never in it, and a refused password or command says so
in words ("Redis at redis://u:***@h:6379 refused the credentials: authentication failed (wrong user or password)").
*/
export function redisErrorText(target: RedisTarget, message: string): string {
	const clean = redactSecrets(message, target.secrets);
	if (!isAuthError(clean)) return clean;
	const what = /NOPERM/.test(clean) ? 'refused the command' : 'refused the credentials';
	return `Redis at ${target.redacted} ${what}: ${describeError(clean)}`;
}

/**
The CLI commands' Redis connection: one attempt (no retry, 3 s to connect), the credentials proved by a PING.
Throws an Error whose message is `redisErrorText`'s, or "cannot reach Redis at ... ", never with the password.
*/
export async function connectCommandRedis(target: RedisTarget, caFile: string | undefined): Promise<Redis> {
	const redis = createRedisClient(target, {
		lazyConnect: true,
		maxRetriesPerRequest: 1,
		retryStrategy: () => null,
		connectTimeout: 3000,
		enableReadyCheck: false,
		...(target.tls ? {tls: caFile === undefined ? {} : {ca: readFileSync(caFile, 'utf8')}} : {}),
	});
	// The AUTH reply (WRONGPASS, ...) arrives as an 'error' event; the commands after it then only say NOAUTH.
	let authError: string | undefined;
	redis.on('error', (error: Error) => {
		if (isAuthError(error.message)) authError ??= error.message;
	});
	try {
		await redis.connect();
		// connect() resolves before AUTH is answered (no ready check): a PING proves the credentials.
		await redis.ping();
	} catch (error) {
		redis.disconnect();
		const message = authError ?? (error instanceof Error ? error.message : String(error));
		if (isAuthError(message)) throw new Error(redisErrorText(target, message));
		throw new Error(`cannot reach Redis at ${target.redacted}: ${redactSecrets(message, target.secrets)}`);
	}
	return redis;
}

/**
The CLI commands' alert storage (`mycotop ack`, `unack`, `silence`, `silences`, `silence expire`): it reads with the
command's connection and writes acks and silences by the writer's record path (writer/record-writes.ts), the one
the runtime's writer uses, here over a RedisKv on the same connection (a one-shot command holds no lease and
batches nothing; records need neither).
*/
export function commandAlertStorage(redis: Redis): RedisAlertStorage {
	return new RedisAlertStorage(redis, recordWrites(recordWriter(kvForClient(redis, 'cli'))));
}
