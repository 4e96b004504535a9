/**
The seed's Redis contract (and ours), as typed names. This is the one place channel and key names live:
everything else builds them through these functions, so a typo cannot drift from the specification.
*/
import {keyPart} from './ids.js';

/** Channels the seed's agents publish and mycotop consumes. */
export const INPUT_CHANNELS = {
	trainingProgress: 'events:training:progress',
	taskUpdates: 'events:tasks:updates',
	agentStatus: 'events:agents:status',
	errorsCritical: 'events:errors:critical',
	/** Ours: the seed's reportWorkflowPerformance() as an event, so step durations can arrive over the bus. */
	workflowSteps: 'events:workflow:steps',
} as const;

/**
Lossless mode (`--streams`): producers may also append each message to a Redis Stream named after its channel
(`events:training:progress` -> `events:stream:training:progress`), as `XADD <stream> MAXLEN ~ 100000 * data <json>`.
mycotop then reads these five inputs from the streams (from the last id it wrote, kept in `mycotop:streams:last_id`)
and ignores their pub/sub copies.
*/
export function streamForChannel(channel: string): string {
	return `events:stream:${channel.replace(/^events:/, '')}`;
}

/** Stream key -> the input channel it mirrors. */
export const INPUT_STREAMS: ReadonlyMap<string, string> = new Map(Object.values(INPUT_CHANNELS).map((channel) => [streamForChannel(channel), channel]));

/** The field of a stream entry that holds the message (the same JSON as on the channel). */
export const STREAM_DATA_FIELD = 'data';

/** Alert channels: the seed's, published by the writer instance; others' alerts on them are shown too. */
export const ALERT_CHANNELS = {
	training: 'events:alerts:training',
	gpu: 'events:alerts:gpu',
	distribution: 'events:alerts:distribution',
	system: 'events:alerts:system',
} as const;

/** Channels mycotop publishes (besides the alert channels). */
export const OUTPUT_CHANNELS = {
	errorsMonitoring: 'events:errors:monitoring',
	insightsCorrelations: 'events:insights:correlations',
	insightsWorkflows: 'events:insights:workflows',
	insightsAgentPerformance: 'events:insights:agent_performance',
	dashboardUpdate: 'events:dashboard:update',
} as const;

/** Every channel the subscriber listens on. */
export const SUBSCRIBED_CHANNELS: readonly string[] = [
	...Object.values(INPUT_CHANNELS),
	...Object.values(ALERT_CHANNELS),
];

/** Retention, from the seed: training 7 days, tasks and GPU 24 hours; lists trimmed to 10,000. */
export const TTL_SECONDS = {
	training: 604_800,
	tasks: 86_400,
	gpu: 86_400,
	workflow: 604_800,
} as const;

export const LIST_MAX_ENTRIES = 10_000;

/** The seed's SLA: a task should complete within 30 minutes. */
export const SLA_SECONDS = 1800;

/**
Keys of the seed. Builders that take an id pass it through `keyPart` (ids.ts), which throws on an id that did not
come through `keyId`: only validated ids reach key names, and a missed validation is a loud error, not a collision.
*/
export const keys = {
	trainingLoss: (projectId: string) => `metrics:training:${keyPart(projectId)}:loss`,
	trainingWer: (projectId: string) => `metrics:training:${keyPart(projectId)}:wer`,
	trainingCurrent: (projectId: string) => `metrics:training:${keyPart(projectId)}:current`,
	trainingAnalysis: (projectId: string) => `metrics:training:${keyPart(projectId)}:analysis`,
	tasksCounters: 'metrics:tasks:counters',
	tasksCompletionTimes: 'metrics:tasks:completion_times',
	tasksAggregated: 'metrics:tasks:aggregated',
	agentPerformance: (agent: string) => `metrics:agent:${keyPart(agent)}:performance`,
	agentWorkload: (agent: string) => `metrics:agent:${keyPart(agent)}:workload`,
	agentsActive: 'metrics:agents:active',
	agentsLoadBalance: 'metrics:agents:load_balance',
	agentsRankings: 'metrics:agents:rankings',
	gpuUtilization: 'metrics:gpu:utilization',
	gpuMemoryUsed: 'metrics:gpu:memory_used_mb',
	gpuTemperature: 'metrics:gpu:temperature',
	gpuCurrent: 'metrics:gpu:current',
	alertsState: 'metrics:alerts:state',
	alertsCounters: 'metrics:alerts:counters',
	workflowStepDurations: (workflowId: string, stepId: string) =>
		`metrics:workflow:${keyPart(workflowId)}:step:${keyPart(stepId)}:durations`,
	systemCapacity: 'context:system:capacity',
	projectContext: (projectId: string) => `context:project:${keyPart(projectId)}`,
} as const;

