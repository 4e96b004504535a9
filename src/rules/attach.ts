/**
The rules part from the config's `rules` and `alerting` sections and the GPU part's readings, and its wiring to the
runtime's core (rulesDeps): the writer takes its writes, the bus publishes its messages and answers its reads.
*/
import {type Redis} from 'ioredis';
import {forecastSettingsFrom} from '../analysis/forecast-settings.js';
import {type MycotopConfig} from '../config/config.js';
import {type GpuQuery} from '../gpu/gpu-store.js';
import {keys} from '../contract/names.js';
import {sanitizeText} from '../contract/sanitize.js';
import {type KvReader} from '../bus/kv.js';
import {type MetricsStore} from '../store/metrics-store.js';
import {durationValue} from './duration.js';
import {GpuTracker} from './gpu-tracker.js';
import {RulesPart, type RulesDeps, type RulesPartOptions} from './rules-part.js';
import {compileRules} from './user-rules.js';
import {MemoryAlertStorage, RedisAlertStorage, type AlertStorage} from './alert-storage.js';
import {alertNotifier, type NotifyFunc} from './alert-notify.js';
import {type ReceiverState} from '../notify/notify-types.js';
import {type AlertRow} from './alert-snapshot.js';
import {writerAlertWrites, type AlertWriter} from './alert-writes.js';

/** The runtime's core as the rules part's wiring sees it (the Runtime satisfies it). */
export interface RulesCore {
	readonly store: MetricsStore;
	readonly instanceId: string;
	readonly writer: AlertWriter;
	readonly bus: {
		readonly kind: 'redis' | 'embedded';
		readonly role: string;
		readonly link?: {readonly writer: Redis};
		kv(): KvReader;
		canWrite(): boolean;
		publishOutput(channel: string, message: string): void;
	};
}

/** What the notification pipeline (src/notify) adds to the rules part: its transitions, and the receivers' states. */
export interface RulesNotifications {
	readonly notify: NotifyFunc;
	readonly receiverStates: () => readonly ReceiverState[];
	/** The alert log's "inhibited by X": which rows the config's inhibit_rules mute. */
	readonly inhibitedRows: (rows: readonly AlertRow[]) => ReadonlyMap<string, string>;
}

/**
The rules part's dependencies from the runtime's core: transitions and acks/silences are written by the writer (its
batches for the log and the seed's alert hashes; its lease-free record path for acks and silences); messages are
published by the bus (from the writer instance only); acks, silences and the log are read with the bus's client.
*/
export function rulesDeps(core: RulesCore, notifications?: RulesNotifications): RulesDeps {
	const {bus, store, instanceId} = core;
	const writes = writerAlertWrites(core.writer, instanceId);
	const memory = new MemoryAlertStorage();
	let redisStorage: AlertStorage | undefined;
	const announce = alertNotifier({
		publish: (channel, message) => bus.publishOutput(channel, message),
		instanceId,
		latestErrorId: () => store.criticalErrors.newest(1)[0]?.errorId,
	});
	return {
		store,
		notify:
			notifications === undefined
				? announce
				: (transitions) => {
						announce(transitions);
						notifications.notify(transitions);
					},
		...(notifications !== undefined ? {receiverStates: notifications.receiverStates, inhibitedRows: notifications.inhibitedRows} : {}),
		record: (transitions) => {
			// On the embedded bus (before Redis is reached, or without it) the log is this process's memory.
			if (bus.kind === 'embedded') memory.log.push(...transitions);
			writes.appendTransitions(transitions);
		},
		unwrittenTransitions: () => writes.unwrittenTransitions(),
		storage: () => {
			const link = bus.link;
			if (bus.kind === 'redis' && link !== undefined) {
				redisStorage ??= new RedisAlertStorage(link.writer, writes);
				return redisStorage;
			}
			return memory;
		},
		isWriter: () => bus.canWrite(),
		readOnly: () => bus.role === 'read-only',
		projectStatuses: async (ids) => {
			const kv = bus.kv();
			const results = await Promise.all(ids.map((id) => kv.hgetall(keys.projectContext(id))));
			return results.map((r) => r['status']);
		},
	};
}

interface AlertingSettings {
	readonly evaluationIntervalMs: number;
	readonly repeatIntervalMs: number;
	readonly staleAfterMs: number;
}

export function alertingSettings(config: MycotopConfig): AlertingSettings {
	const raw = (config.raw['alerting'] ?? {}) as Record<string, unknown>;
	return {
		evaluationIntervalMs: Math.max(50, durationValue(raw['evaluationInterval']) ?? 1000),
		repeatIntervalMs: durationValue(raw['repeatInterval']) ?? 5 * 60_000,
		staleAfterMs: durationValue(raw['staleAfter']) ?? 15_000,
	};
}

/** GPU readings for the rules from the GPU part's query API (history seeds each GPU's series once). */
function gpuSourceFrom(query: GpuQuery): (now: number) => ReturnType<GpuTracker['update']> {
	const tracker = new GpuTracker(1800, (uuid, metric) => query.series(uuid, metric));
	return (now) => {
		const status = query.status();
		return tracker.update({state: status.state, gpus: query.rows(), ...(status.lastFrameMs !== undefined ? {lastFrameMs: status.lastFrameMs} : {})}, now);
	};
}

/** Who acks and silences are recorded as: the config's `alerting.author` when set (else user@host). */
export function configAuthor(config: Pick<MycotopConfig, 'raw'>): string | undefined {
	const raw = config.raw['alerting'];
	const author = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)['author'] : undefined;
	return typeof author === 'string' && author.length > 0 ? sanitizeText(author, {maxLength: 128}) : undefined;
}

export function rulesPartFrom(
	core: RulesCore,
	config: MycotopConfig,
	gpu?: GpuQuery,
	notifications?: RulesNotifications,
	redis?: RulesPartOptions['redis'],
	disks?: RulesPartOptions['disks'],
	host?: string,
	pollMs?: number,
): RulesPart {
	const settings = alertingSettings(config);
	return new RulesPart(rulesDeps(core, notifications), {
		rules: compileRules(config.rules),
		evaluationIntervalMs: settings.evaluationIntervalMs,
		repeatIntervalMs: settings.repeatIntervalMs,
		staleAfterMs: settings.staleAfterMs,
		...(gpu !== undefined ? {gpus: gpuSourceFrom(gpu)} : {}),
		...(configAuthor(config) !== undefined ? {user: configAuthor(config)} : {}),
		...(redis !== undefined ? {redis} : {}),
		forecasts: forecastSettingsFrom(config),
		...(disks !== undefined ? {disks} : {}),
		...(host !== undefined ? {host} : {}),
		...(pollMs !== undefined ? {pollMs} : {}),
	});
}
