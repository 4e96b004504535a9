/**
Hydration: at start, read the history already in Redis (the seed's lists and hashes) into the store, so the first
frame shows it. Entries that do not parse are counted as rejects, like live messages.
*/
import {agentFromKey, HYDRATION_PATTERNS, keys, projectIdFromKey} from '../contract/names.js';
import {identifier, timestampMs} from '../contract/validate.js';
import {type KvReader} from '../bus/kv.js';
import {type MetricsStore} from '../store/metrics-store.js';

export interface HydrationReport {
	readonly projects: number;
	readonly points: number;
	readonly completions: number;
	readonly agents: number;
	readonly rejected: number;
	readonly ms: number;
}

/** Parse one stored list entry's number (the seed's {value} or {duration}), including "NaN"/"Infinity". */
function storedNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return value;
	if (typeof value === 'string') {
		if (value === 'NaN') return Number.NaN;
		if (value === 'Infinity') return Number.POSITIVE_INFINITY;
		if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
		const n = Number(value);
		return value.trim() !== '' && Number.isFinite(n) ? n : undefined;
	}
	return undefined;
}

function parseEntry(raw: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(raw);
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** Extra hydration steps contributed by other modules (GPU history, alert history). */
export type Hydrator = (kv: KvReader, store: MetricsStore) => Promise<void>;

export async function hydrate(kv: KvReader, store: MetricsStore, extra: readonly Hydrator[] = [], now = Date.now()): Promise<HydrationReport> {
	const started = performance.now();
	const capacity = store.limits.seriesCapacity;
	let points = 0;
	let rejected = 0;
	const reject = (what: string) => {
		rejected += 1;
		store.recordReject('hydration', `hydration: bad ${what} entry`, now);
	};

	const lossKeys = await kv.scan(HYDRATION_PATTERNS.trainingLoss);
	const werKeys = await kv.scan(HYDRATION_PATTERNS.trainingWer);
	const seriesKeys = [...lossKeys.map((k) => [k, 'loss'] as const), ...werKeys.map((k) => [k, 'wer'] as const)];
	const lists = await Promise.all(seriesKeys.map(([key]) => kv.lrange(key, 0, capacity - 1)));
	seriesKeys.forEach(([key, metric], index) => {
		const projectId = identifier(projectIdFromKey(key, metric));
		if (projectId === undefined) {
			reject(`${metric} key`);
			return;
		}
		const project = store.project(projectId);
		if (project === undefined) return;
		const ring = metric === 'loss' ? project.loss : project.ensureWer();
		if (ring.length > 0) return; // live data arrived first: do not interleave history behind it
		const entries = lists[index]!;
		for (let i = entries.length - 1; i >= 0; i--) {
			const entry = parseEntry(entries[i]!);
			const step = storedNumber(entry?.['step']);
			const value = storedNumber(entry?.['value']);
			if (entry === undefined || step === undefined || value === undefined) {
				reject(metric);
				continue;
			}
			const timeMs = timestampMs(entry['timestamp']) ?? now;
			ring.push(step, value, timeMs);
			points += 1;
			if (metric === 'loss' && timeMs >= project.lastUpdatedMs) {
				project.lastStep = step;
				project.lastUpdatedMs = timeMs;
			}
		}
		project.version += 1;
	});

	const completions = await kv.lrange(keys.tasksCompletionTimes, 0, store.limits.completionsCapacity - 1);
	let completionCount = 0;
	for (let i = completions.length - 1; i >= 0; i--) {
		const entry = parseEntry(completions[i]!);
		const duration = storedNumber(entry?.['duration']);
		const taskId = identifier(entry?.['taskId']);
		const agent = identifier(entry?.['agent']);
		if (entry === undefined || taskId === undefined || agent === undefined || (entry['duration'] !== undefined && duration === undefined)) {
			reject('completion');
			continue;
		}
		store.completions.push({taskId, agent, durationSeconds: duration ?? Number.NaN, timeMs: timestampMs(entry['timestamp']) ?? now});
		completionCount += 1;
	}

	const counters = await kv.hgetall(keys.tasksCounters);
	const completedToday = Number(counters['completed_today'] ?? 0);
	store.hydrateCompletedToday(Number.isFinite(completedToday) ? completedToday : 0, now);

	const perfKeys = await kv.scan(HYDRATION_PATTERNS.agentPerformance);
	const workloadKeys = await kv.scan(HYDRATION_PATTERNS.agentWorkload);
	const active = new Set(await kv.smembers(keys.agentsActive));
	const perf = await Promise.all(perfKeys.map((k) => kv.hgetall(k)));
	const workloads = await Promise.all(workloadKeys.map((k) => kv.hgetall(k)));
	perfKeys.forEach((key, index) => {
		const name = identifier(agentFromKey(key, 'performance'));
		if (name === undefined) reject('agent key');
		const agent = name === undefined ? undefined : store.agent(name);
		if (agent === undefined || agent.completed > 0) return;
		const fields = perf[index]!;
		const completed = Number(fields['tasks_completed'] ?? 0);
		const avg = Number(fields['avg_duration_seconds'] ?? 0);
		const errorRate = Number(fields['error_rate_percent'] ?? 0);
		if (!Number.isFinite(completed) || !Number.isFinite(avg) || !Number.isFinite(errorRate)) return;
		agent.completed = completed;
		agent.totalDurationSeconds = avg * completed;
		agent.timedCompletions = completed;
		agent.failed = errorRate > 0 && errorRate < 100 ? Math.round(((errorRate / 100) * completed) / (1 - errorRate / 100)) : 0;
	});
	workloadKeys.forEach((key, index) => {
		const name = identifier(agentFromKey(key, 'workload'));
		if (name === undefined) reject('agent key');
		const agent = name === undefined ? undefined : store.agent(name);
		if (agent === undefined || agent.status !== 'unknown') return;
		const tasks = Number(workloads[index]!['current_tasks'] ?? 0);
		agent.currentTasks = Number.isFinite(tasks) ? tasks : 0;
		agent.status = active.has(name!) ? 'busy' : 'idle';
	});
	for (const member of active) {
		const name = identifier(member);
		if (name === undefined) {
			reject('active agent');
			continue;
		}
		const agent = store.agent(name);
		if (agent !== undefined && agent.status === 'unknown') agent.status = 'busy';
	}

	for (const step of extra) await step(kv, store);
	store.touch();
	return {
		projects: new Set(seriesKeys.map(([k, m]) => projectIdFromKey(k, m))).size,
		points,
		completions: completionCount,
		agents: store.agents.size,
		rejected,
		ms: performance.now() - started,
	};
}