/** Key patterns used to find existing history at start (hydration). */
export const HYDRATION_PATTERNS = {
	trainingLoss: 'metrics:training:*:loss',
	trainingWer: 'metrics:training:*:wer',
	agentPerformance: 'metrics:agent:*:performance',
	agentWorkload: 'metrics:agent:*:workload',
} as const;

/** Keys of our own: everything under `mycotop:` (plus per-host GPU keys, see the GPU module). */
export const ourKeys = {
	/** SET NX PX lease naming the one instance that writes the shared keys. Value: the instance id. */
	writerLease: 'mycotop:writer:lease',
	/** SET NX PX lease naming the one instance per host that writes that host's own keys (its GPUs). */
	hostWriterLease: (host: string) => `mycotop:writer:lease:host:${host}`,
	/** Id of the last batch an instance committed (MULTI/EXEC, 1-day TTL), so a retried batch is never applied twice. */
	writerLastBatch: (instanceId: string) => `mycotop:writer:last_batch:${instanceId}`,
	/** Hash: stream key -> id of the last entry whose writes were committed (same MULTI/EXEC as those writes). */
	streamsLastId: 'mycotop:streams:last_id',
	/**
	Hash: key family -> list entries the writers finally gave up (HINCRBY, all instances together, no TTL). Written by
	the instance that dropped them as soon as Redis takes writes again, with or without the writer lease (an increment
	cannot overwrite another instance's figures), so `--once` on any machine can say which figures are short.
	*/
	writesDropped: 'mycotop:writes:dropped',
	/**
	The writer's position in the pub/sub input (a fingerprint of the newest messages it had received), set in the same
	MULTI/EXEC as each batch (1-day TTL): a new writer writes what its own replay ring holds after it (replay-ring.ts).
	*/
	writerWatermark: 'mycotop:writer:watermark',
	/** Per-GPU history lists ({value, timestamp}, 24 h), one per series, keyed by host and GPU UUID. */
	gpuSeries: (host: string, uuid: string, series: 'utilization' | 'memory_used_mb' | 'temperature' | 'power_draw_watts') =>
		`metrics:gpu:${host}:${uuid}:${series}`,
	/** Per-GPU current values (hash). */
	gpuCurrent: (host: string, uuid: string) => `metrics:gpu:${host}:${uuid}:current`,
	/** Per-host GPU telemetry state (hash): state, reason, gpu_count, uuids, last_updated. */
	gpuHost: (host: string) => `metrics:gpu:${host}:state`,
	/** The host's own figures from /proc (hash): CPU, load, memory, swap, disk, network, filesystems, the dataloader hint. */
	hostCurrent: (host: string) => `metrics:host:${host}:current`,
	/** A project's energy (hash): one field per host whose GPUs ran it, JSON figures (gpu/redis-entries.ts); 7 d TTL. */
	projectEnergy: (projectId: string) => `metrics:training:${keyPart(projectId)}:energy`,
	/** The fleet registry (sorted set): host name -> epoch ms it was last seen; src/fleet. */
	hosts: 'mycotop:hosts',
	/** A host's one-line summary for the hosts pane (hash, with a TTL): src/fleet/host-summary.ts. */
	hostSummary: (host: string) => `mycotop:host:${keyPart(host)}:summary`,
} as const;

