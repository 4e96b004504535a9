/**
The runtime: wires bus -> ingest -> store -> writer and the snapshot publisher, the same for the TUI, --headless
and --once, and runs its two named parts (the GPU sampler, the rule engine: src/parts.ts) and the demo. The
parts are built by the composition root (src/compose.ts) from flags and config; a runtime without parts is the
bare pipeline (tests, benchmarks).
*/
import {type HistorySource} from './history/history-source.js';
import {hostname} from 'node:os';
import {randomBytes} from 'node:crypto';
import {INPUT_STREAMS, keys, messageSource, OUTPUT_CHANNELS, ourKeys, SUBSCRIBED_CHANNELS} from './contract/names.js';
import {ReplayRing} from './ingest/replay-ring.js';
import {StreamReader} from './bus/stream-reader.js';
import {BusManager} from './bus/bus-manager.js';
import {describeWrites, type WriteHealth} from './bus/connection-state.js';
import {withMetricsEndpoint} from './metrics/endpoint-state.js';
import {describeFamilyCounts} from './writer/key-family.js';
import {explainRefusal, type WriteRefusal} from './writer/write-refusal.js';
import {type Kv} from './bus/kv.js';
import {Ingest, type IngestListeners} from './ingest/ingest.js';
import {hydrate, type HydrationReport} from './ingest/hydrate.js';
import {MetricsStore, type StoreLimits} from './store/metrics-store.js';
import {type ForecastSettings} from './analysis/forecast-settings.js';
import {buildSnapshot, SnapshotPublisher, type Snapshot} from './store/snapshot.js';
import {SeedWriter, type WriterOptions, type WriterStats} from './writer/seed-writer.js';
import {DemoRunner} from './demo/simulator.js';
import {journal} from './journal.js';
import {type FleetSourcePart, type GpuSourcePart, type HostSourcePart, type MetricsSourcePart, type RedisHealthSourcePart, type RulesSourcePart, type RuntimePart, type RuntimeParts} from './parts.js';

export interface RuntimeOptions {
	readonly redisUrl: string | undefined;
	readonly redisCa?: string;
	readonly readOnly: boolean;
	readonly demo: boolean;
	readonly limits?: Partial<StoreLimits>;
	readonly writer?: WriterOptions;
	readonly leaseTtlMs?: number;
	readonly leaseRenewMs?: number;
	readonly retakeHoldMs?: number;
	readonly heartbeatMs?: number;
	readonly socketTimeoutMs?: number;
	readonly listeners?: IngestListeners;
	/** Snapshot rate limit. Default 10 Hz. */
	readonly maxHz?: number;
	readonly instanceId?: string;
	/** Lossless mode: read the input channels from their Redis Streams (and ignore their pub/sub copies). */
	readonly streams?: boolean;
	/** This box's name (default: the OS host name): keys of the host's own data carry it. */
	readonly host?: string;
	/** Write history rollups (src/history/*) with the writer's batches. Default: on with Redis. */
	readonly history?: boolean;
	/** The SLA budget's settings and the target losses (config `sla:`, `training:`). */
	readonly forecasts?: ForecastSettings;
}

/** Builds the runtime's parts from its core (store, writer, bus, host, instance id): called once, by the constructor. */
export type PartsFactory = (core: Runtime) => RuntimeParts;

