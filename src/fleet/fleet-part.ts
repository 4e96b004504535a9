/**
The fleet part of the runtime: this box's line in the host registry, and every box's lines read back.

Writing (only while this instance may write its host's keys: the host lease, through the writer's host batch, so
one instance per box writes it, batched with the GPU keys): every sampling interval, `ZADD mycotop:hosts <now>
<host>` (members older than the expiry removed in the same transaction, the set's TTL the expiry) and
`mycotop:host:{host}:summary` (HSET, EXPIRE the expiry). Only a box that samples GPUs writes (a viewer on a laptop
with --no-gpu is not a host of the fleet).

Reading (every instance with a screen or --once, viewer or writer, on any bus; --headless only writes): every interval, the newest MAX_FLEET_HOSTS members of the
registry and their summaries (one poll in flight at a time, each bounded by a timeout; a stalled Redis is an error
shown in the pane, never a wait), and, when the hosts pane has selected another box, that box's GPU keys. No KEYS,
no SCAN.
*/
import {ourKeys} from '../contract/names.js';
import {keyId} from '../contract/ids.js';
import {MAX_FLEET_HOSTS} from '../contract/limits.js';
import {type Kv} from '../bus/kv.js';
import {type GpuSnapshot} from '../gpu/gpu-snapshot.js';
import {gpuKeyOf} from '../gpu/redis-entries.js';
import {type FleetSourcePart} from '../parts.js';
import {fleetHosts, type FleetSnapshot} from './fleet-view.js';
import {type FleetThresholds} from './host-state.js';
import {parseSummary, summaryFields, type HostSummary} from './host-summary.js';
import {gpuRowFromHash, historyValues, remoteGpuSnapshot, REMOTE_HISTORY, stateUuids} from './gpu-from-hash.js';
import {observeScores, type SeenEntry} from './seen-clock.js';
import {nameConflict} from './name-conflict.js';
import {journal} from '../journal.js';
import {FrameCoveredTimer} from '../gpu/frame-ticks.js';

/**
How far two boxes' clocks may disagree. Trimming: members are trimmed only when older than the expiry plus this
margin (a live box's line is rewritten every interval, but one trimmed by a writer whose clock is ahead would blink
in and out of the pane). Reading: members scored further ahead of this clock are counted, not read, so entries from
a clock far in the future cannot crowd the live boxes out of the MAX_FLEET_HOSTS read.
*/
const CLOCK_SKEW_MARGIN_MS = 3_600_000;

/** A key of another type than expected (someone else's key, a hostile one): Redis's WRONGTYPE refusal. */
function wrongType(error: unknown): boolean {
	return error instanceof Error && error.message.startsWith('WRONGTYPE');
}

/** A read of one host's key, where a key of another type reads as `fallback` (the host's figures unreadable), not as a failed poll. */
async function orWhenWrongType<T>(read: Promise<T>, fallback: T): Promise<T> {
	try {
		return await read;
	} catch (error) {
		if (wrongType(error)) return fallback;
		throw error;
	}
}

/** What the part needs of the runtime (the Runtime satisfies it). */
export interface FleetCore {
	readonly host: string;
	readonly store: {touch(): void};
	readonly bus: {kv(): Kv; canWriteHost(): boolean};
	readonly writer: {
		enqueueRegistry(key: string, member: string, score: number, dropBelow: number, ttlSeconds: number, scope?: 'shared' | 'host'): void;
		enqueueExpiringHash(key: string, fields: Record<string, string>, ttlSeconds: number, scope?: 'shared' | 'host'): void;
	};
}