/**
History rollups (src/history/rollup-layout.ts has the byte layout): buckets of every series named in
history/history-source.ts, written by the writer instance only, in the batch's MULTI/EXEC, by one Lua merge.

  mycotop:history:index                       zset    series -> epoch ms of its latest sample (kept 90 d after it)
  mycotop:history:{tier}:{series}:{chunk}     string  packed 28-byte bucket records; tier 10s, 1m or 1h;
                                                      EXPIREAT the chunk's end + 24 h, 7 d or 90 d
  mycotop:history:steps:{series}              string  8-byte width header + 4,096 records (training series by
                                                      step); TTL 90 d from the last write

A series name's parts are key ids (contract/ids.ts): each goes through keyPart, so no two series share a key.
*/
function seriesKeyPart(series: string): string {
	return series.split(':').map(keyPart).join(':');
}

export const HISTORY_KEYS = {
	index: 'mycotop:history:index',
	chunk: (tier: '10s' | '1m' | '1h', series: string, chunk: number) => `mycotop:history:${tier}:${seriesKeyPart(series)}:${chunk}`,
	steps: (series: string) => `mycotop:history:steps:${seriesKeyPart(series)}`,
} as const;

/**
Keys of our own for the alert side: acknowledgements and silences (hashes of records by id, written by any
non-read-only instance: they are user actions) and the transition log (a stream, written by the writer instance).

  mycotop:alerts:acks      hash   alert id -> {alertId, by, atMs, severity, comment}
  mycotop:alerts:silences  hash   silence id -> {id, matchers, startsMs, endsMs, createdBy, comment}
  mycotop:alerts:log       stream one entry per transition (field `t`: JSON), capped at about 10,000 entries
*/
export const ALERT_KEYS = {
	acks: 'mycotop:alerts:acks',
	silences: 'mycotop:alerts:silences',
	log: 'mycotop:alerts:log',
} as const;

/**
Keys of our own for notifications (src/notify): the idempotent sent-record, one string per receiver + group +
content, so exactly one instance delivers each notification (see writer/sent-records.ts), and the receivers'
states as the writer instance last saw them, for viewers' alert panes and `--once`.

  mycotop:notify:sent:{digest}  string  "claimed <instance> <ms>" (PX: the claim time) then "sent ..." / "abandoned ..." (PX: about the repeat interval)
  mycotop:notify:receivers      hash    receiver name -> ReceiverState JSON (no URL, key or token)

The digest is the hex SHA-256 of receiver, group key and content hash: no id from outside becomes part of a key.
*/
export const NOTIFY_KEYS = {
	sent: (digest: string) => `mycotop:notify:sent:${keyPart(digest)}`,
	receivers: 'mycotop:notify:receivers',
} as const;

/** The `source` field of every message mycotop publishes (alerts, insights, dashboard, monitoring errors). */
export function messageSource(instanceId: string): string {
	return `mycotop:${instanceId}`;
}

/** Extract the project id from a `metrics:training:{id}:loss` key. */
export function projectIdFromKey(key: string, suffix: 'loss' | 'wer'): string | undefined {
	const prefix = 'metrics:training:';
	const tail = `:${suffix}`;
	if (!key.startsWith(prefix) || !key.endsWith(tail)) return undefined;
	const id = key.slice(prefix.length, key.length - tail.length);
	return id.length > 0 ? id : undefined;
}

/** Extract the agent name from a `metrics:agent:{agent}:performance` (or `:workload`) key. */
export function agentFromKey(key: string, suffix: 'performance' | 'workload'): string | undefined {
	const prefix = 'metrics:agent:';
	const tail = `:${suffix}`;
	if (!key.startsWith(prefix) || !key.endsWith(tail)) return undefined;
	const id = key.slice(prefix.length, key.length - tail.length);
	return id.length > 0 ? id : undefined;
}