function newInstanceId(): string {
	return `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
}

export class Runtime {
	readonly store: MetricsStore;
	readonly bus: BusManager;
	readonly writer: SeedWriter;
	readonly ingest: Ingest;
	readonly snapshots: SnapshotPublisher;
	readonly instanceId: string;
	readonly host: string;
	/** The GPU part: the GPU pane's snapshot ("disabled" with --no-gpu). */
	readonly gpu: GpuSourcePart | undefined;
	/** The host part (/proc figures): the host line; undefined when host sampling is off. */
	readonly hostPart: HostSourcePart | undefined;
	/** Redis's own health (INFO, SLOWLOG LEN, PING); undefined without Redis. */
	readonly redisHealthPart: RedisHealthSourcePart | undefined;
	/** The Prometheus endpoint (--metrics-listen): its state goes into the header's connection summary. */
	private readonly metricsPart: MetricsSourcePart | undefined;
	/** The rules part: the alert log's snapshot and the dashboard's alert actions. */
	readonly rules: RulesSourcePart | undefined;
	/** The fleet part: the host registry (hosts pane) and another host's GPUs on demand. */
	readonly fleet: FleetSourcePart | undefined;
	/** Buckets of past data (Redis rollups) for the charts' time windows; set by the composition root when there is Redis. */
	history: HistorySource | undefined = undefined;
	/** Start order (gpu, rules); stopped in reverse. */
	private readonly parts: readonly RuntimePart[];
	private stopping = false;
	private demo: DemoRunner | undefined;
	/** The lossless-mode reader (`streams` with Redis), once started. */
	streamReader: StreamReader | undefined;
	private hydration: Promise<HydrationReport> | undefined;
	hydrationReport: HydrationReport | undefined;
	private readonly busListeners = new Set<() => void>();
	/** Pub/sub handover (replay-ring.ts): the raw input from Redis, kept by writers and viewers alike. */
	readonly replayRing: ReplayRing | undefined;
	private lastRole: string | undefined;

	constructor(
		private readonly options: RuntimeOptions,
		parts: PartsFactory = () => ({}),
	) {
		this.instanceId = options.instanceId ?? newInstanceId();
		this.host = options.host ?? hostname();
		this.store = new MetricsStore(options.limits);
		const pubsubHandover = options.redisUrl !== undefined && !options.readOnly && !options.streams;
		const ring = pubsubHandover ? new ReplayRing() : undefined;
		this.replayRing = ring;
		this.bus = new BusManager({
			redisUrl: options.redisUrl,
			caFile: options.redisCa,
			readOnly: options.readOnly,
			instanceId: this.instanceId,
			host: this.host,
			channels: options.streams && options.redisUrl !== undefined ? SUBSCRIBED_CHANNELS.filter((c) => ![...INPUT_STREAMS.values()].includes(c)) : SUBSCRIBED_CHANNELS,
			// Nothing is taken in once stop() began: under a steady stream the drain would otherwise never see an empty batch.
			onMessage: (channel, message) => {
				if (this.stopping) return;
				if (this.bus.kind === 'redis') ring?.push(channel, message);
				this.ingest.handle(channel, message);
			},
			onRedisFirstReady: (kv) => this.startHydration(kv),
			leaseTtlMs: options.leaseTtlMs,
			leaseRenewMs: options.leaseRenewMs,
			retakeHoldMs: options.retakeHoldMs,
			heartbeatMs: options.heartbeatMs,
			socketTimeoutMs: options.socketTimeoutMs,
		});
		this.writer = new SeedWriter(
			this.store,
			{
				kv: () => this.bus.kv(),
				canWrite: () => this.bus.canWrite(),
				canWriteHost: () => this.bus.canWriteHost(),
				shouldQueue: (scope) => this.bus.shouldQueue(scope),
				isReady: () => this.bus.isReady(),
				leaseTakenByAnother: () => this.bus.leaseTakenByAnother('shared'),
				publish: (channel, message) => this.bus.publishOutput(channel, message),
				instanceId: this.instanceId,
			},
			{
				history: options.history ?? options.redisUrl !== undefined,
				...options.writer,
				...(ring !== undefined ? {watermark: () => ring.watermark()} : {}),
				...(options.streams && options.redisUrl !== undefined ? {handover: true} : {}),
			},
		);
		this.ingest = new Ingest(this.store, this.writer, options.listeners);
		this.snapshots = new SnapshotPublisher(
			(now) =>
				buildSnapshot(
					{
						store: this.store,
						host: this.host,
						instanceId: this.instanceId,
						bus: () => {
							const status = this.bus.status();
							const writes = describeWrites(writeHealth(this.writer.stats, this.bus.leaseRefusal()), status.connection?.kind === 'connected');
							const endpoint = this.metricsPart?.endpoint();
							if (writes === '' && endpoint === undefined) return status;
							return {...status, summary: withMetricsEndpoint(status.summary + writes, endpoint)};
						},
						writer: () => this.writer.stats,
						gpu: () => this.gpu?.gpu(),
						hostView: () => this.hostPart?.hostView(),
						redisHealth: () => this.redisHealthPart?.health(),
						alerts: () => this.rules?.alerts(),
						...(options.forecasts !== undefined ? {forecasts: options.forecasts} : {}),
						fleet: () => this.fleet?.fleet(),
					},
					now,
				),
			() => this.store.version,
			options.maxHz ?? 10,
		);
		this.bus.onChange(() => {
			const role = this.bus.role;
			// Became the writer: learn the day of Redis's completed_today, and, with nothing of its own waiting, write what
			// the previous writer had not committed.
			if (role === 'writer' && this.lastRole !== undefined && this.lastRole !== 'writer' && this.bus.kind === 'redis') {
				this.writer.noteAcquired();
				const replay = ring !== undefined && this.writer.holdsNothing ? {ring, until: ring.seq} : undefined;
				void this.afterAcquired(replay);
			}
			this.lastRole = role;
			this.store.touch();
			for (const listener of this.busListeners) listener();
		});
		// Last: the parts are handed the finished core.
		const built = parts(this);
		this.gpu = built.gpu;
		this.rules = built.rules;
		this.hostPart = built.host;
		this.redisHealthPart = built.redisHealth;
		this.fleet = built.fleet;
		this.metricsPart = built.metrics;
		this.parts = [
			...(built.gpu ? [built.gpu] : []),
			...(built.host ? [built.host] : []),
			...(built.redisHealth ? [built.redisHealth] : []),
			...(built.rules ? [built.rules] : []),
			...(built.notify ? [built.notify] : []),
			...(built.metrics ? [built.metrics] : []),
			...(built.fleet ? [built.fleet] : []),
		];
	}

	/**
	Pub/sub handover: write the messages of the replay ring that came after the previous writer's last stored position,
	up to `until` (the ring's position when this instance became the writer: later ones were written live).
	*/
	private async afterAcquired(replay: {ring: ReplayRing; until: number} | undefined): Promise<void> {
		let watermark: string | null;
		let counterDay: string | undefined;
		try {
			const kv = this.bus.kv();
			const [stored, counters] = await Promise.all([replay === undefined ? null : kv.get(ourKeys.writerWatermark), kv.hgetall(keys.tasksCounters)]);
			watermark = stored;
			counterDay = counters['completed_day'];
		} catch (error) {
			journal.record({type: 'takeover', replayed: 0, error: error instanceof Error ? error.message : String(error)});
			return;
		}
		if (this.bus.role !== 'writer' || this.stopping) return;
		this.writer.adoptCounterDay(counterDay);
		if (replay === undefined) return;
		const {ring, until} = replay;
		const plan = ring.plan(watermark, until);
		for (const entry of plan.entries) this.ingest.handle(entry.channel, entry.raw, false);
		const gap = plan.watermark === 'not-found' && plan.evicted;
		this.writer.noteReplay(plan.entries.length, gap ? 'gap' : plan.watermark === 'ambiguous' ? 'ambiguous' : 'exact');
		journal.record({type: 'takeover', replayed: plan.entries.length, watermark: plan.watermark, ...(gap ? {gap: true} : {})});
	}

	/** The seed's events:errors:monitoring message, sent by this host's writer (the failure is this host's). */
	reportCollectorError(component: string, error: string): void {
		this.bus.publishOutput(
			OUTPUT_CHANNELS.errorsMonitoring,
			JSON.stringify({component, error, host: this.host, timestamp: new Date().toISOString(), source: messageSource(this.instanceId)}),
			'host',
		);
	}

	onBusChange(listener: () => void): () => void {
		this.busListeners.add(listener);
		return () => this.busListeners.delete(listener);
	}

	private startHydration(kv: Kv): void {
		const hydrators = this.parts.flatMap((p) => (p.hydrator ? [p.hydrator] : []));
		this.hydration = hydrate(kv, this.store, hydrators).then(
			(report) => {
				this.hydrationReport = report;
				this.snapshots.tick(true);
				return report;
			},
			(error: unknown) => {
				const reason = `hydration failed: ${error instanceof Error ? error.message : String(error)}`;
				this.store.recordReject('hydration', reason.slice(0, 120), Date.now());
				const report = {projects: 0, points: 0, completions: 0, agents: 0, rejected: 1, ms: 0};
				this.hydrationReport = report;
				return report;
			},
		);
	}

	/**
	Start everything. Resolves once Redis was reached and hydrated, or once it was found unreachable within
	`connectWaitMs` (then mycotop runs on the embedded bus and keeps trying Redis in the background).
	With `waitForParts: false` (the TUI) the parts (GPU sampler, rules) start in the background, so the first
	frame does not wait for nvidia-smi's first answer; their results arrive with the next snapshot.
	*/
	async start(connectWaitMs = 1500, {waitForParts = true}: {waitForParts?: boolean} = {}): Promise<void> {
		this.bus.start();
		if (this.options.redisUrl !== undefined) {
			const deadline = Date.now() + connectWaitMs;
			while (this.hydration === undefined && Date.now() < deadline) {
				const state = this.bus.status().connection?.kind;
				if (state === 'unreachable' || state === 'auth-failed') break;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			if (this.hydration !== undefined) await this.hydration;
		}
		// Stopped while waiting for Redis: start nothing that stop() would no longer stop.
		if (this.stopping) return;
		this.writer.start();
		if (this.options.streams && this.options.redisUrl !== undefined) this.startStreamReader(this.options.redisUrl);
		for (const part of this.parts) {
			// A part still starting when stop() runs (its first Redis read waiting on a frozen Redis, say) would start its
			// timers after stop() had nothing to stop, and keep the process alive: stop it again once it has started.
			const started = Promise.resolve()
				.then(() => part.start())
				.then(async () => {
					if (this.stopping) await part.stop();
				});
			if (waitForParts) await started;
			else
				started.catch((error: unknown) =>
					journal.record({type: 'part-error', message: error instanceof Error ? error.message : String(error)}),
				);
		}
		if (this.options.demo) {
			// Read-only never publishes: the demo's events then stay in this process.
			const publish = this.options.readOnly ? (channel: string, message: string) => this.ingest.handle(channel, message) : (channel: string, message: string) => this.bus.publish(channel, message);
			// On Redis with history rollups, three days of past ticks give the charts' longer windows something to show.
			const backfillMs = this.options.redisUrl !== undefined && !this.options.readOnly && (this.options.history ?? true) ? 3 * 86_400_000 : 0;
			this.demo = new DemoRunner(publish, 42, 250, Date.now, backfillMs);
			this.demo.start();
		}
		this.snapshots.start();
		this.snapshots.tick(true);
	}

	private startStreamReader(url: string): void {
		this.streamReader = new StreamReader({
			url,
			caFile: this.options.redisCa,
			socketTimeoutMs: this.options.socketTimeoutMs,
			streams: INPUT_STREAMS,
			// Holding writes for a lease being (re)taken counts as writing: reading as a viewer then would feed the held
			// batch, and the rewind on becoming the writer again would feed the same entries a second time.
			isWriter: () => this.bus.role === 'writer' || this.bus.shouldQueue('shared'),
			active: () => this.bus.kind === 'redis',
			deliver: (channel, data, applyToStore) => {
				if (data === undefined) this.store.recordReject(channel, 'stream entry without a data field', Date.now());
				else this.ingest.handle(channel, data, applyToStore);
			},
			notePosition: (stream, id) => this.writer.noteStreamPosition(stream, id),
			backpressure: () => this.writer.pendingCount > this.writer.pendingLimit / 2,
		});
		this.streamReader.start();
	}

	/** Stop inputs, flush pending writes (bounded), hand the lease over, close connections. */
	async stop(drainMs = 2000): Promise<void> {
		this.stopping = true;
		await this.streamReader?.stop();
		this.demo?.stop();
		for (const part of [...this.parts].reverse()) await part.stop();
		this.snapshots.stop();
		await this.writer.drain(drainMs);
		this.writer.stop();
		await this.bus.stop();
	}

	snapshot(): Snapshot {
		this.snapshots.tick(true);
		return this.snapshots.getSnapshot();
	}
}

/** The writer's stats as the bus line reports them. */
function writeHealth(stats: WriterStats, lease: {readonly refusal: WriteRefusal; readonly count: number} | undefined): WriteHealth {
	// The writer's own refusal first (its transactions); else the lease's (a refused lease holds every write).
	const refusing = stats.refusingNow !== undefined ? {refusal: stats.refusingNow, count: stats.refusals[stats.refusingNow] ?? 0} : lease;
	return {
		pendingEntries: stats.pendingEntries,
		dropped: stats.dropped,
		droppedFamilies: describeFamilyCounts(stats.droppedByFamily),
		replayGaps: stats.replayGaps,
		...(stats.commandErrors > 0 ? {commandErrors: {count: stats.commandErrors, last: stats.lastCommandError ?? ''}} : {}),
		replayAmbiguous: stats.replayAmbiguous,
		stepDropped: stats.stepDropped,
		stepOutliers: stats.stepOutliers,
		stepMalformed: stats.stepMalformed,
		historyDropped: stats.historyDropped,
		...(refusing === undefined ? {} : {refusing: {what: explainRefusal(refusing.refusal), count: refusing.count}}),
	};
}
