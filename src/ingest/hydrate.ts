/**
Hydration: at start, read the history already in Redis (the seed's lists and hashes) into the store, so the first
frame shows it. Entries that do not parse are counted as rejects, like live messages.
*/
import {agentFromKey, HYDRATION_PATTERNS, keys, projectIdFromKey} from '../contract/names.js';
import {boundedNumber, durationValue, identifier, keyId, lossValue, stepValue, werValue} from '../contract/validate.js';
import {MAX_COUNTER, MAX_DURATION_SECONDS, MAX_TASK_COUNT} from '../contract/limits.js';
import {readTime, type TimeNote} from '../contract/time.js';
import {type KvReader} from '../bus/kv.js';
import {localDayStamp, type MetricsStore} from '../store/metrics-store.js';

/** What hydration loaded, counting only what reached the store (a rejected key or entry loads nothing). */
export interface HydrationReport {
	/** Projects that got at least one point from history. */
	readonly projects: number;
	readonly points: number;
	readonly completions: number;
	/** Agents that got figures, a workload or an active mark from history. */
	readonly agents: number;
	/** Keys and entries skipped; counted as the store's `hydrationRejected`, never as received messages. */
	readonly rejected: number;
	readonly ms: number;
}

function parseEntry(raw: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(raw);
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/**
A stored entry's time, by the same rules as a live message's (time.ts): missing is the start time, µs/ns are
converted, beyond the future skew it is clamped to the start time; unreadable or out of the window is a problem
(the entry is skipped and counted, as a live message would be rejected).
*/
function storedTime(value: unknown, now: number): {timeMs: number; note?: TimeNote} | string {
	return readTime(value, now);
}

/** Extra hydration steps contributed by other modules (GPU history, alert history). */
export type Hydrator = (kv: KvReader, store: MetricsStore) => Promise<void>;

/**
Read the seed's history back into the store. Everything read is untrusted, like a live message: key names pass
`keyId`, entries pass the same validators and limits as `parseMessage` (contract/), and a bad one is skipped and
counted as a reject with its reason (the store's `hydrationRejected`, not a received message). A project or agent
is created only from an entry that passed: a rejected one leaves no trace but the count. Nothing stored can make a
start throw.
*/
/** Series lists read together during hydration. */
const HYDRATION_WINDOW = 8;

export async function hydrate(kv: KvReader, store: MetricsStore, extra: readonly Hydrator[] = [], now = Date.now()): Promise<HydrationReport> {
	const started = performance.now();
	const capacity = store.limits.seriesCapacity;
	let points = 0;
	let rejected = 0;
	const reject = (what: string, why?: string) => {
		rejected += 1;
		store.recordReject('hydration', `hydration: bad ${what} entry${why === undefined ? '' : ` (${why})`}`, now);
	};
	const note = (time: {note?: TimeNote}) => {
		if (time.note !== undefined) store.recordTimeNote(time.note);
	};

	const lossKeys = await kv.scan(HYDRATION_PATTERNS.trainingLoss);
	const werKeys = await kv.scan(HYDRATION_PATTERNS.trainingWer);
	const seriesKeys = [...lossKeys.map((k) => [k, 'loss'] as const), ...werKeys.map((k) => [k, 'wer'] as const)];
	const loadedProjects = new Set<string>();
	const load = (key: string, metric: 'loss' | 'wer', entries: readonly string[]) => {
		const projectId = keyId(projectIdFromKey(key, metric));
		if (projectId === undefined) {
			reject(`${metric} key`);
			return;
		}
		const existing = store.projects.get(projectId);
		// Live data arrived first: do not interleave history behind it.
		if (((metric === 'loss' ? existing?.loss : existing?.wer)?.length ?? 0) > 0) return;
		const readValue = metric === 'loss' ? lossValue : werValue;
		// The project is created at its first entry that passes, so a rejected one leaves no trace but the count.
		let project: ReturnType<MetricsStore['project']>;
		let ring: {push(step: number, value: number, timeMs: number): void} | undefined;
		for (let i = entries.length - 1; i >= 0; i--) {
			const entry = parseEntry(entries[i]!);
			const step = stepValue(entry?.['step']);
			const value = readValue(entry?.['value']);
			if (entry === undefined || step === undefined || value === undefined) {
				reject(metric);
				continue;
			}
			const time = storedTime(entry['timestamp'], now);
			if (typeof time === 'string') {
				reject(metric, time);
				continue;
			}
			if (ring === undefined) {
				// Hydration never evicts: under a full cap a further project is skipped whole (its WER list too), so
				// read-back projects never push each other out or come back as WER-only ghosts.
				project = store.project(projectId, now, false);
				if (project === undefined) return;
				ring = metric === 'loss' ? project.loss : project.ensureWer();
			}
			note(time);
			ring.push(step, value, time.timeMs);
			project!.readBack(time.timeMs, now);
			points += 1;
			if (metric === 'loss' && time.timeMs >= project!.lastUpdatedMs) {
				project!.lastStep = step;
				project!.lastUpdatedMs = time.timeMs;
			}
		}
		if (project === undefined) return;
		loadedProjects.add(projectId);
		project.version += 1;
	};
	// A few lists at a time, each turned into ring points before the next window is read: reading every list at
	// once held all of them as strings together (100 series of 10,000 entries: ~100 MB of garbage at start, which
	// V8 then kept as heap).
	for (let at = 0; at < seriesKeys.length; at += HYDRATION_WINDOW) {
		const window = seriesKeys.slice(at, at + HYDRATION_WINDOW);
		const lists = await Promise.all(window.map(([key]) => kv.lrange(key, 0, capacity - 1)));
		window.forEach(([key, metric], index) => load(key, metric, lists[index]!));
	}

	const completions = await kv.lrange(keys.tasksCompletionTimes, 0, store.limits.completionsCapacity - 1);
	let completionCount = 0;
	for (let i = completions.length - 1; i >= 0; i--) {
		const entry = parseEntry(completions[i]!);
		const hasDuration = entry?.['duration'] !== undefined && entry['duration'] !== null;
		const duration = hasDuration ? durationValue(entry['duration']) : Number.NaN;
		const taskId = identifier(entry?.['taskId']);
		const agent = keyId(entry?.['agent']);
		if (entry === undefined || taskId === undefined || agent === undefined || duration === undefined) {
			reject('completion');
			continue;
		}
		const time = storedTime(entry['timestamp'], now);
		if (typeof time === 'string') {
			reject('completion', time);
			continue;
		}
		note(time);
		store.completions.push({taskId, agent, durationSeconds: duration, timeMs: time.timeMs});
		completionCount += 1;
	}

	const counters = await kv.hgetall(keys.tasksCounters);
	let completedToday = 0;
	if (counters['completed_today'] !== undefined) {
		const count = boundedNumber(counters['completed_today'], 0, MAX_COUNTER);
		if (count === undefined) reject('completed_today');
		else completedToday = Math.floor(count);
	}
	// A count of another day (the writer stopped before midnight, or this is a restart the next day) is not today's.
	const day = counters['completed_day'];
	if (day !== undefined && day !== localDayStamp(now)) completedToday = 0;
	store.hydrateCompletedToday(completedToday, now);

	const perfKeys = await kv.scan(HYDRATION_PATTERNS.agentPerformance);
	const workloadKeys = await kv.scan(HYDRATION_PATTERNS.agentWorkload);
	const active = new Set(await kv.smembers(keys.agentsActive));
	const perf = await Promise.all(perfKeys.map((k) => kv.hgetall(k)));
	const workloads = await Promise.all(workloadKeys.map((k) => kv.hgetall(k)));
	const loadedAgents = new Set<string>();
	perfKeys.forEach((key, index) => {
		const name = keyId(agentFromKey(key, 'performance'));
		if (name === undefined) {
			reject('agent key');
			return;
		}
		if ((store.agents.get(name)?.completed ?? 0) > 0) return; // live data arrived first
		const fields = perf[index]!;
		const completed = boundedNumber(fields['tasks_completed'] ?? 0, 0, MAX_COUNTER);
		const avg = boundedNumber(fields['avg_duration_seconds'] ?? 0, 0, MAX_DURATION_SECONDS);
		const errorRate = boundedNumber(fields['error_rate_percent'] ?? 0, 0, 100);
		if (completed === undefined || avg === undefined || errorRate === undefined) {
			reject('agent performance');
			return;
		}
		const agent = store.agent(name, now, false);
		if (agent === undefined) return;
		loadedAgents.add(name);
		agent.readBackMs = now;
		agent.completed = Math.floor(completed);
		agent.totalDurationSeconds = avg * agent.completed;
		agent.timedCompletions = agent.completed;
		agent.failed = errorRate > 0 && errorRate < 100 ? Math.round(((errorRate / 100) * agent.completed) / (1 - errorRate / 100)) : 0;
	});
	workloadKeys.forEach((key, index) => {
		const name = keyId(agentFromKey(key, 'workload'));
		if (name === undefined) {
			reject('agent key');
			return;
		}
		if ((store.agents.get(name)?.status ?? 'unknown') !== 'unknown') return; // live data arrived first
		const tasks = boundedNumber(workloads[index]!['current_tasks'] ?? 0, 0, MAX_TASK_COUNT);
		if (tasks === undefined) {
			reject('agent workload');
			return;
		}
		const agent = store.agent(name, now, false);
		if (agent === undefined) return;
		loadedAgents.add(name);
		agent.readBackMs = now;
		agent.currentTasks = Math.round(tasks);
		agent.status = active.has(name) ? 'busy' : 'idle';
	});
	for (const member of active) {
		const name = keyId(member);
		if (name === undefined) {
			reject('active agent');
			continue;
		}
		const agent = store.agent(name, now, false);
		if (agent !== undefined && agent.status === 'unknown') {
			agent.status = 'busy';
			agent.readBackMs = now;
			loadedAgents.add(name);
		}
	}

	for (const step of extra) await step(kv, store);
	store.touch();
	return {
		projects: loadedProjects.size,
		points,
		completions: completionCount,
		agents: loadedAgents.size,
		rejected,
		ms: performance.now() - started,
	};
}