export interface FleetPartOptions {
	readonly intervalMs: number;
	readonly thresholds: FleetThresholds;
	readonly version: string;
	/** This box's GPUs (undefined: no GPU sampling, then this box writes no registry line). */
	readonly gpu: () => GpuSnapshot | undefined;
	/** Firing alerts about this box (its `host` label). */
	readonly firingAlerts: () => number;
	/** Read the registry (default true). `--headless` shows no fleet: it only writes its line. */
	readonly read?: boolean;
	/** Longest a poll may take before it is reported as timed out. Default: the interval, at least 2 s. */
	readonly readTimeoutMs?: number;
	readonly now?: () => number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
		timer.unref();
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createFleetPart(core: FleetCore, options: FleetPartOptions): FleetSourcePart & {readonly publishOnFrame: () => void} {
	const now = options.now ?? Date.now;
	const timeoutMs = options.readTimeoutMs ?? Math.max(2000, options.intervalMs);
	const ttlSeconds = Math.ceil(options.thresholds.expireAfterMs / 1000);
	let snapshot: FleetSnapshot = {hosts: [], thresholds: options.thresholds, readAtMs: undefined, truncated: false, invalidNames: 0, malformed: 0};
	let watched: string | undefined;
	let seen: ReadonlyMap<string, SeenEntry> = new Map();
	/** The period's work on its own timer (on the shared schedule), which does nothing while GPU frames do it (publishOnFrame). */
	let timer: FrameCoveredTimer | undefined;

	const publish = (): void => {
		const gpu = options.gpu();
		if (gpu === undefined || gpu.state === 'disabled' || keyId(core.host) !== core.host) return;
		const nowMs = now();
		const fields = summaryFields({gpuState: gpu.state, rows: gpu.gpus, firingAlerts: options.firingAlerts(), version: options.version, intervalMs: options.intervalMs, nowMs});
		core.writer.enqueueExpiringHash(ourKeys.hostSummary(core.host), fields, ttlSeconds, 'host');
		core.writer.enqueueRegistry(ourKeys.hosts, core.host, nowMs, nowMs - options.thresholds.expireAfterMs - CLOCK_SKEW_MARGIN_MS, ttlSeconds, 'host');
	};

	/**
	A box that samples GPUs but does not hold its name's host lease checks, every interval, that the GPUs written under
	its name are its own (name-conflict.ts); headless too, since that is how boxes run. One check in flight at a time.
	*/
	let conflict: string | undefined;
	let checking = false;
	const checkName = async (): Promise<void> => {
		const gpu = options.gpu();
		if (checking) return;
		if (gpu === undefined || gpu.gpus.length === 0 || core.bus.canWriteHost()) {
			if (conflict !== undefined && (gpu === undefined || core.bus.canWriteHost())) setConflict(undefined);
			return;
		}
		checking = true;
		const uuids = gpu.gpus.map((g) => g.uuid);
		try {
			setConflict(nameConflict(core.host, uuids, await withTimeout(orWhenWrongType(core.bus.kv().hgetall(gpuKeyOf.host(core.host)), {}), timeoutMs)));
		} catch {
			// Redis away or slow: the fleet read reports it; this check says nothing new.
		} finally {
			checking = false;
		}
	};
	const setConflict = (next: string | undefined): void => {
		if (next === conflict) return;
		conflict = next;
		journal.record({type: 'fleet-name', host: core.host, conflict: next ?? null});
		const {conflict: _was, ...rest} = snapshot;
		snapshot = next === undefined ? rest : {...rest, conflict: next};
		core.store.touch();
	};

	const readViewed = async (kv: Kv, host: string): Promise<GpuSnapshot> => {
		const state = await orWhenWrongType(kv.hgetall(gpuKeyOf.host(host)), {});
		const uuids = stateUuids(state);
		const rows = await Promise.all(
			uuids.map(async (uuid) => {
				const [hash, history] = await Promise.all([
					orWhenWrongType(kv.hgetall(gpuKeyOf.current(host, uuid)), {}),
					orWhenWrongType(kv.lrange(gpuKeyOf.series(host, uuid, 'utilization'), 0, REMOTE_HISTORY - 1), []),
				]);
				return gpuRowFromHash(uuid, hash, historyValues(history));
			}),
		);
		return remoteGpuSnapshot(state, rows);
	};

	const poll = async (): Promise<void> => {
		const kv = core.bus.kv();
		if (kv.newestMembers === undefined) return;
		const {entries, above} = await kv.newestMembers(ourKeys.hosts, MAX_FLEET_HOSTS + 1, now() + CLOCK_SKEW_MARGIN_MS);
		const read = entries.slice(0, MAX_FLEET_HOSTS);
		const named = read.filter((e) => keyId(e.member) === e.member);
		// A summary key of another type is that host's summary unreadable (counted malformed), not a failed read.
		const hashes = await Promise.all(named.map((e) => orWhenWrongType<Record<string, string> | undefined>(kv.hgetall(ourKeys.hostSummary(e.member)), undefined)));
		const summaries = new Map<string, HostSummary | undefined>(
			named.map((e, i) => {
				const hash = hashes[i];
				if (hash === undefined) return [e.member, {...parseSummary({}), malformed: ['summary (a key of another type)']}];
				return [e.member, Object.keys(hash).length === 0 ? undefined : parseSummary(hash)];
			}),
		);
		const host = watched;
		const viewed = host === undefined || host === core.host || keyId(host) !== host ? undefined : {host, gpu: await readViewed(kv, host), readAtMs: now()};
		const nowMs = now();
		// Judged by when this viewer saw each score change (its own clock), not by the writing box's clock.
		seen = observeScores(seen, read, nowMs);
		const judged = read.map((e) => ({member: e.member, score: seen.get(e.member)?.seenAtMs ?? e.score}));
		const built = fleetHosts({entries: judged, summaries}, nowMs, options.thresholds, core.host);
		snapshot = {
			hosts: built.hosts,
			thresholds: options.thresholds,
			readAtMs: nowMs,
			truncated: entries.length > MAX_FLEET_HOSTS,
			invalidNames: built.invalidNames,
			malformed: built.malformed,
			...(above > 0 ? {farAhead: above} : {}),
			...(viewed !== undefined && viewed.host === watched ? {viewed} : {}),
			...(conflict !== undefined ? {conflict} : {}),
		};
	};

	/**
	One poll at a time: a poll still waiting on a stalled Redis is never stacked (busy until Redis answers or the link
	gives up), while its caller gets its answer, or the timeout as the fleet's error, within `timeoutMs`.
	*/
	let busy = false;
	let current: Promise<void> | undefined;
	const refresh = (): Promise<void> => {
		if (busy) return current ?? Promise.resolve();
		busy = true;
		const running = poll();
		running.then(
			() => (busy = false),
			() => (busy = false),
		);
		current = withTimeout(running, timeoutMs)
			.catch((error: unknown) => {
				snapshot = {...snapshot, error: error instanceof Error ? error.message : String(error)};
			})
			.finally(() => {
				current = undefined;
				core.store.touch();
			});
		return current;
	};

	const reads = options.read ?? true;
	const tick = (): void => {
		publish();
		void checkName();
		if (reads) void refresh();
	};

	return {
		// The first read is waited for (bounded by its timeout), so --once and --headless start with the fleet known.
		start: async () => {
			publish();
			// The name check beside the first read (waited for with it); --headless, which reads nothing, does not wait.
			const named = checkName();
			if (reads) await Promise.all([named, refresh()]);
			timer = new FrameCoveredTimer(options.intervalMs, tick);
			timer.start();
		},
		stop: () => {
			timer?.stop();
			timer = undefined;
		},
		// On each GPU frame (the same period) the period's work: the line goes in the frame's transaction, and the name
		// check and the read ride on the same wake-up; the timer does it all once frames stop.
		publishOnFrame: () => {
			if (timer === undefined) return;
			timer.frame();
			tick();
		},
		fleet: () => snapshot,
		watch: (host) => {
			if (watched === host) return;
			watched = host;
			void refresh();
		},
		refresh,
	};
}
